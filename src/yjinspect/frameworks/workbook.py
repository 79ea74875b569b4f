"""Frameworks written in a workbook: an XLSX of sheets read into the same `Framework`.

The people who hold the inspectorate's documents are more at home in a spreadsheet than in
YAML, so a framework can be written (or corrected) as a workbook: one sheet per table
(standards, key questions, prompts, bands, settings...), one row per entry, the schema's field
names as headings, and a Welsh sheet of English/Welsh pairs. `read_workbook` builds the same
data the YAML loader builds and validates it with the same schema and cross-field rules
(`loader.build_framework`), so every problem is the YAML file's problem, placed by sheet, row
and column instead of by line. `write_workbook` writes any framework out in that layout and
`template_workbook` an empty one with the explanations, so YAML -> workbook -> YAML keeps the
fingerprint of every shipped framework (tests/core/test_workbook.py).

A workbook from outside is read within limits (`yjinspect.limits`): the zip package is checked
before openpyxl opens it, then rows, cells and characters are counted as they are read (a
shared string repeated in many cells counts each time), so a bomb is refused, not unpacked.
"""

from __future__ import annotations

import io
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from ..limits import MB, LimitExceeded, ZipLimits, check_size, open_zip
from .loader import FrameworkError, Path_, Problem, _field_name, build_framework
from .schema import (
    PER_STANDARD_SLOTS,
    REPORT_SENTENCE_SLOTS,
    Area,
    CaseBand,
    CaseDomain,
    DiscretionPolicy,
    Domain,
    Framework,
    IntervalSetting,
    Item,
    JudgedKeyQuestions,
    KeyQuestion,
    Lens,
    ListColumn,
    Overall,
    OverallBand,
    Percentages,
    PhraseBand,
    Population,
    Rating,
    ReportPhrases,
    SampleWindow,
    Sampling,
    Section,
    Standard,
    WordBand,
)

# A framework workbook is tens of kilobytes (the largest shipped framework is about 40 KB as
# a workbook); these leave room for a far larger one and refuse a bomb unread.
MAX_BYTES = 5 * MB
ZIP_LIMITS = ZipLimits(max_members=200, max_unpacked=40 * MB, max_ratio=100)
MAX_ROWS = 5_000  # per sheet; the largest shipped sheet has a few hundred
MAX_COLUMNS = 30  # read per row; the widest sheet has 12
MAX_CELLS = 200_000  # non-blank cells in the whole workbook, as the YAML loader's node count
MAX_CHARACTERS = 4 * 1024 * 1024  # text read, every repeat of a shared string counted

GUIDE = "Guide"
SETTINGS = "Settings"
WELSH = "Welsh"
PHRASE_SCALE = "Phrase scale"
REPORT_SENTENCES = "Report sentences"

Kind = Literal["text", "list", "value"]


# ---------------------------------------------------------------------------------------------
# The layout: which sheet holds which part of a framework
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sheet:
    """One table of the workbook: its name, the column locating a row's owner (if any), the
    schema model whose fields the other columns are, and what it is for."""

    name: str
    about: str
    model: type[BaseModel] | None = None
    fields: tuple[str, ...] = ()
    parent: str | None = None  # first column: the owner's id (standard, population...)
    extra: tuple[str, ...] = ()  # columns that are not fields of `model` (prompt text...)

    @property
    def headings(self) -> tuple[str, ...]:
        return ((self.parent,) if self.parent else ()) + self.extra + self.fields


def _sheet(
    name: str,
    about: str,
    model: type[BaseModel] | None = None,
    fields: str = "",
    parent: str | None = None,
    extra: str = "",
) -> _Sheet:
    return _Sheet(name, about, model, tuple(fields.split()), parent, tuple(extra.split()))


