"""Read any list of cases whose columns are data: headings, codes, mapping, problems by row.

The children's case list, a population's own list (the 2025 victims' list, whose columns the
framework file gives) and the outcome records are all the same job: a service exports a table
from its case-management system, in its own headings and words, and we need typed rows with
every problem named by the spreadsheet row, the person's own heading, the value and the fix.
So the job is done once, here, over a `ListSpec`: the list's columns (`Column`: a kind, the
headings and spellings it accepts, whether it is required) and what makes a row of it.

What this module does for every list:

- finds the heading row below any title rows, and recognises headings by their spellings or by
  the service's `Mapping`; refuses a column that looks like personal data without reading it;
- reads each cell by its column's kind: references (never a name: `looks_like_a_name`), short
  text, codes (the list's spellings, then the mapping's, then prefixes such as any "YRO ..."),
  dates (day first, never month first), yes/no, ages;
- lists every problem by row and column (`Problem`), with values masked only where a name
  could be (references and free text; never a coded value, which is one of our words or the
  service's), and stops after `MAX_PROBLEMS`;
- skips blank rows and the notes below the last case (a total, the date of the export) with one
  note each; leaves out rows whose value the mapping calls out of scope, with a note;
- gathers what a mapping page needs (`ListPreview`): each heading with sample values and our
  best guess, the required columns missing, each unknown value with its row count and a
  suggested code, the first rows as stored and every row with a problem.

Speed comes from repetition, as it always has for the case list: codes, dates and staff
references repeat down a column, so each distinct cell is checked once, carefully, and a valid
result is remembered; a row whose every cell was seen valid only needs the checks across its
columns (`RowBuilder.fast`). Pure Python, no Django.
"""

from __future__ import annotations

import difflib
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Final, Generic, Literal, Protocol, TypeVar

from ..limits import LimitExceeded
from .mapping import Mapping
from .tables import (
    HEADER_SEARCH_ROWS,
    MAX_CSV_CELLS,
    MAX_CSV_LINE,
    ROWS_BEYOND_CASES,
    Cell,
    Rows,
    Table,
    UnreadableFile,
    read_table,
)
from .words import gettext as _
from .words import ngettext

__all__ = [
    "AGE_RANGE",
    "MAX_PROBLEMS",
    "MAX_REF_LENGTH",
    "MAX_TEXT_LENGTH",
    "NAME_HEADING_EXCEPTIONS",
    "OUT_OF_SCOPE",
    "PERSONAL_DATA_FRAGMENTS",
    "PERSONAL_DATA_HEADERS",
    "PERSONAL_DATA_WORDS",
    "YEAR_RANGE",
    "Column",
    "HeadingInfo",
    "ListPreview",
    "ListRow",
    "ListSpec",
    "Problem",
    "ProblemRow",
    "RowBuilder",
    "UnknownValue",
    "looks_like_a_name",
    "mask",
    "parse_date_text",
    "personal_data_kind",
    "read_list",
    "spelling_key",
    "too_many_cases",
]

# ---------------------------------------------------------------------------------------------
# Limits and shared rules
# ---------------------------------------------------------------------------------------------

AGE_RANGE: Final = (10, 18)
# Years outside this range are almost always a system's stand-in for "no date" (01/01/1900,
# 31/12/9999), so they are reported rather than stored.
YEAR_RANGE: Final = (1990, 2100)
MAX_REF_LENGTH: Final = 64
MAX_TEXT_LENGTH: Final = 100
PROGRESS_EVERY: Final = 1000
# Problems listed: past this many the file is not checked further (nothing can be added until
# they are fixed anyway), so a file wrong in every cell costs no more memory than a good one.
MAX_PROBLEMS: Final = 10_000
# What the preview gathers for a mapping page: sample values of each heading from the first
# rows, and at most this many different unknown values per column.
SAMPLE_ROWS: Final = 200
SAMPLES_PER_HEADING: Final = 3
MAX_UNKNOWN_VALUES: Final = 200
# Rows below the last case with at most this many values are notes (a total, the export's
# date), skipped with one note rather than reported cell by cell.
FOOTER_MAX_CELLS: Final = 2
# A footer is a few rows: past this many such rows in a run, none of them is taken for one (and
# none is held back any longer), so a file of one-value rows costs no more than any other.
FOOTER_MAX_ROWS: Final = 50
# A value a mapping sends out of scope (None in its JSON): never a code of any column.
OUT_OF_SCOPE: Final = "(out of scope)"

# Headings refused as personal data, by what they look like. `PERSONAL_DATA_HEADERS` are whole
# headings; `PERSONAL_DATA_FRAGMENTS` refuse any heading containing them ("Child first name");
# `PERSONAL_DATA_WORDS` refuse any heading with that word in it ("Child's name", "YP DOB"),
# except that a heading with "name" and one of `NAME_HEADING_EXCEPTIONS` names staff or an
# organisation ("Team name", "Social worker name") and is merely ignored.
PERSONAL_DATA_HEADERS: Final[MappingType[str, tuple[str, ...]]] = {
    "a name": (
        "Name",
        "Names",
        "Child",
        "Young person",
        "YP",
        "Known as",
        "Alias",
    ),
    "a date of birth": ("Birthday",),
    "an address": (),
    "an identifying number": (
        "Unique pupil number",
        "Unique learner number",
        "ULN",
        "National insurance",
        "CRO",
        "CRO number",
    ),
    "contact details": ("Phone", "Mobile"),
}

PERSONAL_DATA_FRAGMENTS: Final[MappingType[str, tuple[str, ...]]] = {
    "a name": (
        "firstname",
        "forename",
        "givenname",
        "middlename",
        "surname",
        "lastname",
        "familyname",
        "fullname",
        "preferredname",
    ),
    "a date of birth": ("dateofbirth", "birthdate"),
    "an address": ("address", "postcode", "postalcode", "street"),
    "an identifying number": (
        "pncnumber",
        "pncno",
        "pncid",
        "nhsnumber",
        "nhsno",
        "pupilnumber",
        "nationalinsurance",
    ),
    "contact details": ("telephone", "phonenumber", "mobilenumber", "email"),
}

PERSONAL_DATA_WORDS: Final[MappingType[str, str]] = {
    "name": "a name",
    "names": "a name",
    "dob": "a date of birth",
    "pnc": "an identifying number",
    "nhs": "an identifying number",
    "upn": "an identifying number",
    "nino": "an identifying number",
}

NAME_HEADING_EXCEPTIONS: Final = frozenset(
    {
        "manager",
        "worker",
        "practitioner",
        "officer",
        "staff",
        "team",
        "service",
        "school",
        "court",
        "provider",
        "organisation",
        "establishment",
        "placement",
        "programme",
        "file",
    }
)

BOOLEAN_SPELLINGS: Final[MappingType[bool, tuple[str, ...]]] = {
    True: ("Yes", "Y", "True", "T", "1"),
    False: ("No", "N", "False", "F", "0"),
}

# ---------------------------------------------------------------------------------------------
# Spellings
# ---------------------------------------------------------------------------------------------

_NOT_ALNUM = re.compile(r"[\W_]+")
_WORDS = re.compile(r"[^\W_]+")
_PARENTHESES = re.compile(r"\(([^()]*)\)")


