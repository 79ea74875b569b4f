"""Load framework files and report every problem by file, line and field.

A framework file is written by people (HMIP's method team, or a service's QA lead building a
local audit tool), so a mistake must point at the exact line to fix rather than at a stack trace.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..limits import LimitExceeded, YamlLimits, compose_yaml, construct_yaml, read_file
from .schema import (
    PER_STANDARD_SLOTS,
    REPORT_SENTENCE_SLOTS,
    Framework,
    Sampling,
    share_of,
)

Path_ = tuple[str | int, ...]
SHIPPED_DIR = Path(__file__).parent
# A framework file is a few tens of kilobytes (the largest shipped one is 18 KB, with 18
# aliases sharing prompts); these leave room for a far larger local one and refuse a bomb.
FRAMEWORK_LIMITS = YamlLimits(max_bytes=2 * 1024 * 1024, max_aliases=500, max_nodes=200_000)


@dataclass(frozen=True)
class Problem:
    """One thing to fix: the line of a YAML file, or the sheet, row and column of a workbook
    (`line` is then the row), and the framework field it concerns."""

    line: int | None
    field: str
    message: str
    sheet: str | None = None
    column: str | None = None  # a workbook column: its letter and heading, e.g. 'E (rating_method)'

    def located(self, source: str) -> str:
        """The problem as one line a person can act on."""
        if self.sheet is None:
            line = self.line if self.line is not None else "?"
            return f"{source}:{line}: {self.field}: {self.message}"
        where = f"{source}: sheet {self.sheet}"
        if self.line is not None:
            where += f", row {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class FrameworkError(ValueError):
    """A framework file that cannot be used, with every problem found in it."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(p.located(source) for p in problems))


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
    yield from _check_provisional(fw)
    yield from _check_report_sentences(fw)
    yield from _check_report_phrases(fw)
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
    domain_ids = {d.id for d in fw.case_domains}
    for i, band in enumerate(fw.case_bands):
        if band.rating not in rating_ids:
            yield ("case_bands", i, "rating"), f"unknown rating '{band.rating}'"
    mins = [b.min_percent for b in fw.case_bands]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        yield ("case_bands",), "bands must be listed from the highest min_percent down, no repeats"
    if mins and mins[-1] != 0:
        yield ("case_bands",), "the lowest band must start at 0 so every percentage has a band"
    yield from _check_overall(fw, rating_ids)
    yield from _check_populations(fw)
    yield from _check_standards(fw)
    yield from _check_windows(fw.sampling, ("sampling",), domain_ids)
    for key in fw.provenance:
        if not key:
            yield ("provenance",), "empty key"


def _check_provisional(fw: Framework) -> Iterator[tuple[Path_, str]]:
    if fw.provisional and not fw.provisional_note.strip():
        yield ("provisional_note",), "a provisional framework needs a note saying what is unsure"
    if fw.provisional_note and not fw.provisional:
        yield ("provisional",), "a note for a provisional framework, but provisional is false"