SHEETS: tuple[_Sheet, ...] = (
    _sheet(
        SETTINGS,
        "One row per setting of the framework as a whole: its id, version, title, the "
        "percentage and interval rules, the overall rule, discretion. Leave a value blank to "
        "take the default.",
        extra="setting value about",
    ),
    _sheet(
        "Ratings",
        "The rating words, worst first, each with its id and the points it counts.",
        Rating,
        "id label points",
    ),
    _sheet(
        "Case bands",
        "The key-question percentage bands, highest first: at least min_percent gives the "
        "rating. The last band starts at 0.",
        CaseBand,
        "rating min_percent phrase",
    ),
    _sheet(
        "Overall bands",
        "How the standards' ratings make the overall rating, highest first: min_score for "
        "overall.method 'score', min_average for 'points_average'. The last band starts at 0.",
        OverallBand,
        "rating min_score min_average",
    ),
    _sheet(
        "Lenses",
        "The angles a case-rated standard's key questions look from (one key question per "
        "lens and standard).",
        Lens,
        "id label",
    ),
    _sheet(
        "Case domains",
        "The kinds of case on the case list (court, out of court...), each with its label.",
        CaseDomain,
        "id label",
    ),
    _sheet(
        "Populations",
        "Kinds of case with their own list and sample (children's cases, victims' cases). "
        "Leave the sheet empty for a framework with the children's cases only.",
        Population,
        "id label case_domains provenance",
    ),
    _sheet(
        "List columns",
        "The columns of a population's case list, when it is not the children's list. A case "
        "list holds references, never names.",
        ListColumn,
        "id label kind required options refers_to help",
        parent="population",
    ),
    _sheet(
        "Sampling",
        "How many cases to read: one row with population blank for the framework's own "
        "settings, and one for each population sampled by settings of its own (a row here or "
        "on Sample windows gives a population settings of its own).",
        Sampling,
        "confidence margin proportion finite_population_correction minimum maximum strata "
        "sampled_separately",
        parent="population",
    ),
    _sheet(
        "Sample windows",
        "Which cases are eligible: per case domain (or population without domains), the weeks "
        "before fieldwork the window runs from and to, and the date it is applied to.",
        SampleWindow,
        "from_weeks_before to_weeks_before date_field",
        parent="population",
        extra="case_domain",
    ),
    _sheet("Domains", "The framework's domains, in order.", Domain, "id name"),
    _sheet(
        "Standards",
        "One row per standard, in order, naming its domain. rating_method 'cases' is rated "
        "from its key questions, 'judgement' by the inspectors from evidence.",
        Standard,
        "id name statement rating_method scored population case_domains "
        "not_rated_without_cases provenance",
        parent="domain",
    ),
    _sheet(
        "Key questions",
        "One row per key question of a case-rated standard. Give a lens, or an id of its own "
        "(V1.1) where the framework numbers it; rating_method 'judgement' for one the "
        "inspectors judge once from organisational evidence.",
        KeyQuestion,
        "id lens rating_method text prompts_provenance",
        parent="standard",
    ),
    _sheet(
        "Prompts",
        "The prompts under each key question, in order, naming the key question by its id "
        "(its own id, or standard.lens such as 2.1.desistance).",
        parent="key_question",
        extra="prompt",
    ),
    _sheet(
        "Themes",
        "What a judgement standard is judged on, in order, naming the standard.",
        parent="standard",
        extra="theme",
    ),
    _sheet(
        "Provenance",
        "Where each rule comes from: C confirmed, D derived, U unconfirmed, with the evidence.",
        extra="key evidence",
    ),
    _sheet(
        "Areas",
        "Earlier programmes only (scoring_model 'areas'): the themes or headline areas.",
        Area,
        "id name rating_method work_phrase expectation items word_scale optional provenance "
        "score_sentence score_published summary_sentence",
    ),
    _sheet(
        "Area sections",
        "Earlier programmes: an area's report sections and the items in each.",
        Section,
        "id name items",
        parent="area",
    ),
    _sheet(
        "Area themes",
        "Earlier programmes: what a judgement area is judged on.",
        parent="area",
        extra="theme",
    ),
    _sheet(
        "Items",
        "Earlier programmes: the case-assessment questions, each in its area.",
        Item,
        "id text area kind options na_when case_domains counted",
    ),
    _sheet(
        "Item prompts",
        "Earlier programmes: the prompts under an item.",
        parent="item",
        extra="prompt",
    ),
    _sheet(
        "Word scales",
        "Earlier programmes: each named scale's words, highest first.",
        WordBand,
        "word min_percent",
        parent="scale",
    ),
    _sheet(
        PHRASE_SCALE,
        "Earlier programmes: the words for a share of cases once there are more than "
        "report_phrases.counts_up_to (Settings), tried from the top; the first that fits is "
        "used. Give each phrase one bound: at_least, above or exactly, as a fraction (2/3) or "
        "a percentage (75%), typed as text (a spreadsheet may turn 2/3 into a date). A phrase "
        "may hold {percent}. The last row must be at_least 0. Leave the sheet empty for "
        "yjinspect's own scale.",
        PhraseBand,
        "phrase at_least above exactly",
    ),
    _sheet(
        REPORT_SENTENCES,
        "The published report's fixed wording, one row per slot; a slot left out gets "
        "yjinspect's neutral wording or nothing (docs/reports.md). Name the standard only for "
        "a slot written once per standard. The report fills in the {placeholders} a slot "
        "takes: "
        + "; ".join(
            " ".join([slot, *("{" + name + "}" for name in sorted(takes))])
            + (" (per standard)" if slot in PER_STANDARD_SLOTS else "")
            for slot, takes in REPORT_SENTENCE_SLOTS.items()
        )
        + ".",
        extra="slot standard sentence",
    ),
    _sheet(
        WELSH,
        "The framework's wording in Welsh: each English text exactly as the sheets write it, "
        "beside its Welsh. Presentation only: not part of the framework's fingerprint.",
        extra="en cy",
    ),
)
SHEET = {s.name: s for s in SHEETS}

# Settings: the framework's own scalar fields and its one-of-a-kind blocks, by dotted name.
_TOP = (
    "schema_version",
    "id",
    "version",
    "title",
    "same_rules_since",
    "programme",
    "service_term",
    "in_force",
    "description",
    "provisional",
    "provisional_note",
    "scoring_model",
    "not_rated_label",
    "word_banding_basis",
    "word_override_requires_reason",
)
_BLOCKS: dict[str, tuple[type[BaseModel], tuple[str, ...]]] = {
    "percentages": (
        Percentages,
        ("banding_basis", "display_decimals", "small_sample_warning_below"),
    ),
    "interval": (IntervalSetting, ("method", "confidence")),
    "overall": (Overall, ("method", "max_score", "when_scored_standard_unrated")),
    "discretion": (DiscretionPolicy, ("applies_to", "max_bands", "directions", "reason_required")),
    "judged_key_questions": (JudgedKeyQuestions, ("combine", "max_bands")),
    "report_phrases": (
        ReportPhrases,
        ("counts_up_to", "numbers_in_words_up_to", "below_average", "above_average", "at_average"),
    ),
}
SETTING_KEYS: tuple[str, ...] = _TOP + tuple(
    f"{block}.{name}" for block, (_model, names) in _BLOCKS.items() for name in names
)