def spelling_key(text: str) -> str:
    """Reduce a spelling to lower-case letters and digits, '&' read as 'and': 'Risk of Harm'
    -> 'riskofharm', 'Detention & Training Order' -> 'detentionandtrainingorder'."""
    return _NOT_ALNUM.sub("", text.casefold().replace("&", "and"))


def lookup_table(spellings: MappingType[str, Iterable[str]], what: str) -> dict[str, str]:
    """Key -> canonical value. Two values sharing a spelling is a mistake in the tables,
    caught at import rather than by a confused user."""
    table: dict[str, str] = {}
    for canonical, names in spellings.items():
        for name in (canonical, *names):
            key = spelling_key(name)
            if table.setdefault(key, canonical) != canonical:
                raise ValueError(f"{what} spelling {name!r} is claimed by two values")
    return table


def match_code(lookup: MappingType[str, str], text: str) -> str | None:
    """Find a code, trying again without, then inside, any brackets: 'Referral Order (RO)'."""
    found = lookup.get(spelling_key(text))
    if found is not None or "(" not in text:
        return found
    found = lookup.get(spelling_key(_PARENTHESES.sub("", text)))
    if found is not None:
        return found
    for inner in _PARENTHESES.findall(text):
        found = lookup.get(spelling_key(inner))
        if found is not None:
            return found
    return None


_TOKENS = re.compile(r"[^\W\d_]+|\d+")


def spelling_words(text: str) -> tuple[str, ...]:
    """A spelling as its words, letters and numbers apart, '&' read as 'and': 'S.250 PCC(S)A'
    -> ('s', '250', 'pcc', 's', 'a'), so 'S250' and 'S 250' are the same and 'S2500' is not."""
    return tuple(_TOKENS.findall(text.casefold().replace("&", " and ")))


def _by_prefix(prefixes: Sequence[tuple[tuple[str, ...], str]], text: str) -> str | None:
    """The code of the first prefix whose words begin the value: 'YRO with curfew' is a
    YRO, 'DTO 12 months' a DTO."""
    words = spelling_words(text)
    for prefix, code in prefixes:
        if words[: len(prefix)] == prefix:
            return code
    return None


# ---------------------------------------------------------------------------------------------
# Names and personal data
# ---------------------------------------------------------------------------------------------

# Between the words of a name: spaces, commas ('SMITH, Jane'), dots and underscores (a name
# typed as an account or file name: 'Jane.Smith', 'jane_smith'). Never hyphens or slashes,
# which join the parts of references ('YJ-2024-0012', 'BX/123/24') and of names ('Mary-Ann').
_NAME_SEPARATORS = re.compile(r"[\s,._]+")


def looks_like_a_name(text: str) -> bool:
    """Two or more words made of letters, as a person's name is written and no case
    management system's reference is: 'Jane Smith', 'SMITH, Jane', "Mary-Ann O'Neil", 'jane
    smith', 'Jane.Smith', 'Jane_Smith', 'JaneSmith', and with a number beside it ('Jane Smith
    2009'). References have digits inside their words ('YJ-2024-0012', 'BX/123/24', 'C0001',
    'ABC123') or are one word ('Smith' alone cannot be told from a code, and is let through).
    Case does not matter: 'yj smith' is refused too, as it may well hold a surname."""
    words = [w for w in _NAME_SEPARATORS.split(text) if w and not w.isdecimal()]
    if len(words) == 1:
        words = _camel_case_words(words[0])
    return len(words) >= 2 and all(_name_word(w) for w in words)


def _name_word(word: str) -> bool:
    """Letters only, apostrophes and hyphens aside ("O'Neil", 'Mary-Ann', an initial 'J')."""
    return word.replace("-", "").replace("'", "").replace("’", "").isalpha()


def _camel_case_words(word: str) -> list[str]:
    """'JaneSmith' -> ['Jane', 'Smith']; anything else stays one word ('ABC', 'Smith')."""
    if not word.isalpha():
        return [word]
    parts, start = [], 0
    for i in range(1, len(word)):
        if word[i].isupper() and word[i - 1].islower():
            parts.append(word[start:i])
            start = i
    parts.append(word[start:])
    if len(parts) >= 2 and all(p[0].isupper() and len(p) > 1 and p[1:].islower() for p in parts):
        return parts
    return [word]