def _check_overall(fw: Framework, rating_ids: list[str]) -> Iterator[tuple[Path_, str]]:
    """The overall table: a score out of max_score, or an average of the standards' points."""
    overall = fw.overall_table
    for i, ob in enumerate(overall.bands):
        if ob.rating not in rating_ids:
            yield ("overall", "bands", i, "rating"), f"unknown rating '{ob.rating}'"
    max_points = max(r.points for r in fw.ratings)
    if overall.method == "score":
        for i, ob in enumerate(overall.bands):
            if ob.min_score is None:
                yield ("overall", "bands", i, "min_score"), "a 'score' overall band needs min_score"
            if ob.min_average is not None:
                yield (
                    ("overall", "bands", i, "min_average"),
                    "min_average is for method 'points_average'; this table bands a score",
                )
        scores = [b.min_score for b in overall.bands if b.min_score is not None]
        if scores != sorted(scores, reverse=True) or (scores and scores[-1] != 0):
            yield ("overall", "bands"), "bands must run from the highest min_score down to 0"
        total = sum(max_points for s in fw.all_standards() if s.scored)
        if overall.max_score is None:
            yield ("overall", "max_score"), "a 'score' overall needs max_score"
        elif total != overall.max_score:
            yield (
                ("overall", "max_score"),
                f"is {overall.max_score} but the scored standards add up to {total}",
            )
        return
    if overall.max_score is not None:
        yield ("overall", "max_score"), "method 'points_average' publishes no score: remove it"
    for i, ob in enumerate(overall.bands):
        if ob.min_average is None:
            yield (
                ("overall", "bands", i, "min_average"),
                "a 'points_average' band needs min_average",
            )
        elif ob.min_average > max_points:
            yield (
                ("overall", "bands", i, "min_average"),
                f"is above the most points a rating gives ({max_points})",
            )
        if ob.min_score is not None:
            yield (
                ("overall", "bands", i, "min_score"),
                "min_score is for method 'score'; this table bands an average",
            )
    averages = [b.min_average for b in overall.bands if b.min_average is not None]
    if (
        averages != sorted(averages, reverse=True)
        or len(set(averages)) != len(averages)
        or (averages and averages[-1] != 0)
    ):
        yield ("overall", "bands"), "bands must run from the highest min_average down to 0"


# A case list holds references, never names: a column whose id or label says 'name' is refused.
_NAME_WORD = re.compile(r"(^|[^a-z])(name|names|forename|surname)([^a-z]|$)", re.IGNORECASE)


def _check_populations(fw: Framework) -> Iterator[tuple[Path_, str]]:
    """Populations: unique ids, every case domain in exactly one, lists without names."""
    ids = [p.id for p in fw.populations]
    for dupe in sorted({i for i in ids if ids.count(i) > 1}):
        yield ("populations",), f"population id '{dupe}' is used twice"
    domain_ids = {d.id for d in fw.case_domains}
    owner: dict[str, str] = {}
    for pi, pop in enumerate(fw.populations):
        here: Path_ = ("populations", pi)
        for cd in pop.case_domains:
            if cd not in domain_ids:
                yield (*here, "case_domains"), f"unknown case domain '{cd}'"
            elif cd in owner:
                yield (*here, "case_domains"), f"case domain '{cd}' is already in '{owner[cd]}'"
            else:
                owner[cd] = pop.id
        if pop.sampling is not None:
            own = set(pop.case_domains) if pop.case_domains else {pop.id}
            yield from _check_windows(pop.sampling, (*here, "sampling"), own)
        columns = [c.id for c in pop.columns]
        for ci, column in enumerate(pop.columns):
            where: Path_ = (*here, "columns", ci)
            if columns.count(column.id) > 1:
                yield (*where, "id"), f"column '{column.id}' is listed twice"
            if _NAME_WORD.search(column.id.replace("_", " ")) or _NAME_WORD.search(column.label):
                yield (
                    (*where, "id"),
                    "a case list holds references, never names: use a pseudonymous reference",
                )
            if column.kind == "choice" and not column.options:
                yield (*where, "options"), "a 'choice' column needs its options"
            if column.refers_to is not None and column.refers_to not in ids:
                yield (*where, "refers_to"), f"unknown population '{column.refers_to}'"
    if fw.populations:
        for cd in sorted(domain_ids - owner.keys()):
            yield ("populations",), f"case domain '{cd}' is in no population"


def _check_windows(
    sampling: Sampling, here: Path_, allowed: set[str]
) -> Iterator[tuple[Path_, str]]:
    for key in sampling.windows:
        if key not in allowed:
            yield (*here, "windows", key), f"unknown case domain '{key}'"
    low, high = sampling.minimum, sampling.maximum
    if low is not None and high is not None and low > high:
        yield (*here, "minimum"), f"the minimum ({low}) is above the maximum ({high})"


