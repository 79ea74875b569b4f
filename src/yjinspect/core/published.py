"""Published inspection results as data: read and check a CSV with one row per figure.

National comparisons and a service's history need the figures inspectorates have already
published (ratings, key-question percentages, theme scores). Typing them into code would hide
where each came from and could not grow with new reports, so they live in a CSV that anyone
can check against the source it names. This module parses that file without Django, checks
every row against the shipped framework it names, and reports every problem by row and
column so a whole file can be fixed in one pass. Nothing is stored here: the web app stores
the rows only when the whole file is clean.

The format is documented in docs/comparison.md.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from yjinspect.frameworks import Framework, FrameworkError, get_framework, shipped_framework_paths
from yjinspect.frameworks.schema import rates_like
from yjinspect.limits import MB, CsvLimits, LimitExceeded, csv_rows

from .legacy import canonical_word

COLUMNS = (
    "service",
    "framework_id",
    "framework_version",
    "published",
    "kind",
    "item_kind",
    "item_id",
    "rating",
    "percent",
    "numerator",
    "denominator",
    "source",
)
REQUIRED_VALUES = (
    "service",
    "framework_id",
    "framework_version",
    "published",
    "kind",
    "item_kind",
    "item_id",
    "source",
)
KINDS = ("inspection", "internal_audit")
# 'theme' is what the FJI and SQS call an area; both name the framework's `areas`.
ITEM_KINDS = ("overall", "standard", "key_question", "area", "theme", "question")
STANDARDS_ONLY = {"overall", "standard", "key_question"}
AREAS_ONLY = {"area", "theme", "question"}
FICTITIOUS_MARK = "FICTITIOUS"
MAX_ROWS = 20_000
# The file as a whole (the web form refuses a larger upload with the same figure), its lines,
# cells per row, and rows counting blank ones: a file of a million blank lines is refused at
# the first past the limit instead of being read to its end.
LIMITS = CsvLimits(max_bytes=2 * MB, max_rows=MAX_ROWS + 1000, max_cells=50, max_line=65_536)
# How far a printed percentage may sit from numerator/denominator: half a whole point, the
# most that rounding to a whole percentage can move it.
ROUNDING_SLACK = Fraction(1, 2)
NOT_RATED = "not_rated"

_Bad = Callable[[str, str], None]  # reports a problem in one column of the current row

# Words that name the organisation rather than the place, dropped when matching services so
# 'Bexley YOT' (2015) and 'Bexley YJS' (2024) are recognised as one service.
_ORGANISATION_WORDS = re.compile(
    r"\b(youth offending (team|service)|youth justice (service|team)|yot|yos|yjs|yjt)\b",
    re.IGNORECASE,
)


class PublishedError(ValueError):
    """A file of published results that cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Problem:
    row: int | None  # spreadsheet row: the header is row 1, the first figure row 2
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True)
class PublishedFigure:
    """One published figure, checked against its framework."""

    row: int
    service: str
    service_key: str
    framework_id: str
    framework_version: int
    published: date
    date_precision: str  # 'day', or 'month' when the report gives only a month
    kind: str  # inspection | internal_audit
    item_kind: str  # overall | standard | key_question | area | question ('theme' -> 'area')
    item_id: str
    rating: str  # as the framework spells it ('Good', 'Poor'); '' when none
    rating_id: str  # the framework's rating id for standards and overall; '' otherwise
    percent: Decimal | None
    numerator: int | None
    denominator: int | None
    source: str

    @property
    def fictitious(self) -> bool:
        return self.source.lstrip().upper().startswith(FICTITIOUS_MARK)

    def key(self) -> tuple[str, str, date, str, str, str]:
        """What makes a figure unique: one value per item per publication of a service."""
        return (
            self.service_key,
            self.framework_id,
            self.published,
            self.kind,
            self.item_kind,
            self.item_id,
        )


def service_key(name: str) -> str:
    """A stable key for matching one service across reports: lower case, organisation words
    removed, anything not a letter or digit turned into single hyphens."""
    text = _ORGANISATION_WORDS.sub(" ", name.casefold())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@functools.cache
def _framework(framework_id: str) -> Framework | None:
    """A shipped framework only: a CSV must never make the app read a path it names."""
    if framework_id not in shipped_framework_paths():
        return None
    try:
        return get_framework(framework_id)
    except FrameworkError:
        return None