_SETTING_ABOUT = {
    "schema_version": "The file format's version: 1.",
    "id": "Lower-case letters, digits, dots and dashes; answers are bound to it.",
    "version": "A whole number: change it whenever the content changes.",
    "title": "The framework's name as pages and reports show it.",
    "same_rules_since": "When this version changes only wording: the first version rated by "
    "the same rules, so results recorded under it still match. Blank: rules of its own.",
    "provisional": "TRUE while the rules are not checked against the inspectorate's papers.",
    "provisional_note": "What the pages and report say while the framework is provisional.",
    "scoring_model": "'standards' (2018 onwards) or 'areas' (the earlier programmes).",
    "overall.method": "'score' (points added up, out of max_score) or 'points_average'.",
    "overall.max_score": "For 'score': the most points the scored standards can add up to.",
    "judged_key_questions.combine": "'lowest' or 'judgement_moves' (see docs/frameworks.md).",
    "percentages.banding_basis": "'exact': band the exact fraction; 'rounded': the shown one.",
    "report_phrases.counts_up_to": "Earlier programmes: with at most this many relevant cases "
    "the report gives the count ('9 of the 14 cases'); with more, a Phrase scale phrase.",
    "report_phrases.numbers_in_words_up_to": "Counts in words while both numbers are at most "
    "this ('five out of eight'), in figures above it; 0: always in figures.",
    "report_phrases.below_average": "Said after an area's score under the average entered for "
    "the report; may use {percent}, {average} and {work_phrase}.",
    "report_phrases.above_average": "The same, for a score over the average.",
    "report_phrases.at_average": "The same, for a score equal to the average.",
}


def covered_fields() -> set[str]:
    """Every schema field the workbook has a place for, as 'Model.field'. A test compares it
    with the schema, so a field added to the schema without a column here fails."""
    covered = {f"Framework.{name}" for name in _TOP}
    covered |= {f"{model.__name__}.{name}" for model, names in _BLOCKS.values() for name in names}
    covered |= {f"Framework.{block}" for block in _BLOCKS}
    for sheet in SHEETS:
        if sheet.model is not None:
            covered |= {f"{sheet.model.__name__}.{name}" for name in sheet.fields}
    covered |= {
        "Framework.ratings", "Framework.case_bands", "Overall.bands", "Framework.lenses",
        "Framework.case_domains", "Framework.populations", "Population.columns",
        "Population.sampling", "Framework.sampling", "Sampling.windows", "Framework.domains",
        "Domain.standards", "Standard.key_questions", "KeyQuestion.prompts", "Standard.themes",
        "Framework.provenance", "Framework.areas", "Area.sections", "Area.themes",
        "Framework.items", "Item.prompts", "Framework.word_scales", "ReportPhrases.scale",
        "Framework.report_sentences",
    }  # fmt: skip
    return covered


def _kind(model: type[BaseModel], name: str) -> Kind:
    """How a cell of this field is read and written: text, a list of texts, or a value
    (number, yes/no) passed to the schema as it is."""
    annotation = model.model_fields[name].annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is list:
        return "list"
    if annotation is str or (
        typing.get_origin(annotation) in (types.UnionType, typing.Union) and args == [str]
    ):
        return "text"
    if typing.get_origin(annotation) is Literal and all(isinstance(a, str) for a in args):
        return "text"
    return "value"


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookFramework:
    """A framework read from a workbook, with the Welsh pairs its Welsh sheet gives."""

    framework: Framework
    welsh: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Origin:
    """Where a part of the framework came from: a sheet, a row, and per field its column."""

    sheet: str
    row: int | None = None
    columns: Mapping[str, str] = field(default_factory=dict)  # field -> 'E (rating_method)'
    cell: str | None = None  # the column of a one-value origin (a setting, a prompt)


@dataclass
class _Row:
    number: int
    cells: dict[str, Any]  # heading -> value, blanks left out
    columns: dict[str, str]  # heading -> 'E (rating_method)'


class _Budget:
    """Cells and characters read so far, against the limits."""

    def __init__(self) -> None:
        self.cells = 0
        self.characters = 0

    def count(self, value: object) -> None:
        self.cells += 1
        if isinstance(value, str):
            self.characters += len(value)
        if self.cells > MAX_CELLS:
            raise LimitExceeded(f"the workbook holds more than {MAX_CELLS:,} filled cells")
        if self.characters > MAX_CHARACTERS:
            raise LimitExceeded(
                f"the workbook's text comes to more than {MAX_CHARACTERS // MB} MB once read"
            )


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _heading(value: object) -> str:
    """'Rating method ' and 'rating-method' read as rating_method."""
    return re.sub(r"[\s-]+", "_", str(value).strip()).casefold()


