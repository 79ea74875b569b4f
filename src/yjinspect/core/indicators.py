"""Youth justice outcome indicators from a service's own case-level records.

Computes first-time entrants per 100,000 aged 10-17, custodial sentences per 1,000 aged 10-17,
and the binary proven reoffending rate with its two frequency measures, following the method note
`/work/shared/spec/outcome-indicators.md` (§§1-3). Every counting rule the note marks as
unconfirmed is a field of :class:`Rules` with the note's default. Every result carries its
numerator, denominator and a sentence naming the rule used, so a figure can be checked by hand.
Our choices are written up in docs/outcome-indicators.md.

The records are read by the same machinery as the case list (`core.lists`: the service's own
headings and words or its saved mapping, British dates, CSV or XLSX, every problem by row);
`read_case_records` gives the whole preview, `read_cases` keeps its older form.

Pure Python, standard library (and the shared limits on files, `yjinspect.limits`): no Django.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, Literal

from ..limits import MB, CsvLimits, LimitExceeded, csv_rows, megabytes, read_file
from .caselist import PROGRAMME_FRAGMENTS
from .lists import (
    Column,
    ListPreview,
    ListSpec,
    Report,
    read_list,
    spelling_key,
    too_many_cases,
)
from .mapping import Mapping as ColumnMapping
from .tables import UnreadableFile
from .words import gettext as _

__all__ = [
    "CAUTIONS",
    "COMPARATOR_KEYS",
    "COURT_NON_CUSTODIAL",
    "CUSTODIAL",
    "DISPOSAL_TYPES",
    "NON_SUBSTANTIVE",
    "OUTCOME_HEADINGS",
    "OUTCOME_PREFIXES",
    "OUTCOME_SPELLINGS",
    "Case",
    "Comparison",
    "IndicatorInputError",
    "IndicatorResult",
    "Period",
    "Rules",
    "add_months",
    "compute_indicators",
    "custody_rate",
    "first_time_entrants",
    "format_text",
    "outcome_records_list",
    "parse_comparators",
    "parse_period",
    "read_case_records",
    "read_cases",
    "read_population",
    "reoffending",
]


class IndicatorInputError(ValueError):
    """An input file or argument that cannot be used; the message names the row and column."""


# Canonical disposal codes (spec §6.3 outcome_type), by tier.
NON_SUBSTANTIVE: Final = frozenset(
    {
        "community_resolution",
        "outcome_21",
        "outcome_22",
        "outcome_23",
        "youth_diversion_order",
        "no_further_action",
        "triage",
        "penalty_notice",
    }
)
CAUTIONS: Final = frozenset(
    {"youth_caution", "youth_conditional_caution", "reprimand", "final_warning"}
)
COURT_NON_CUSTODIAL: Final = frozenset(
    {
        "absolute_discharge",
        "conditional_discharge",
        "fine",
        "compensation_order",
        "reparation_order",
        "referral_order",
        "yro",
        "yro_iss",
        "other_court_sentence",
    }
)
CUSTODIAL: Final = frozenset({"dto", "s250", "s254", "s259", "s90", "s91"})
DISPOSAL_TYPES: Final = NON_SUBSTANTIVE | CAUTIONS | COURT_NON_CUSTODIAL | CUSTODIAL

COMPARATOR_KEYS: Final = (
    "fte",
    "custody",
    "reoffending",
    "frequency_per_reoffender",
    "frequency_per_offender",
)

_FORBIDDEN_FRAGMENTS: Final = ("birth", "name", "address", "postcode")
_FORBIDDEN_EXACT: Final = frozenset({"dob", "forename", "surname", "nhs_number"})
_MIN_AGE: Final = 10
_MAX_CHILD_AGE: Final = 17
_MAX_AGE: Final = 24  # reoffences after 18 are kept; older than this is a typo


@dataclass(frozen=True)
class Period:
    """A span of days, both ends included."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True)
class Rules:
    """The counting rules; defaults are the spec's (§§1.1, 2.1, 2.4, 3)."""

    substantive: frozenset[str] = CAUTIONS | COURT_NON_CUSTODIAL | CUSTODIAL
    custodial: frozenset[str] = CUSTODIAL
    follow_up_months: int = 12
    waiting_months: int = 6
    count_reoffences_after_18: bool = True
    fte_age_at: Literal["outcome", "offence"] = "outcome"
    small_cohort: int = 30
    small_count: int = 10