def mask(text: str) -> str:
    """'Jane Smith' -> 'J*** S****': enough to find the row, not enough to repeat the name."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in text.replace(",", " ").split())


def clip(text: str) -> str:
    """Keep problem listings readable when a cell holds a paragraph."""
    return text if len(text) <= 80 else text[:79] + "…"


def safe_text(text: str) -> str:
    """A reference or free text fit to show back: masked when it could be a name, clipped."""
    return mask(text) if looks_like_a_name(text) else clip(text)


_PERSONAL_EXACT: Final = {
    spelling_key(s): kind for kind, names in PERSONAL_DATA_HEADERS.items() for s in names
}
_PERSONAL_FRAGMENTS: Final = tuple(
    (fragment, kind)
    for kind, fragments in PERSONAL_DATA_FRAGMENTS.items()
    for fragment in fragments
)


def personal_data_kind(heading: str) -> str | None:
    """What kind of personal data a heading looks like ('a name', ...), or None."""
    key = spelling_key(heading)
    kind = _PERSONAL_EXACT.get(key)
    if kind is not None:
        return kind
    for fragment, fragment_kind in _PERSONAL_FRAGMENTS:
        if fragment in key:
            return fragment_kind
    # Dots are dropped first so that initialisms count as words: "D.O.B." is "dob".
    words = _WORDS.findall(heading.replace(".", "").casefold())
    for word in words:
        kind = PERSONAL_DATA_WORDS.get(word)
        if kind == "a name" and NAME_HEADING_EXCEPTIONS.intersection(words):
            continue
        if kind is not None:
            return kind
    return None


def personal_data_words(kind: str) -> str:
    """The kind of personal data ('a name', a key of `PERSONAL_DATA_HEADERS`) in the host's
    language. The tables keep the English as their keys; each is written out here so that
    makemessages finds it, and a kind added to the tables without a line here stays English."""
    words = {
        "a name": _("a name"),
        "a date of birth": _("a date of birth"),
        "an address": _("an address"),
        "an identifying number": _("an identifying number"),
        "contact details": _("contact details"),
    }
    return words.get(kind, kind)


# ---------------------------------------------------------------------------------------------
# Dates and ages
# ---------------------------------------------------------------------------------------------

_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_TIME = r"(?:[T ]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME)
_UK_DATE = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_TEXT_DATE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s/-]+([A-Za-z]{3,9})\.?,?[\s/-]+(\d{4}|\d{2})")


def _date_hint() -> str:
    """The formats to use, added to every date problem; a function so it is in the language
    of the upload being read, not of whoever imported this module first."""
    return _("use 2024-04-08 or 08/04/2024 (day first)")


def make_date(year: int, month: int, day: int, text: str) -> date | str:
    """A date, or the reason it cannot be one (as a message)."""
    if not 1 <= month <= 12:
        if 1 <= day <= 12 and 13 <= month <= 31:
            return _(
                "dates are read day first (day/month/year), and %(month)s is not a month; "
                "this looks like a month-first (US) date"
            ) % {"month": month}
        return _("%(month)s is not a month; %(hint)s") % {"month": month, "hint": _date_hint()}
    try:
        value = date(year, month, day)
    except ValueError:
        return _("%(text)s is not a real date") % {"text": text}
    if not YEAR_RANGE[0] <= value.year <= YEAR_RANGE[1]:
        return _(
            "the year %(year)s looks like a system placeholder, not a real date; "
            "leave the cell blank if the date is not known"
        ) % {"year": value.year}
    return value


def parse_date_text(text: str) -> date | str:
    """ISO, UK day-first or '8 Apr 2024': the date, or why it is not one (a message). Never
    month-first: 04/13/2024 is refused, and a date that could be read either way
    (04/05/2024) is read day first, as UK systems write it."""
    m = _ISO_DATE.fullmatch(text)
    if m:
        return make_date(int(m[1]), int(m[3]), int(m[4]), text)
    m = _UK_DATE.fullmatch(text)
    if m:
        year = int(m[4]) + (2000 if len(m[4]) == 2 else 0)
        return make_date(year, int(m[3]), int(m[1]), text)
    m = _TEXT_DATE.fullmatch(text)
    if m:
        month = _MONTHS.get(m[2].casefold())
        if month is None:
            return _("%(name)s is not a month name; %(hint)s") % {
                "name": m[2],
                "hint": _date_hint(),
            }
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return make_date(year, month, int(m[1]), text)
    if text.isdecimal():
        return _(
            "a number, not a date (format the column as dates in the spreadsheet); %(hint)s"
        ) % {"hint": _date_hint()}
    return _("not a date yjinspect can read; %(hint)s") % {"hint": _date_hint()}


def parse_age(text: str, low: int, high: int) -> int | str:
    """A whole number of years in low..high, or why not (a message)."""
    if not text.isdecimal() or len(text) > 3:
        return _("age must be a whole number of years from %(low)s to %(high)s") % {
            "low": low,
            "high": high,
        }
    age = int(text)
    if not low <= age <= high:
        return _("age %(age)s is outside %(low)s–%(high)s, the youth justice age range") % {
            "age": age,
            "low": low,
            "high": high,
        }
    return age


def as_text(cell: Cell) -> str:
    return cell if isinstance(cell, str) else cell.isoformat()


def _is_blank(cells: Sequence[Cell]) -> bool:
    return all(isinstance(cell, str) and not cell.strip() for cell in cells)


def _filled(cells: Sequence[Cell]) -> int:
    return sum(1 for cell in cells if not isinstance(cell, str) or cell.strip())


# ---------------------------------------------------------------------------------------------
# Lists as data
# ---------------------------------------------------------------------------------------------

ColumnKind = Literal["reference", "text", "code", "date", "yes_no", "age"]


@dataclass(frozen=True)
class Column:
    """One column of a list: what it holds and how a file may write it.

    `headings` are the other headings accepted besides the column's id (and `label`); for a
    `code` column, `codes` maps each code to its spellings (the first is its label for
    people), `prefixes` are (spelling, code) pairs tried on any value whose words begin with
    the spelling's, `fragments` (key fragment, code) pairs tried on any value containing
    them, and `programmes` key fragments of values that name a programme rather than a case
    of this list: flagged as out of scope, never guessed. `unique`: each value once in the file (a
    list's own reference). `derived_from`: the list can do without it when the file has that
    other column (its builder works it out, as the children's domain from the disposal).
    """

    id: str
    kind: ColumnKind = "text"
    required: bool = False
    label: str = ""
    headings: tuple[str, ...] = ()
    codes: MappingType[str, tuple[str, ...]] = field(default_factory=dict)
    prefixes: tuple[tuple[str, str], ...] = ()
    fragments: tuple[tuple[str, str], ...] = ()
    programmes: tuple[str, ...] = ()
    out_of_scope_allowed: bool = False
    unique: bool = False
    derived_from: str | None = None
    max_length: int = MAX_TEXT_LENGTH
    age_range: tuple[int, int] = AGE_RANGE

    @cached_property
    def lookup(self) -> dict[str, str]:
        """Spelling key -> code, for a code column (yes/no columns: 'yes'/'no')."""
        if self.kind == "yes_no":
            return {
                spelling_key(s): ("yes" if value else "no")
                for value, names in BOOLEAN_SPELLINGS.items()
                for s in names
            }
        return lookup_table(self.codes, self.id)

    @cached_property
    def prefix_words(self) -> tuple[tuple[tuple[str, ...], str], ...]:
        return tuple((spelling_words(p), code) for p, code in self.prefixes)

    def spellings(self) -> tuple[str, ...]:
        """Every heading this column is recognised by."""
        return (self.id, *((self.label,) if self.label else ()), *self.headings)


@dataclass(frozen=True, slots=True)
class ListRow:
    """A valid row of a list read from its columns' data: `values` by column id. `row` is
    where it sits in the uploaded file and is not part of equality."""

    row: int = field(compare=False)
    values: MappingType[str, Any]

    def __getitem__(self, column: str) -> Any:
        return self.values[column]


R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)

# A problem reported while reading a row: (column id, value as shown, message).
Report = Callable[[str, str, str], None]


class RowBuilder(Protocol[R_co]):
    """What makes a row of one list from its values, in `ListSpec.columns` order (None for a
    blank optional cell, or a column the file does not have)."""

    notes: list[str]

    def fast(self, number: int, values: tuple[Any, ...]) -> R_co | None:
        """The row, when the checks across its columns pass; None sends it the careful way."""
        ...

    def careful(self, number: int, values: list[Any], report: Report) -> R_co | None:
        """Report every problem across the row's columns; the row when there is none and
        every required value is there (each missing one was already reported)."""
        ...


class ListSpec(Generic[R]):
    """A list: its columns (a `unique` reference first, if it has one) and how its rows are
    made. Subclasses give `builder`; the default makes `ListRow`s and checks that an
    `end_date` is not before a `start_date`."""

    def __init__(
        self,
        id: str,
        columns: Sequence[Column],
        *,
        refuse_unknown_columns: bool = False,
    ) -> None:
        self.id = id
        self.columns = tuple(columns)
        self.refuse_unknown_columns = refuse_unknown_columns
        self.by_id = {c.id: c for c in self.columns}
        if len(self.by_id) != len(self.columns):
            raise ValueError(f"list {id}: two columns share an id")
        self.heading_lookup = lookup_table({c.id: c.spellings() for c in self.columns}, "heading")

    def personal_data_kind(self, heading: str) -> str | None:
        """What kind of personal data a heading looks like, or None (see the module's
        `personal_data_kind`; a list may refuse more)."""
        return personal_data_kind(heading)

    def column_problems(self, present: frozenset[str]) -> list[str]:
        """What is wrong with the file's columns beyond a required one missing (a sentence
        each), for a list whose rule spans columns; none by default."""
        return []

    @property
    def required(self) -> frozenset[str]:
        return frozenset(c.id for c in self.columns if c.required)

    def builder(self, present: frozenset[str]) -> RowBuilder[R]:
        """The row builder for a file with these columns: by default `ListRow`s (a list of
        another row type gives its own)."""
        return _DictRows(self)  # type: ignore[return-value]

    def check_mapping(self, mapping: Mapping) -> list[str]:
        """Why a mapping cannot be used with this list (a sentence each); empty when it can."""
        reasons: list[str] = []
        if mapping.list_id != self.id:
            reasons.append(
                _("the mapping is for the %(given)s list, not the %(list)s list")
                % {"given": repr(mapping.list_id), "list": repr(self.id)}
            )
            return reasons
        for column, heading in mapping.columns.items():
            spec = self.by_id.get(column)
            if spec is None:
                reasons.append(
                    _("the mapping names a column %(column)s that this list does not have")
                    % {"column": repr(column)}
                )
            elif heading is None and spec.required and spec.derived_from is None:
                reasons.append(
                    _("the mapping says %(column)s is not needed, but it is required")
                    % {"column": column}
                )
        for column, values in mapping.values.items():
            spec = self.by_id.get(column)
            if spec is None or spec.kind not in ("code", "yes_no"):
                reasons.append(
                    _("the mapping gives values for %(column)s, which is not a coded column")
                    % {"column": repr(column)}
                )
                continue
            codes = set(spec.lookup.values())
            for value, code in values.items():
                if code is None and not spec.out_of_scope_allowed:
                    reasons.append(
                        _(
                            "the mapping says %(value)s is out of scope, but no value of "
                            "%(column)s can be"
                        )
                        % {"value": repr(value), "column": column}
                    )
                elif code is not None and code not in codes:
                    reasons.append(
                        _(
                            "the mapping gives %(value)s the code %(code)s, which is not a code "
                            "of %(column)s"
                        )
                        % {"value": repr(value), "code": repr(code), "column": column}
                    )
        return reasons


class _DictRows:
    """The default rows: `ListRow`s, an end date not before a start date."""

    def __init__(self, spec: ListSpec[Any]) -> None:
        self.ids = [c.id for c in spec.columns]
        self.required = [i for i, c in enumerate(spec.columns) if c.required]
        self.dates = (
            (self.ids.index("start_date"), self.ids.index("end_date"))
            if {"start_date", "end_date"} <= set(self.ids)
            else None
        )
        self.notes: list[str] = []

    def fast(self, number: int, values: tuple[Any, ...]) -> ListRow | None:
        if self.dates is not None:
            start, end = values[self.dates[0]], values[self.dates[1]]
            if start is not None and end is not None and end < start:
                return None
        return ListRow(number, dict(zip(self.ids, values, strict=True)))

    def careful(self, number: int, values: list[Any], report: Report) -> ListRow | None:
        if self.dates is not None:
            start, end = values[self.dates[0]], values[self.dates[1]]
            if start is not None and end is not None and end < start:
                report(
                    "end_date",
                    end.isoformat(),
                    _("end_date %(end)s is before start_date %(start)s")
                    % {"end": end.isoformat(), "start": start.isoformat()},
                )
                return None
        if any(values[i] is None for i in self.required):
            return None
        return ListRow(number, dict(zip(self.ids, values, strict=True)))


# ---------------------------------------------------------------------------------------------
# What a preview holds
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """Something to fix. `row` is the spreadsheet row (headings are row 1) or None for the whole
    file or a whole column; `column` is our column's name, or the file's own heading for a
    column that was refused. `value` is what the cell held, masked where it could be a name (a
    reference or free text), or empty where echoing it would repeat personal data. `heading`
    is the file's own heading for the column, when the file has one."""

    row: int | None
    column: str | None
    value: str
    message: str
    heading: str = ""


@dataclass(frozen=True, slots=True)
class HeadingInfo:
    """One heading of the file, for the mapping page: where it is, which of our columns it
    was read as (None: not used), our best guess when it was not recognised, and a few of its
    values (masked where they could be names; none at all for a refused column)."""

    heading: str
    position: int
    column: str | None
    guess: str | None
    samples: tuple[str, ...]
    refused: bool = False


@dataclass(frozen=True, slots=True)
class UnknownValue:
    """A value of a coded column that is not one of ours: how many rows have it, the first of
    them, and the code we would suggest (OUT_OF_SCOPE for a programme; None: no idea)."""

    column: str
    value: str
    rows: int
    first_row: int
    suggestion: str | None


@dataclass(frozen=True, slots=True)
class ProblemRow:
    """A row with a problem as the file holds it, by our column (values masked where they
    could be names), so the page can show the row beside its problems."""

    row: int
    cells: MappingType[str, str]


@dataclass(frozen=True)
class ListPreview(Generic[R]):
    """What an upload would import, shown to the person before anything is saved."""

    rows: list[R]
    problems: list[Problem]
    header_mapping: dict[str, str]  # the file's heading -> our column
    ignored_columns: list[str]
    notices: list[str]
    headings: list[HeadingInfo] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    unknown_values: list[UnknownValue] = field(default_factory=list)
    problem_rows: list[ProblemRow] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)  # notes below the cases, out of scope
    mapping: Mapping | None = None  # the mapping the file was read with, if any
    list_id: str = ""

    @property
    def ok(self) -> bool:
        """True when there is nothing to fix, so the rows can be imported as they are."""
        return not self.problems

    @property
    def columns(self) -> dict[str, str]:
        """Our column -> the file's heading, for the columns the file was read with."""
        return {column: heading for heading, column in self.header_mapping.items()}

    def first_rows(self, n: int = 10) -> list[R]:
        """The first rows as they will be stored."""
        return self.rows[:n]

    def suggested_mapping(self) -> Mapping:
        """The mapping this file was read with, completed with our guesses: every heading
        used or guessed, the unknown values we have a suggestion for, the headings left
        unused as not needed. For a person to check, then re-use on the next export."""
        base = self.mapping
        columns: dict[str, str | None] = dict(base.columns) if base else {}
        columns.update(self.columns)
        for info in self.headings:
            if info.column is None and info.guess is not None and info.guess not in columns:
                columns[info.guess] = info.heading
        values: dict[str, dict[str, str | None]] = {
            column: dict(codes) for column, codes in (base.values.items() if base else ())
        }
        for unknown in self.unknown_values:
            if unknown.suggestion is not None:
                code = None if unknown.suggestion == OUT_OF_SCOPE else unknown.suggestion
                values.setdefault(unknown.column, {})[unknown.value] = code
        used = set(columns.values())
        ignored = sorted(
            {*(base.ignored if base else ())}
            | {h.heading for h in self.headings if h.heading not in used and not h.refused}
        )
        return Mapping(self.list_id, columns, values, tuple(ignored))