class _Reader:
    """Turns the sheets into the framework's data, remembering where each part came from."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.origins: dict[Path_, _Origin] = {}
        self.data: dict[str, Any] = {}
        self.welsh: list[tuple[str, str]] = []

    # ---- problems and places

    def problem(self, sheet: str, row: int | None, message: str, column: str | None = None) -> None:
        """A problem with the workbook's layout, found before the schema sees the data."""
        self.problems.append(Problem(row, "(workbook)", message, sheet, column))

    def problem_at(self, path: Path_, message: str) -> Problem:
        """A schema or cross-field problem, placed at the cell (or row, or sheet) it concerns:
        the nearest part of `path` the sheets gave, and the column of the rest."""
        here = path
        while here and here not in self.origins:
            here = here[:-1]
        origin = self.origins.get(here)
        name = _field_name(path)
        required = message == "Field required"
        if origin is None:  # a setting left out (id, title...)
            dotted = ".".join(str(p) for p in path)
            message = "a value is needed" if required else message
            return Problem(
                None, name, f"setting {dotted}: {message}" if path else message, SETTINGS
            )
        rest = [str(p) for p in path[len(here) :]]
        column = origin.columns.get(rest[0]) if rest else origin.cell
        if required and not rest and origin.row is None:
            message = "the sheet needs at least one row"
        elif required and rest and rest[-1] in _CHILD_SHEETS:
            message = f"{rest[-1]}: add its rows on the {_CHILD_SHEETS[rest[-1]]} sheet"
        elif rest and column is None:
            message = f"{'.'.join(rest)}: {message}"
        elif required:
            message = "a value is needed"
        return Problem(origin.row, name, message, origin.sheet, column)

    def place(self, path: Path_, sheet: str, row: _Row | None = None) -> None:
        if row is None:
            self.origins.setdefault(path, _Origin(sheet))
        else:
            self.origins[path] = _Origin(sheet, row.number, row.columns)

    # ---- cell values

    def value(self, sheet: str, row: _Row, name: str, kind: Kind) -> Any:
        """A cell as the schema takes it; None when blank (the field keeps its default)."""
        raw = row.cells.get(name)
        if raw is None:
            return None
        if isinstance(raw, datetime | date | time):
            self.problem(
                sheet,
                row.number,
                "the spreadsheet turned this into a date or time; format the column as text "
                "and type it again",
                row.columns.get(name),
            )
            return None
        if kind == "value":
            return raw.strip() if isinstance(raw, str) else raw
        text = _as_text(raw)
        if kind == "text":
            return text
        return _split(text)

    def text(self, sheet: str, row: _Row, name: str) -> str | None:
        found = self.value(sheet, row, name, "text")
        return found if isinstance(found, str) and found else None

    def fields(self, sheet: _Sheet, row: _Row) -> dict[str, Any]:
        assert sheet.model is not None
        out: dict[str, Any] = {}
        for name in sheet.fields:
            found = self.value(sheet.name, row, name, _kind(sheet.model, name))
            if found is not None and found != "":
                out[name] = found
        return out

    # ---- the sheets

    def read(self, tables: Mapping[str, list[_Row]]) -> None:
        for path, sheet in _TABLE_PATHS.items():
            self.place(path, sheet)
        self.settings(tables.get(SETTINGS, []))
        self.listed("Ratings", ("ratings",), tables)
        self.listed("Case bands", ("case_bands",), tables)
        self.listed("Overall bands", ("overall", "bands"), tables)
        self.listed("Lenses", ("lenses",), tables)
        self.listed("Case domains", ("case_domains",), tables)
        populations = self.listed("Populations", ("populations",), tables)
        self.children("List columns", populations, "columns", tables)
        self.sampling(tables, populations)
        domains = self.listed("Domains", ("domains",), tables)
        standards = self.children("Standards", domains, "standards", tables)
        questions = self.key_questions(tables, standards)
        self.texts("Prompts", "prompt", questions, "prompts", tables)
        self.texts("Themes", "theme", standards, "themes", tables)
        self.provenance(tables.get("Provenance", []))
        areas = self.listed("Areas", ("areas",), tables)
        self.children("Area sections", areas, "sections", tables)
        self.texts("Area themes", "theme", areas, "themes", tables)
        items = self.listed("Items", ("items",), tables)
        self.texts("Item prompts", "prompt", items, "prompts", tables)
        self.word_scales(tables.get("Word scales", []))
        self.phrase_scale(tables.get(PHRASE_SCALE, []))
        self.report_sentences(tables.get(REPORT_SENTENCES, []), standards)
        self.read_welsh(tables.get(WELSH, []))

    def settings(self, rows: list[_Row]) -> None:
        seen: dict[str, int] = {}
        for row in rows:
            key = self.text(SETTINGS, row, "setting")
            if key is None:
                if "value" in row.cells:
                    self.problem(SETTINGS, row.number, "a value with no setting named")
                continue
            if key not in SETTING_KEYS:
                self.problem(
                    SETTINGS, row.number, f"unknown setting '{key}'", row.columns.get("setting")
                )
                continue
            if key in seen:
                self.problem(
                    SETTINGS,
                    row.number,
                    f"{key} is already set at row {seen[key]}",
                    row.columns.get("setting"),
                )
                continue
            seen[key] = row.number
            block, _dot, name = key.rpartition(".")
            model: type[BaseModel] = _BLOCKS[block][0] if block else Framework
            path: Path_ = (block, name) if block else (name,)
            self.origins[path] = _Origin(SETTINGS, row.number, cell=row.columns.get("value"))
            found = self.value(SETTINGS, row, "value", _kind(model, name))
            if found is None or found == "":
                continue
            target = self.data.setdefault(block, {}) if block else self.data
            target[name] = found

    def listed(
        self, name: str, path: Path_, tables: Mapping[str, list[_Row]]
    ) -> dict[str, tuple[Path_, dict[str, Any]]]:
        """Rows of a sheet as a list at `path`; returns them by id for their children."""
        sheet = SHEET[name]
        rows = tables.get(name, [])
        if not rows:
            return {}
        target = self.data
        for part in path[:-1]:
            target = target.setdefault(str(part), {})
        entries: list[dict[str, Any]] = target.setdefault(str(path[-1]), [])
        by_id: dict[str, tuple[Path_, dict[str, Any]]] = {}
        for row in rows:
            entry = self.fields(sheet, row)
            here = (*path, len(entries))
            entries.append(entry)
            self.place(here, name, row)
            if isinstance(entry.get("id"), str):
                by_id.setdefault(entry["id"], (here, entry))
        return by_id

    def owner(
        self,
        sheet: _Sheet,
        row: _Row,
        owners: Mapping[str, tuple[Path_, dict[str, Any]]],
        owner_sheet: str,
    ) -> tuple[Path_, dict[str, Any]] | None:
        assert sheet.parent is not None
        key = self.text(sheet.name, row, sheet.parent)
        if key is None:
            self.problem(
                sheet.name,
                row.number,
                f"say which {sheet.parent.replace('_', ' ')} this row is for",
                row.columns.get(sheet.parent),
            )
            return None
        found = owners.get(key)
        if found is None:
            self.problem(
                sheet.name,
                row.number,
                f"no {sheet.parent.replace('_', ' ')} '{key}' on the {owner_sheet} sheet",
                row.columns.get(sheet.parent),
            )
        return found

    def children(
        self,
        name: str,
        owners: Mapping[str, tuple[Path_, dict[str, Any]]],
        key: str,
        tables: Mapping[str, list[_Row]],
    ) -> dict[str, tuple[Path_, dict[str, Any]]]:
        """Rows that each belong to an owner named in their first column (standards to
        domains, list columns to populations...), appended to the owner's `key` list."""
        sheet = SHEET[name]
        by_id: dict[str, tuple[Path_, dict[str, Any]]] = {}
        owner_sheet = _OWNER_SHEETS[name]
        for row in tables.get(name, []):
            found = self.owner(sheet, row, owners, owner_sheet)
            entry = self.fields(sheet, row)
            if found is None:
                continue
            owner_path, owner = found
            entries: list[dict[str, Any]] = owner.setdefault(key, [])
            here = (*owner_path, key, len(entries))
            entries.append(entry)
            self.place(here, name, row)
            if isinstance(entry.get("id"), str):
                by_id.setdefault(entry["id"], (here, entry))
        return by_id

    def key_questions(
        self,
        tables: Mapping[str, list[_Row]],
        standards: Mapping[str, tuple[Path_, dict[str, Any]]],
    ) -> dict[str, tuple[Path_, dict[str, Any]]]:
        """Key questions under their standards, found again by their full id (V1.1, or
        standard.lens) for the Prompts sheet."""
        sheet = SHEET["Key questions"]
        by_id: dict[str, tuple[Path_, dict[str, Any]]] = {}
        for row in tables.get(sheet.name, []):
            found = self.owner(sheet, row, standards, "Standards")
            entry = self.fields(sheet, row)
            if found is None:
                continue
            owner_path, owner = found
            entries: list[dict[str, Any]] = owner.setdefault("key_questions", [])
            here = (*owner_path, "key_questions", len(entries))
            entries.append(entry)
            self.place(here, sheet.name, row)
            full_id = entry.get("id") or f"{owner.get('id')}.{entry.get('lens', '')}"
            by_id.setdefault(str(full_id), (here, entry))
        return by_id

    def texts(
        self,
        name: str,
        column: str,
        owners: Mapping[str, tuple[Path_, dict[str, Any]]],
        key: str,
        tables: Mapping[str, list[_Row]],
    ) -> None:
        """One text per row (prompts, themes), appended to its owner's list in row order."""
        sheet = SHEET[name]
        for row in tables.get(name, []):
            found = self.owner(sheet, row, owners, _OWNER_SHEETS[name])
            text = self.text(name, row, column)
            if text is None:
                self.problem(name, row.number, f"the {column} is blank", row.columns.get(column))
                continue
            if found is None:
                continue
            owner_path, owner = found
            entries: list[str] = owner.setdefault(key, [])
            self.origins[(*owner_path, key, len(entries))] = _Origin(
                name, row.number, cell=row.columns.get(column)
            )
            entries.append(text)

    def sampling(
        self,
        tables: Mapping[str, list[_Row]],
        populations: Mapping[str, tuple[Path_, dict[str, Any]]],
    ) -> None:
        """The framework's sample settings (population blank) and each population's own."""
        sheet = SHEET["Sampling"]
        seen: dict[str, int] = {}

        def block(row: _Row, sheet_name: str) -> tuple[Path_, dict[str, Any]] | None:
            pop = self.text(sheet_name, row, "population")
            if pop is None:
                return ("sampling",), self.data.setdefault("sampling", {})
            found = populations.get(pop)
            if found is None:
                self.problem(
                    sheet_name,
                    row.number,
                    f"no population '{pop}' on the Populations sheet",
                    row.columns.get("population"),
                )
                return None
            owner_path, owner = found
            return (*owner_path, "sampling"), owner.setdefault("sampling", {})

        for row in tables.get(sheet.name, []):
            who = self.text(sheet.name, row, "population") or "(the framework)"
            if who in seen:
                self.problem(
                    sheet.name, row.number, f"{who} already has its settings at row {seen[who]}"
                )
                continue
            seen[who] = row.number
            found = block(row, sheet.name)
            values = self.fields(sheet, row)
            if found is not None:
                path, target = found
                target.update(values)
                self.place(path, sheet.name, row)
        windows = SHEET["Sample windows"]
        for row in tables.get(windows.name, []):
            found = block(row, windows.name)
            key = self.text(windows.name, row, "case_domain")
            values = self.fields(windows, row)
            if key is None:
                self.problem(
                    windows.name,
                    row.number,
                    "say which case domain the window is for",
                    row.columns.get("case_domain"),
                )
                continue
            if found is None:
                continue
            path, target = found
            held: dict[str, Any] = target.setdefault("windows", {})
            if key in held:
                self.problem(
                    windows.name,
                    row.number,
                    f"a second window for {key}",
                    row.columns.get("case_domain"),
                )
                continue
            held[key] = values
            self.place((*path, "windows"), windows.name)
            self.place((*path, "windows", key), windows.name, row)

    def provenance(self, rows: list[_Row]) -> None:
        found: dict[str, str] = {}
        for row in rows:
            key = self.text("Provenance", row, "key")
            evidence = self.text("Provenance", row, "evidence")
            if key is None or evidence is None:
                self.problem(
                    "Provenance",
                    row.number,
                    "give both the key and its evidence",
                    row.columns.get("key" if key is None else "evidence"),
                )
                continue
            if key in found:
                self.problem("Provenance", row.number, f"'{key}' is given twice")
                continue
            found[key] = evidence
            self.place(("provenance", key), "Provenance", row)
        if found:
            self.data["provenance"] = found
            self.place(("provenance",), "Provenance")

    def word_scales(self, rows: list[_Row]) -> None:
        sheet = SHEET["Word scales"]
        scales: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            name = self.text(sheet.name, row, "scale")
            entry = self.fields(sheet, row)
            if name is None:
                self.problem(
                    sheet.name,
                    row.number,
                    "say which scale this word is in",
                    row.columns.get("scale"),
                )
                continue
            words = scales.setdefault(name, [])
            self.place(("word_scales", name, len(words)), sheet.name, row)
            self.place(("word_scales", name), sheet.name)
            words.append(entry)
        if scales:
            self.data["word_scales"] = scales
            self.place(("word_scales",), sheet.name)

    def phrase_scale(self, rows: list[_Row]) -> None:
        """The phrase scale in row order (none: the schema's own). A row's one-bound rule is
        the schema's, checked on the whole row, so the row is placed at the bound it gave (the
        last one given, when more than one is): a bad bound is named by its cell."""
        sheet = SHEET[PHRASE_SCALE]
        bands: list[dict[str, Any]] = []
        for row in rows:
            entry = self.fields(sheet, row)
            given = [name for name in _BOUNDS if name in entry]
            column = row.columns.get(given[-1] if given else _BOUNDS[0])
            here: Path_ = ("report_phrases", "scale", len(bands))
            self.origins[here] = _Origin(sheet.name, row.number, row.columns, column)
            bands.append(entry)
        if bands:
            self.data.setdefault("report_phrases", {})["scale"] = bands

    def report_sentences(
        self, rows: list[_Row], standards: Mapping[str, tuple[Path_, dict[str, Any]]]
    ) -> None:
        """The report sentences by slot ('evidence:<standard>' for a per-standard slot). The
        slot and standard are checked here, where their own columns are known; the loader
        checks the {placeholders}, placed in the sentence's cell."""
        found: dict[str, int] = {}
        sentences: dict[str, str] = {}
        for row in rows:
            slot = self.text(REPORT_SENTENCES, row, "slot")
            standard = self.text(REPORT_SENTENCES, row, "standard")
            sentence = self.text(REPORT_SENTENCES, row, "sentence")
            wrong = _slot_problem(slot, standard, standards)
            key = f"{slot}:{standard}" if standard else str(slot)  # used once slot is known
            if wrong is None and sentence is None:
                wrong = "the sentence is blank", "sentence"
            if wrong is None and key in found:
                wrong = f"{key} is already given at row {found[key]}", "slot"
            if wrong is not None:
                message, column = wrong
                self.problem(REPORT_SENTENCES, row.number, message, row.columns.get(column))
                continue
            assert sentence is not None  # a blank one is a problem just above
            found[key] = row.number
            sentences[key] = sentence
            self.origins[("report_sentences", key)] = _Origin(
                REPORT_SENTENCES, row.number, cell=row.columns.get("sentence")
            )
        if sentences:
            self.data["report_sentences"] = sentences

    def read_welsh(self, rows: list[_Row]) -> None:
        given: dict[str, tuple[str, int]] = {}
        for row in rows:
            english, welsh = self.text(WELSH, row, "en"), self.text(WELSH, row, "cy")
            if english is None or welsh is None:
                self.problem(
                    WELSH,
                    row.number,
                    "give the English and its Welsh",
                    row.columns.get("en" if english is None else "cy"),
                )
                continue
            if english in given and given[english][0] != welsh:
                self.problem(
                    WELSH,
                    row.number,
                    f"this English is already given other Welsh at row {given[english][1]}",
                    row.columns.get("cy"),
                )
                continue
            if english not in given:
                given[english] = welsh, row.number
                self.welsh.append((english, welsh))


