"""Outcome indicators for an inspection: check the uploaded files, compute, store, read back.

The counting is done by the pure core (`yjinspect.core.indicators`); this module adds what a
web upload needs on top: every problem in the files found in one pass (the core stops at the
first), refusal of name-like columns before anything is read, all-or-nothing storage with the
inputs' digests, and `indicator_results(inspection)` for the report and the board dashboard.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yjinspect.core.indicators import (
    CASES_LIMITS,
    COMPARATOR_KEYS,
    COMPARATOR_LIMITS,
    POPULATION_LIMITS,
    Comparison,
    IndicatorInputError,
    IndicatorResult,
    Period,
    Rules,
    compute_indicators,
    parse_comparators,
    read_cases,
    read_population,
)
from yjinspect.limits import CsvLimits, LimitExceeded, check_size, csv_rows
from yjinspect.web.inspections.models import Inspection

from .models import IndicatorRun, StoredIndicator

__all__ = [
    "IndicatorFiles",
    "Problem",
    "ProblemsFound",
    "check_files",
    "indicator_results",
    "latest_run",
    "results_of",
    "store_run",
]

MAX_POPULATION = 10_000_000  # England's whole 10-17 population is about 5.5 million
MAX_PROBLEMS = 500  # a file wrong on every row: the first 500 are enough to see the pattern
_ROW_MESSAGE = re.compile(r"^(?:\w+ )?row (\d+)(?:, column (\w+))?:? ?(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an upload: which file, which row and column (when known), what."""

    file: str
    message: str
    row: int | None = None
    column: str = ""


class ProblemsFound(Exception):
    """The upload cannot be used; `problems` lists every one found (nothing was stored)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


@dataclass(frozen=True)
class IndicatorFiles:
    """The raw uploads and choices, as the form cleaned them."""

    cases_name: str
    cases: bytes
    population_name: str
    population: bytes
    period: Period
    cohort: Period
    rules: Rules
    comparators: Mapping[str, Decimal] = field(default_factory=dict)
    comparator_source: str = ""


@dataclass(frozen=True)
class Checked:
    """Clean inputs ready to compute and store."""

    files: IndicatorFiles
    case_rows: int
    population: int
    results: list[IndicatorResult]


def _sentence(message: str) -> str:
    text = message.strip()
    return text[:1].upper() + text[1:]


def _decode(data: bytes, file: str, limits: CsvLimits) -> str:
    """UTF-8 text (a byte-order mark is allowed), without NUL bytes, no larger than `limits`
    allow (checked before decoding), or a clear refusal."""
    try:
        check_size(len(data), limits.max_bytes, _("the file"))
    except LimitExceeded as exc:
        raise ProblemsFound([Problem(file, _sentence(str(exc)))]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemsFound(
            [
                Problem(
                    file,
                    _("The file is not UTF-8 text (byte %(at)s). Save it as CSV UTF-8.")
                    % {"at": exc.start + 1},
                )
            ]
        ) from None
    if "\x00" in text:
        raise ProblemsFound([Problem(file, _("The file holds NUL bytes: it is not a CSV file."))])
    return text


def _records(text: str, file: str, limits: CsvLimits) -> Iterator[list[str]]:
    """The file's rows, read one at a time within `limits`; a problem reading them is the
    upload's only problem for this file."""
    try:
        yield from csv_rows(text, limits, _("the file"))
    except LimitExceeded as exc:
        raise ProblemsFound([Problem(file, _sentence(str(exc)))]) from None
    except csv.Error as exc:
        raise ProblemsFound(
            [Problem(file, _("The file is not readable as CSV: %(why)s") % {"why": exc})]
        ) from None


def _problem(file: str, exc: IndicatorInputError) -> Problem:
    """Split the core's 'row N, column C: why' message into a row, a column and the reason."""
    message = str(exc)
    match = _ROW_MESSAGE.match(message)
    if match:
        return Problem(file, _sentence(match.group(3)), int(match.group(1)), match.group(2) or "")
    prefix = f"{file}: "
    if message.startswith(prefix):
        message = message[len(prefix) :]
    return Problem(file, _sentence(message))