# ---------------------------------------------------------------------------------------------
# Headings
# ---------------------------------------------------------------------------------------------


@dataclass
class Header:
    row: int
    index: dict[str, int]  # our column -> position in the row
    mapping: dict[str, str]  # the file's heading -> our column
    headings: dict[str, str]  # our column -> the file's heading
    ignored: list[tuple[int, str]]
    refused: list[tuple[int, str]]
    problems: list[Problem]
    missing: list[str]


class _Headings:
    """Recognising headings: the mapping's first, then the list's spellings."""

    def __init__(self, spec: ListSpec[Any], mapping: Mapping | None) -> None:
        self.spec = spec
        self.mapped = {
            spelling_key(heading): column
            for column, heading in (mapping.columns.items() if mapping else ())
            if heading is not None and column in spec.by_id
        }
        self.not_needed = {
            column for column in spec.by_id if mapping is not None and mapping.not_needed(column)
        }
        self.ignored_keys = {spelling_key(h) for h in (mapping.ignored if mapping else ())}

    def column(self, heading: str) -> str | None:
        """Our column for a heading, or None."""
        key = spelling_key(heading)
        column = self.mapped.get(key)
        if column is None:
            column = match_code(self.spec.heading_lookup, heading)
            if column in self.not_needed or column in self.mapped.values():
                return None  # the mapping puts that column elsewhere, or leaves it out
        return column

    def count_known(self, cells: Sequence[Cell]) -> int:
        return sum(1 for cell in cells if self.column(as_text(cell)) is not None)