def parse_published(text: str) -> list[PublishedFigure]:
    """Every figure in the CSV text, or PublishedError listing every problem found."""
    problems: list[Problem] = []
    if not text.strip():
        raise PublishedError([Problem(None, None, "the file is empty")])
    try:
        reader = csv_rows(text.lstrip("\ufeff"), LIMITS, "the file")
        top = next(reader, None)
    except LimitExceeded as exc:
        raise PublishedError([Problem(None, None, str(exc))]) from None
    except csv.Error as exc:
        raise PublishedError([Problem(1, None, f"cannot read the header: {exc}")]) from None
    if top is None:
        raise PublishedError([Problem(None, None, "the file is empty")])
    header = [h.strip().lower() for h in top]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing:
        problems.append(Problem(1, None, f"missing columns: {', '.join(missing)}"))
    if unknown:
        problems.append(Problem(1, None, f"unknown columns: {', '.join(unknown)}"))
    if problems:
        raise PublishedError(problems)
    figures: list[PublishedFigure] = []
    seen: dict[tuple[str, str, date, str, str, str], int] = {}
    number = 1
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if number - 1 > MAX_ROWS:
                problems.append(Problem(number, None, f"more than {MAX_ROWS} rows"))
                break
            if len(values) != len(header):
                problems.append(
                    Problem(number, None, f"{len(values)} cells, expected {len(header)}")
                )
                continue
            row = {h: v.strip() for h, v in zip(header, values, strict=True)}
            figure = _figure(number, row, problems)
            if figure is None:
                continue
            first = seen.setdefault(figure.key(), number)
            if first != number:
                problems.append(
                    Problem(number, "item_id", f"the same figure is already given in row {first}")
                )
                continue
            figures.append(figure)
    except LimitExceeded as exc:
        problems.append(Problem(None, None, str(exc)))
    except csv.Error as exc:
        problems.append(Problem(number + 1, None, f"not valid CSV: {exc}"))
    if problems:
        raise PublishedError(problems)
    if not figures:
        raise PublishedError([Problem(None, None, "the file has a header but no figures")])
    return figures


def _figure(number: int, row: dict[str, str], problems: list[Problem]) -> PublishedFigure | None:
    """One row checked; its problems are appended and None returned when there are any."""
    start = len(problems)

    def bad(column: str, message: str) -> None:
        problems.append(Problem(number, column, message))

    for column in REQUIRED_VALUES:
        if not row[column]:
            bad(column, "is empty")
    if len(problems) > start:
        return None
    framework = _framework(row["framework_id"])
    if framework is None:
        known = ", ".join(sorted(shipped_framework_paths()))
        bad("framework_id", f"'{row['framework_id']}' is not a shipped framework ({known})")
    version = _int(row["framework_version"])
    if version is None or version < 1:
        bad("framework_version", f"'{row['framework_version']}' is not a whole number above 0")
    elif framework is not None and not rates_like(framework, version):
        bad(
            "framework_version",
            f"{framework.id} version {version} is not shipped, nor rated like the shipped "
            f"version {framework.version}",
        )
    published, precision = _date(row["published"])
    if published is None:
        bad("published", f"'{row['published']}' is not a date (YYYY-MM-DD, or YYYY-MM)")
    if row["kind"] not in KINDS:
        bad("kind", f"'{row['kind']}' must be one of {', '.join(KINDS)}")
    item_kind = row["item_kind"]
    if item_kind not in ITEM_KINDS:
        bad("item_kind", f"'{item_kind}' must be one of {', '.join(ITEM_KINDS)}")
        item_kind = ""
    item_kind = "area" if item_kind == "theme" else item_kind
    percent, numerator, denominator = _numbers(row, bad)
    rating, rating_id = row["rating"], ""
    if framework is not None and item_kind:
        rating, rating_id = _check_item(framework, item_kind, row["item_id"], rating, bad)
    if item_kind == "overall" and percent is not None:
        bad("percent", "an overall rating takes no percentage (give the score as numerator)")
    if not rating and percent is None and numerator is None:
        bad("rating", "the row has no figure: give a rating, a percentage or counts")
    key = service_key(row["service"])
    if not key:
        bad("service", f"'{row['service']}' has no letters or digits left to match it by")
    if len(problems) > start or published is None or version is None:
        return None
    return PublishedFigure(
        number, row["service"], key, row["framework_id"], version, published, precision,
        row["kind"], item_kind, row["item_id"], rating, rating_id, percent, numerator,
        denominator, row["source"],
    )  # fmt: skip


def _int(text: str) -> int | None:
    return int(text) if re.fullmatch(r"\d+", text) else None


def _date(text: str) -> tuple[date | None, str]:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text), "day"
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return date.fromisoformat(f"{text}-01"), "month"
    except ValueError:
        pass
    return None, ""