@dataclass(frozen=True)
class Case:
    """One row of CASES.csv: one proven (or diverted) offence of a child and its disposal."""

    row: int
    person_ref: str
    age: int | None  # on the disposal date
    age_at_offence: int | None
    offence_date: date
    disposal_date: date
    disposal_type: str
    release_date: date | None
    breach: bool

    def age_at(self, which: Literal["outcome", "offence"]) -> int:
        value = self.age if which == "outcome" else self.age_at_offence
        if value is None:
            column = "age" if which == "outcome" else "age_at_offence"
            raise IndicatorInputError(f"row {self.row}: column {column} is needed for this rule")
        return value


@dataclass(frozen=True)
class Comparison:
    national: Decimal
    difference: Decimal  # local (rounded) minus national
    verdict: Literal["better", "worse", "same"]

    def sentence(self, unit: str) -> str:
        if self.verdict == "same":
            return f"the same as the comparator ({self.national} {unit})"
        return (
            f"{self.verdict} than the comparator {self.national} {unit} by {abs(self.difference)}"
        )


@dataclass(frozen=True)
class IndicatorResult:
    key: str
    name: str
    numerator: int
    denominator: int
    value: Fraction | None
    places: int
    unit: str
    rule: str
    period: Period
    notes: tuple[str, ...] = ()
    comparison: Comparison | None = None

    @property
    def rounded(self) -> Decimal | None:
        """The value rounded half-up to `places` decimals (6.25 -> 6.3, never 6.2)."""
        if self.value is None:
            return None
        exact = Decimal(self.value.numerator) / Decimal(self.value.denominator)
        return exact.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": None if self.rounded is None else str(self.rounded),
            "unit": self.unit,
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "rule": self.rule,
            "notes": list(self.notes),
        }
        if self.comparison is not None:
            c = self.comparison
            out["comparison"] = {
                "national": str(c.national),
                "difference": str(c.difference),
                "verdict": c.verdict,
            }
        return out


# ---------------------------------------------------------------- parsing


def parse_period(text: str) -> Period:
    """`2023-04-01:2024-03-31` -> Period (both days included)."""
    parts = text.split(":")
    if len(parts) != 2:
        raise IndicatorInputError(
            f"period {text!r}: expected START:END, e.g. 2023-04-01:2024-03-31"
        )
    try:
        start, end = (date.fromisoformat(p.strip()) for p in parts)
    except ValueError:
        raise IndicatorInputError(f"period {text!r}: dates must be YYYY-MM-DD") from None
    if end < start:
        raise IndicatorInputError(f"period {text!r}: the end is before the start")
    return Period(start, end)


def add_months(day: date, months: int) -> date:
    """Calendar months later, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _norm(header: str) -> str:
    return header.strip().lower().replace(" ", "_").replace("-", "_")


# What each input file may hold (docs/RELIABILITY.md, "Limits on files people give us"): a
# service's proven offences over several years number in the thousands; a population file has
# a row per age or per local authority; the comparators a row per indicator.
CASES_LIMITS: Final = CsvLimits(max_bytes=20 * MB, max_rows=100_000, max_cells=20, max_line=65_536)
POPULATION_LIMITS: Final = CsvLimits(max_bytes=MB, max_rows=10_000, max_cells=20, max_line=65_536)
COMPARATOR_LIMITS: Final = CsvLimits(max_bytes=MB, max_rows=1000, max_cells=20, max_line=65_536)


def _numbered_rows(
    source: str | Path | Iterable[str], what: str, limits: CsvLimits
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The normalised header and the other non-blank rows, each with its spreadsheet row number
    (the header's row is 1 when the file starts with it; blank rows still count, so a number
    in a message is the row a person finds when they open the file). A file beyond `limits`
    is refused as soon as the reading reaches the limit."""
    lines: str | Iterable[str]
    try:
        if isinstance(source, str | Path):
            try:
                lines = read_file(source, limits.max_bytes, _("the file")).decode("utf-8-sig")
            except OSError as exc:
                raise IndicatorInputError(f"{what}: cannot read {source}: {exc.strerror}") from None
        else:
            lines = source
        rows = [
            (number, r)
            for number, r in enumerate(csv_rows(lines, limits, _("the file")), start=1)
            if any(cell.strip() for cell in r)
        ]
    except LimitExceeded as exc:
        raise IndicatorInputError(f"{what}: {exc}") from None
    if not rows:
        raise IndicatorInputError(f"{what}: the file is empty")
    return [_norm(h) for h in rows[0][1]], rows[1:]


# ---------------------------------------------------------------- outcome records as a list