_BOUNDS = ("at_least", "above", "exactly")


def _slot_problem(
    slot: str | None, standard: str | None, standards: Mapping[str, object]
) -> tuple[str, str] | None:
    """What is wrong with a Report sentences row's slot and standard, and the column to fix."""
    if slot is None:
        return "say which slot this sentence fills", "slot"
    if slot not in REPORT_SENTENCE_SLOTS:
        return f"unknown slot '{slot}'; the slots are: {', '.join(REPORT_SENTENCE_SLOTS)}", "slot"
    if slot in PER_STANDARD_SLOTS:
        if standard is None:
            return f"'{slot}' is written once per standard: say which standard", "standard"
        if standard not in standards:
            return f"no standard '{standard}' on the Standards sheet", "standard"
    elif standard is not None:
        return f"'{slot}' is one sentence for the report: leave the standard blank", "standard"
    return None


# Where each table of the framework is written, for problems about a table as a whole.
_TABLE_PATHS: dict[Path_, str] = {
    ("ratings",): "Ratings",
    ("case_bands",): "Case bands",
    ("overall", "bands"): "Overall bands",
    ("lenses",): "Lenses",
    ("case_domains",): "Case domains",
    ("populations",): "Populations",
    ("sampling",): "Sampling",
    ("sampling", "windows"): "Sample windows",
    ("domains",): "Domains",
    ("provenance",): "Provenance",
    ("areas",): "Areas",
    ("items",): "Items",
    ("word_scales",): "Word scales",
    ("report_phrases", "scale"): PHRASE_SCALE,
}
# A list an entry needs, and the sheet its rows go on.
_CHILD_SHEETS = {
    "standards": "Standards",
    "key_questions": "Key questions",
    "bands": "Overall bands",
    "items": "Items",
}

