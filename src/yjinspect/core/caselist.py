"""Read a service's case list (CSV or XLSX) into checked, typed rows, reporting every problem.

A youth justice service exports its case list from whatever case management system it uses, so
headings and codes arrive in many spellings. This module maps them onto one canonical form,
refuses anything that looks like a child's name or other direct identifier (the inspection needs
pseudonymous case references only), and lists every problem with the row and column a person
would look at in a spreadsheet, so one upload tells the service everything it has to fix.

Pure Python (standard library and openpyxl), no Django: the web upload, the CLI and the demo
generator share it. The user-facing description of the format is docs/case-list-format.md; the
spelling tables below are the single place to extend, and the tests check the two agree.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, make_dataclass
from datetime import date, datetime
from typing import Any, Final, TextIO

from ..limits import (
    MB,
    CsvLimits,
    LimitExceeded,
    WorkbookLimits,
    ZipLimits,
    csv_rows,
    open_workbook,
    too_many_rows,
)
from .words import gettext as _

__all__ = [
    "AGE_RANGE",
    "BOOLEAN_SPELLINGS",
    "CANONICAL_COLUMNS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "DISPOSAL_DOMAINS",
    "DISPOSAL_SPELLINGS",
    "DOMAIN_SPELLINGS",
    "ETHNICITY_FRAGMENTS",
    "ETHNICITY_SPELLINGS",
    "HEADER_SPELLINGS",
    "LEVEL_SPELLINGS",
    "MAX_REF_LENGTH",
    "MAX_TEXT_LENGTH",
    "PERSONAL_DATA_FRAGMENTS",
    "PERSONAL_DATA_HEADERS",
    "PERSONAL_DATA_WORDS",
    "REQUIRED_COLUMNS",
    "SEX_SPELLINGS",
    "VALUE_LABELS",
    "YEAR_RANGE",
    "CaseListError",
    "CaseRow",
    "ImportPreview",
    "Problem",
    "canonical_columns",
    "looks_like_a_name",
    "mask",
    "parse_case_list",
    "personal_data_kind",
    "value_label",
    "write_case_list_csv",
]

# ---------------------------------------------------------------------------------------------
# The format, as plain data. Spellings are matched ignoring case, spaces, underscores and
# punctuation ("Case Ref", "case_ref" and "CASE-REF" are the same), and each canonical name or
# code is always accepted as itself. Add a spelling here and it works everywhere. The first
# spelling of each code is its label for people ("Referral order"); keep it readable.
# ---------------------------------------------------------------------------------------------

CANONICAL_COLUMNS: Final = (
    "case_ref",
    "domain",
    "disposal_type",
    "start_date",
    "end_date",
    "case_manager",
    "risk_of_harm",
    "safety_wellbeing",
    "sex",
    "ethnicity_group",
    "age",
    "looked_after",
    "custody",
)

REQUIRED_COLUMNS: Final = frozenset(
    {
        "case_ref",
        "domain",
        "disposal_type",
        "start_date",
        "case_manager",
        "risk_of_harm",
        "safety_wellbeing",
    }
)

HEADER_SPELLINGS: Final[Mapping[str, tuple[str, ...]]] = {
    "case_ref": (
        "Case ref",
        "Case reference",
        "Case ref no",
        "Case reference number",
        "Case number",
        "Case no",
        "Case ID",
        "Ref",
        "Ref no",
        "Reference",
        "YJ ref",
        "YJS ref",
        "YOT ref",
        "YJ reference",
        "YJS reference",
        "YOT reference",
        "YJ number",
        "Child ref",
        "Child reference",
        "Child ID",
        "YP ref",
        "YP ID",
        "Young person ref",
        "Young person reference",
        "Young person ID",
        "ID",
        "Unique ref",
        "Unique reference",
        "Pseudonym",
        "Pseudonymised ref",
        "Pseudonymous reference",
        "Sample ref",
    ),
    "domain": (
        "Domain",
        "Case domain",
        "Inspection domain",
        "Case type",
        "Case category",
        "Disposal category",
        "Disposal group",
        "Cohort",
        "Court or OOCD",
        "Court/OOCD",
    ),
    "disposal_type": (
        "Disposal type",
        "Disposal",
        "Type of disposal",
        "Outcome",
        "Outcome type",
        "Legal outcome",
        "Order",
        "Order type",
        "Type of order",
        "Sentence",
        "Sentence type",
        "Intervention type",
    ),
    "start_date": (
        "Start date",
        "Start",
        "Sentence start",
        "Sentence start date",
        "Sentence date",
        "Date sentenced",
        "Order start",
        "Order start date",
        "Disposal date",
        "Date of disposal",
        "Outcome date",
        "Date of outcome",
        "OOCD date",
        "Delivery date",
        "Intervention start",
        "Intervention start date",
        "Commencement date",
        "Case start date",
    ),
    "end_date": (
        "End date",
        "End",
        "Sentence end",
        "Sentence end date",
        "Order end",
        "Order end date",
        "Expected end date",
        "Intervention end date",
        "Case end date",
        "Closure date",
        "Closed date",
        "Date closed",
        "Case closed",
        "Completion date",
    ),
    "case_manager": (
        "Case manager",
        "Case manager ref",
        "Case manager ID",
        "Case manager name",
        "Allocated case manager",
        "Case worker",
        "Caseworker",
        "Case worker name",
        "Case holder",
        "Case officer",
        "Practitioner",
        "Practitioner ref",
        "Practitioner name",
        "Allocated practitioner",
        "Allocated worker",
        "Key worker",
        "Worker",
        "Worker name",
        "YJ worker",
        "YOT officer",
        "Officer",
        "Staff ref",
        "Staff ID",
    ),
    "risk_of_harm": (
        "Risk of harm",
        "Risk of harm level",
        "Risk of harm rating",
        "Risk of harm to others",
        "Risk of serious harm",
        "Risk to others",
        "RoSH",
        "RoSH level",
        "RoSH rating",
        "ROH",
    ),
    "safety_wellbeing": (
        "Safety and wellbeing",
        "Safety & wellbeing",
        "Safety and well-being",
        "Safety and wellbeing level",
        "Safety and wellbeing rating",
        "Safety and wellbeing concerns",
        "SaW",
        "S&W",
        "SWB",
        "S&WB",
        "Vulnerability",
    ),
    "sex": ("Sex", "Gender", "Sex/gender", "Gender/sex", "Legal sex"),
    "ethnicity_group": (
        "Ethnicity",
        "Ethnicity group",
        "Ethnic group",
        "Ethnic origin",
        "Ethnic background",
        "Ethnicity category",
    ),
    "age": (
        "Age",
        "Age at start",
        "Age at start date",
        "Age at order start",
        "Age at sentence",
        "Age when sentenced",
        "Age at disposal",
        "Age at outcome",
        "Age (years)",
    ),
    "looked_after": (
        "Looked after",
        "Looked-after",
        "Looked after child",
        "Looked after status",
        "Child looked after",
        "LAC",
        "CLA",
        "Child in care",
        "CiC",
        "In care",
    ),
    "custody": (
        "Custody",
        "In custody",
        "Currently in custody",
        "Custodial",
        "Custodial sentence",
        "Custodial status",
    ),
}

DOMAIN_SPELLINGS: Final[Mapping[str, tuple[str, ...]]] = {
    "court": (
        "Court",
        "Court disposal",
        "Court disposals",
        "Court order",
        "Court sentence",
        "Post-court",
    ),
    "out_of_court": (
        "Out of court",
        "Out-of-court disposal",
        "Out of court disposals",
        "OOCD",
        "OOCDs",
        "OOC",
        "Pre-court",
        "Diversion",
    ),
    "resettlement": ("Resettlement", "Custody", "Custodial", "Custodial sentence", "Release"),
}

# Which domains each disposal may be listed under. A custodial sentence is a court disposal and,
# once the child is released or due for release, a resettlement case, so it may be either.
DISPOSAL_DOMAINS: Final[Mapping[str, frozenset[str]]] = {
    "referral_order": frozenset({"court"}),
    "youth_rehabilitation_order": frozenset({"court"}),
    "reparation_order": frozenset({"court"}),
    "other_court": frozenset({"court"}),
    "detention_and_training_order": frozenset({"court", "resettlement"}),
    "section_250": frozenset({"court", "resettlement"}),
    "other_custodial": frozenset({"court", "resettlement"}),
    "youth_caution": frozenset({"out_of_court"}),
    "youth_conditional_caution": frozenset({"out_of_court"}),
    "community_resolution": frozenset({"out_of_court"}),
    "deferred_prosecution": frozenset({"out_of_court"}),
    "triage": frozenset({"out_of_court"}),
    "no_further_action_with_intervention": frozenset({"out_of_court"}),
}

DISPOSAL_SPELLINGS: Final[Mapping[str, tuple[str, ...]]] = {
    "referral_order": ("Referral order", "Referral", "RO"),
    "youth_rehabilitation_order": (
        "Youth rehabilitation order",
        "YRO",
        "YRO with ISS",
        "YRO ISS",
        "YRO with intensive supervision and surveillance",
        "YRO with ISF",
        "YRO with intensive fostering",
    ),
    "reparation_order": ("Reparation order", "Rep order"),
    "other_court": (
        "Other court",
        "Other court disposal",
        "Other court order",
        "Fine",
        "Conditional discharge",
        "Absolute discharge",
        "Discharge",
        "Compensation order",
        "Bind over",
    ),
    "detention_and_training_order": ("Detention and training order", "DTO"),
    "section_250": (
        "Section 250",
        "S250",
        "S.250",
        "Section 250 long-term detention",
        "Long-term detention",
        "Section 91",
        "S91",
    ),
    "other_custodial": (
        "Other custodial",
        "Other custody",
        "Other custodial sentence",
        "Section 254",
        "S254",
        "Extended sentence",
        "Section 259",
        "S259",
        "Section 90",
        "S90",
        "Detention at His Majesty's pleasure",
        "Detention at Her Majesty's pleasure",
        "DHMP",
    ),
    "youth_caution": ("Youth caution", "YC", "Caution"),
    "youth_conditional_caution": ("Youth conditional caution", "YCC", "Conditional caution"),
    "community_resolution": ("Community resolution", "CR", "Outcome 8"),
    "deferred_prosecution": (
        "Deferred prosecution",
        "Deferred prosecution scheme",
        "DPS",
        "Outcome 22",
        "O22",
    ),
    "triage": ("Triage", "Youth triage"),
    "no_further_action_with_intervention": (
        "No further action with intervention",
        "NFA with intervention",
        "NFA intervention",
        "NFA + intervention",
        "NFA plus intervention",
    ),
}

LEVEL_SPELLINGS: Final[Mapping[str, tuple[str, ...]]] = {
    "low": ("Low", "L", "Lo"),
    "medium": ("Medium", "Med", "M"),
    "high": ("High", "H", "Hi"),
    "very_high": ("Very high", "V high", "V. high", "VH", "Very-high"),
}

SEX_SPELLINGS: Final[Mapping[str, tuple[str, ...]]] = {
    "male": ("Male", "M", "Boy", "Man"),
    "female": ("Female", "F", "Girl", "Woman"),
    "other": ("Other", "O", "Non-binary", "Indeterminate"),
    "unknown": (
        "Unknown",
        "U",
        "Not known",
        "NK",
        "N/K",
        "Not stated",
        "Not recorded",
        "Prefer not to say",
    ),
}

ETHNICITY_SPELLINGS: Final[Mapping[str, tuple[str, ...]]] = {
    "asian": ("Asian", "Asian or Asian British", "Asian British"),
    "black": ("Black", "Black or Black British", "Black British"),
    "mixed": ("Mixed", "Mixed or multiple ethnic groups", "Mixed ethnicity", "Dual heritage"),
    "white": ("White", "White British"),
    "other": ("Other", "Other ethnic group", "Any other ethnic group"),
    "not_known": (
        "Not known",
        "Unknown",
        "NK",
        "Not stated",
        "Not recorded",
        "Refused",
        "Prefer not to say",
        "Information not obtained",
    ),
}

# When no exact spelling matches, a detailed census category ("Asian or Asian British: Indian",
# "Mixed: White and Black Caribbean") is grouped by the first of these word fragments it
# contains, in this order (so "White and Black Caribbean" is mixed, not white or black).
ETHNICITY_FRAGMENTS: Final[tuple[tuple[str, str], ...]] = (
    ("notknown", "not_known"),
    ("unknown", "not_known"),
    ("notstated", "not_known"),
    ("notrecorded", "not_known"),
    ("refused", "not_known"),
    ("prefernot", "not_known"),
    ("notobtained", "not_known"),
    ("mixed", "mixed"),
    ("multiple", "mixed"),
    ("whiteand", "mixed"),
    ("black", "black"),
    ("african", "black"),
    ("caribbean", "black"),
    ("asian", "asian"),
    ("indian", "asian"),
    ("pakistani", "asian"),
    ("bangladeshi", "asian"),
    ("chinese", "asian"),
    ("white", "white"),
    ("irish", "white"),
    ("gypsy", "white"),
    ("traveller", "white"),
    ("roma", "white"),
    ("arab", "other"),
    ("other", "other"),
)

BOOLEAN_SPELLINGS: Final[Mapping[bool, tuple[str, ...]]] = {
    True: ("Yes", "Y", "True", "T", "1"),
    False: ("No", "N", "False", "F", "0"),
}

# Headings refused as personal data, by what they look like. `PERSONAL_DATA_HEADERS` are whole
# headings; `PERSONAL_DATA_FRAGMENTS` refuse any heading containing them ("Child first name");
# `PERSONAL_DATA_WORDS` refuse any heading with that word in it ("Child's name", "YP DOB"),
# except that a heading with "name" and one of `NAME_HEADING_EXCEPTIONS` names staff or an
# organisation ("Team name", "Social worker name") and is merely ignored.
PERSONAL_DATA_HEADERS: Final[Mapping[str, tuple[str, ...]]] = {
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

PERSONAL_DATA_FRAGMENTS: Final[Mapping[str, tuple[str, ...]]] = {
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

PERSONAL_DATA_WORDS: Final[Mapping[str, str]] = {
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

AGE_RANGE: Final = (10, 18)
# Years outside this range are almost always a system's stand-in for "no date" (01/01/1900,
# 31/12/9999), so they are reported rather than stored.
YEAR_RANGE: Final = (1990, 2100)
MAX_REF_LENGTH: Final = 64
MAX_TEXT_LENGTH: Final = 100
DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024
DEFAULT_MAX_ROWS: Final = 200_000
PROGRESS_EVERY: Final = 1000
# How many non-blank rows at the top may be a title or notes before the real headings.
HEADER_SEARCH_ROWS: Final = 20
# Rows a file may have beyond its cases: headings, notes above them, blank rows. A file past
# max_rows + this is refused as soon as the reading gets there, whatever its rows hold.
ROWS_BEYOND_CASES: Final = 10_000
# Problems listed: past this many the file is not checked further (nothing can be added until
# they are fixed anyway), so a file wrong in every cell costs no more memory than a good one.
MAX_PROBLEMS: Final = 10_000
# Columns read: any further to the right are not read at all (a case list has 13 of ours), so
# no row, however wide a program wrote it, costs more than this many cells.
MAX_COLUMNS: Final = 200
# One line of a CSV file (a real row is well under 1 KB).
MAX_CSV_LINE: Final = MB
# An XLSX workbook is a zip of XML parts. Measured (docs/RELIABILITY.md, "Limits on files
# people give us"): 200,000 cases written by openpyxl unpack to 131 MB, the sheet compressed
# 12 times over, and need no other part over 11 KB; a zip bomb compresses a thousand times.
XLSX_ZIP_LIMITS: Final = ZipLimits(max_members=1000, max_unpacked=200 * MB, max_ratio=100)
XLSX_MAX_PART: Final = 4 * MB  # styles, the list of sheets, ...: anything but a sheet's cells
XLSX_MAX_SHARED_STRINGS: Final = 16 * MB  # the text of every distinct cell, held whole
XLSX_MAX_SHEETS: Final = 100
XLSX_MAX_ROW_BYTES: Final = MB  # a row of 200 cells of Excel's longest text is under this


# ---------------------------------------------------------------------------------------------
# Public types
# ---------------------------------------------------------------------------------------------


class CaseListError(ValueError):
    """The file cannot be read at all (wrong type, too big, empty, corrupt, too many rows).

    Problems with the content are never raised: they are listed in `ImportPreview.problems`.
    """


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One valid case. `row` is where it sits in the uploaded file and is not part of equality,
    so a case read back from a rewritten file compares equal to the original."""

    row: int = field(compare=False)
    case_ref: str
    domain: str
    disposal_type: str
    start_date: date
    end_date: date | None
    case_manager: str
    risk_of_harm: str
    safety_wellbeing: str
    sex: str | None
    ethnicity_group: str | None
    age: int | None
    looked_after: bool | None
    custody: bool | None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something to fix. `row` is the spreadsheet row (headings are row 1) or None for the whole
    file or a whole column; `column` is the canonical column name, or the file's own heading
    for a column that was refused. `value` is what the cell held, masked or left empty where
    echoing it would repeat personal data."""

    row: int | None
    column: str | None
    value: str
    message: str


@dataclass(frozen=True)
class ImportPreview:
    """What an upload would import, shown to the person before anything is saved."""

    rows: list[CaseRow]
    problems: list[Problem]
    header_mapping: dict[str, str]
    ignored_columns: list[str]
    notices: list[str]

    @property
    def ok(self) -> bool:
        """True when there is nothing to fix, so the rows can be imported as they are."""
        return not self.problems


def canonical_columns() -> tuple[str, ...]:
    """The column names, in the order `write_case_list_csv` writes them."""
    return CANONICAL_COLUMNS


# The label of each stored code: the first of its accepted spellings.
VALUE_LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    column: {code: names[0] for code, names in spellings.items()}
    for column, spellings in (
        ("domain", DOMAIN_SPELLINGS),
        ("disposal_type", DISPOSAL_SPELLINGS),
        ("risk_of_harm", LEVEL_SPELLINGS),
        ("safety_wellbeing", LEVEL_SPELLINGS),
        ("sex", SEX_SPELLINGS),
        ("ethnicity_group", ETHNICITY_SPELLINGS),
    )
}


def value_label(column: str, value: str | None) -> str:
    """A stored code as people write it ('youth_rehabilitation_order' is 'Youth rehabilitation
    order'); a value that is not a code of that column is shown as it is; blanks are ''."""
    if not value:
        return ""
    return VALUE_LABELS.get(column, {}).get(value, value)


# ---------------------------------------------------------------------------------------------
# Lookup tables, built once at import so reading a cell is a dictionary lookup
# ---------------------------------------------------------------------------------------------

_NOT_ALNUM = re.compile(r"[\W_]+")
_WORDS = re.compile(r"[^\W_]+")
_PARENTHESES = re.compile(r"\(([^()]*)\)")


def _key(text: str) -> str:
    """Reduce a spelling to lower-case letters and digits: 'Risk of Harm' -> 'riskofharm'."""
    return _NOT_ALNUM.sub("", text.casefold())


def _lookup(spellings: Mapping[str, Iterable[str]], what: str) -> dict[str, str]:
    """Key -> canonical value. Two values sharing a spelling is a mistake in the tables above,
    caught at import rather than by a confused user."""
    table: dict[str, str] = {}
    for canonical, names in spellings.items():
        for name in (canonical, *names):
            key = _key(name)
            if table.setdefault(key, canonical) != canonical:
                raise ValueError(f"{what} spelling {name!r} is claimed by two values")
    return table


_HEADER_LOOKUP: Final = _lookup(HEADER_SPELLINGS, "heading")
_CODE_LOOKUPS: Final[Mapping[str, dict[str, str]]] = {
    "domain": _lookup(DOMAIN_SPELLINGS, "domain"),
    "disposal_type": _lookup(DISPOSAL_SPELLINGS, "disposal_type"),
    "risk_of_harm": _lookup(LEVEL_SPELLINGS, "risk_of_harm"),
    "safety_wellbeing": _lookup(LEVEL_SPELLINGS, "safety_wellbeing"),
    "sex": _lookup(SEX_SPELLINGS, "sex"),
    "ethnicity_group": _lookup(ETHNICITY_SPELLINGS, "ethnicity_group"),
}
_CODES: Final[Mapping[str, tuple[str, ...]]] = {
    "domain": tuple(DOMAIN_SPELLINGS),
    "disposal_type": tuple(DISPOSAL_SPELLINGS),
    "risk_of_harm": tuple(LEVEL_SPELLINGS),
    "safety_wellbeing": tuple(LEVEL_SPELLINGS),
    "sex": tuple(SEX_SPELLINGS),
    "ethnicity_group": tuple(ETHNICITY_SPELLINGS),
}
_BOOLEAN_LOOKUP: Final = {
    _key(s): value for value, names in BOOLEAN_SPELLINGS.items() for s in names
}
_PERSONAL_EXACT: Final = {
    _key(s): kind for kind, names in PERSONAL_DATA_HEADERS.items() for s in names
}
_PERSONAL_FRAGMENTS: Final = tuple(
    (fragment, kind)
    for kind, fragments in PERSONAL_DATA_FRAGMENTS.items()
    for fragment in fragments
)

if set(DISPOSAL_DOMAINS) != set(DISPOSAL_SPELLINGS) or not all(
    domains <= set(DOMAIN_SPELLINGS) for domains in DISPOSAL_DOMAINS.values()
):
    raise ValueError("every disposal_type needs spellings and domains, and domains must exist")

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


_Cell = str | date


# ---------------------------------------------------------------------------------------------
# Reading one value
# ---------------------------------------------------------------------------------------------


def _match_code(lookup: Mapping[str, str], text: str) -> str | None:
    """Find a code, trying again without, then inside, any brackets: 'Referral Order (RO)'."""
    found = lookup.get(_key(text))
    if found is not None or "(" not in text:
        return found
    found = lookup.get(_key(_PARENTHESES.sub("", text)))
    if found is not None:
        return found
    for inner in _PARENTHESES.findall(text):
        found = lookup.get(_key(inner))
        if found is not None:
            return found
    return None


def _ethnicity_by_fragment(text: str) -> str | None:
    key = _key(text)
    for fragment, group in ETHNICITY_FRAGMENTS:
        if fragment in key:
            return group
    return None


def _make_date(year: int, month: int, day: int, text: str) -> date | str:
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


def _parse_date_text(text: str) -> date | str:
    """ISO, UK day-first or '8 Apr 2024'. Never month-first: 04/13/2024 is refused, and a
    date that could be read either way (04/05/2024) is read day first, as UK systems write it."""
    m = _ISO_DATE.fullmatch(text)
    if m:
        return _make_date(int(m[1]), int(m[3]), int(m[4]), text)
    m = _UK_DATE.fullmatch(text)
    if m:
        year = int(m[4]) + (2000 if len(m[4]) == 2 else 0)
        return _make_date(year, int(m[3]), int(m[1]), text)
    m = _TEXT_DATE.fullmatch(text)
    if m:
        month = _MONTHS.get(m[2].casefold())
        if month is None:
            return _("%(name)s is not a month name; %(hint)s") % {
                "name": m[2],
                "hint": _date_hint(),
            }
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return _make_date(year, month, int(m[1]), text)
    if text.isdecimal():
        return _(
            "a number, not a date (format the column as dates in the spreadsheet); %(hint)s"
        ) % {"hint": _date_hint()}
    return _("not a date yjinspect can read; %(hint)s") % {"hint": _date_hint()}


def _parse_age(text: str) -> int | str:
    if not text.isdecimal() or len(text) > 3:
        return _("age must be a whole number of years from %(low)s to %(high)s") % {
            "low": AGE_RANGE[0],
            "high": AGE_RANGE[1],
        }
    age = int(text)
    if not AGE_RANGE[0] <= age <= AGE_RANGE[1]:
        return _("age %(age)s is outside %(low)s–%(high)s, the youth justice age range") % {
            "age": age,
            "low": AGE_RANGE[0],
            "high": AGE_RANGE[1],
        }
    return age


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


def _either(names: Sequence[str]) -> str:
    """'court', or 'court or resettlement' in the host's language: a disposal is allowed at
    most two domains, and a longer list (none today) would be joined in English."""
    if len(names) == 2:
        return _("%(first)s or %(second)s") % {"first": names[0], "second": names[1]}
    return " or ".join(names)


def _as_text(cell: _Cell) -> str:
    return cell if isinstance(cell, str) else cell.isoformat()


def _clip(text: str) -> str:
    """Keep problem listings readable when a cell holds a paragraph."""
    return text if len(text) <= 80 else text[:79] + "…"


# ---------------------------------------------------------------------------------------------
# Headings
# ---------------------------------------------------------------------------------------------


def personal_data_kind(heading: str) -> str | None:
    """What kind of personal data a heading looks like ('a name', ...), or None."""
    key = _key(heading)
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


def _personal_data_words(kind: str) -> str:
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


def _heading_column(heading: str) -> str | None:
    """The canonical column a heading names, with the same bracket rule as codes."""
    return _match_code(_HEADER_LOOKUP, heading)


@dataclass
class _Header:
    row: int
    index: dict[str, int]
    mapping: dict[str, str]
    ignored: list[str]
    problems: list[Problem]


def _read_header(row_number: int, cells: Sequence[_Cell]) -> _Header:
    header = _Header(row_number, {}, {}, [], [])
    first_heading: dict[str, str] = {}
    for position, cell in enumerate(cells):
        heading = _as_text(cell).strip()
        if not heading:
            continue
        column = _HEADER_LOOKUP.get(_key(heading))
        kind = personal_data_kind(heading) if column is None else None
        if kind is not None:
            header.problems.append(
                Problem(
                    None,
                    heading,
                    "",
                    _(
                        "this column looks like personal data (%(kind)s); remove it and upload "
                        "again — yjinspect stores case references only"
                    )
                    % {"kind": _personal_data_words(kind)},
                )
            )
            continue
        if column is None:
            column = _heading_column(heading)
        if column is None:
            header.ignored.append(heading)
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
                        "first": repr(first_heading[column]),
                        "second": repr(heading),
                    },
                )
            )
        else:
            header.index[column] = position
            header.mapping[heading] = column
            first_heading[column] = heading
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
                    "such as case_ref, domain, disposal_type and start_date"
                ),
            )
        )
    for column in CANONICAL_COLUMNS:
        if column in REQUIRED_COLUMNS and column not in header.index:
            examples = ", ".join(repr(s) for s in HEADER_SPELLINGS[column][:4])
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
    return header