# The outcome records are read by the same machinery as the case list (`core.lists`): headings
# in the service's own words or its mapping, British or ISO dates, disposals by their full
# names. These are the spellings; each column's and code's own name is always accepted too.
OUTCOME_HEADINGS: Final[Mapping[str, tuple[str, ...]]] = {
    "person_ref": (
        "Person ref",
        "Person reference",
        "Person ID",
        "Child ref",
        "Child reference",
        "Child ID",
        "Young person ref",
        "Young person ID",
        "YP ref",
        "YP ID",
        "Pseudonym",
        "Pseudonymised ref",
    ),
    "age": ("Age", "Age at outcome", "Age at disposal", "Age at sentence", "Age on outcome date"),
    "age_at_offence": ("Age at offence", "Age at time of offence", "Age when offence committed"),
    "offence_date": ("Offence date", "Date of offence", "Date offence committed"),
    "disposal_date": (
        "Disposal date",
        "Date of disposal",
        "Outcome date",
        "Date of outcome",
        "Sentence date",
        "Date sentenced",
    ),
    "disposal_type": (
        "Disposal",
        "Disposal type",
        "Outcome",
        "Outcome type",
        "Legal outcome",
        "Sentence",
        "Sentence type",
    ),
    "custodial": ("Custodial", "Custodial sentence", "Custody"),
    "release_date": ("Release date", "Date of release", "Date released"),
    "breach": ("Breach", "Breach offence", "Is breach"),
}

# Each code's full name first (its label), then other spellings. A bare "Caution" is not one
# of them: in outcome records it could be a youth caution or a conditional one.
OUTCOME_SPELLINGS: Final[Mapping[str, tuple[str, ...]]] = {
    "community_resolution": ("Community resolution", "CR", "Outcome 8"),
    "outcome_21": ("Outcome 21", "O21"),
    "outcome_22": ("Outcome 22", "O22", "Deferred prosecution"),
    "outcome_23": ("Outcome 23", "O23"),
    "youth_diversion_order": ("Youth diversion order", "YDO"),
    "no_further_action": ("No further action", "NFA"),
    "triage": ("Triage", "Youth triage"),
    "penalty_notice": ("Penalty notice", "Penalty notice for disorder", "PND"),
    "youth_caution": ("Youth caution", "YC"),
    "youth_conditional_caution": ("Youth conditional caution", "YCC", "Conditional caution"),
    "reprimand": ("Reprimand",),
    "final_warning": ("Final warning",),
    "absolute_discharge": ("Absolute discharge",),
    "conditional_discharge": ("Conditional discharge",),
    "fine": ("Fine",),
    "compensation_order": ("Compensation order",),
    "reparation_order": ("Reparation order", "Rep order"),
    "referral_order": ("Referral order", "Referral", "RO"),
    "yro": ("Youth rehabilitation order", "YRO"),
    "yro_iss": (
        "YRO with ISS",
        "YRO ISS",
        "YRO with intensive supervision and surveillance",
        "Youth rehabilitation order with ISS",
        "Youth rehabilitation order with intensive supervision and surveillance",
    ),
    "other_court_sentence": ("Other court sentence", "Other court disposal"),
    "dto": ("Detention and training order", "DTO"),
    "s250": ("Section 250", "S.250", "Long-term detention"),
    "s254": ("Section 254", "S.254", "Extended sentence", "Extended sentence of detention"),
    "s259": (
        "Section 259",
        "S.259",
        "Detention at His Majesty's pleasure",
        "Detention at Her Majesty's pleasure",
        "DHMP",
    ),
    "s90": ("Section 90", "S.90"),
    "s91": ("Section 91", "S.91"),
}

# Tried, word by word, on a value no spelling matches ("YRO with curfew", "DTO 12 months").
OUTCOME_PREFIXES: Final[tuple[tuple[str, str], ...]] = (
    ("YRO with ISS", "yro_iss"),
    ("YRO with intensive supervision", "yro_iss"),
    ("Youth rehabilitation order with ISS", "yro_iss"),
    ("Youth rehabilitation order with intensive supervision", "yro_iss"),
    ("Youth rehabilitation order", "yro"),
    ("YRO", "yro"),
    ("Detention and training order", "dto"),
    ("DTO", "dto"),
    ("Section 250", "s250"),
    ("S 250", "s250"),
    ("Section 254", "s254"),
    ("S 254", "s254"),
    ("Section 259", "s259"),
    ("S 259", "s259"),
    ("Section 90", "s90"),
    ("S 90", "s90"),
    ("Section 91", "s91"),
    ("S 91", "s91"),
    ("Referral order", "referral_order"),
    ("Reparation order", "reparation_order"),
    ("Youth conditional caution", "youth_conditional_caution"),
    ("Youth caution", "youth_caution"),
    ("Community resolution", "community_resolution"),
    ("Outcome 21", "outcome_21"),
    ("Outcome 22", "outcome_22"),
    ("Outcome 23", "outcome_23"),
    ("Triage", "triage"),
)