def _read_header(
    row_number: int, cells: Sequence[Cell], headings: _Headings, mapping: Mapping | None
) -> Header:
    spec = headings.spec
    header = Header(row_number, {}, {}, {}, [], [], [], [])
    for position, cell in enumerate(cells):
        heading = as_text(cell).strip()
        if not heading:
            continue
        if spec.heading_lookup.get(spelling_key(heading)) is None:
            kind = spec.personal_data_kind(heading)
            if kind is not None:
                header.refused.append((position, heading))
                header.problems.append(
                    Problem(
                        None,
                        heading,
                        "",
                        _(
                            "this column looks like personal data (%(kind)s); remove it and "
                            "upload again — yjinspect stores case references only"
                        )
                        % {"kind": personal_data_words(kind)},
                        heading,
                    )
                )
                continue
        column = headings.column(heading)
        if column is None:
            header.ignored.append((position, heading))
        elif column in header.index:
            header.problems.append(
                Problem(
                    None,
                    column,
                    "",
                    _(
                        "two columns look like %(column)s: %(first)s and %(second)s; keep one "
                        "and upload again"
                    )
                    % {
                        "column": column,
                        "first": repr(header.headings[column]),
                        "second": repr(heading),
                    },
                    heading,
                )
            )
        else:
            header.index[column] = position
            header.mapping[heading] = column
            header.headings[column] = heading
    if not header.index and not header.problems:
        # Nothing recognised: most likely a file without headings, whose first row is a case.
        # Its cells are data, perhaps personal, so they are not listed as ignored headings.
        header.ignored = []
        header.problems.append(
            Problem(
                None,
                None,
                "",
                _(
                    "no column headings were recognised; the first row must hold headings "
                    "such as %(examples)s"
                )
                % {"examples": ", ".join([c.id for c in spec.columns if c.required][:4])},
            )
        )
    for column, mapped_heading in mapping.columns.items() if mapping else ():
        if mapped_heading is not None and column in spec.by_id and column not in header.index:
            header.problems.append(
                Problem(
                    None,
                    column,
                    "",
                    _(
                        "the mapping says %(column)s is in the column %(heading)s, which this "
                        "file does not have; choose its column again"
                    )
                    % {"column": column, "heading": repr(mapped_heading)},
                )
            )
    for spec_column in spec.columns:
        column = spec_column.id
        if column in header.index or column in headings.not_needed:
            continue
        derivable = spec_column.derived_from is not None and (
            spec_column.derived_from in header.index
        )
        if spec_column.required and not derivable:
            header.missing.append(column)
            if column in headings.mapped.values():
                continue  # already named: the mapping's heading is not in the file
            examples = ", ".join(repr(s) for s in spec_column.spellings()[1:5])
            header.problems.append(
                Problem(
                    None,
                    column,
                    "",
                    _(
                        "the required column %(column)s is missing (headings accepted for it "
                        "include %(examples)s)"
                    )
                    % {"column": column, "examples": examples},
                )
            )
    if spec.refuse_unknown_columns:
        unknown = [h for _p, h in header.ignored if spelling_key(h) not in headings.ignored_keys]
        if unknown:
            header.problems.append(
                Problem(
                    None,
                    None,
                    "",
                    _(
                        "unknown columns: %(headings)s; rename each to one of this list's "
                        "columns, or say in the mapping that it is not needed"
                    )
                    % {"headings": ", ".join(repr(h) for h in unknown)},
                )
            )
    return header


def _find_header(rows: Rows, headings: _Headings) -> tuple[int, Sequence[Cell] | None, Rows, int]:
    """The heading row: the first of the top rows naming two known columns, else the first
    non-blank row. Returns its number and cells (None: the file has no row that is not
    blank), the rows after it, and how many blank rows after it were read looking for it
    (counted, not kept: a file of blank lines costs no memory here)."""
    top: list[tuple[int, Sequence[Cell]]] = []
    blanks_before: list[int] = []  # blank rows read before each of `top`
    blank = 0
    for number, cells in rows:
        if _is_blank(cells):
            blank += 1
            continue
        top.append((number, cells))
        blanks_before.append(blank)
        if len(top) == HEADER_SEARCH_ROWS:
            break
    if not top:
        return 0, None, rows, 0
    chosen = next((i for i, (_n, c) in enumerate(top) if headings.count_known(c) >= 2), 0)
    number, cells = top[chosen]
    return number, cells, itertools.chain(top[chosen + 1 :], rows), blank - blanks_before[chosen]


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------

_MISSING: Final = object()
# A unique reference the fast path may take as it is: starting with a letter or digit, with a
# digit in it, of letters, digits, '-' and '/': never a name (no separator between words, and
# not letters alone, which could be 'JaneSmith'), never too long.
_FAST_REF: Final = re.compile(r"(?=[^0-9]*[0-9])[A-Za-z0-9][A-Za-z0-9/-]{0,63}")