def _is_blank(cells: Sequence[_Cell]) -> bool:
    return all(isinstance(cell, str) and not cell.strip() for cell in cells)


def _count_known_headings(cells: Sequence[_Cell]) -> int:
    return sum(1 for cell in cells if _heading_column(_as_text(cell)) is not None)


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


_VALID_PAIRS: Final = frozenset(
    (domain, disposal) for disposal, domains in DISPOSAL_DOMAINS.items() for domain in domains
)


_MISSING: Final = object()

# The fast path's way to make a CaseRow. A frozen dataclass sets each field through
# object.__setattr__, which made building the rows over a third of the time to read 100,000
# cases. This unfrozen twin has the same fields, hence the same slots, so an instance built
# quickly by it can become a CaseRow by assigning __class__; from then on it is an ordinary,
# frozen CaseRow. A test checks that such rows equal, hash and refuse changes like the rest.
_CaseRowBuilder: Final[Any] = make_dataclass(
    "_CaseRowBuilder", [(f.name, f.type) for f in fields(CaseRow)], slots=True
)


class _RowChecker:
    """Turns data rows into CaseRows, collecting problems.

    Speed comes from repetition: codes, dates and staff references repeat down a column, so each
    distinct cell is checked once, carefully, and a valid result is remembered. Rows arrive in
    batches; each column of a batch is looked up in one pass (`map` over a dict, in C), and a
    row whose every cell was seen valid before only needs the checks that span columns. Any
    other row takes the careful path, which reports every problem in it. Rows are finished in
    file order either way, so duplicates always name the earlier row first.
    """

    def __init__(self, header: _Header) -> None:
        index = header.index
        self.ix = {column: index.get(column, -1) for column in CANONICAL_COLUMNS}
        self.complete = index.keys() >= REQUIRED_COLUMNS
        self.problems: list[Problem] = []
        self.rows: list[CaseRow] = []
        self.first_seen: dict[str, int] = {}
        self.rows_read = 0
        self.blank_rows = 0
        # column -> cell -> valid value, for the columns the file has. Any: each column holds
        # its own type (str, date, int, bool, or None for a blank optional cell).
        self.known: dict[str, dict[_Cell, Any]] = {column: {} for column in index}
        # The fast path reads every column, case_ref first. An absent column reads the
        # case_ref cell (any cell would do) and its lookup is replaced by None.
        ref_position = index.get("case_ref", 0)
        positions = [index.get(column, ref_position) for column in CANONICAL_COLUMNS]
        self.width = max(positions) + 1
        self.fast_cells = operator.itemgetter(*positions)
        self.fast_maps = [self.known.get(column) for column in CANONICAL_COLUMNS[1:]]
        self.date_cache: dict[str, date | str] = {}
        self.unknown_code_message = {
            column: _("not a recognised %(column)s; use one of: %(codes)s")
            % {"column": column, "codes": ", ".join(codes)}
            for column, codes in _CODES.items()
        }

    def check_batch(self, batch: Sequence[tuple[int, Sequence[_Cell]]]) -> None:
        """Check data rows, in file order; keep each row that has nothing to fix."""
        self.rows_read += len(batch)
        if not self.complete or not batch:
            for number, cells in batch:
                self._check_carefully(number, cells)
            return
        width = self.width
        padded = [
            cells if len(cells) >= width else [*cells, *[""] * (width - len(cells))]
            for _number, cells in batch
        ]
        refs, *columns = zip(*map(self.fast_cells, padded), strict=True)
        looked_up = [
            itertools.repeat(None, len(batch))
            if known is None
            else map(known.get, column, itertools.repeat(_MISSING))
            for known, column in zip(self.fast_maps, columns, strict=True)
        ]
        first_seen = self.first_seen
        keep = self.rows.append
        for (number, cells), ref, values in zip(
            batch, refs, zip(*looked_up, strict=True), strict=True
        ):
            if (
                _MISSING in values
                or ref.__class__ is not str
                or not ref.isalnum()  # so it cannot look like a name or start with '='
                or len(ref) > MAX_REF_LENGTH
                or (values[0], values[1]) not in _VALID_PAIRS
                or (values[3] is not None and values[3] < values[2])
                or first_seen.setdefault(ref.casefold(), number) != number
            ):
                self._check_carefully(number, cells)
            else:
                row = _CaseRowBuilder(number, ref, *values)
                row.__class__ = CaseRow
                keep(row)

    # The careful path. Each reader returns the value, or None when the column is absent, the
    # cell is blank or the value is wrong (in which case it has recorded a Problem).

    def _cell(self, cells: Sequence[_Cell], column: str) -> _Cell | None:
        position = self.ix[column]
        if position < 0:
            return None
        return cells[position] if position < len(cells) else ""

    def _blank(self, number: int, column: str, cell: _Cell) -> None:
        if column in REQUIRED_COLUMNS:
            message = _("%(column)s is required but is blank") % {"column": column}
            self.problems.append(Problem(number, column, "", message))
        else:
            self.known[column][cell] = None

    def text(self, number: int, cells: Sequence[_Cell], column: str) -> str | None:
        cell = self._cell(cells, column)
        if cell is None:
            return None
        text = _as_text(cell).strip()
        if not text:
            self._blank(number, column, cell)
            return None
        if len(text) > MAX_TEXT_LENGTH:
            self.problems.append(
                Problem(
                    number,
                    column,
                    _clip(text),
                    _("longer than %(n)s characters") % {"n": MAX_TEXT_LENGTH},
                )
            )
            return None
        self.known[column][cell] = text
        return text

    def case_ref(self, number: int, cells: Sequence[_Cell]) -> str | None:
        cell = self._cell(cells, "case_ref")
        if cell is None:
            return None
        ref = _as_text(cell).strip()
        if not ref:
            self._blank(number, "case_ref", cell)
            return None
        if looks_like_a_name(ref):
            self.problems.append(
                Problem(
                    number,
                    "case_ref",
                    mask(ref),
                    _(
                        "this reference looks like a person's name; use the pseudonymous case "
                        "reference from the case management system, never the child's name"
                    ),
                )
            )
            return None
        message = None
        if not ref[0].isalnum():
            message = _("references must start with a letter or digit")
        elif len(ref) > MAX_REF_LENGTH:
            message = _("references are at most %(n)s characters") % {"n": MAX_REF_LENGTH}
        elif not ref.isprintable():
            message = _("references must not contain line breaks or control characters")
        if message is not None:
            self.problems.append(Problem(number, "case_ref", _clip(ref), message))
            return None
        return ref

    def code(self, number: int, cells: Sequence[_Cell], column: str) -> str | None:
        cell = self._cell(cells, column)
        if cell is None:
            return None
        text = _as_text(cell).strip()
        if not text:
            self._blank(number, column, cell)
            return None
        found = _match_code(_CODE_LOOKUPS[column], text)
        if found is None and column == "ethnicity_group":
            found = _ethnicity_by_fragment(text)
        if found is None:
            self.problems.append(
                Problem(number, column, _clip(text), self.unknown_code_message[column])
            )
        else:
            self.known[column][cell] = found
        return found

    def date_(self, number: int, cells: Sequence[_Cell], column: str) -> date | None:
        cell = self._cell(cells, column)
        if cell is None:
            return None
        if isinstance(cell, date):
            text = cell.isoformat()
            parsed = _make_date(cell.year, cell.month, cell.day, text)
        else:
            text = cell.strip()
            if not text:
                self._blank(number, column, cell)
                return None
            # Invalid dates repeat too (a whole column written month first), so cache both.
            cached = self.date_cache.get(text)
            if cached is None:
                cached = self.date_cache[text] = _parse_date_text(text)
            parsed = cached
        if isinstance(parsed, str):
            self.problems.append(Problem(number, column, _clip(text), parsed))
            return None
        self.known[column][cell] = parsed
        return parsed

    def age(self, number: int, cells: Sequence[_Cell]) -> int | None:
        cell = self._cell(cells, "age")
        if cell is None:
            return None
        text = _as_text(cell).strip()
        if not text:
            self._blank(number, "age", cell)
            return None
        parsed = _parse_age(text)
        if isinstance(parsed, str):
            self.problems.append(Problem(number, "age", _clip(text), parsed))
            return None
        self.known["age"][cell] = parsed
        return parsed

    def boolean(self, number: int, cells: Sequence[_Cell], column: str) -> bool | None:
        cell = self._cell(cells, column)
        if cell is None:
            return None
        text = _as_text(cell).strip()
        if not text:
            self._blank(number, column, cell)
            return None
        found = _BOOLEAN_LOOKUP.get(_key(text))
        if found is None:
            self.problems.append(Problem(number, column, _clip(text), _("use yes or no")))
        else:
            self.known[column][cell] = found
        return found

    @property
    def cases(self) -> int:
        return self.rows_read - self.blank_rows

    def _check_carefully(self, number: int, cells: Sequence[_Cell]) -> None:
        if _is_blank(cells):
            self.blank_rows += 1
            return
        before = len(self.problems)
        case_ref = self.case_ref(number, cells)
        domain = self.code(number, cells, "domain")
        disposal_type = self.code(number, cells, "disposal_type")
        start_date = self.date_(number, cells, "start_date")
        end_date = self.date_(number, cells, "end_date")
        case_manager = self.text(number, cells, "case_manager")
        risk_of_harm = self.code(number, cells, "risk_of_harm")
        safety_wellbeing = self.code(number, cells, "safety_wellbeing")
        sex = self.code(number, cells, "sex")
        ethnicity_group = self.code(number, cells, "ethnicity_group")
        age = self.age(number, cells)
        looked_after = self.boolean(number, cells, "looked_after")
        custody = self.boolean(number, cells, "custody")

        if start_date is not None and end_date is not None and end_date < start_date:
            self.problems.append(
                Problem(
                    number,
                    "end_date",
                    end_date.isoformat(),
                    _("end_date %(end)s is before start_date %(start)s")
                    % {"end": end_date.isoformat(), "start": start_date.isoformat()},
                )
            )
        if domain is not None and disposal_type is not None:
            allowed = DISPOSAL_DOMAINS[disposal_type]
            if domain not in allowed:
                self.problems.append(
                    Problem(
                        number,
                        "disposal_type",
                        disposal_type,
                        _(
                            "%(disposal)s belongs to the %(allowed)s domain, but this row's "
                            "domain is %(domain)s"
                        )
                        % {
                            "disposal": disposal_type,
                            "allowed": _either(sorted(allowed)),
                            "domain": domain,
                        },
                    )
                )
        if case_ref is not None:
            first = self.first_seen.setdefault(case_ref.casefold(), number)
            if first != number:
                self.problems.append(
                    Problem(
                        number,
                        "case_ref",
                        case_ref,
                        _(
                            "duplicate case_ref: the same reference is on row %(first)s and "
                            "row %(row)s; each case must appear once"
                        )
                        % {"first": first, "row": number},
                    )
                )
        if (
            len(self.problems) > before
            or case_ref is None
            or domain is None
            or disposal_type is None
            or start_date is None
            or case_manager is None
            or risk_of_harm is None
            or safety_wellbeing is None
        ):
            return
        self.rows.append(
            CaseRow(
                number,
                case_ref,
                domain,
                disposal_type,
                start_date,
                end_date,
                case_manager,
                risk_of_harm,
                safety_wellbeing,
                sex,
                ethnicity_group,
                age,
                looked_after,
                custody,
            )
        )