if set(OUTCOME_SPELLINGS) != DISPOSAL_TYPES or any(
    code not in DISPOSAL_TYPES for _prefix, code in OUTCOME_PREFIXES
):
    raise ValueError("every disposal code needs spellings, and prefixes must name codes")

_OUTCOME_COLUMNS: Final = (
    Column("person_ref", "reference", True, headings=OUTCOME_HEADINGS["person_ref"]),
    Column("age", "age", headings=OUTCOME_HEADINGS["age"], age_range=(_MIN_AGE, _MAX_AGE)),
    Column(
        "age_at_offence",
        "age",
        headings=OUTCOME_HEADINGS["age_at_offence"],
        age_range=(_MIN_AGE, _MAX_AGE),
    ),
    Column("offence_date", "date", True, headings=OUTCOME_HEADINGS["offence_date"]),
    Column("disposal_date", "date", True, headings=OUTCOME_HEADINGS["disposal_date"]),
    Column(
        "disposal_type",
        "code",
        True,
        headings=OUTCOME_HEADINGS["disposal_type"],
        codes=OUTCOME_SPELLINGS,
        prefixes=OUTCOME_PREFIXES,
        programmes=PROGRAMME_FRAGMENTS,
        out_of_scope_allowed=True,
    ),
    Column("custodial", "yes_no", headings=OUTCOME_HEADINGS["custodial"]),
    Column("release_date", "date", headings=OUTCOME_HEADINGS["release_date"]),
    Column("breach", "yes_no", headings=OUTCOME_HEADINGS["breach"]),
)


class _OutcomeRecords(ListSpec[Case]):
    """The outcome records: unknown columns refused (a misspelt optional column must not be
    ignored without anyone noticing), and the older rule on identifying headings kept."""

    def __init__(self, rules: Rules) -> None:
        super().__init__("outcomes", _OUTCOME_COLUMNS, refuse_unknown_columns=True)
        self.rules = rules

    def personal_data_kind(self, heading: str) -> str | None:
        name = _norm(heading)
        if name in _FORBIDDEN_EXACT or any(f in name for f in _FORBIDDEN_FRAGMENTS):
            return super().personal_data_kind(heading) or "a name"
        return super().personal_data_kind(heading)

    def builder(self, present: frozenset[str]) -> _CaseBuilder:
        return _CaseBuilder(self.rules, present)

    def column_problems(self, present: frozenset[str]) -> list[str]:
        if "age" in present or "age_at_offence" in present:
            return []
        return [
            _(
                "the file needs an age column or an age_at_offence column (headings accepted "
                "include 'Age', 'Age at outcome' and 'Age at offence')"
            )
        ]


class _CaseBuilder:
    """A `Case` from a record's values (the columns' order above), checked across columns."""

    def __init__(self, rules: Rules, present: frozenset[str]) -> None:
        self.custodial = rules.custodial
        self.notes: list[str] = []

    def fast(self, number: int, values: tuple[Any, ...]) -> Case | None:
        ref, age, age_off, offence, disposal, code, custodial, release, breach = values
        if (
            (age is None and age_off is None)
            or offence > disposal
            or (age is not None and age_off is not None and not 0 <= age - age_off <= 3)
            or (custodial is not None and custodial != (code in self.custodial))
            or (release is not None and (code not in self.custodial or release < disposal))
        ):
            return None
        return Case(number, ref, age, age_off, offence, disposal, code, release, bool(breach))

    def careful(self, number: int, values: list[Any], report: Report) -> Case | None:
        ref, age, age_off, offence, disposal, code, custodial, release, breach = values
        if age is None and age_off is None:
            report("age", "", _("give the age or the age_at_offence: both are blank"))
        if offence is not None and disposal is not None and offence > disposal:
            report(
                "offence_date",
                offence.isoformat(),
                _("%(offence)s is after the disposal_date %(disposal)s")
                % {"offence": offence.isoformat(), "disposal": disposal.isoformat()},
            )
        if age is not None and age_off is not None and not 0 <= age - age_off <= 3:
            report(
                "age",
                str(age),
                _("%(age)s does not fit age_at_offence %(offence)s")
                % {"age": age, "offence": age_off},
            )
        custodial_codes = ", ".join(sorted(self.custodial))
        if custodial is not None and code is not None and custodial != (code in self.custodial):
            report(
                "custodial",
                "yes" if custodial else "no",
                _("contradicts disposal_type %(code)s (custodial codes: %(codes)s)")
                % {"code": code, "codes": custodial_codes},
            )
        if release is not None and code is not None and code not in self.custodial:
            report(
                "release_date",
                release.isoformat(),
                _("given for non-custodial %(code)s") % {"code": code},
            )
        elif release is not None and disposal is not None and release < disposal:
            report(
                "release_date",
                release.isoformat(),
                _("%(release)s is before the disposal_date") % {"release": release.isoformat()},
            )
        if None in (ref, offence, disposal, code) or (age is None and age_off is None):
            return None
        return Case(number, ref, age, age_off, offence, disposal, code, release, bool(breach))


