"""Put an earlier inspection (SQS, FJI, CCI) beside a current one, area by nearest standard.

The crosswalk is data (`frameworks/crosswalk.yaml`): each earlier area names the current key
questions (`2.1.desistance`) or organisational standards (`1.1`) nearest to it, with a note on
how the two measures differ. `crosswalk_rows` turns an `AreaRating` and an `InspectionRating`
into rows a page or report can print side by side. The note travels with every row, because
a 2015 pooled share of answers and a 2024 share of cases are not the same measure.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from yjinspect.frameworks import Framework, FrameworkError, get_framework
from yjinspect.frameworks.loader import SHIPPED_DIR
from yjinspect.limits import LimitExceeded, YamlLimits, compose_yaml, construct_yaml, read_file

from .legacy import AreaRating, AreaResult
from .ratings import InspectionRating, KeyQuestionResult, StandardResult

CROSSWALK_PATH = SHIPPED_DIR / "crosswalk.yaml"


class CrosswalkError(ValueError):
    """A crosswalk file that cannot be used, or results it does not cover."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AreaMapping(_Model):
    area: str = Field(min_length=1)
    current: list[str] = Field(min_length=1)  # key questions '<standard>.<lens>' or standards
    note: str = Field(min_length=1)  # how the measures differ: required


class Crosswalk(_Model):
    version: int = Field(ge=1)
    note: str = Field(min_length=1)
    current_frameworks: list[str] = Field(min_length=1)
    lens_labels: dict[str, str] = Field(default_factory=dict)
    earlier: dict[str, list[AreaMapping]] = Field(min_length=1)

    def mapping(self, framework_id: str, area_id: str) -> AreaMapping | None:
        return next((m for m in self.earlier.get(framework_id, []) if m.area == area_id), None)