def _check_standards(fw: Framework) -> Iterator[tuple[Path_, str]]:
    """Standards and their key questions: ids, references, and who answers what."""
    lens_ids = {lens.id for lens in fw.lenses}
    domain_ids = {d.id for d in fw.case_domains}
    populations = {p.id: p for p in fw.case_populations()}
    standard_ids = {s.id for s in fw.all_standards()}
    seen_std: set[str] = set()
    seen_kq: set[str] = set()
    for di, domain in enumerate(fw.domains):
        for si, std in enumerate(domain.standards):
            here: Path_ = ("domains", di, "standards", si)
            if std.id in seen_std:
                yield (*here, "id"), f"standard id '{std.id}' is used twice"
            seen_std.add(std.id)
            for cd in std.case_domains:
                if cd not in domain_ids:
                    yield (*here, "case_domains"), f"unknown case domain '{cd}'"
            if std.not_rated_without_cases and std.not_rated_without_cases not in domain_ids:
                yield (*here, "not_rated_without_cases"), "unknown case domain"
            population = populations.get(std.population)
            if population is None:
                yield (*here, "population"), f"unknown population '{std.population}'"
            if std.rating_method == "cases":
                if not std.key_questions:
                    yield (*here, "key_questions"), "a case-rated standard needs key questions"
                elif not std.case_questions():
                    yield (
                        (*here, "key_questions"),
                        "a case-rated standard needs a key question answered per case",
                    )
                if population is not None and population.case_domains:
                    if not std.case_domains:
                        yield (*here, "case_domains"), "say which case domains answer this standard"
                    for cd in std.case_domains:
                        if cd in domain_ids and cd not in population.case_domains:
                            yield (
                                (*here, "case_domains"),
                                f"case domain '{cd}' is not in population '{population.id}'",
                            )
                elif population is not None and std.case_domains:
                    yield (
                        (*here, "case_domains"),
                        f"population '{population.id}' has no case domains",
                    )
            elif std.key_questions:
                yield (*here, "key_questions"), "a judgement standard has themes, not key questions"
            lenses_here = [kq.lens for kq in std.key_questions if not kq.id]
            for ki, kq in enumerate(std.key_questions):
                where: Path_ = (*here, "key_questions", ki)
                kq_id = std.question_id(kq)
                if kq.lens and kq.lens not in lens_ids:
                    yield (*where, "lens"), f"unknown lens '{kq.lens}'"
                if not kq.id and not kq.lens:
                    yield (*where, "lens"), "a key question needs a lens or its own id"
                elif not kq.id and lenses_here.count(kq.lens) > 1:
                    yield (*where, "lens"), f"{kq_id} appears twice"
                elif kq.id and (kq_id in seen_kq or kq_id in standard_ids):
                    yield (*where, "id"), f"key question id '{kq_id}' is already used"
                seen_kq.add(kq_id)


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
    yield from _check_windows(fw.sampling, ("sampling",), domain_ids)
    if fw.populations:
        yield ("populations",), "an 'areas' framework has one population, its cases"
    for key in fw.provenance:
        if not key:
            yield ("provenance",), "empty key"


def _placeholders(template: str) -> set[str]:
    """The {names} a sentence template uses; ValueError when it is not a valid template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _check_report_sentences(fw: Framework) -> Iterator[tuple[Path_, str]]:
    """Each report sentence fills a known slot and uses only that slot's {placeholders}."""
    if fw.same_rules_since is not None and fw.same_rules_since > fw.version:
        yield ("same_rules_since",), f"is {fw.same_rules_since}, later than version {fw.version}"
    standards = {s.id for s in fw.all_standards()}
    for key, template in fw.report_sentences.items():
        here: Path_ = ("report_sentences", key)
        slot, _sep, standard = key.partition(":")
        if slot not in REPORT_SENTENCE_SLOTS:
            known = ", ".join(sorted(REPORT_SENTENCE_SLOTS))
            yield here, f"unknown slot '{key}'; the slots are: {known}"
            continue
        if slot in PER_STANDARD_SLOTS and standard not in standards:
            yield here, f"'{slot}' needs a standard of this framework: '{slot}:<standard id>'"
            continue
        if slot not in PER_STANDARD_SLOTS and standard:
            yield here, f"'{slot}' is one sentence for the report, not one per standard"
            continue
        try:
            names = _placeholders(template)
        except ValueError as exc:
            yield here, f"not a valid template: {exc}"
            continue
        allowed = REPORT_SENTENCE_SLOTS[slot]
        for name in sorted(names - allowed):
            takes = ", ".join("{" + n + "}" for n in sorted(allowed)) or "no placeholders"
            yield here, f"unknown placeholder {{{name}}}; '{slot}' takes {takes}"