def outcome_records_list(rules: Rules | None = None) -> ListSpec[Case]:
    """The outcome records as a list of `core.lists`, counting custody by `rules`."""
    return _OutcomeRecords(rules or Rules())


def read_case_records(
    data: bytes,
    filename: str,
    rules: Rules | None = None,
    *,
    mapping: ColumnMapping | None = None,
) -> ListPreview[Case]:
    """Read the outcome records (CSV or XLSX) as the case list is read: every problem by row
    and column in the preview, with the person's heading; headings, dates and disposal names
    in the service's own words or its `mapping`. Raises IndicatorInputError only when the file
    cannot be read at all."""
    try:
        return read_list(
            outcome_records_list(rules),
            data,
            filename,
            mapping=mapping,
            max_bytes=CASES_LIMITS.max_bytes,
            max_rows=CASES_LIMITS.max_rows,
            too_many=too_many_cases,
            empty=_("the file is empty"),
            row_limit=CASES_LIMITS.max_rows,
            max_line=CASES_LIMITS.max_line,
            max_cells=CASES_LIMITS.max_cells,
        )
    except UnreadableFile as exc:
        raise IndicatorInputError(f"cases: {exc}") from None


def _source_bytes(source: str | Path | Iterable[str], what: str) -> tuple[bytes, str]:
    """The cases file's bytes and name: a path is read within the limit; lines (an open text
    file, or strings without their line ends) are joined, counted against it as they come."""
    if isinstance(source, str | Path):
        try:
            return read_file(source, CASES_LIMITS.max_bytes, _("the file")), str(source)
        except OSError as exc:
            raise IndicatorInputError(f"{what}: cannot read {source}: {exc.strerror}") from None
        except LimitExceeded as exc:
            raise IndicatorInputError(f"{what}: {exc}") from None
    parts: list[str] = []
    size = 0
    for line in source:
        ended = line if line.endswith(("\n", "\r")) else line + "\n"
        size += len(ended)
        if size > CASES_LIMITS.max_bytes:
            raise IndicatorInputError(
                f"{what}: "
                + _("%(what)s is larger than %(limit)s, the largest accepted")
                % {"what": _("the file"), "limit": megabytes(CASES_LIMITS.max_bytes)}
            )
        parts.append(ended)
    return "".join(parts).encode("utf-8"), "cases.csv"


def _column_error(preview: ListPreview[Case], what: str) -> IndicatorInputError | None:
    """The first problem with the file's columns, worded as `read_cases` always has."""
    whole = [p for p in preview.problems if p.row is None]
    refused = [_norm(p.column) for p in whole if p.column and p.heading == p.column]
    if refused:
        return IndicatorInputError(
            f"{what}: refusing column(s) {', '.join(refused)}: names, dates of birth and "
            "addresses must not be uploaded; use a pseudonymous person_ref and the age in years"
        )
    if any(p.column == "age" and "two columns" in p.message for p in whole):
        return IndicatorInputError(f"{what}: give either age or age_at_outcome, not both")
    missing = list(preview.missing_columns)
    if not {"age", "age_at_offence"} & set(preview.columns) and preview.columns:
        missing.append("age (or age_at_offence)")
    if missing:
        return IndicatorInputError(f"{what}: missing column(s) {', '.join(missing)}")
    unknown = [_norm(h) for h in preview.ignored_columns]
    mapping = preview.mapping
    if mapping is not None:
        ignored = {spelling_key(h) for h in mapping.ignored}
        unknown = [_norm(h) for h in preview.ignored_columns if spelling_key(h) not in ignored]
    if unknown:
        return IndicatorInputError(f"{what}: unknown column(s) {', '.join(unknown)}")
    other = [p for p in whole if not p.message.startswith("no cases")]
    if other:
        return IndicatorInputError(f"{what}: {other[0].message}")
    return None