def _numbers(row: dict[str, str], bad: _Bad) -> tuple[Decimal | None, int | None, int | None]:
    percent: Decimal | None = None
    if row["percent"]:
        try:
            percent = Decimal(row["percent"].rstrip("%").strip())
        except InvalidOperation:
            bad("percent", f"'{row['percent']}' is not a number")
        else:
            if not percent.is_finite() or not 0 <= percent <= 100:
                bad("percent", f"{row['percent']} is not between 0 and 100")
                percent = None
            elif percent.as_tuple().exponent < -1:  # type: ignore[operator]
                bad("percent", f"{row['percent']} has more than one decimal place")
                percent = None
    numerator = _int(row["numerator"]) if row["numerator"] else None
    denominator = _int(row["denominator"]) if row["denominator"] else None
    if row["numerator"] and numerator is None:
        bad("numerator", f"'{row['numerator']}' is not a whole number")
    if row["denominator"] and denominator is None:
        bad("denominator", f"'{row['denominator']}' is not a whole number")
    if (numerator is None) != (denominator is None):
        if bool(row["numerator"]) != bool(row["denominator"]):
            column = "denominator" if numerator is not None else "numerator"
            bad(column, "numerator and denominator go together: give both or neither")
        return percent, None, None
    if numerator is not None and denominator is not None:
        if denominator == 0:
            bad("denominator", "must be above 0")
            return percent, None, None
        if numerator > denominator:
            bad("numerator", f"{numerator} is more than the denominator {denominator}")
            return percent, None, None
        if percent is not None:
            exact = Fraction(100 * numerator, denominator)
            if abs(Fraction(percent) - exact) > ROUNDING_SLACK:
                bad(
                    "percent",
                    f"{percent}% does not agree with {numerator}/{denominator} "
                    f"({float(exact):.1f}%)",
                )
    return percent, numerator, denominator


def _check_item(
    framework: Framework, item_kind: str, item_id: str, rating: str, bad: _Bad
) -> tuple[str, str]:
    """Check the item exists in the framework and the rating is one of its words; returns the
    rating as the framework spells it and, for standards frameworks, its rating id."""
    model = framework.scoring_model
    if item_kind in STANDARDS_ONLY and model != "standards":
        bad("item_kind", f"{framework.id} has areas, not standards: use area, theme or question")
        return rating, ""
    if item_kind in AREAS_ONLY and model != "areas":
        bad("item_kind", f"{framework.id} has standards: use overall, standard or key_question")
        return rating, ""
    if item_kind == "overall":
        if item_id != "overall":
            bad("item_id", "an overall figure has the item_id 'overall'")
        return _standards_rating(framework, rating, bad)
    if item_kind == "standard":
        if item_id not in {s.id for s in framework.all_standards()}:
            bad("item_id", f"{framework.id} has no standard '{item_id}'")
        return _standards_rating(framework, rating, bad)
    if item_kind == "key_question":
        if item_id not in framework.key_question_ids():
            bad("item_id", f"{framework.id} has no key question '{item_id}'")
        return _no_rating(rating, bad)
    if item_kind == "question":
        if item_id not in {i.id for i in framework.items}:
            bad("item_id", f"{framework.id} has no question '{item_id}'")
        return _no_rating(rating, bad)
    # an area or theme
    if item_id not in {a.id for a in framework.areas}:
        bad("item_id", f"{framework.id} has no area or theme '{item_id}'")
        return rating, ""
    if not rating:
        return "", ""
    word = canonical_word(framework, item_id, rating)
    if word is None:
        bad("rating", f"'{rating}' is not a word {framework.id} gives to {item_id}")
        return rating, ""
    return word, ""


def _standards_rating(framework: Framework, rating: str, bad: _Bad) -> tuple[str, str]:
    if not rating:
        return "", ""
    if rating.casefold() == framework.not_rated_label.casefold():
        return framework.not_rated_label, NOT_RATED
    found = framework.rating_by_label(rating)
    if found is None:
        words = ", ".join(r.label for r in framework.ratings)
        bad("rating", f"'{rating}' is not a rating of {framework.id} ({words})")
        return rating, ""
    return found.label, found.id


def _no_rating(rating: str, bad: _Bad) -> tuple[str, str]:
    if rating:
        bad("rating", "a key question or question has a percentage, not a rating")
    return "", ""


def problems_text(problems: Iterable[Problem]) -> str:
    """One problem a line, for the command line and logs."""
    return "\n".join(str(p) for p in problems)
