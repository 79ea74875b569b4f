"""Read a service's case list (CSV or XLSX) into checked, typed rows, reporting every problem.

A youth justice service exports its case list from whatever case management system it uses, so
headings and codes arrive in many spellings. This module says what the children's case list is
(its columns, the spellings of its headings and codes, which disposal belongs to which domain)
and how a row of it is made (`CaseRow`); the reading itself is `core.lists`, the machinery every
list shares: headings recognised or mapped (`core.mapping`), anything that looks like a child's
name or other direct identifier refused (the inspection needs pseudonymous case references
only), every problem listed with the row and column a person would look at in a spreadsheet, so
one upload tells the service everything it has to fix.

Pure Python (standard library and openpyxl), no Django: the web upload, the CLI and the demo
generator share it. The user-facing description of the format is docs/case-list-format.md; the
spelling tables below are the single place to extend, and the tests check the two agree.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, make_dataclass
from datetime import date
from typing import Any, Final, TextIO

from .lists import (
    AGE_RANGE,
    BOOLEAN_SPELLINGS,
    MAX_PROBLEMS,
    MAX_REF_LENGTH,
    MAX_TEXT_LENGTH,
    NAME_HEADING_EXCEPTIONS,
    OUT_OF_SCOPE,
    PERSONAL_DATA_FRAGMENTS,
    PERSONAL_DATA_HEADERS,
    PERSONAL_DATA_WORDS,
    PROGRESS_EVERY,
    YEAR_RANGE,
    Column,
    HeadingInfo,
    ListPreview,
    ListSpec,
    Problem,
    ProblemRow,
    Report,
    UnknownValue,
    looks_like_a_name,
    lookup_table,
    mask,
    personal_data_kind,
    read_list,
    spelling_key,
    too_many_cases,
)
from .mapping import Mapping as ColumnMapping
from .tables import (
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_CSV_LINE,
    ROWS_BEYOND_CASES,
    XLSX_MAX_PART,
    XLSX_MAX_ROW_BYTES,
    XLSX_MAX_SHARED_STRINGS,
    XLSX_MAX_SHEETS,
    XLSX_ZIP_LIMITS,
    UnreadableFile,
)
from .words import gettext as _

__all__ = [
    "AGE_RANGE",
    "BOOLEAN_SPELLINGS",
    "CANONICAL_COLUMNS",
    "CHILDREN_LIST",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "DISPOSAL_DEFAULT_DOMAIN",
    "DISPOSAL_DOMAINS",
    "DISPOSAL_PREFIXES",
    "DISPOSAL_SPELLINGS",
    "DOMAIN_SPELLINGS",
    "ETHNICITY_FRAGMENTS",
    "ETHNICITY_SPELLINGS",
    "HEADER_SEARCH_ROWS",
    "HEADER_SPELLINGS",
    "LEVEL_SPELLINGS",
    "MAX_COLUMNS",
    "MAX_CSV_LINE",
    "MAX_PROBLEMS",
    "MAX_REF_LENGTH",
    "MAX_TEXT_LENGTH",
    "NAME_HEADING_EXCEPTIONS",
    "OUT_OF_SCOPE",
    "PERSONAL_DATA_FRAGMENTS",
    "PERSONAL_DATA_HEADERS",
    "PERSONAL_DATA_WORDS",
    "PROGRAMME_FRAGMENTS",
    "PROGRESS_EVERY",
    "REQUIRED_COLUMNS",
    "ROWS_BEYOND_CASES",
    "SEX_SPELLINGS",
    "VALUE_LABELS",
    "XLSX_MAX_PART",
    "XLSX_MAX_ROW_BYTES",
    "XLSX_MAX_SHARED_STRINGS",
    "XLSX_MAX_SHEETS",
    "XLSX_ZIP_LIMITS",
    "YEAR_RANGE",
    "CaseListError",
    "CaseRow",
    "ColumnMapping",
    "HeadingInfo",
    "ImportPreview",
    "Problem",
    "ProblemRow",
    "UnknownValue",
    "canonical_columns",
    "looks_like_a_name",
    "mask",
    "parse_case_list",
    "personal_data_kind",
    "value_label",
    "write_case_list_csv",
]

# Kept under their old names for the modules and tests that read them from here.
_key = spelling_key
_lookup = lookup_table

# ---------------------------------------------------------------------------------------------
# The format, as plain data. Spellings are matched ignoring case, spaces, underscores and
# punctuation, with '&' read as 'and' ("Case Ref", "case_ref" and "CASE-REF" are the same), and
# each canonical name or code is always accepted as itself. Add a spelling here and it works
# everywhere. The first spelling of each code is its label for people ("Referral order"); keep
# it readable.
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


# When no spelling matches, a disposal written as one of these and then more words is that
# disposal: "YRO with curfew", "Section 250 PCC(S)A 2000", "DTO 12 months", "Triage - youth".
# Matched word by word (letters and numbers apart), so "S250" is "S 250" and never "S2500".
# Longer first where one starts another.
DISPOSAL_PREFIXES: Final[tuple[tuple[str, str], ...]] = (
    ("Youth rehabilitation order", "youth_rehabilitation_order"),
    ("YRO", "youth_rehabilitation_order"),
    ("Referral order", "referral_order"),
    ("Reparation order", "reparation_order"),
    ("Detention and training order", "detention_and_training_order"),
    ("DTO", "detention_and_training_order"),
    ("Section 250", "section_250"),
    ("Sec 250", "section_250"),
    ("S 250", "section_250"),
    ("Section 91", "section_250"),
    ("Sec 91", "section_250"),
    ("S 91", "section_250"),
    ("Section 254", "other_custodial"),
    ("S 254", "other_custodial"),
    ("Section 259", "other_custodial"),
    ("S 259", "other_custodial"),
    ("Section 90", "other_custodial"),
    ("S 90", "other_custodial"),
    ("Extended sentence", "other_custodial"),
    ("Youth conditional caution", "youth_conditional_caution"),
    ("YCC", "youth_conditional_caution"),
    ("Youth caution", "youth_caution"),
    ("Community resolution", "community_resolution"),
    ("Outcome 22", "deferred_prosecution"),
    ("Outcome 8", "community_resolution"),
    ("Deferred prosecution", "deferred_prosecution"),
    ("Triage", "triage"),
    ("Conditional discharge", "other_court"),
    ("Absolute discharge", "other_court"),
    ("Compensation order", "other_court"),
)

# Values naming a programme rather than a youth justice outcome: a disposal containing one of
# these (ignoring case, spaces and punctuation) is flagged as out of scope, never guessed. A
# service that lists such work marks the value out of scope in its mapping, and those rows
# are left out with a note.
PROGRAMME_FRAGMENTS: Final[tuple[str, ...]] = (
    "prevention",
    "earlyhelp",
    "earlyintervention",
    "turnaround",
    "targetedyouthsupport",
    "youthsupportprogramme",
    "universalservice",
)

# When the file has no domain column, each case's domain comes from its disposal: a custodial
# sentence is a court case (a resettlement case needs the file to say so, in a domain column).
DISPOSAL_DEFAULT_DOMAIN: Final[Mapping[str, str]] = {
    "referral_order": "court",
    "youth_rehabilitation_order": "court",
    "reparation_order": "court",
    "other_court": "court",
    "detention_and_training_order": "court",
    "section_250": "court",
    "other_custodial": "court",
    "youth_caution": "out_of_court",
    "youth_conditional_caution": "out_of_court",
    "community_resolution": "out_of_court",
    "deferred_prosecution": "out_of_court",
    "triage": "out_of_court",
    "no_further_action_with_intervention": "out_of_court",
}

DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024
DEFAULT_MAX_ROWS: Final = 200_000

if (
    set(DISPOSAL_DOMAINS) != set(DISPOSAL_SPELLINGS)
    or not all(domains <= set(DOMAIN_SPELLINGS) for domains in DISPOSAL_DOMAINS.values())
    or any(DISPOSAL_DEFAULT_DOMAIN[d] not in DISPOSAL_DOMAINS[d] for d in DISPOSAL_DOMAINS)
    or any(code not in DISPOSAL_SPELLINGS for _prefix, code in DISPOSAL_PREFIXES)
):
    raise ValueError(
        "every disposal_type needs spellings, domains and a default domain among them, "
        "domains must exist, and prefixes must name disposals"
    )


# ---------------------------------------------------------------------------------------------
# Public types
# ---------------------------------------------------------------------------------------------


class CaseListError(UnreadableFile):
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


@dataclass(frozen=True)
class ImportPreview(ListPreview[CaseRow]):
    """What an upload of the children's case list would import, shown to the person before
    anything is saved (`core.lists.ListPreview`: rows, problems, headings, unknown values)."""


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
# The children's case list as a list of `core.lists`
# ---------------------------------------------------------------------------------------------


def _column(name: str, **kind: Any) -> Column:
    return Column(name, required=name in REQUIRED_COLUMNS, headings=HEADER_SPELLINGS[name], **kind)


CHILDREN_COLUMNS: Final = (
    _column("case_ref", kind="reference", unique=True, max_length=MAX_REF_LENGTH),
    _column(
        "domain",
        kind="code",
        codes=DOMAIN_SPELLINGS,
        derived_from="disposal_type",
        out_of_scope_allowed=True,
    ),
    _column(
        "disposal_type",
        kind="code",
        codes=DISPOSAL_SPELLINGS,
        prefixes=DISPOSAL_PREFIXES,
        programmes=PROGRAMME_FRAGMENTS,
        out_of_scope_allowed=True,
    ),
    _column("start_date", kind="date"),
    _column("end_date", kind="date"),
    _column("case_manager", kind="text", max_length=MAX_TEXT_LENGTH),
    _column("risk_of_harm", kind="code", codes=LEVEL_SPELLINGS),
    _column("safety_wellbeing", kind="code", codes=LEVEL_SPELLINGS),
    _column("sex", kind="code", codes=SEX_SPELLINGS),
    _column(
        "ethnicity_group", kind="code", codes=ETHNICITY_SPELLINGS, fragments=ETHNICITY_FRAGMENTS
    ),
    _column("age", kind="age", age_range=AGE_RANGE),
    _column("looked_after", kind="yes_no"),
    _column("custody", kind="yes_no"),
)

_VALID_PAIRS: Final = frozenset(
    (domain, disposal) for disposal, domains in DISPOSAL_DOMAINS.items() for domain in domains
)

# The fast path's way to make a CaseRow. A frozen dataclass sets each field through
# object.__setattr__, which made building the rows over a third of the time to read 100,000
# cases. This unfrozen twin has the same fields, hence the same slots, so an instance built
# quickly by it can become a CaseRow by assigning __class__; from then on it is an ordinary,
# frozen CaseRow. A test checks that such rows equal, hash and refuse changes like the rest.
_CaseRowBuilder: Final[Any] = make_dataclass(
    "_CaseRowBuilder", [(f.name, f.type) for f in fields(CaseRow)], slots=True
)


def _either(names: list[str]) -> str:
    """'court', or 'court or resettlement' in the host's language: a disposal is allowed at
    most two domains, and a longer list (none today) would be joined in English."""
    if len(names) == 2:
        return _("%(first)s or %(second)s") % {"first": names[0], "second": names[1]}
    return " or ".join(names)


class _CaseRows:
    """CaseRows from a row's values (CANONICAL_COLUMNS order): the end not before the start,
    the disposal in the row's domain, or the domain from the disposal when there is no domain
    column."""

    def __init__(self, present: frozenset[str]) -> None:
        self.derive = "domain" not in present
        self.notes: list[str] = []
        if self.derive and "disposal_type" in present:
            self.notes.append(
                _(
                    "The file has no domain column, so each case's domain comes from its "
                    "disposal (a custodial sentence is a court case); add a domain column to "
                    "list resettlement cases."
                )
            )

    def fast(self, number: int, values: tuple[Any, ...]) -> CaseRow | None:
        domain, disposal, start, end = values[1], values[2], values[3], values[4]
        if self.derive:
            domain = DISPOSAL_DEFAULT_DOMAIN[disposal]
            values = (values[0], domain, *values[2:])
        if (domain, disposal) not in _VALID_PAIRS or (end is not None and end < start):
            return None
        row = _CaseRowBuilder(number, *values)
        row.__class__ = CaseRow
        return row  # type: ignore[no-any-return]

    def careful(self, number: int, values: list[Any], report: Report) -> CaseRow | None:
        if self.derive and values[2] is not None:
            values[1] = DISPOSAL_DEFAULT_DOMAIN[values[2]]
        domain, disposal_type, start_date, end_date = values[1], values[2], values[3], values[4]
        if start_date is not None and end_date is not None and end_date < start_date:
            report(
                "end_date",
                end_date.isoformat(),
                _("end_date %(end)s is before start_date %(start)s")
                % {"end": end_date.isoformat(), "start": start_date.isoformat()},
            )
        if domain is not None and disposal_type is not None:
            allowed = DISPOSAL_DOMAINS[disposal_type]
            if domain not in allowed:
                report(
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
        if any(values[i] is None for i in _REQUIRED_POSITIONS):
            return None
        return CaseRow(number, *values)


_REQUIRED_POSITIONS: Final = tuple(
    i for i, column in enumerate(CANONICAL_COLUMNS) if column in REQUIRED_COLUMNS
)


class _ChildrenList(ListSpec[CaseRow]):
    def builder(self, present: frozenset[str]) -> _CaseRows:
        return _CaseRows(present)


CHILDREN_LIST: Final = _ChildrenList("children", CHILDREN_COLUMNS)


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def parse_case_list(
    data: bytes,
    filename: str,
    *,
    mapping: ColumnMapping | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> ImportPreview:
    """Read an uploaded case list and say what would be imported and what must be fixed.

    The format comes from the file name (.csv or .xlsx). `mapping` is the service's saved
    mapping (`core.mapping`), applied before the built-in spellings; one that does not fit
    the children's list is reported as a problem and not applied. `progress(rows_done,
    rows_total)` is called at least every 1,000 rows and once at the end; for XLSX the total is
    the size the workbook records and is corrected as rows arrive. Raises CaseListError only
    when the file cannot be read at all; every problem with its content is in the preview.
    """
    try:
        preview = read_list(
            CHILDREN_LIST,
            data,
            filename,
            mapping=mapping,
            progress=progress,
            max_bytes=max_bytes,
            max_rows=max_rows,
            too_many=too_many_cases,
            empty=_("the file is empty: it has no headings and no cases"),
        )
    except UnreadableFile as exc:
        raise CaseListError(str(exc)) from None
    return ImportPreview(**{f.name: getattr(preview, f.name) for f in fields(preview)})


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