_OWNER_SHEETS = {
    "List columns": "Populations",
    "Standards": "Domains",
    "Prompts": "Key questions",
    "Themes": "Standards",
    "Area sections": "Areas",
    "Area themes": "Areas",
    "Item prompts": "Items",
}


def _as_text(raw: object) -> str:
    """A cell as text: numbers as people typed them (2.1, 3), text trimmed."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _split(text: str) -> list[str]:
    """A list in one cell: one entry per line, or comma-separated when on one line."""
    parts = text.splitlines() if "\n" in text else text.split(",")
    return [p.strip() for p in parts if p.strip()]


def _read_tables(data: bytes, source: str, reader: _Reader) -> dict[str, list[_Row]]:
    """Every sheet's rows (headings in row 1), within the limits; problems with the layout
    (an unknown sheet or heading) go to `reader`."""
    import openpyxl  # only when a workbook is read

    check_size(len(data), MAX_BYTES, "the workbook")
    unreadable = FrameworkError(
        source, [Problem(None, "(file)", "not a readable .xlsx workbook; save it as .xlsx again")]
    )
    try:
        open_zip(data, ZIP_LIMITS, "the workbook").close()
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except LimitExceeded:
        raise
    except Exception:  # openpyxl and zipfile raise many types for a damaged file
        raise unreadable from None
    budget = _Budget()
    tables: dict[str, list[_Row]] = {}
    known = {name.casefold(): name for name in SHEET} | {GUIDE.casefold(): GUIDE}
    try:
        for sheet in book.worksheets:
            name = known.get(str(sheet.title).strip().casefold())
            if name is None:
                reader.problem(
                    str(sheet.title),
                    None,
                    f"not a sheet of a framework workbook; the sheets are {', '.join(SHEET)}",
                )
            elif name in tables:
                reader.problem(name, None, "the workbook has this sheet twice")
            elif name != GUIDE:
                tables[name] = _sheet_rows(sheet, SHEET[name], reader, budget)
    except LimitExceeded:
        raise
    except Exception:  # a damaged sheet can fail part-way through
        raise unreadable from None
    finally:
        book.close()
    return tables


def _sheet_rows(sheet: Any, spec: _Sheet, reader: _Reader, budget: _Budget) -> list[_Row]:
    rows: list[_Row] = []
    headings: list[str | None] = []
    columns: dict[str, str] = {}
    for number, values in enumerate(
        sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1
    ):
        if number > MAX_ROWS + 1:
            raise LimitExceeded(
                f"the {spec.name} sheet has more than {MAX_ROWS:,} rows; no framework has"
            )
        if number == 1:
            headings = _headings(values, spec, reader)
            columns = {
                name: f"{_column_letter(i)} ({name})" for i, name in enumerate(headings) if name
            }
            continue
        cells: dict[str, Any] = {}
        for index, value in enumerate(values):
            name = headings[index] if index < len(headings) else None
            if name is None or value is None or (isinstance(value, str) and not value.strip()):
                continue
            budget.count(value)
            cells[name] = value
        if cells:
            rows.append(_Row(number, cells, columns))
    return rows


def _headings(values: Sequence[object], spec: _Sheet, reader: _Reader) -> list[str | None]:
    """Row 1: each column's field; blank headings are notes and ignored."""
    allowed = spec.headings
    found: list[str | None] = []
    for index, value in enumerate(values):
        if value is None or not str(value).strip():
            found.append(None)
            continue
        name = _heading(value)
        column = f"{_column_letter(index)} ({value})"
        if name not in allowed:
            reader.problem(
                spec.name, 1, f"unknown heading; this sheet's are {', '.join(allowed)}", column
            )
            found.append(None)
        elif name in found:
            reader.problem(spec.name, 1, f"heading {name} is given twice", column)
            found.append(None)
        else:
            found.append(name)
    return found