def read_cases(
    source: str | Path | Iterable[str],
    rules: Rules | None = None,
    problems: list[IndicatorInputError] | None = None,
    *,
    mapping: ColumnMapping | None = None,
) -> list[Case]:
    """Read CASES.csv (or a path ending .xlsx). Row numbers are the spreadsheet's (the
    header is row 1). `mapping` is the service's saved mapping for its outcome records.

    A problem with the columns always raises. A problem with a row raises too, unless a
    `problems` list is given: then each bad row's first problem is added to it and reading
    goes on, so that an upload page can list every bad row at once. Every problem's message
    is 'row N, column C: why', as before (`read_case_records` gives them whole).
    """
    what = "cases"
    data, filename = _source_bytes(source, what)
    preview = read_case_records(data, filename, rules, mapping=mapping)
    error = _column_error(preview, what)
    if error is not None:
        raise error
    first: dict[int, IndicatorInputError] = {}
    for p in preview.problems:
        if p.row is not None and p.row not in first:
            first[p.row] = IndicatorInputError(f"row {p.row}, column {p.column}: {p.message}")
    found = [first[row] for row in sorted(first)]
    if found and problems is None:
        raise found[0]
    if problems is not None:
        problems.extend(found)
    return preview.rows


def read_population(source: str | Path | Iterable[str]) -> int:
    """The 10-17 population: `age,population` (ages 10..17 each once; other ages ignored) or
    `area,population_10_17` (one row per local authority, summed)."""
    what = "population"
    headers, body = _numbered_rows(source, what, POPULATION_LIMITS)
    by_age = {"age", "population"} <= set(headers)
    by_area = {"area", "population_10_17"} <= set(headers)
    if by_age == by_area:
        raise IndicatorInputError(
            f"{what}: expected columns age,population or area,population_10_17; got "
            f"{','.join(headers)}"
        )
    seen: dict[object, int] = {}
    total = 0
    for number, raw in body:
        cell = dict(zip(headers, (v.strip() for v in raw), strict=False))
        count_col = "population" if by_age else "population_10_17"
        try:
            count = int(cell.get(count_col, "").replace(",", ""))
        except ValueError:
            raise IndicatorInputError(
                f"{what} row {number}, column {count_col}: {cell.get(count_col, '')!r} "
                "is not a whole number"
            ) from None
        if count < 0:
            raise IndicatorInputError(f"{what} row {number}, column {count_col}: negative")
        key: object
        if by_age:
            try:
                age = int(cell.get("age", ""))
            except ValueError:
                raise IndicatorInputError(
                    f"{what} row {number}, column age: {cell.get('age', '')!r} is not an age"
                ) from None
            if not _MIN_AGE <= age <= _MAX_CHILD_AGE:
                continue
            key = age
        else:
            key = cell.get("area", "")
            if not key:
                raise IndicatorInputError(f"{what} row {number}, column area: empty")
        if key in seen:
            raise IndicatorInputError(f"{what} row {number}: {key} repeats row {seen[key]}")
        seen[key] = number
        total += count
    if by_age:
        absent = [str(a) for a in range(_MIN_AGE, _MAX_CHILD_AGE + 1) if a not in seen]
        if absent:
            raise IndicatorInputError(f"{what}: no row for age(s) {', '.join(absent)}")
    if total <= 0:
        raise IndicatorInputError(f"{what}: the 10-17 population is zero")
    return total


def parse_comparators(text: str) -> dict[str, Decimal]:
    """`fte=180.5,reoffending=32.2,custody=0.07`, or a CSV file with columns indicator,value."""
    pairs: list[tuple[str, str, str]] = []
    if "=" in text:
        for part in (p for p in text.split(",") if p.strip()):
            key, sep, value = part.partition("=")
            if not sep:
                raise IndicatorInputError(f"--compare: {part!r} is not KEY=VALUE")
            pairs.append((key, value, f"--compare {part.strip()!r}"))
    else:
        headers, body = _numbered_rows(text, "comparators", COMPARATOR_LIMITS)
        if not {"indicator", "value"} <= set(headers):
            raise IndicatorInputError("comparators: expected columns indicator,value")
        for number, raw in body:
            cell = dict(zip(headers, raw, strict=False))
            pairs.append(
                (cell.get("indicator", ""), cell.get("value", ""), f"comparators row {number}")
            )
    out: dict[str, Decimal] = {}
    for key, value, where in pairs:
        k = _norm(key)
        if k not in COMPARATOR_KEYS:
            raise IndicatorInputError(
                f"{where}: unknown indicator; known: {', '.join(COMPARATOR_KEYS)}"
            )
        try:
            figure = Decimal(value.strip())
        except ArithmeticError:
            raise IndicatorInputError(f"{where}: {value.strip()!r} is not a number") from None
        if not figure.is_finite():
            raise IndicatorInputError(f"{where}: {value.strip()!r} is not a number")
        out[k] = figure
    return out