# ---------------------------------------------------------------- loading and checking


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The line of the deepest YAML node on `loc` that exists."""
    line = None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if str(k.value) == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def parse_crosswalk(text: str, source: str = "<crosswalk>") -> Crosswalk:
    """Validate crosswalk YAML; errors name the file, line and field."""
    try:
        node = compose_yaml(text, YamlLimits(), "the crosswalk file")
        data = None if node is None else construct_yaml(node)
    except yaml.YAMLError as exc:
        raise CrosswalkError(f"{source}: not valid YAML: {exc}") from exc
    except LimitExceeded as exc:
        raise CrosswalkError(f"{source}: {exc}") from None
    try:
        return Crosswalk.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            lines.append(f"{source}:{_line_of(node, loc) or '?'}: {_where(loc)}: {err['msg']}")
        raise CrosswalkError("\n".join(lines)) from None


def check_crosswalk(
    crosswalk: Crosswalk, frameworks: Mapping[str, Framework] | None = None
) -> list[str]:
    """Every problem with the crosswalk against the frameworks it names (shipped ones unless
    given): unknown frameworks, areas or targets, and earlier areas left unmapped."""
    problems: list[str] = []

    def framework(fid: str) -> Framework | None:
        if frameworks is not None:
            return frameworks.get(fid)
        try:
            return get_framework(fid)
        except FrameworkError:
            return None

    current: list[Framework] = []
    for fid in crosswalk.current_frameworks:
        fw = framework(fid)
        if fw is None or fw.scoring_model != "standards":
            problems.append(f"current_frameworks: '{fid}' is not a standards framework")
        else:
            current.append(fw)
    for fid, mappings in crosswalk.earlier.items():
        fw = framework(fid)
        if fw is None or fw.scoring_model != "areas":
            problems.append(f"earlier.{fid}: not an earlier-programme (areas) framework")
            continue
        ids = [m.area for m in mappings]
        for area in fw.areas:
            if area.id not in ids:
                problems.append(f"earlier.{fid}: area {area.id} is not mapped")
        for n, m in enumerate(mappings):
            if ids.count(m.area) > 1:
                problems.append(f"earlier.{fid}[{n}]: area {m.area} is mapped twice")
            if m.area not in {a.id for a in fw.areas}:
                problems.append(f"earlier.{fid}[{n}]: unknown area '{m.area}'")
            for target in m.current:
                for cfw in current:
                    if not _target_exists(cfw, target):
                        problems.append(f"earlier.{fid}[{n}]: '{target}' is not in {cfw.id}")
    return problems


def _target_exists(fw: Framework, target: str) -> bool:
    return target in fw.key_question_ids() or target in {s.id for s in fw.all_standards()}


def load_crosswalk(path: str | Path | None = None) -> Crosswalk:
    """The shipped crosswalk (checked against the shipped frameworks), or one from `path`."""
    if path is None:
        return _shipped()
    return _load(Path(path))


def _load(path: Path) -> Crosswalk:
    try:
        text = read_file(path, YamlLimits().max_bytes, "the crosswalk file").decode("utf-8")
    except (OSError, UnicodeDecodeError, LimitExceeded) as exc:
        raise CrosswalkError(f"{path}: cannot read: {exc}") from exc
    crosswalk = parse_crosswalk(text, str(path))
    problems = check_crosswalk(crosswalk)
    if problems:
        raise CrosswalkError("\n".join(f"{path}: {p}" for p in problems))
    return crosswalk


@functools.cache
def _shipped() -> Crosswalk:
    return _load(CROSSWALK_PATH)


# ---------------------------------------------------------------- rows


@dataclass(frozen=True)
class CrosswalkRow:
    """One current key question or standard beside one earlier area."""

    current_id: str  # '2.1.others_safety' or '1.1'
    current_label: str  # '2.1 Assessment: keeping other people safe'
    current_figure: str  # '78% (7/9)', or a rating for a judged standard
    current_percent: int | float | None
    current_rating: str  # the standard's final rating
    earlier_framework: str
    earlier_area: str
    earlier_label: str
    earlier_figure: str  # '51% (38/75), Poor'; SQS figures say they were not published
    earlier_percent: int | float | None
    earlier_word: str | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def crosswalk_rows(
    earlier_result: AreaRating,
    current_result: InspectionRating,
    crosswalk: Crosswalk | None = None,
) -> list[CrosswalkRow]:
    """Rows pairing each earlier area with its nearest current figures, in the earlier
    framework's area order and the crosswalk's target order. Optional areas the earlier
    inspection did not cover give no rows."""
    cw = crosswalk or load_crosswalk()
    if current_result.framework_id not in cw.current_frameworks:
        raise CrosswalkError(
            f"the crosswalk covers {', '.join(cw.current_frameworks)}, "
            f"not {current_result.framework_id}"
        )
    if earlier_result.framework_id not in cw.earlier:
        raise CrosswalkError(f"the crosswalk has no mappings for {earlier_result.framework_id}")
    rows: list[CrosswalkRow] = []
    for area in earlier_result.areas:
        mapping = cw.mapping(earlier_result.framework_id, area.id)
        if mapping is None:
            raise CrosswalkError(f"{earlier_result.framework_id} {area.id} is not mapped")
        e_figure, e_percent = _earlier_figure(area, earlier_result.framework_id)
        note = " ".join(mapping.note.split())
        for target in mapping.current:
            label, figure, percent, rating = _current(current_result, target, cw)
            row = CrosswalkRow(
                target, label, figure, percent, rating, earlier_result.framework_id, area.id,
                f"{area.id} {area.name}", e_figure, e_percent, area.word, note,
            )  # fmt: skip
            rows.append(row)
    return rows


def _num(value: Fraction | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value.denominator == 1 else float(value)


def _earlier_figure(area: AreaResult, framework_id: str) -> tuple[str, int | float | None]:
    if area.rating_method == "judgement":
        if area.word_scale is None:
            return "narrative only (no word)", None
        return (area.word or "no judgement recorded"), None
    if area.percent is None:
        return "no applicable answers", None
    text = f"{area.percent_text} ({area.yes}/{area.applicable})"
    if area.word:
        text += f", {area.word}"
    if not area.score_published:
        text += f" (pooled by yjinspect; {framework_id} published no area figure)"
    return text, _num(area.percent)


def _current(
    result: InspectionRating, target: str, cw: Crosswalk
) -> tuple[str, str, int | float | None, str]:
    std_id, _, lens = target.rpartition(".") if target.count(".") >= 2 else (target, "", "")
    try:
        std: StandardResult = result.standard(std_id)
    except KeyError:
        raise CrosswalkError(f"{result.framework_id} has no standard {std_id}") from None
    rating = std.rating.label if std.rating else result.not_rated_label
    if not lens:
        return f"{std.id} {std.name}", rating, None, rating
    kq: KeyQuestionResult | None = next((k for k in std.key_questions if k.id == target), None)
    if kq is None:
        raise CrosswalkError(f"{result.framework_id} has no key question {target}")
    label = f"{std.id} {std.name}: {cw.lens_labels.get(lens, lens.replace('_', ' '))}"
    if kq.percent is None:
        return label, "no applicable answers", None, rating
    return label, f"{kq.percent_text} ({kq.yes}/{kq.applicable})", _num(kq.percent), rating