def read_workbook(data: bytes, source: str = "<workbook>") -> WorkbookFramework:
    """Validate a framework workbook; raise FrameworkError naming every problem by sheet, row
    and column (a file over the limits is refused whole, with one sentence)."""
    reader = _Reader()
    try:
        tables = _read_tables(data, source, reader)
        reader.read(tables)
    except LimitExceeded as exc:
        raise FrameworkError(source, [Problem(None, "(file)", str(exc))]) from None
    if reader.problems:
        raise FrameworkError(source, reader.problems)
    framework = build_framework(reader.data, source, reader.problem_at)
    return WorkbookFramework(framework, tuple(reader.welsh))


def load_workbook_file(path: str | Path) -> WorkbookFramework:
    path = Path(path)
    try:
        size = path.stat().st_size
        check_size(size, MAX_BYTES, "the workbook")
        data = path.read_bytes()
    except LimitExceeded as exc:
        raise FrameworkError(str(path), [Problem(None, "(file)", str(exc))]) from None
    except OSError as exc:
        raise FrameworkError(str(path), [Problem(None, "(file)", str(exc))]) from exc
    return read_workbook(data, str(path))


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

# Text a cell cannot hold (control characters); openpyxl refuses it.
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _cell(value: object, kind: Kind, where: str) -> object:
    """A field's value as a cell: lists joined, numbers as numbers that read back the same."""
    if value is None:
        return None
    if kind == "list":
        parts = [str(v) for v in value]  # type: ignore[attr-defined]
        if not parts:
            return None
        joiner = "\n" if any("," in p for p in parts) else ", "
        value = joiner.join(parts)
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, str):
        if _ILLEGAL.search(value):
            raise ValueError(f"{where} holds a control character a workbook cannot hold")
        return value or None
    return value