# ---------------------------------------------------------------------------------------------
# File formats. Each reader yields (spreadsheet row number, cells) for every row, blank or not,
# and gives an estimate of the last row number, for the progress bar.
# ---------------------------------------------------------------------------------------------

_Rows = Iterator[tuple[int, Sequence[_Cell]]]


def _decode(data: bytes, notices: list[str]) -> str:
    """UTF-8 (with or without BOM) as exports should be; Windows-1252 as Excel's plain 'CSV'
    often is; UTF-16 with BOM as Excel's 'Unicode text' is."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CaseListError(
                _("the file says it is UTF-16 text but cannot be read as it")
            ) from exc
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise CaseListError(
            _(
                "the file's text encoding could not be recognised; save it as 'CSV UTF-8' and "
                "upload again"
            )
        ) from exc
    notices.append(
        _(
            "The file is not UTF-8, so it was read as Windows-1252 (Western European); check "
            "that any accented letters look right."
        )
    )
    return text


def _sniff_delimiter(text: str) -> str:
    """Comma, semicolon (Excel in many European locales) or tab. The separator that splits a
    top line into the most recognised headings wins, so separators inside values (a comma file
    with "a; b; c" notes) cannot mislead it; failing that, the one used most; comma on a tie."""
    lines = text[:20_000].splitlines()[:HEADER_SEARCH_ROWS]
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        known = max((_count_known_headings(line.split(delimiter)) for line in lines), default=0)
        score = (known, sum(line.count(delimiter) for line in lines))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(data: bytes, max_rows: int, notices: list[str]) -> tuple[_Rows, int]:
    """The rows of a CSV file, read one at a time, and the number of lines as the total."""
    if data.startswith(b"PK\x03\x04"):
        raise CaseListError(
            _(
                "this looks like an Excel workbook with a .csv name; rename it to .xlsx, or "
                "save it as CSV and upload again"
            )
        )
    text = _decode(data, notices)
    if "\x00" in text:
        raise CaseListError(
            _(
                "the file contains NUL characters, so it is not plain CSV text; save it as "
                "'CSV UTF-8' and upload again"
            )
        )
    delimiter = _sniff_delimiter(text)
    if delimiter != ",":
        notices.append(
            _("Columns are separated by semicolons.")
            if delimiter == ";"
            else _("Columns are separated by tabs.")
        )
    # Excel's widest sheet has 16,384 columns: a row with more is refused, one with fewer is
    # cut to MAX_COLUMNS, as a workbook's rows are.
    limits = CsvLimits(len(text), max_rows + ROWS_BEYOND_CASES, 16_384, MAX_CSV_LINE)
    records = csv_rows(text, limits, _("the file"), delimiter)

    def rows() -> _Rows:
        try:
            for number, record in enumerate(records, start=1):
                yield number, record[:MAX_COLUMNS]
        except csv.Error as exc:
            raise CaseListError(
                _("the CSV file could not be read: %(error)s") % {"error": exc}
            ) from exc

    return rows(), text.count("\n") + (not text.endswith("\n"))


def _xlsx_cell(value: object) -> _Cell:
    """A cell as text, except real date cells, which stay dates. Numbers lose a '.0' that
    Excel adds to whole numbers (age 15.0, reference 10234.0)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes, max_rows: int, notices: list[str]) -> tuple[_Rows, int]:
    """The rows of the first worksheet, streamed, and the row count the workbook records."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise CaseListError(
            _("this is an old-style Excel (.xls) file; save it as .xlsx or CSV and upload again")
        )
    row_limit = max_rows + ROWS_BEYOND_CASES
    limits = WorkbookLimits(
        zip=XLSX_ZIP_LIMITS,
        max_part=XLSX_MAX_PART,
        max_shared_strings=XLSX_MAX_SHARED_STRINGS,
        max_sheets=XLSX_MAX_SHEETS,
        max_rows=row_limit,
        max_row_bytes=XLSX_MAX_ROW_BYTES,
    )
    unreadable = _("the file could not be read as an Excel .xlsx workbook")
    try:
        workbook = open_workbook(data, limits, _("the workbook"))
    except LimitExceeded:
        raise
    except Exception as exc:  # zipfile and openpyxl raise many types for a damaged file
        raise CaseListError(unreadable) from exc
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise CaseListError(_("the workbook has no worksheets"))
        sheet = sheets[0]
        # Some programs write a wrong size into the file: it is only the progress bar's
        # first total, at most the rows allowed, and ignored when reading so no row is cut off.
        last_row = min(int(sheet.max_row or 0), row_limit)
        sheet.reset_dimensions()
    except CaseListError:
        workbook.close()
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged file
        workbook.close()
        raise CaseListError(unreadable) from exc
    if len(sheets) > 1:
        # Only ever two or more sheets here, so one plural wording serves every count.
        notices.append(
            _("The workbook has %(n)s sheets; only the first, %(title)s, was read.")
            % {"n": len(sheets), "title": repr(sheet.title)}
        )

    def rows() -> _Rows:
        # max_col: openpyxl pads each row to its last cell, so without it a row whose last
        # cell is in column XFD would cost 16,384 cells however little it holds.
        values = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        try:
            for number, cells in enumerate(values, start=1):
                if number > row_limit:
                    raise too_many_rows(row_limit, _("the workbook"))
                if cells.count(None) == len(cells):
                    yield number, []  # a blank row, told apart in C rather than cell by cell
                else:
                    yield number, ["" if v is None else _xlsx_cell(v) for v in cells]
        except (CaseListError, LimitExceeded):
            raise
        except Exception as exc:  # a damaged sheet can fail part-way through
            raise CaseListError(unreadable) from exc
        finally:
            workbook.close()

    return rows(), last_row


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def _find_header(rows: _Rows, notices: list[str]) -> tuple[_Header | None, _Rows]:
    """The heading row: the first of the top rows naming two known columns, else the first
    non-blank row. Rows above it (a title, an export date) are skipped with a notice."""
    non_blank = ((number, cells) for number, cells in rows if not _is_blank(cells))
    top = list(itertools.islice(non_blank, HEADER_SEARCH_ROWS))
    if not top:
        return None, rows
    chosen = next((i for i, (_, cells) in enumerate(top) if _count_known_headings(cells) >= 2), 0)
    number, cells = top[chosen]
    if number > 1:
        notices.append(
            _("Row 1 was above the column headings, so skipped.")
            if number == 2
            else _("Rows 1–%(last)s were above the column headings, so skipped.")
            % {"last": number - 1}
        )
    return _read_header(number, cells), itertools.chain(top[chosen + 1 :], rows)


def parse_case_list(
    data: bytes,
    filename: str,
    *,
    progress: Callable[[int, int], None] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> ImportPreview:
    """Read an uploaded case list and say what would be imported and what must be fixed.

    The format comes from the file name (.csv or .xlsx). `progress(rows_done, rows_total)` is
    called at least every 1,000 rows and once at the end; for XLSX the total is the size the
    workbook records and is corrected as rows arrive. Raises CaseListError only when the file
    cannot be read at all; every problem with its content is in the returned preview.
    """
    extension = filename.rpartition(".")[2].casefold() if "." in filename else ""
    if extension not in ("csv", "xlsx"):
        raise CaseListError(
            _(
                "%(name)s is not a .csv or .xlsx file; export the case list as CSV or Excel "
                "(.xlsx) and upload again"
            )
            % {"name": repr(filename)}
        )
    if len(data) > max_bytes:
        raise CaseListError(
            _("the file is %(size)s MB; the largest accepted is %(limit)s MB")
            % {"size": f"{len(data) / 1_048_576:.1f}", "limit": f"{max_bytes / 1_048_576:.1f}"}
        )
    if not data.strip():
        raise CaseListError(_("the file is empty"))
    notices: list[str] = []
    try:
        return _read_case_list(data, extension, progress, max_rows, notices)
    except LimitExceeded as exc:
        raise CaseListError(str(exc)) from None


def _read_case_list(
    data: bytes,
    extension: str,
    progress: Callable[[int, int], None] | None,
    max_rows: int,
    notices: list[str],
) -> ImportPreview:
    """`parse_case_list` once the file's type and size are known to be acceptable."""
    if extension == "csv":
        rows, last_row = _csv_rows(data, max_rows, notices)
    else:
        rows, last_row = _xlsx_rows(data, max_rows, notices)

    header, rows = _find_header(rows, notices)
    if header is None:
        raise CaseListError(_("the file is empty: it has no headings and no cases"))
    checker = _RowChecker(header)
    total = max(last_row - header.row, 0)
    if progress is not None:
        progress(0, total)
    done = 0
    while batch := list(itertools.islice(rows, PROGRESS_EVERY)):
        checker.check_batch(batch)
        if checker.cases > max_rows:
            raise CaseListError(
                _(
                    "the file has more than %(n)s cases; split it or check that it is the "
                    "right export"
                )
                % {"n": f"{max_rows:,}"}
            )
        done = batch[-1][0] - header.row
        total = max(total, done)
        if progress is not None:
            progress(done, total)
        if len(checker.problems) > MAX_PROBLEMS:
            break
    if progress is not None and done != total:
        progress(total, total)

    problems = header.problems + checker.problems[:MAX_PROBLEMS]
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
    if checker.cases == 0:
        problems.append(
            Problem(None, None, "", _("no cases: the file has column headings but no case rows"))
        )
    return ImportPreview(
        rows=checker.rows,
        problems=problems,
        header_mapping=header.mapping,
        ignored_columns=header.ignored,
        notices=notices,
    )


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_case_list_csv(rows: Iterable[CaseRow], fileobj: TextIO) -> int:
    """Write rows as a canonical CSV (headings = canonical names, ISO dates, yes/no), which
    `parse_case_list` reads back unchanged. Open `fileobj` with newline=''. Returns the count."""
    writer = csv.writer(fileobj)
    writer.writerow(CANONICAL_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(getattr(row, column)) for column in CANONICAL_COLUMNS])
        count += 1
    return count