def _check_cases(text: str, rules: Rules) -> int:
    """Every problem of the cases file, each with its spreadsheet row (header = row 1)."""
    file = "cases"
    if not any(any(c.strip() for c in record) for record in _records(text, file, CASES_LIMITS)):
        raise ProblemsFound([Problem(file, _("The file is empty."))])
    found: list[IndicatorInputError] = []
    try:
        cases = read_cases(io.StringIO(text, newline=""), rules, problems=found)
    except IndicatorInputError as exc:  # the columns: names refused, every column known
        raise ProblemsFound([_problem(file, exc)]) from None
    if found:
        raise ProblemsFound([_problem(file, exc) for exc in found[:MAX_PROBLEMS]])
    if not cases:
        raise ProblemsFound([Problem(file, _("The file has a header but no rows."))])
    return len(cases)


def _check_population(text: str) -> int:
    try:
        total = read_population(io.StringIO(text, newline=""))
    except IndicatorInputError as exc:
        raise ProblemsFound([_problem("population", exc)]) from None
    except csv.Error as exc:  # pragma: no cover - NUL bytes are refused before
        raise ProblemsFound([Problem("population", str(exc))]) from None
    if total > MAX_POPULATION:
        raise ProblemsFound(
            [
                Problem(
                    "population",
                    _("The 10-17 population adds up to %(n)s: more than any service covers.")
                    % {"n": f"{total:,}"},
                )
            ]
        )
    return total


def check_files(files: IndicatorFiles, as_of: date | None = None) -> Checked:
    """Read and check both files (every problem of both, not just the first), then compute.

    Raises ProblemsFound with the whole list; nothing is stored here.
    """
    problems: list[Problem] = []
    case_rows = population = 0
    cases_text = population_text = ""
    try:
        cases_text = _decode(files.cases, "cases", CASES_LIMITS)
        case_rows = _check_cases(cases_text, files.rules)
    except ProblemsFound as found:
        problems.extend(found.problems)
    try:
        population_text = _decode(files.population, "population", POPULATION_LIMITS)
        population = _check_population(population_text)
    except ProblemsFound as found:
        problems.extend(found.problems)
    if problems:
        raise ProblemsFound(problems)
    try:
        cases = read_cases(io.StringIO(cases_text, newline=""), files.rules)
        results = compute_indicators(
            cases,
            population,
            files.period,
            cohort=files.cohort,
            comparators=files.comparators,
            rules=files.rules,
            as_of=as_of or timezone.localdate(),
        )
    except IndicatorInputError as exc:  # a rule needing a column the file lacks
        raise ProblemsFound([_problem("cases", exc)]) from None
    return Checked(files, case_rows, population, results)