def _number(value: Decimal) -> int | float | str:
    """A Decimal as a cell number when it reads back as the same Decimal ('80', '0.95'), else
    as text ('80.0' would read back as 80)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return int(value)
    as_float = float(value)
    if not as_float.is_integer() and str(Decimal(repr(as_float))) == str(value):
        return as_float
    return str(value)


def _model_row(sheet: _Sheet, obj: BaseModel, lead: Sequence[object] = ()) -> list[object]:
    assert sheet.model is not None
    return [*lead] + [
        _cell(getattr(obj, name), _kind(sheet.model, name), f"{sheet.name} {name}")
        for name in sheet.fields
    ]


def _rows_for(fw: Framework, welsh: Sequence[tuple[str, str]]) -> dict[str, list[list[object]]]:
    """Every sheet's data rows for `fw` (headings aside)."""
    rows: dict[str, list[list[object]]] = {s.name: [] for s in SHEETS}
    for key in SETTING_KEYS:
        block, _dot, name = key.rpartition(".")
        holder: BaseModel | None = getattr(fw, block) if block else fw
        model: type[BaseModel] = _BLOCKS[block][0] if block else Framework
        value = None if holder is None else getattr(holder, name)
        rows[SETTINGS].append([key, _cell(value, _kind(model, name), key), _SETTING_ABOUT.get(key)])

    def table(name: str, objects: Iterable[BaseModel], lead: Sequence[object] = ()) -> None:
        rows[name] += [_model_row(SHEET[name], obj, lead) for obj in objects]

    table("Ratings", fw.ratings)
    table("Case bands", fw.case_bands)
    if fw.overall is not None:
        table("Overall bands", fw.overall.bands)
    table("Lenses", fw.lenses)
    table("Case domains", fw.case_domains)
    table("Populations", fw.populations)
    samplings: list[tuple[str | None, Sampling]] = [(None, fw.sampling)]
    for pop in fw.populations:
        table("List columns", pop.columns, [pop.id])
        if pop.sampling is not None:
            samplings.append((pop.id, pop.sampling))
    for owner, sampling in samplings:
        table("Sampling", [sampling], [owner])
        for key, window in sampling.windows.items():
            table("Sample windows", [window], [owner, key])
    table("Domains", fw.domains)
    for domain in fw.domains:
        table("Standards", domain.standards, [domain.id])
        for std in domain.standards:
            table("Key questions", std.key_questions, [std.id])
            for kq in std.key_questions:
                rows["Prompts"] += [[std.question_id(kq), p] for p in kq.prompts]
            rows["Themes"] += [[std.id, t] for t in std.themes]
    rows["Provenance"] = [[k, v] for k, v in fw.provenance.items()]
    table("Areas", fw.areas)
    for area in fw.areas:
        table("Area sections", area.sections, [area.id])
        rows["Area themes"] += [[area.id, t] for t in area.themes]
    table("Items", fw.items)
    for item in fw.items:
        rows["Item prompts"] += [[item.id, p] for p in item.prompts]
    for scale, bands in fw.word_scales.items():
        table("Word scales", bands, [scale])
    table(PHRASE_SCALE, fw.report_phrases.scale)
    for key, sentence in fw.report_sentences.items():
        slot, _colon, standard = key.partition(":")
        text = _cell(sentence, "text", f"{REPORT_SENTENCES} {key}")
        rows[REPORT_SENTENCES].append([slot, standard or None, text])
    rows[WELSH] = [[en, cy] for en, cy in welsh]
    return rows


# Columns of long text, written wider.
_WIDE = frozenset({"text", "statement", "prompt", "theme", "evidence", "sentence", "en", "cy"})


def _build(rows: Mapping[str, list[list[object]]]) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    guide = book.active
    assert guide is not None
    guide.title = GUIDE
    _write_guide(guide, Font)
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append(list(sheet.headings))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for values in rows.get(sheet.name, []):
            ws.append(values)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text as text, even '=...': never a formula
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        for index, heading in enumerate(sheet.headings):
            ws.column_dimensions[_column_letter(index)].width = 60 if heading in _WIDE else 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_guide(ws: Any, font: Any) -> None:
    ws.append(["A framework written in a workbook, read by yjinspect"])
    ws["A1"].font = font(bold=True, size=14)
    for line in (
        "Each sheet below is one table of the framework: row 1 holds the headings, each "
        "further row one entry, in order. A blank cell takes the default.",
        "A cell listing several things (case domains, strata, items) separates them with "
        "commas, or puts one per line.",
        "Check the file with: yjinspect frameworks check FILE.xlsx. Every problem is named "
        "by sheet, row and column. docs/frameworks.md describes each field.",
        "",
    ):
        ws.append([line])
    ws.append(["Sheet", "What it holds", "Columns"])
    for cell in ws[ws.max_row]:
        cell.font = font(bold=True)
    for sheet in SHEETS:
        ws.append([sheet.name, sheet.about, ", ".join(sheet.headings)])
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 90
    ws.column_dimensions["C"].width = 60


def write_workbook(fw: Framework, welsh: Sequence[tuple[str, str]] = ()) -> bytes:
    """`fw` as a framework workbook (with its Welsh pairs, when given); `read_workbook` reads
    it back with the same fingerprint."""
    return _build(_rows_for(fw, welsh))


def template_workbook() -> bytes:
    """An empty framework workbook: every sheet with its headings, the Settings sheet listing
    each setting with what it is for, and the Guide. Fill it in and check it."""
    settings: list[list[object]] = [[key, None, _SETTING_ABOUT.get(key)] for key in SETTING_KEYS]
    return _build({SETTINGS: settings})