class _Checker(Generic[R]):
    """Turns data rows into the list's rows, collecting problems (see the module's docstring).

    Rows arrive in batches; each column of a batch is looked up in one pass (`map` over a dict,
    in C), and a row whose every cell was seen valid before only needs the builder's checks
    across its columns. Any other row takes the careful path, which reports every problem in
    it. Rows are finished in file order either way, so duplicates always name the earlier row
    first. Rows below the last case with at most `FOOTER_MAX_CELLS` values are held back:
    notes if nothing follows them, checked as rows if a case does.
    """

    def __init__(
        self,
        spec: ListSpec[R],
        header: Header,
        mapping: Mapping | None,
        builder: RowBuilder[R],
    ) -> None:
        index = header.index
        self.spec = spec
        self.builder = builder
        self.header = header
        self.columns = spec.columns
        self.ids = [c.id for c in self.columns]
        self.ix = [index.get(c.id, -1) for c in self.columns]
        self.complete = all(
            c.id in index
            or not c.required
            or (c.derived_from is not None and c.derived_from in index)
            for c in self.columns
        )
        self.problems: list[Problem] = []
        self.problem_rows: list[ProblemRow] = []
        self.rows: list[R] = []
        self.first_seen: dict[str, int] = {}
        self.rows_read = 0
        self.blank_rows = 0
        self.held: list[tuple[int, Sequence[Cell]]] = []
        self.out_of_scope: list[int] = []
        self.unknown: dict[tuple[str, str], list[int]] = {}
        self.unknown_text: dict[tuple[str, str], str] = {}
        self.unknown_suggestion: dict[tuple[str, str], str | None] = {}
        self.unknown_count: dict[str, int] = {}
        self.seen_row = False
        self.footers = True
        self.lookups = self._lookups(mapping)
        # column -> cell -> valid value, for the columns the file has. Any: each column holds
        # its own type (str, date, int, bool, or None for a blank optional cell).
        self.known: dict[str, dict[Cell, Any]] = {c.id: {} for c in self.columns if c.id in index}
        self.key_unique = self.columns[0].unique
        first = 1 if self.key_unique else 0
        # The fast path reads every column, the unique reference first. An absent column reads
        # the first present cell (any would do) and its lookup is replaced by None.
        fallback = next((p for p in self.ix if p >= 0), 0)
        positions = [p if p >= 0 else fallback for p in self.ix]
        self.width = max(positions) + 1
        self.fast_cells = operator.itemgetter(*positions) if len(positions) > 1 else None
        self.fast_maps = [self.known.get(c.id) for c in self.columns[first:]]
        self.date_cache: dict[str, date | str] = {}
        self.messages = {
            c.id: _("not a recognised %(column)s; use one of: %(codes)s")
            % {"column": c.id, "codes": ", ".join(c.codes)}
            for c in self.columns
            if c.kind == "code"
        }

    def _lookups(self, mapping: Mapping | None) -> dict[str, dict[str, str]]:
        """Per coded column: spelling key -> code, the mapping's values over the list's own."""
        lookups: dict[str, dict[str, str]] = {}
        for column in self.columns:
            if column.kind not in ("code", "yes_no"):
                continue
            table = dict(column.lookup)
            for value, code in (mapping.values.get(column.id, {}) if mapping else {}).items():
                table[spelling_key(value)] = OUT_OF_SCOPE if code is None else code
            lookups[column.id] = table
        return lookups

    @property
    def cases(self) -> int:
        return self.rows_read - self.blank_rows

    def heading(self, column: str) -> str:
        return self.header.headings.get(column, "")

    def check_batch(self, batch: Sequence[tuple[int, Sequence[Cell]]]) -> None:
        """Check data rows, in file order; keep each row that has nothing to fix."""
        self.rows_read += len(batch)
        if not self.complete or self.fast_cells is None:
            for number, cells in batch:
                self._check_carefully(number, cells)
            return
        width = self.width
        padded = [
            cells if len(cells) >= width else [*cells, *[""] * (width - len(cells))]
            for _number, cells in batch
        ]
        looked = list(zip(*map(self.fast_cells, padded), strict=True))
        refs: Iterable[Any] = looked[0] if self.key_unique else itertools.repeat("")
        columns = looked[1:] if self.key_unique else looked
        mapped = [
            itertools.repeat(None, len(batch))
            if known is None
            else map(known.get, column, itertools.repeat(_MISSING))
            for known, column in zip(self.fast_maps, columns, strict=True)
        ]
        first_seen = self.first_seen
        keep = self.rows.append
        unique = self.key_unique
        fast = self.builder.fast
        fast_ref = _FAST_REF.fullmatch
        for (number, cells), ref, values in zip(
            batch, refs, zip(*mapped, strict=True), strict=False
        ):
            if self.held:  # rows held back come first: this row takes the careful way
                self._check_carefully(number, cells)
                continue
            row = None
            if _MISSING not in values and (
                not unique
                or (
                    ref.__class__ is str
                    and fast_ref(ref) is not None
                    and first_seen.setdefault(ref.casefold(), number) == number
                )
            ):
                row = fast(number, (ref, *values) if unique else values)
            if row is None:
                self._check_carefully(number, cells, seen_ref=unique)
            else:
                keep(row)
                self.seen_row = True

    def _release_held(self) -> None:
        held, self.held = self.held, []
        for number, cells in held:
            self._check_row(number, cells)

    def _check_carefully(self, number: int, cells: Sequence[Cell], seen_ref: bool = False) -> None:
        if _is_blank(cells):
            self.blank_rows += 1
            return
        if self.seen_row and self.footers and _filled(cells) <= FOOTER_MAX_CELLS:
            self.held.append((number, cells))
            if len(self.held) > FOOTER_MAX_ROWS:
                self.footers = False  # too many to be notes: check them as rows
                self._release_held()
            return
        self.seen_row = True
        if self.held:
            self._release_held()
        if seen_ref:
            self._forget_ref(number, cells)
        self._check_row(number, cells)

    def _forget_ref(self, number: int, cells: Sequence[Cell]) -> None:
        """Undo the fast path's note of this row's reference, which the careful path makes
        again (so a duplicate is reported once, naming the earlier row)."""
        position = self.ix[0]
        if position < 0 or position >= len(cells):
            return
        cell = cells[position]
        if isinstance(cell, str) and self.first_seen.get(cell.casefold()) == number:
            del self.first_seen[cell.casefold()]

    def finish(self) -> list[int]:
        """The rows held back at the end: notes below the last case."""
        held, self.held = self.held, []
        return [number for number, _cells in held]

    # The careful path. Each reader returns the value, or None when the column is absent, the
    # cell is blank or the value is wrong (in which case it has recorded a Problem).

    def _check_row(self, number: int, cells: Sequence[Cell]) -> None:
        before = len(self.problems)
        values: list[Any] = []
        out_of_scope = False
        for column, position in zip(self.columns, self.ix, strict=True):
            if position < 0:
                values.append(None)
                continue
            cell = cells[position] if position < len(cells) else ""
            value = self._read(number, column, cell)
            if value is OUT_OF_SCOPE:
                out_of_scope = True
                value = None
            values.append(value)

        def report(column: str, value: str, message: str) -> None:
            self.problems.append(Problem(number, column, value, message, self.heading(column)))

        row = None if out_of_scope else self.builder.careful(number, values, report)
        if self.key_unique and values[0] is not None and not out_of_scope:
            first = self.first_seen.setdefault(values[0].casefold(), number)
            if first != number:
                report(
                    self.ids[0],
                    values[0],
                    _(
                        "duplicate case_ref: the same reference is on row %(first)s and "
                        "row %(row)s; each case must appear once"
                    )
                    % {"first": first, "row": number},
                )
        if len(self.problems) > before:
            self._keep_problem_row(number, cells)
        elif out_of_scope:
            self.out_of_scope.append(number)
        elif row is not None:
            self.rows.append(row)

    def _keep_problem_row(self, number: int, cells: Sequence[Cell]) -> None:
        if len(self.problem_rows) >= MAX_PROBLEMS:
            return
        shown: dict[str, str] = {}
        for column, position in zip(self.columns, self.ix, strict=True):
            if position < 0:
                continue
            text = as_text(cells[position]).strip() if position < len(cells) else ""
            shown[column.id] = (
                safe_text(text) if column.kind in ("reference", "text") else clip(text)
            )
        self.problem_rows.append(ProblemRow(number, shown))

    def _read(self, number: int, column: Column, cell: Cell) -> Any:
        kind = column.kind
        if kind == "date":
            return self._date(number, column, cell)
        text = as_text(cell).strip()
        if not text:
            return self._blank(number, column, cell)
        if kind == "code" or kind == "yes_no":
            return self._code(number, column, cell, text)
        if kind == "reference":
            return self._reference(number, column, cell, text)
        if kind == "age":
            return self._age(number, column, cell, text)
        return self._text(number, column, cell, text)

    def _problem(self, number: int, column: Column, value: str, message: str) -> None:
        self.problems.append(Problem(number, column.id, value, message, self.heading(column.id)))

    def _blank(self, number: int, column: Column, cell: Cell) -> None:
        if column.required:
            message = _("%(column)s is required but is blank") % {"column": column.id}
            self._problem(number, column, "", message)
        else:
            self.known[column.id][cell] = None

    def _text(self, number: int, column: Column, cell: Cell, text: str) -> str | None:
        if len(text) > column.max_length:
            self._problem(
                number,
                column,
                safe_text(text),
                _("longer than %(n)s characters") % {"n": column.max_length},
            )
            return None
        self.known[column.id][cell] = text
        return text

    def _reference(self, number: int, column: Column, cell: Cell, ref: str) -> str | None:
        if looks_like_a_name(ref):
            self._problem(
                number,
                column,
                mask(ref),
                _(
                    "this reference looks like a person's name; use the pseudonymous case "
                    "reference from the case management system, never the child's name"
                ),
            )
            return None
        message = None
        if not ref[0].isalnum():
            message = _("references must start with a letter or digit")
        elif len(ref) > column.max_length:
            message = _("references are at most %(n)s characters") % {"n": column.max_length}
        elif not ref.isprintable():
            message = _("references must not contain line breaks or control characters")
        if message is not None:
            self._problem(number, column, clip(ref), message)
            return None
        if not column.unique:
            self.known[column.id][cell] = ref
        return ref

    def _code(self, number: int, column: Column, cell: Cell, text: str) -> Any:
        lookup = self.lookups[column.id]
        found = match_code(lookup, text)
        if found is None:
            key = spelling_key(text)
            found = _by_prefix(column.prefix_words, text)
            if found is None:
                found = next((code for part, code in column.fragments if part in key), None)
            if found is None and any(part in key for part in column.programmes):
                self._unknown(number, column, text, programme=True)
                self._problem(
                    number,
                    column,
                    clip(text),
                    _(
                        "%(value)s names a programme, not a youth justice outcome, so its rows "
                        "are out of scope for this list; mark it out of scope in the mapping "
                        "to leave them out, or correct the value"
                    )
                    % {"value": repr(clip(text))},
                )
                return None
        if found is None:
            self._unknown(number, column, text)
            message = _("use yes or no") if column.kind == "yes_no" else self.messages[column.id]
            self._problem(number, column, clip(text), message)
            return None
        if found == OUT_OF_SCOPE:
            return OUT_OF_SCOPE  # never remembered: such a row always comes this way
        value: Any = found if column.kind == "code" else found == "yes"
        self.known[column.id][cell] = value
        return value

    def _unknown(self, number: int, column: Column, text: str, programme: bool = False) -> None:
        """Count an unknown value's rows; the first time, note it and our suggestion."""
        key = (column.id, spelling_key(text))
        rows = self.unknown.get(key)
        if rows is None:
            if self.unknown_count.get(column.id, 0) >= MAX_UNKNOWN_VALUES:
                return
            self.unknown_count[column.id] = self.unknown_count.get(column.id, 0) + 1
            rows = self.unknown[key] = []
            self.unknown_text[key] = clip(text)
            self.unknown_suggestion[key] = (
                OUT_OF_SCOPE if programme else self._suggest(column, text)
            )
        rows.append(number)

    def _suggest(self, column: Column, text: str) -> str | None:
        """A close spelling of one of the column's codes ('Refferal order'), or None."""
        lookup = self.lookups[column.id]
        close = difflib.get_close_matches(spelling_key(text), list(lookup), n=1, cutoff=0.85)
        return lookup[close[0]] if close and lookup[close[0]] != OUT_OF_SCOPE else None

    def _date(self, number: int, column: Column, cell: Cell) -> date | None:
        if isinstance(cell, date):
            text = cell.isoformat()
            parsed = make_date(cell.year, cell.month, cell.day, text)
        else:
            text = cell.strip()
            if not text:
                self._blank(number, column, cell)
                return None
            # Invalid dates repeat too (a whole column written month first), so cache both.
            cached = self.date_cache.get(text)
            if cached is None:
                cached = self.date_cache[text] = parse_date_text(text)
            parsed = cached
        if isinstance(parsed, str):
            self._problem(number, column, clip(text), parsed)
            return None
        self.known[column.id][cell] = parsed
        return parsed

    def _age(self, number: int, column: Column, cell: Cell, text: str) -> int | None:
        parsed = parse_age(text, *column.age_range)
        if isinstance(parsed, str):
            self._problem(number, column, clip(text), parsed)
            return None
        self.known[column.id][cell] = parsed
        return parsed

    def unknown_values(self) -> list[UnknownValue]:
        return [
            UnknownValue(
                column,
                self.unknown_text[(column, key)],
                len(rows),
                rows[0],
                self.unknown_suggestion[(column, key)],
            )
            for (column, key), rows in self.unknown.items()
        ]