def _template_problems(
    path: Path_, template: str, allowed: frozenset[str]
) -> Iterator[tuple[Path_, str]]:
    """A {placeholder} template that is broken, or uses a name outside `allowed`."""
    try:
        names = _placeholders(template)
    except ValueError as exc:
        yield path, f"not a valid template: {exc}"
        return
    takes = ", ".join("{" + n + "}" for n in sorted(allowed)) or "no placeholders"
    for name in sorted(names - allowed):
        yield path, f"unknown placeholder {{{name}}}; use {takes}"


_AVERAGE_FIELDS = frozenset({"percent", "average", "work_phrase"})


def _check_report_phrases(fw: Framework) -> Iterator[tuple[Path_, str]]:
    """The phrase scale covers every share, and its templates use only their placeholders."""
    phrases = fw.report_phrases
    scale = phrases.scale
    if not scale or scale[-1].at_least is None or share_of(scale[-1].at_least) != 0:
        yield ("report_phrases", "scale"), "the last band must be 'at_least: 0', for every share"
    for i, band in enumerate(scale):
        yield from _template_problems(
            ("report_phrases", "scale", i, "phrase"), band.phrase, frozenset({"percent"})
        )
    for name in ("below_average", "above_average", "at_average"):
        yield from _template_problems(
            ("report_phrases", name), getattr(phrases, name), _AVERAGE_FIELDS
        )


_SENTENCE_FIELDS = frozenset({"percent", "yes", "applicable", "work_phrase"})
_SUMMARY_FIELDS = frozenset({"word", "percent", "work_phrase"})


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
    yield from _template_problems(
        ("areas", n, "summary_sentence"), area.summary_sentence, _SUMMARY_FIELDS
    )


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
    return build_framework(
        data,
        source,
        lambda path, message: Problem(_line_for(path, lines), _field_name(path), message),
    )


def build_framework(
    data: Any, source: str, problem_at: Callable[[Path_, str], Problem]
) -> Framework:
    """Validate framework data, from a YAML file or a workbook, against the schema and the
    cross-field rules; `problem_at(path, message)` places a problem in the source (a line, or
    a sheet, row and column), so both formats report the same rules in their own terms."""
    try:
        fw = Framework.model_validate(data)
    except ValidationError as exc:
        problems = [problem_at(tuple(err["loc"]), err["msg"]) for err in exc.errors()]
        raise FrameworkError(source, problems) from None
    problems = [problem_at(path, message) for path, message in _cross_check(fw)]
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
    """A hash of the framework's content: two files with the same fingerprint rate alike.

    Fields left at their defaults are not part of it, so a later schema that adds an optional
    field (with a default that keeps the old behaviour) leaves every existing framework's
    fingerprint, and so every stored inspection and archive, as it was. The rule that follows:
    a schema field's default never changes once released.
    """
    content = fw.model_dump(mode="json", exclude_defaults=True)
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# YAML files shipped beside the frameworks that are not frameworks themselves.
NOT_FRAMEWORKS = frozenset({"crosswalk"})


def shipped_framework_paths() -> dict[str, Path]:
    return {p.stem: p for p in sorted(SHIPPED_DIR.glob("*.yaml")) if p.stem not in NOT_FRAMEWORKS}


def shipped_frameworks() -> list[Framework]:
    return [load_framework_file(p) for p in shipped_framework_paths().values()]


def get_framework(id_or_path: str) -> Framework:
    """A shipped framework by id, or a user's own framework file (YAML or workbook) by path."""
    shipped = shipped_framework_paths()
    if id_or_path in shipped:
        return load_framework_file(shipped[id_or_path])
    candidate = Path(id_or_path)
    if candidate.suffix.lower() == ".xlsx":
        from .workbook import load_workbook_file  # openpyxl only when a workbook is asked for

        return load_workbook_file(candidate).framework
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
