"""Load framework files and report every problem by file, line and field.

A framework file is written by people (HMIP's method team, or a service's QA lead building a
local audit tool), so a mistake must point at the exact line to fix rather than at a stack trace.
"""

from __future__ import annotations

import functools
import hashlib
import json
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..limits import LimitExceeded, YamlLimits, compose_yaml, construct_yaml, read_file
from .schema import Framework, key_question_id

Path_ = tuple[str | int, ...]
SHIPPED_DIR = Path(__file__).parent
# A framework file is a few tens of kilobytes (the largest shipped one is 18 KB, with 18
# aliases sharing prompts); these leave room for a far larger local one and refuse a bomb.
FRAMEWORK_LIMITS = YamlLimits(max_bytes=2 * 1024 * 1024, max_aliases=500, max_nodes=200_000)


@dataclass(frozen=True)
class Problem:
    line: int | None
    field: str
    message: str


class FrameworkError(ValueError):
    """A framework file that cannot be used, with every problem found in it."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = [
            f"{source}:{p.line if p.line is not None else '?'}: {p.field}: {p.message}"
            for p in problems
        ]
        super().__init__("\n".join(lines))


def _field_name(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def _line_map(node: yaml.Node, path: Path_, lines: dict[Path_, int], dupes: list[Problem]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                dupes.append(
                    Problem(
                        key_node.start_mark.line + 1, _field_name((*path, key)), "duplicate key"
                    )
                )
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _line_map(value_node, (*path, key), lines, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, (*path, i), lines, dupes)


def _line_for(path: Path_, lines: dict[Path_, int]) -> int | None:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


def _cross_check(fw: Framework) -> Iterator[tuple[Path_, str]]:
    """Rules that span fields: references resolve, ids are unique, tables are ordered."""
    if fw.scoring_model == "areas":
        yield from _check_areas(fw)
        return
    for needed in ("ratings", "case_bands", "overall", "domains", "lenses"):
        if not getattr(fw, needed):
            yield (needed,), f"a '{fw.scoring_model}' framework needs {needed}"
    if fw.overall is None or not fw.ratings:
        return  # already reported as missing; the checks below need both
    rating_ids = [r.id for r in fw.ratings]
    if len(set(rating_ids)) != len(rating_ids):
        yield ("ratings",), "rating ids must be unique"
    lens_ids = {lens.id for lens in fw.lenses}
    domain_ids = {d.id for d in fw.case_domains}
    for i, band in enumerate(fw.case_bands):
        if band.rating not in rating_ids:
            yield ("case_bands", i, "rating"), f"unknown rating '{band.rating}'"
    mins = [b.min_percent for b in fw.case_bands]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        yield ("case_bands",), "bands must be listed from the highest min_percent down, no repeats"
    if mins and mins[-1] != 0:
        yield ("case_bands",), "the lowest band must start at 0 so every percentage has a band"
    for i, ob in enumerate(fw.overall.bands):
        if ob.rating not in rating_ids:
            yield ("overall", "bands", i, "rating"), f"unknown rating '{ob.rating}'"
    scores = [b.min_score for b in fw.overall.bands]
    if scores != sorted(scores, reverse=True) or (scores and scores[-1] != 0):
        yield ("overall", "bands"), "bands must run from the highest min_score down to 0"
    seen_std: set[str] = set()
    max_points = max(r.points for r in fw.ratings)
    total = 0
    for di, domain in enumerate(fw.domains):
        for si, std in enumerate(domain.standards):
            here: Path_ = ("domains", di, "standards", si)
            if std.id in seen_std:
                yield (*here, "id"), f"standard id '{std.id}' is used twice"
            seen_std.add(std.id)
            total += max_points if std.scored else 0
            for cd in std.case_domains:
                if cd not in domain_ids:
                    yield (*here, "case_domains"), f"unknown case domain '{cd}'"
            if std.not_rated_without_cases and std.not_rated_without_cases not in domain_ids:
                yield (*here, "not_rated_without_cases"), "unknown case domain"
            if std.rating_method == "cases":
                if not std.key_questions:
                    yield (*here, "key_questions"), "a case-rated standard needs key questions"
                if not std.case_domains:
                    yield (*here, "case_domains"), "say which case domains answer this standard"
            elif std.key_questions:
                yield (*here, "key_questions"), "a judgement standard has themes, not key questions"
            lenses_here = [kq.lens for kq in std.key_questions]
            for ki, kq in enumerate(std.key_questions):
                if kq.lens not in lens_ids:
                    yield (*here, "key_questions", ki, "lens"), f"unknown lens '{kq.lens}'"
                if lenses_here.count(kq.lens) > 1:
                    yield (
                        (*here, "key_questions", ki, "lens"),
                        f"{key_question_id(std.id, kq.lens)} appears twice",
                    )
    if total != fw.overall.max_score:
        yield (
            ("overall", "max_score"),
            f"is {fw.overall.max_score} but the scored standards add up to {total}",
        )
    for key in fw.sampling.windows:
        if key not in domain_ids:
            yield ("sampling", "windows", key), f"unknown case domain '{key}'"
    for key in fw.provenance:
        if not key:
            yield ("provenance",), "empty key"


def _check_areas(fw: Framework) -> Iterator[tuple[Path_, str]]:
    """An earlier programme: areas pool items; words come from named scales."""
    if not fw.areas:
        yield ("areas",), "an 'areas' framework needs areas"
    if fw.domains:
        yield ("domains",), "an 'areas' framework has areas and items, not domains"
    item_ids = [i.id for i in fw.items]
    area_ids = [a.id for a in fw.areas]
    domain_ids = {d.id for d in fw.case_domains}
    for ids, where in ((item_ids, "items"), (area_ids, "areas")):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            yield (where,), f"ids used twice: {', '.join(dupes)}"
    for n, item in enumerate(fw.items):
        if item.area not in area_ids:
            yield ("items", n, "area"), f"unknown area '{item.area}'"
        if item.kind == "recorded" and not item.options:
            yield ("items", n, "options"), "a recorded item needs its options"
        for cd in item.case_domains:
            if cd not in domain_ids:
                yield ("items", n, "case_domains"), f"unknown case domain '{cd}'"
    scored = {i.id for i in fw.items if i.kind == "scored"}
    for n, area in enumerate(fw.areas):
        for ref in area.items:
            if ref not in scored:
                yield ("areas", n, "items"), f"'{ref}' is not a scored item"
        for k, section in enumerate(area.sections):
            for ref in section.items:
                if ref not in scored:
                    yield ("areas", n, "sections", k, "items"), f"'{ref}' is not a scored item"
        if area.rating_method == "cases" and not area.items:
            yield ("areas", n, "items"), "a case-based area needs the items pooled into it"
        if area.word_scale is not None and area.word_scale not in fw.word_scales:
            yield ("areas", n, "word_scale"), f"unknown word scale '{area.word_scale}'"
        yield from _check_area_extras(fw, n)
    for name, bands in fw.word_scales.items():
        mins = [b.min_percent for b in bands]
        if mins != sorted(mins, reverse=True) or not mins or mins[-1] != 0:
            yield ("word_scales", name), "list words from the highest min_percent down to 0"
        words = [b.word.strip().casefold() for b in bands]
        if "" in words or len(set(words)) != len(words):
            yield ("word_scales", name), "each word must be given, and only once"
    for key in fw.sampling.windows:
        if key not in domain_ids:
            yield ("sampling", "windows", key), f"unknown case domain '{key}'"
    for key in fw.provenance:
        if not key:
            yield ("provenance",), "empty key"


_SENTENCE_FIELDS = frozenset({"percent", "yes", "applicable", "work_phrase"})


def _check_area_extras(fw: Framework, n: int) -> Iterator[tuple[Path_, str]]:
    """Area rules added with the earlier programmes' files (SQS, FJI, CCI)."""
    area = fw.areas[n]
    if area.rating_method == "judgement" and area.items:
        yield ("areas", n, "items"), "a judgement area takes a judged word and pools no items"
    if area.rating_method == "cases" and not area.score_published and area.word_scale:
        yield ("areas", n, "word_scale"), "an area whose score is not published takes no word"
    if area.score_sentence:
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(area.score_sentence) if f}
        except ValueError as exc:
            yield ("areas", n, "score_sentence"), f"not a valid template: {exc}"
        else:
            for name in sorted(names - _SENTENCE_FIELDS):
                allowed = ", ".join("{" + f + "}" for f in sorted(_SENTENCE_FIELDS))
                yield ("areas", n, "score_sentence"), f"unknown field {{{name}}}; use {allowed}"