# ---------------------------------------------------------------------------------------------
# The preview's help for a mapping page
# ---------------------------------------------------------------------------------------------


def _samples(rows: Sequence[tuple[int, Sequence[Cell]]], position: int) -> list[str]:
    """Distinct non-blank values of one column in the rows given, in order."""
    seen: dict[str, None] = {}
    for _number, cells in rows:
        if position < len(cells):
            text = as_text(cells[position]).strip()
            if text:
                seen.setdefault(text)
    return list(seen)


def _guess(
    spec: ListSpec[Any], heading: str, values: Sequence[str], free: set[str], by_heading: bool
) -> str | None:
    """Our best guess for an unrecognised heading, among the columns not yet found: the one
    whose codes most of its values are (two in three at least), or a date column for dates;
    else, when `by_heading`, the column a close spelling of the heading names. (A guess from
    the heading alone is only made when the person has to choose a column anyway: it would
    show a free-text column's values for nothing.)"""
    if values:
        best, best_count = None, 0
        for column in spec.columns:
            if column.id not in free or column.kind not in ("code", "yes_no"):
                continue
            count = sum(1 for v in values if match_code(column.lookup, v) is not None)
            if count > best_count:
                best, best_count = column.id, count
        if best is not None and best_count * 3 >= len(values) * 2:
            return best
        if all(isinstance(parse_date_text(v), date) for v in values):
            dates = [c.id for c in spec.columns if c.id in free and c.kind == "date"]
            if len(dates) == 1 or (dates and dates[0] == "start_date"):
                return dates[0]
    if not by_heading:
        return None
    keys = {spelling_key(s): c.id for c in spec.columns if c.id in free for s in c.spellings()}
    close = difflib.get_close_matches(spelling_key(heading), list(keys), n=1, cutoff=0.75)
    return keys[close[0]] if close else None


def _heading_infos(
    spec: ListSpec[Any], header: Header, cells: Sequence[Cell], sample: Sequence[Any]
) -> tuple[list[HeadingInfo], list[str]]:
    """Each heading for the mapping page, and a notice for each unused one that looks like
    one of our columns. A column we do not use is read only to guess what it is: its values
    are kept as samples only when that guess exists or a required column is missing (when the
    person has to choose), so a free-text column the list does not need is never shown."""
    if not header.index and not header.refused and not header.ignored:
        return [], []  # no heading recognised: the row is most likely a case, not headings
    free = {c.id for c in spec.columns} - set(header.index)
    refused = dict(header.refused)
    infos: list[HeadingInfo] = []
    notices: list[str] = []
    for position, cell in enumerate(cells):
        heading = as_text(cell).strip()
        if not heading:
            continue
        if position in refused:
            infos.append(HeadingInfo(heading, position, None, None, (), refused=True))
            continue
        column = header.mapping.get(heading)
        if column is not None and header.index.get(column) != position:
            column = None  # a second heading for a column already read: not used
        values = _samples(sample, position)
        guess = (
            None
            if column is not None
            else _guess(spec, heading, values[:50], free, bool(header.missing))
        )
        keep = column is not None or guess is not None or bool(header.missing)
        shown = tuple(safe_text(v)[:40] for v in values[:SAMPLES_PER_HEADING]) if keep else ()
        infos.append(HeadingInfo(heading, position, column, guess, shown))
        if column is None and guess is not None and not header.missing:
            notices.append(
                _(
                    "The column %(heading)s was not used, but its values look like "
                    "%(column)s; if that is what it holds, choose it in the mapping."
                )
                % {"heading": repr(heading), "column": guess}
            )
    return infos, notices