def comparators_from_csv(data: bytes) -> dict[str, Decimal]:
    """National comparators from an `indicator,value` CSV; problems name the row."""
    text = _decode(data, "comparators", COMPARATOR_LIMITS)
    problems: list[Problem] = []
    out: dict[str, Decimal] = {}
    records = list(_records(text, "comparators", COMPARATOR_LIMITS))
    if not records or [c.strip().lower() for c in records[0]][:2] != ["indicator", "value"]:
        raise ProblemsFound(
            [Problem("comparators", _("The first row must be the headings indicator,value."))]
        )
    for number, record in enumerate(records[1:], start=2):
        if not any(c.strip() for c in record):
            continue
        if len(record) < 2 or "=" in record[0] or "," in record[0]:
            problems.append(Problem("comparators", _("Expected an indicator and a value."), number))
            continue
        key, value = record[0].strip(), record[1].strip()
        try:
            parsed = parse_comparators(f"{key}={value}")
        except IndicatorInputError as exc:
            why = str(exc).split(": ", 1)[-1]
            problems.append(Problem("comparators", _sentence(why), number, "indicator"))
            continue
        for k, v in parsed.items():
            if v < 0 or v.as_tuple().exponent < -4 or v.adjusted() >= 8:  # type: ignore[operator]
                problems.append(
                    Problem(
                        "comparators",
                        _("%(value)s: give a figure from 0 to 99,999,999 with at most 4 decimals.")
                        % {"value": value},
                        number,
                        "value",
                    )
                )
                continue
            if k in out:
                problems.append(
                    Problem("comparators", _("%(key)s is given twice.") % {"key": k}, number)
                )
            out[k] = v
    if problems:
        raise ProblemsFound(problems)
    return out


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def store_run(inspection: Inspection, checked: Checked, user: User) -> IndicatorRun:
    """Store the inputs' description and the five results together, or nothing at all."""
    files = checked.files
    run = IndicatorRun(
        inspection=inspection,
        period_start=files.period.start,
        period_end=files.period.end,
        cohort_start=files.cohort.start,
        cohort_end=files.cohort.end,
        follow_up_months=files.rules.follow_up_months,
        waiting_months=files.rules.waiting_months,
        cases_filename=files.cases_name[:255],
        cases_sha256=digest(files.cases),
        case_rows=checked.case_rows,
        population_filename=files.population_name[:255],
        population_sha256=digest(files.population),
        population=checked.population,
        comparator_source=files.comparator_source[:255],
        by=user,
    )
    run.save()
    for position, result in enumerate(checked.results):
        value = result.value
        comparison = result.comparison
        StoredIndicator(
            run=run,
            position=position,
            key=result.key,
            name=result.name,
            numerator=result.numerator,
            denominator=result.denominator,
            value_numerator=None if value is None else value.numerator,
            value_denominator=None if value is None else value.denominator,
            places=result.places,
            unit=result.unit,
            rule=result.rule,
            notes=list(result.notes),
            national=None if comparison is None else comparison.national,
            difference=None if comparison is None else comparison.difference,
            verdict="" if comparison is None else comparison.verdict,
        ).save()
    return run


def latest_run(inspection: Inspection) -> IndicatorRun | None:
    return IndicatorRun.objects.filter(inspection=inspection).order_by("-at", "-pk").first()


def _result(stored: StoredIndicator, run: IndicatorRun) -> IndicatorResult:
    is_cohort = stored.key not in ("fte", "custody")
    period = (
        Period(run.cohort_start, run.cohort_end)
        if is_cohort
        else Period(run.period_start, run.period_end)
    )
    value = (
        None
        if stored.value_numerator is None or stored.value_denominator is None
        else Fraction(stored.value_numerator, stored.value_denominator)
    )
    comparison = None
    if stored.national is not None and stored.difference is not None and stored.verdict:
        comparison = Comparison(
            national=stored.national.normalize(),
            difference=stored.difference.normalize(),
            verdict=stored.verdict,  # type: ignore[arg-type]
        )
    return IndicatorResult(
        key=stored.key,
        name=stored.name,
        numerator=stored.numerator,
        denominator=stored.denominator,
        value=value,
        places=stored.places,
        unit=stored.unit,
        rule=stored.rule,
        period=period,
        notes=tuple(str(n) for n in stored.notes),
        comparison=comparison,
    )


def results_of(run: IndicatorRun) -> list[IndicatorResult]:
    """The run's results as the core's objects, in the order they were computed."""
    return [_result(s, run) for s in run.results.order_by("position")]


def indicator_results(inspection: Inspection) -> Sequence[IndicatorResult]:
    """The latest stored indicators of the inspection (empty when none were computed).

    For the report's background section and the board dashboard: they read stored figures,
    never recompute, so what they show is what the lead checked and saved.
    """
    run = latest_run(inspection)
    return [] if run is None else results_of(run)


KNOWN_COMPARATORS = COMPARATOR_KEYS