def parse_framework(text: str, source: str = "<framework>") -> Framework:
    """Validate framework YAML text; raise FrameworkError naming every problem."""
    try:
        node = compose_yaml(text, FRAMEWORK_LIMITS, "the framework file")
        data: Any = None if node is None else construct_yaml(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise FrameworkError(source, [Problem(line, "(file)", f"not valid YAML: {exc}")]) from exc
    except LimitExceeded as exc:
        raise FrameworkError(source, [Problem(None, "(file)", str(exc))]) from None
    if node is None or not isinstance(data, dict):
        raise FrameworkError(source, [Problem(1, "(file)", "expected a mapping at the top")])
    lines: dict[Path_, int] = {}
    problems: list[Problem] = []
    _line_map(node, (), lines, problems)
    if problems:
        raise FrameworkError(source, problems)
    try:
        fw = Framework.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            problems.append(Problem(_line_for(loc, lines), _field_name(loc), err["msg"]))
        raise FrameworkError(source, problems) from None
    problems = [Problem(_line_for(p, lines), _field_name(p), m) for p, m in _cross_check(fw)]
    if problems:
        raise FrameworkError(source, problems)
    return fw


def load_framework_file(path: str | Path) -> Framework:
    path = Path(path)
    try:
        text = read_file(path, FRAMEWORK_LIMITS.max_bytes, "the framework file").decode("utf-8")
    except (OSError, UnicodeDecodeError, LimitExceeded) as exc:
        raise FrameworkError(str(path), [Problem(None, "(file)", str(exc))]) from exc
    return _parse_file_text(text, str(path))


@functools.lru_cache(maxsize=32)
def _parse_file_text(text: str, name: str) -> Framework:
    """Parse once per distinct file content: pages that list the shipped frameworks (the
    create form) would otherwise re-validate every file on every request (~0.4 s). Keyed on
    the text itself, so an edited file is parsed afresh; a file with errors is never cached.
    Frameworks are frozen models, so sharing one object between callers is safe.
    """
    return parse_framework(text, name)


def fingerprint(fw: Framework) -> str:
    """A hash of the framework's content: two files with the same fingerprint rate alike."""
    canonical = json.dumps(fw.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# YAML files shipped beside the frameworks that are not frameworks themselves.
NOT_FRAMEWORKS = frozenset({"crosswalk"})


def shipped_framework_paths() -> dict[str, Path]:
    return {p.stem: p for p in sorted(SHIPPED_DIR.glob("*.yaml")) if p.stem not in NOT_FRAMEWORKS}


def shipped_frameworks() -> list[Framework]:
    return [load_framework_file(p) for p in shipped_framework_paths().values()]


def get_framework(id_or_path: str) -> Framework:
    """A shipped framework by id, or a user's own framework file by path."""
    shipped = shipped_framework_paths()
    if id_or_path in shipped:
        return load_framework_file(shipped[id_or_path])
    candidate = Path(id_or_path)
    if candidate.suffix in {".yaml", ".yml"} or candidate.exists():
        return load_framework_file(candidate)
    known = ", ".join(shipped) or "none"
    raise FrameworkError(
        id_or_path, [Problem(None, "(file)", f"no such framework; shipped ones are: {known}")]
    )


class FrameworkVersionConflict(ValueError):
    """The same id and version with different content: answers would change meaning."""


def check_version_unchanged(fw: Framework, recorded_fingerprint: str) -> None:
    """Refuse a framework whose content differs from what answers were captured under."""
    if fingerprint(fw) != recorded_fingerprint:
        raise FrameworkVersionConflict(
            f"{fw.ref} differs from the version answers were recorded against; "
            f"a changed framework must carry a new version number"
        )