# ---------------------------------------------------------------- indicators


def _by_person(cases: Iterable[Case]) -> dict[str, list[Case]]:
    people: dict[str, list[Case]] = {}
    for case in cases:
        people.setdefault(case.person_ref, []).append(case)
    return people


def _small(count: int, rules: Rules) -> tuple[str, ...]:
    if count < rules.small_count:
        return (f"small count ({count} < {rules.small_count}): read the count, not the rate",)
    return ()


def first_time_entrants(
    cases: Sequence[Case], population: int, period: Period, rules: Rules | None = None
) -> IndicatorResult:
    """Children whose first-ever substantive outcome (in these records) falls in the period and
    who were 10-17 then, per 100,000 aged 10-17 (spec §1.3, local-records basis)."""
    rules = rules or Rules()
    count = 0
    for records in _by_person(cases).values():
        substantive = [c for c in records if c.disposal_type in rules.substantive]
        if not substantive:
            continue
        first_day = min(c.disposal_date for c in substantive)
        if first_day not in period:
            continue
        firsts = [c for c in substantive if c.disposal_date == first_day]
        if any(_MIN_AGE <= c.age_at(rules.fte_age_at) <= _MAX_CHILD_AGE for c in firsts):
            count += 1
    return IndicatorResult(
        key="fte",
        name="First-time entrants",
        numerator=count,
        denominator=population,
        value=Fraction(count * 100_000, population),
        places=1,
        unit="per 100,000 aged 10-17",
        rule=(
            "children whose earliest caution, conditional caution or conviction in these records "
            f"falls in the period, aged 10-17 at the {rules.fte_age_at}; community resolutions "
            "and other diversion do not count; basis: local-records (not PNC)"
        ),
        period=period,
        notes=_small(count, rules),
    )


def custody_rate(
    cases: Sequence[Case], population: int, period: Period, rules: Rules | None = None
) -> IndicatorResult:
    """Custodial sentences (one per child per sentencing date, remands excluded) given in the
    period to children aged 10-17, per 1,000 aged 10-17 (spec §3)."""
    rules = rules or Rules()
    occasions = {
        (c.person_ref, c.disposal_date)
        for c in cases
        if c.disposal_type in rules.custodial
        and c.disposal_date in period
        and _MIN_AGE <= c.age_at("outcome") <= _MAX_CHILD_AGE
    }
    count = len(occasions)
    return IndicatorResult(
        key="custody",
        name="Use of custody",
        numerator=count,
        denominator=population,
        value=Fraction(count * 1_000, population),
        places=2,
        unit="per 1,000 aged 10-17",
        rule=(
            f"custodial sentences ({', '.join(sorted(rules.custodial))}) dated in the period, "
            "one per child per sentencing date, aged 10-17 at sentence; remands not counted"
        ),
        period=period,
        notes=_small(count, rules),
    )


@dataclass(frozen=True)
class _Index:
    case: Case
    start: date