# ---------------------------------------------------------------------------------------------
# Reading a list
# ---------------------------------------------------------------------------------------------


def too_many_cases(max_rows: int) -> str:
    """The refusal of a file with more cases than any list holds."""
    return _(
        "the file has more than %(n)s cases; split it or check that it is the right export"
    ) % {"n": f"{max_rows:,}"}


def _notes_for_skipped(blank: int, footer: list[int], out_of_scope: list[int]) -> list[str]:
    notes: list[str] = []
    if blank:
        notes.append(
            ngettext("%(n)s blank row was skipped.", "%(n)s blank rows were skipped.", blank)
            % {"n": f"{blank:,}"}
        )
    if len(footer) == 1:
        notes.append(
            _(
                "Row %(first)s, below the last case, holds only a note (such as a total), so "
                "it was skipped."
            )
            % {"first": footer[0]}
        )
    elif footer:
        notes.append(
            _(
                "Rows %(first)s–%(last)s, below the last case, hold only notes (such as a "
                "total), so they were skipped."
            )
            % {"first": footer[0], "last": footer[-1]}
        )
    if out_of_scope:
        shown = ", ".join(str(n) for n in out_of_scope[:10])
        more = "" if len(out_of_scope) <= 10 else ", …"
        notes.append(
            ngettext(
                "%(n)s row was left out as out of scope, as the mapping says (row %(rows)s).",
                "%(n)s rows were left out as out of scope, as the mapping says (rows %(rows)s).",
                len(out_of_scope),
            )
            % {"n": f"{len(out_of_scope):,}", "rows": shown + more}
        )
    return notes


def read_list(
    spec: ListSpec[R],
    data: bytes,
    filename: str,
    *,
    mapping: Mapping | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_bytes: int,
    max_rows: int,
    too_many: Callable[[int], str],
    empty: str,
    row_limit: int | None = None,
    max_line: int = MAX_CSV_LINE,
    max_cells: int = MAX_CSV_CELLS,
) -> ListPreview[R]:
    """Read an uploaded list and say what would be imported and what must be fixed.

    Raises `UnreadableFile` (with its sentence) only when the file cannot be read at all;
    every problem with its content is in the returned preview. `too_many(max_rows)` is the
    refusal of a file with more cases than `max_rows`, `empty` that of one with no headings.
    The file may have `row_limit` rows in all (blank ones included; by default `max_rows`
    and ROWS_BEYOND_CASES), and a CSV `max_line` characters a line, `max_cells` cells a row.
    """
    headings = _Headings(spec, mapping)
    limit = max_rows + ROWS_BEYOND_CASES if row_limit is None else row_limit
    table = read_table(data, filename, limit, headings.count_known, max_bytes, max_line, max_cells)
    try:
        return _read(spec, table, headings, mapping, progress, max_rows, too_many, empty)
    except LimitExceeded as exc:
        raise UnreadableFile(str(exc)) from None


def _read(
    spec: ListSpec[R],
    table: Table,
    headings: _Headings,
    mapping: Mapping | None,
    progress: Callable[[int, int], None] | None,
    max_rows: int,
    too_many: Callable[[int], str],
    empty: str,
) -> ListPreview[R]:
    notices = table.notices
    try:
        number, cells, rows, blank_after = _find_header(table.rows, headings)
        if cells is None:
            raise UnreadableFile(empty)
        if number > 1:
            notices.append(
                _("Row 1 was above the column headings, so skipped.")
                if number == 2
                else _("Rows 1–%(last)s were above the column headings, so skipped.")
                % {"last": number - 1}
            )
        mapping_problems = [
            Problem(None, None, "", reason)
            for reason in (spec.check_mapping(mapping) if mapping is not None else [])
        ]
        header = _read_header(number, cells, headings, mapping if not mapping_problems else None)
        if header.index:
            header.problems.extend(
                Problem(None, None, "", reason)
                for reason in spec.column_problems(frozenset(header.index))
            )
        sample = list(itertools.islice(rows, SAMPLE_ROWS))
        infos, guessed = _heading_infos(spec, header, cells, sample)
        notices.extend(guessed)
        rows = itertools.chain(sample, rows)
        builder = spec.builder(frozenset(header.index))
        checker = _Checker(spec, header, None if mapping_problems else mapping, builder)
        checker.blank_rows = checker.rows_read = blank_after
        done = _check_rows(checker, rows, header.row, table.last_row, progress, max_rows, too_many)
    finally:
        table.finish()
    footer = checker.finish()
    problems = mapping_problems + header.problems + checker.problems[:MAX_PROBLEMS]
    if len(checker.problems) > MAX_PROBLEMS:
        problems.append(
            Problem(
                None,
                None,
                "",
                _(
                    "checking stopped at row %(row)s after %(n)s problems; fix these and upload "
                    "the file again to see any more"
                )
                % {"row": f"{done + header.row:,}", "n": f"{MAX_PROBLEMS:,}"},
            )
        )
    if checker.cases - len(footer) == 0:
        problems.append(
            Problem(None, None, "", _("no cases: the file has column headings but no case rows"))
        )
    notices.extend(builder.notes)
    notices.extend(_notes_for_skipped(checker.blank_rows, footer, checker.out_of_scope))
    return ListPreview(
        rows=checker.rows,
        problems=problems,
        header_mapping=header.mapping,
        ignored_columns=[heading for _position, heading in header.ignored],
        notices=notices,
        headings=infos,
        missing_columns=header.missing,
        unknown_values=checker.unknown_values(),
        problem_rows=checker.problem_rows,
        skipped_rows=sorted([*footer, *checker.out_of_scope]),
        mapping=mapping,
        list_id=spec.id,
    )


def _check_rows(
    checker: _Checker[Any],
    rows: Iterator[tuple[int, Sequence[Cell]]],
    header_row: int,
    last_row: int,
    progress: Callable[[int, int], None] | None,
    max_rows: int,
    too_many: Callable[[int], str],
) -> int:
    """Every data row through the checker, in batches, reporting progress; returns how far
    (in rows after the headings) the checking got."""
    total = max(last_row - header_row, 0)
    if progress is not None:
        progress(0, total)
    done = 0
    while batch := list(itertools.islice(rows, PROGRESS_EVERY)):
        checker.check_batch(batch)
        if checker.cases > max_rows:
            raise UnreadableFile(too_many(max_rows))
        done = batch[-1][0] - header_row
        total = max(total, done)
        if progress is not None:
            progress(done, total)
        if len(checker.problems) > MAX_PROBLEMS:
            break
    if progress is not None and done != total:
        progress(total, total)
    return done