def reoffending(
    cases: Sequence[Case],
    cohort: Period,
    rules: Rules | None = None,
    as_of: date | None = None,
) -> tuple[IndicatorResult, IndicatorResult, IndicatorResult]:
    """Binary proven reoffending rate, reoffences per reoffender and per offender (spec §2.4).

    Cohort: each child's earliest index event (caution, court non-custodial sentence, or
    release from custody) whose start point falls in the cohort period, aged 10-17 then.
    Reoffence: another substantive, non-breach record of the child whose offence date is in
    [start, start + follow-up) and whose disposal date is on or before start + follow-up + wait.
    """
    rules = rules or Rules()
    notes: list[str] = []
    no_release = 0
    indices: dict[str, _Index] = {}
    people = _by_person(cases)
    for person, records in people.items():
        candidates: list[_Index] = []
        for c in records:
            if c.disposal_type not in rules.substantive:
                continue
            if c.disposal_type in rules.custodial:
                if c.release_date is None:
                    if c.disposal_date in cohort:
                        no_release += 1
                    continue
                start = c.release_date
            else:
                start = c.disposal_date
            if start in cohort and _MIN_AGE <= c.age_at("outcome") <= _MAX_CHILD_AGE:
                candidates.append(_Index(c, start))
        if candidates:
            indices[person] = min(candidates, key=lambda i: (i.start, i.case.row))
    if no_release:
        notes.append(
            f"{no_release} custodial sentence(s) in the cohort period have no release_date "
            "and are not index events"
        )
    reoffenders = 0
    reoffences = 0
    for person, index in indices.items():
        window_end = add_months(index.start, rules.follow_up_months)  # exclusive
        proven_by = add_months(index.start, rules.follow_up_months + rules.waiting_months)
        found = 0
        for c in people[person]:
            if c is index.case or c.breach or c.disposal_type not in rules.substantive:
                continue
            if not index.start <= c.offence_date < window_end or c.disposal_date > proven_by:
                continue
            if not rules.count_reoffences_after_18 and c.age_at("offence") > _MAX_CHILD_AGE:
                continue
            found += 1
        reoffences += found
        reoffenders += found > 0
    n = len(indices)
    if n < rules.small_cohort:
        notes.append(f"cohort of {n} is under {rules.small_cohort}: published tables suppress it")
    final_on = add_months(cohort.end, rules.follow_up_months + rules.waiting_months)
    if as_of is not None and as_of <= final_on:
        notes.append(f"provisional: the waiting period for this cohort ends on {final_on}")
    rule = (
        "cohort: each child's first caution, court sentence or release from custody in the "
        f"cohort period, aged 10-17 then; reoffence: offence committed within "
        f"{rules.follow_up_months} months of that date and proven (caution or conviction) within "
        f"a further {rules.waiting_months} months; breaches excluded; each proven offence counted "
        + (
            "once; offences after 18 count"
            if rules.count_reoffences_after_18
            else "once; offences committed at 18 or over not counted"
        )
    )
    common = {"period": cohort, "rule": rule, "notes": tuple(notes)}
    binary = IndicatorResult(
        key="reoffending",
        name="Binary proven reoffending rate",
        numerator=reoffenders,
        denominator=n,
        value=Fraction(reoffenders * 100, n) if n else None,
        places=1,
        unit="%",
        **common,  # type: ignore[arg-type]
    )
    per_reoffender = IndicatorResult(
        key="frequency_per_reoffender",
        name="Reoffences per reoffender",
        numerator=reoffences,
        denominator=reoffenders,
        value=Fraction(reoffences, reoffenders) if reoffenders else None,
        places=2,
        unit="reoffences per reoffender",
        **common,  # type: ignore[arg-type]
    )
    per_offender = IndicatorResult(
        key="frequency_per_offender",
        name="Reoffences per offender",
        numerator=reoffences,
        denominator=n,
        value=Fraction(reoffences, n) if n else None,
        places=2,
        unit="reoffences per child in cohort",
        **common,  # type: ignore[arg-type]
    )
    return binary, per_reoffender, per_offender


def _compare(result: IndicatorResult, national: Decimal | None) -> IndicatorResult:
    local = result.rounded
    if national is None or local is None:
        return result
    difference = local - national
    verdict: Literal["better", "worse", "same"] = (
        "same" if difference == 0 else "better" if difference < 0 else "worse"
    )  # lower is better for all five (spec §2.5)
    return replace(result, comparison=Comparison(national, difference, verdict))


def compute_indicators(
    cases: Sequence[Case],
    population: int,
    period: Period,
    cohort: Period | None = None,
    comparators: Mapping[str, Decimal] | None = None,
    rules: Rules | None = None,
    as_of: date | None = None,
) -> list[IndicatorResult]:
    """All five figures; the reoffending cohort period defaults to `period`."""
    rules = rules or Rules()
    comparators = comparators or {}
    results = [
        first_time_entrants(cases, population, period, rules),
        custody_rate(cases, population, period, rules),
        *reoffending(cases, cohort or period, rules, as_of),
    ]
    return [_compare(r, comparators.get(r.key)) for r in results]


def format_text(results: Sequence[IndicatorResult]) -> str:
    """A plain listing for the terminal."""
    lines: list[str] = []
    for r in results:
        figure = "n/a" if r.rounded is None else f"{r.rounded} {r.unit}"
        lines.append(f"{r.name}: {figure}  ({r.numerator}/{r.denominator}; {r.period})")
        if r.comparison is not None:
            lines.append(f"    {r.comparison.sentence(r.unit)}")
        lines.append(f"    rule: {r.rule}")
        lines.extend(f"    note: {n}" for n in r.notes)
    return "\n".join(lines)
