"""Case-list import: spellings, dates, every problem by row and column, personal-data refusal."""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Sequence
from dataclasses import FrozenInstanceError, asdict, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yjinspect.core import caselist
from yjinspect.core.caselist import (
    CANONICAL_COLUMNS,
    REQUIRED_COLUMNS,
    CaseListError,
    CaseRow,
    ImportPreview,
    Problem,
    canonical_columns,
    looks_like_a_name,
    mask,
    parse_case_list,
    personal_data_kind,
    value_label,
    write_case_list_csv,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "case-list-format.md"

HEADINGS = list(CANONICAL_COLUMNS)
GOOD = {
    "case_ref": "YJ001",
    "domain": "court",
    "disposal_type": "referral_order",
    "start_date": "2024-04-08",
    "end_date": "",
    "case_manager": "CM01",
    "risk_of_harm": "low",
    "safety_wellbeing": "medium",
    "sex": "male",
    "ethnicity_group": "white",
    "age": "15",
    "looked_after": "no",
    "custody": "no",
}


def make_csv(
    rows: Sequence[dict[str, str] | Sequence[str]],
    headings: Sequence[str] = HEADINGS,
    delimiter: str = ",",
) -> bytes:
    """A CSV with the given headings; dict rows are laid out under the canonical names."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headings)
    for row in rows:
        if isinstance(row, dict):
            writer.writerow([row.get(column, "") for column in CANONICAL_COLUMNS])
        else:
            writer.writerow(row)
    return out.getvalue().encode("utf-8")


def good(n: int = 0, **changes: str) -> dict[str, str]:
    """A valid row with reference YJ{n:03d}, changed as asked."""
    return {**GOOD, "case_ref": f"YJ{n:03d}", **changes}


def parse_rows(*rows: dict[str, str]) -> ImportPreview:
    return parse_case_list(make_csv(rows), "cases.csv")


def make_xlsx(rows: Sequence[Sequence[object]], extra_sheet: bool = False) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Case list"
    for row in rows:
        sheet.append(list(row))
    if extra_sheet:
        workbook.create_sheet("Notes").append(["nothing to see"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def only_problem(preview: ImportPreview) -> Problem:
    assert len(preview.problems) == 1, preview.problems
    return preview.problems[0]


# --- the happy path -----------------------------------------------------------------------------


def test_canonical_file_gives_typed_rows() -> None:
    preview = parse_rows(good(1, end_date="2024-10-07", looked_after="yes"), good(2, age=""))
    assert preview.ok
    assert preview.problems == []
    assert preview.header_mapping == {c: c for c in CANONICAL_COLUMNS}
    assert preview.ignored_columns == []
    first, second = preview.rows
    assert first == CaseRow(
        row=2,
        case_ref="YJ001",
        domain="court",
        disposal_type="referral_order",
        start_date=date(2024, 4, 8),
        end_date=date(2024, 10, 7),
        case_manager="CM01",
        risk_of_harm="low",
        safety_wellbeing="medium",
        sex="male",
        ethnicity_group="white",
        age=15,
        looked_after=True,
        custody=False,
    )
    assert first.row == 2
    assert second.row == 3
    assert second.age is None
    assert second.end_date is None


def test_optional_columns_may_be_left_out() -> None:
    required = [c for c in CANONICAL_COLUMNS if c in REQUIRED_COLUMNS]
    data = make_csv([[good(1)[c] for c in required]], headings=required)
    preview = parse_case_list(data, "cases.csv")
    assert preview.ok, preview.problems
    (row,) = preview.rows
    assert (row.sex, row.ethnicity_group, row.age, row.looked_after, row.custody) == (None,) * 5
    assert row.end_date is None


def test_canonical_columns_and_required_set() -> None:
    assert canonical_columns() == CANONICAL_COLUMNS
    assert canonical_columns()[0] == "case_ref"
    required = {
        "case_ref",
        "domain",
        "disposal_type",
        "start_date",
        "case_manager",
        "risk_of_harm",
        "safety_wellbeing",
    }
    assert required == REQUIRED_COLUMNS


def test_rows_and_problems_are_frozen() -> None:
    preview = parse_rows(good(1))
    with pytest.raises(AttributeError):
        preview.rows[0].case_ref = "X"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        preview.rows = []  # type: ignore[misc]


def test_rows_from_the_fast_path_are_ordinary_frozen_case_rows() -> None:
    """The second row's cells have all been seen, so it is built by the fast path."""
    careful, fast = parse_rows(good(1), good(2)).rows
    expected = replace(careful, case_ref="YJ002", row=3)
    assert type(fast) is CaseRow
    assert fast == expected
    assert hash(fast) == hash(expected)
    assert repr(fast) == repr(expected)
    assert asdict(fast) == asdict(expected)
    assert replace(fast, age=11).age == 11
    with pytest.raises(FrozenInstanceError):
        fast.age = 11  # type: ignore[misc]


# --- headings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "column"),
    [
        ("Case Reference", "case_ref"),
        ("Case Ref", "case_ref"),
        ("Ref", "case_ref"),
        ("YJ Ref", "case_ref"),
        ("CASE_REF", "case_ref"),
        ("Case ref.", "case_ref"),
        ("Disposal", "disposal_type"),
        ("Outcome type", "disposal_type"),
        ("Sentence start", "start_date"),
        ("Start", "start_date"),
        ("Order start date", "start_date"),
        ("Order end date", "end_date"),
        ("Risk of serious harm", "risk_of_harm"),
        ("RoSH", "risk_of_harm"),
        ("ROH", "risk_of_harm"),
        ("Risk of harm (RoSH)", "risk_of_harm"),
        ("Safety and wellbeing", "safety_wellbeing"),
        ("Safety & Well-being", "safety_wellbeing"),
        ("SaW", "safety_wellbeing"),
        ("Gender", "sex"),
        ("Ethnicity", "ethnicity_group"),
        ("LAC", "looked_after"),
        ("Looked after child", "looked_after"),
        ("CLA", "looked_after"),
        ("Case worker", "case_manager"),
        ("Case manager", "case_manager"),
        ("Practitioner", "case_manager"),
        ("Case manager name", "case_manager"),
        ("Age (years)", "age"),
        ("In custody", "custody"),
    ],
)
def test_heading_spellings(heading: str, column: str) -> None:
    headings = [heading if c == column else c for c in CANONICAL_COLUMNS]
    preview = parse_case_list(make_csv([good(1)], headings), "cases.csv")
    assert preview.ok, preview.problems
    assert preview.header_mapping[heading] == column
    assert len(preview.rows) == 1


def test_unknown_columns_are_ignored_and_never_read() -> None:
    headings = [*HEADINGS, "Notes", "Team name"]
    row = [*good(1).values(), "disclosed at interview: SECRET-NOTE", "North team"]
    preview = parse_case_list(make_csv([row], headings), "cases.csv")
    assert preview.ok
    assert preview.ignored_columns == ["Notes", "Team name"]
    assert "SECRET-NOTE" not in repr(preview)


def test_missing_required_column_is_one_problem_without_a_row() -> None:
    headings = [c for c in CANONICAL_COLUMNS if c != "risk_of_harm"]
    rows = [[good(n)[c] for c in headings] for n in range(5)]
    preview = parse_case_list(make_csv(rows, headings), "cases.csv")
    problem = only_problem(preview)
    assert (problem.row, problem.column) == (None, "risk_of_harm")
    assert "missing" in problem.message
    assert "RoSH" in problem.message or "Risk of harm" in problem.message
    assert preview.rows == []
    assert not preview.ok


def test_every_missing_required_column_is_reported() -> None:
    preview = parse_case_list(b"case_ref,notes\nYJ1,x\n", "cases.csv")
    missing = {p.column for p in preview.problems if p.row is None}
    assert missing == REQUIRED_COLUMNS - {"case_ref"}


def test_two_columns_with_one_meaning_is_a_problem() -> None:
    headings = [*HEADINGS, "Case reference"]
    preview = parse_case_list(make_csv([[*good(1).values(), "YJ001"]], headings), "cases.csv")
    problem = only_problem(preview)
    assert (problem.row, problem.column) == (None, "case_ref")
    assert "'case_ref'" in problem.message and "'Case reference'" in problem.message


def test_one_title_row_is_skipped() -> None:
    preview = parse_case_list(b"Cases at 1 May\n" + make_csv([good(1)]), "cases.csv")
    assert [r.row for r in preview.rows] == [3]
    assert preview.notices == ["Row 1 was above the column headings, so skipped."]


def test_title_rows_above_the_headings_are_skipped() -> None:
    data = b"Case list export\nProduced 01/05/2024\n\n" + make_csv([good(1)])
    preview = parse_case_list(data, "cases.csv")
    assert preview.ok, preview.problems
    assert preview.rows[0].row == 5
    assert any("Rows 1–3" in notice for notice in preview.notices)


# --- codes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "spelling", "code"),
    [
        ("disposal_type", "Referral Order", "referral_order"),
        ("disposal_type", "RO", "referral_order"),
        ("disposal_type", "YRO", "youth_rehabilitation_order"),
        ("disposal_type", "Fine", "other_court"),
        ("disposal_type", "Referral Order (RO)", "referral_order"),
        ("domain", "Post-court", "court"),
        ("risk_of_harm", "Very High", "very_high"),
        ("risk_of_harm", "V High", "very_high"),
        ("risk_of_harm", "V. high", "very_high"),
        ("risk_of_harm", "Med", "medium"),
        ("safety_wellbeing", "M", "medium"),
        ("safety_wellbeing", "HIGH", "high"),
        ("sex", "M", "male"),
        ("sex", "F", "female"),
        ("sex", "Not known", "unknown"),
        ("ethnicity_group", "Black or Black British", "black"),
        ("ethnicity_group", "Asian or Asian British: Pakistani", "asian"),
        ("ethnicity_group", "Mixed: White and Black Caribbean", "mixed"),
        ("ethnicity_group", "White and Asian", "mixed"),
        ("ethnicity_group", "Any other White background", "white"),
        ("ethnicity_group", "Gypsy or Irish Traveller", "white"),
        ("ethnicity_group", "Other ethnic group: Arab", "other"),
        ("ethnicity_group", "Prefer not to say", "not_known"),
    ],
)
def test_code_spellings(column: str, spelling: str, code: str) -> None:
    preview = parse_rows(good(1, **{column: spelling}))
    assert preview.ok, preview.problems
    assert getattr(preview.rows[0], column) == code


@pytest.mark.parametrize(
    ("domain", "disposal", "code"),
    [
        ("Out of court", "Youth Conditional Caution", "youth_conditional_caution"),
        ("OOCD", "YCC", "youth_conditional_caution"),
        ("oocd", "YC", "youth_caution"),
        ("Out-of-court", "Community Resolution", "community_resolution"),
        ("out of court", "CR", "community_resolution"),
        ("OOCD", "Outcome 22", "deferred_prosecution"),
        ("OOCD", "Triage", "triage"),
        ("OOCD", "NFA with intervention", "no_further_action_with_intervention"),
        ("Court", "DTO", "detention_and_training_order"),
        ("Resettlement", "DTO", "detention_and_training_order"),
        ("Custody", "Section 250", "section_250"),
        ("Court", "S91", "section_250"),
        ("resettlement", "Extended sentence", "other_custodial"),
    ],
)
def test_disposal_spellings_with_their_domains(domain: str, disposal: str, code: str) -> None:
    preview = parse_rows(good(1, domain=domain, disposal_type=disposal))
    assert preview.ok, preview.problems
    assert preview.rows[0].disposal_type == code


@pytest.mark.parametrize(
    ("spelling", "value"),
    [
        ("Y", True),
        ("yes", True),
        ("TRUE", True),
        ("1", True),
        ("N", False),
        ("false", False),
        ("0", False),
        ("No", False),
        ("", None),
    ],
)
def test_yes_no_spellings(spelling: str, value: bool | None) -> None:
    preview = parse_rows(good(1, looked_after=spelling, custody=spelling))
    assert preview.ok, preview.problems
    assert preview.rows[0].looked_after is value
    assert preview.rows[0].custody is value


def test_unknown_code_lists_the_accepted_codes() -> None:
    preview = parse_rows(good(1), good(2, disposal_type="Supervision order"))
    problem = only_problem(preview)
    assert (problem.row, problem.column, problem.value) == (3, "disposal_type", "Supervision order")
    for code in caselist.DISPOSAL_SPELLINGS:
        assert code in problem.message
    assert [r.case_ref for r in preview.rows] == ["YJ001"]


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-08", date(2024, 4, 8)),
        ("2024-4-8", date(2024, 4, 8)),
        ("2024/04/08", date(2024, 4, 8)),
        ("2024-04-08T00:00:00", date(2024, 4, 8)),
        ("2024-04-08 13:45", date(2024, 4, 8)),
        ("08/04/2024", date(2024, 4, 8)),
        ("8/4/2024", date(2024, 4, 8)),
        ("8/4/24", date(2024, 4, 8)),
        ("08-04-2024", date(2024, 4, 8)),
        ("08.04.2024", date(2024, 4, 8)),
        ("08/04/2024 00:00", date(2024, 4, 8)),
        ("8 Apr 2024", date(2024, 4, 8)),
        ("08-Apr-2024", date(2024, 4, 8)),
        ("8th April 2024", date(2024, 4, 8)),
        ("31/12/2023", date(2023, 12, 31)),
        ("29/02/2024", date(2024, 2, 29)),
        # Ambiguous-looking dates are read day first, never month first.
        ("04/05/2024", date(2024, 5, 4)),
        ("12/01/2024", date(2024, 1, 12)),
    ],
)
def test_dates_accepted(text: str, expected: date) -> None:
    preview = parse_rows(good(1, start_date=text))
    assert preview.ok, preview.problems
    assert preview.rows[0].start_date == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("04/13/2024", "month-first"),
        ("12/31/2023", "month-first"),
        ("31/02/2024", "not a real date"),
        ("29/02/2023", "not a real date"),
        ("2024-13-01", "13 is not a month"),
        ("01/01/1900", "placeholder"),
        ("31/12/9999", "placeholder"),
        ("45390", "a number, not a date"),
        ("next Tuesday", "not a date"),
        ("8 Foo 2024", "not a month name"),
        ("2024-04-08+01:00", "not a date"),
        ("08/04-2024", "not a date"),
    ],
)
def test_bad_dates_name_row_and_column(text: str, fragment: str) -> None:
    preview = parse_rows(good(1), good(2, start_date=text))
    problem = only_problem(preview)
    assert (problem.row, problem.column, problem.value) == (3, "start_date", text)
    assert fragment in problem.message
    assert [r.case_ref for r in preview.rows] == ["YJ001"]


def test_end_before_start_names_end_date() -> None:
    preview = parse_rows(good(1, start_date="08/04/2024", end_date="07/04/2024"))
    problem = only_problem(preview)
    assert (problem.row, problem.column) == (2, "end_date")
    assert "2024-04-07" in problem.message and "2024-04-08" in problem.message
    assert preview.rows == []


def test_end_on_the_start_day_is_fine() -> None:
    assert parse_rows(good(1, start_date="08/04/2024", end_date="2024-04-08")).ok


# --- other cell problems: each names its row and column -----------------------------------------


@pytest.mark.parametrize(
    ("changes", "column", "fragment"),
    [
        ({"case_ref": ""}, "case_ref", "required"),
        ({"domain": " "}, "domain", "required"),
        ({"case_manager": ""}, "case_manager", "required"),
        ({"start_date": ""}, "start_date", "required"),
        ({"risk_of_harm": ""}, "risk_of_harm", "required"),
        ({"safety_wellbeing": ""}, "safety_wellbeing", "required"),
        ({"domain": "prevention"}, "domain", "court, out_of_court, resettlement"),
        ({"risk_of_harm": "extreme"}, "risk_of_harm", "low, medium, high, very_high"),
        ({"sex": "X"}, "sex", "male, female, other, unknown"),
        ({"ethnicity_group": "Martian"}, "ethnicity_group", "asian, black"),
        ({"age": "9"}, "age", "outside 10–18"),
        ({"age": "19"}, "age", "outside 10–18"),
        ({"age": "15.5"}, "age", "whole number"),
        ({"age": "fifteen"}, "age", "whole number"),
        ({"looked_after": "maybe"}, "looked_after", "yes or no"),
        ({"custody": "2"}, "custody", "yes or no"),
        ({"domain": "out_of_court"}, "disposal_type", "court domain"),
        ({"disposal_type": "YCC"}, "disposal_type", "out_of_court domain"),
        ({"domain": "resettlement", "disposal_type": "Triage"}, "disposal_type", "resettlement"),
        ({"case_ref": "=HYPERLINK(1)"}, "case_ref", "start with a letter or digit"),
        ({"case_ref": "+44"}, "case_ref", "start with a letter or digit"),
        ({"case_ref": "-12"}, "case_ref", "start with a letter or digit"),
        ({"case_ref": "@ref"}, "case_ref", "start with a letter or digit"),
        ({"case_ref": "A" * 65}, "case_ref", "at most 64"),
        ({"case_manager": "C" * 101}, "case_manager", "longer than 100"),
    ],
)
def test_each_cell_problem_names_row_and_column(
    changes: dict[str, str], column: str, fragment: str
) -> None:
    preview = parse_rows(good(1), good(2), good(3, **changes), good(4))
    problem = only_problem(preview)
    assert (problem.row, problem.column) == (4, column)
    assert fragment in problem.message
    assert [r.case_ref for r in preview.rows] == ["YJ001", "YJ002", "YJ004"]
    assert not preview.ok


@pytest.mark.parametrize("age", ["10", "18", " 12 "])
def test_ages_at_the_edges_are_accepted(age: str) -> None:
    preview = parse_rows(good(1, age=age))
    assert preview.ok, preview.problems
    assert preview.rows[0].age == int(age)


def test_every_problem_in_a_row_is_reported_not_just_the_first() -> None:
    bad = good(1, domain="nowhere", start_date="13/13/2024", risk_of_harm="", age="7", sex="?")
    preview = parse_rows(bad)
    assert {(p.row, p.column) for p in preview.problems} == {
        (2, "domain"),
        (2, "start_date"),
        (2, "risk_of_harm"),
        (2, "age"),
        (2, "sex"),
    }


def test_every_bad_row_is_reported() -> None:
    rows = [good(n, start_date="04/13/2024" if n % 3 == 0 else "08/04/2024") for n in range(30)]
    preview = parse_rows(*rows)
    assert [p.row for p in preview.problems] == [n + 2 for n in range(30) if n % 3 == 0]
    assert len(preview.rows) == 20


def test_formula_like_text_outside_case_ref_is_plain_text() -> None:
    preview = parse_rows(good(1, case_manager="=SUM(A1:A9)"), good(2, case_manager="@team"))
    assert preview.ok, preview.problems
    assert [r.case_manager for r in preview.rows] == ["=SUM(A1:A9)", "@team"]


def test_cells_are_trimmed() -> None:
    preview = parse_rows(good(1, case_ref="  YJ-1/2 ", case_manager=" CM 7 ", domain=" Court "))
    assert preview.ok, preview.problems
    row = preview.rows[0]
    assert (row.case_ref, row.case_manager, row.domain) == ("YJ-1/2", "CM 7", "court")


# --- duplicates ---------------------------------------------------------------------------------


def test_duplicate_case_ref_names_both_rows() -> None:
    preview = parse_rows(good(1), good(2), good(3), good(2))
    problem = only_problem(preview)
    assert (problem.row, problem.column, problem.value) == (5, "case_ref", "YJ002")
    assert "row 3" in problem.message and "row 5" in problem.message
    assert [r.row for r in preview.rows] == [2, 3, 4]


def test_duplicates_ignore_case_and_spaces_and_each_repeat_is_reported() -> None:
    preview = parse_rows(good(1), good(2, case_ref="yj001"), good(3, case_ref=" YJ001 "))
    assert [(p.row, p.column) for p in preview.problems] == [(3, "case_ref"), (4, "case_ref")]
    assert all("row 2" in p.message for p in preview.problems)


def test_duplicate_of_a_row_with_other_problems_is_still_reported() -> None:
    preview = parse_rows(good(1, age="99"), good(1))
    assert {(p.row, p.column) for p in preview.problems} == {(2, "age"), (3, "case_ref")}
    assert preview.rows == []


# --- personal data ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Name", "a name"),
        ("First name", "a name"),
        ("Forename", "a name"),
        ("Surname", "a name"),
        ("Last Name", "a name"),
        ("Full name", "a name"),
        ("Child name", "a name"),
        ("Child's name", "a name"),
        ("Young person", "a name"),
        ("YP Name", "a name"),
        ("Child first name", "a name"),
        ("DOB", "a date of birth"),
        ("Date of birth", "a date of birth"),
        ("YP D.O.B.", "a date of birth"),
        ("Address", "an address"),
        ("Home address", "an address"),
        ("Postcode", "an address"),
        ("PNC", "an identifying number"),
        ("PNC number", "an identifying number"),
        ("NHS number", "an identifying number"),
        ("NHS No.", "an identifying number"),
        ("UPN", "an identifying number"),
        ("Email", "contact details"),
    ],
)
def test_personal_data_columns_are_refused_without_echoing_values(heading: str, kind: str) -> None:
    secret = "Zebedee Quux-Xylophone"
    headings = [*HEADINGS, heading]
    rows = [[*good(n).values(), f"{secret} {n}"] for n in range(3)]
    preview = parse_case_list(make_csv(rows, headings), "cases.csv")
    problem = only_problem(preview)
    assert (problem.row, problem.column, problem.value) == (None, heading, "")
    assert f"personal data ({kind})" in problem.message
    assert "remove it and upload again" in problem.message
    assert "Zebedee" not in repr(preview) and "Xylophone" not in repr(preview)
    assert heading not in preview.ignored_columns
    assert heading not in preview.header_mapping
    assert not preview.ok


def test_personal_data_column_in_xlsx_is_refused_without_echoing_values() -> None:
    data = make_xlsx([[*HEADINGS, "Surname"], [*good(1).values(), "Oyelaran-Quist"]])
    preview = parse_case_list(data, "cases.xlsx")
    assert only_problem(preview).column == "Surname"
    assert "Oyelaran" not in repr(preview)


@pytest.mark.parametrize(
    "heading", ["Team name", "School name", "Social worker name", "Notes", "Offence"]
)
def test_staff_and_organisation_headings_are_not_personal_data(heading: str) -> None:
    assert personal_data_kind(heading) is None


def test_known_headings_win_over_the_name_rule() -> None:
    preview = parse_case_list(
        make_csv(
            [good(1)], [("Case manager name" if c == "case_manager" else c) for c in HEADINGS]
        ),
        "cases.csv",
    )
    assert preview.ok, preview.problems


@pytest.mark.parametrize(
    ("ref", "masked"),
    [
        ("Jane Smith", "J*** S****"),
        ("SMITH, Jane", "S**** J***"),
        ("Mary-Ann O'Neil", "M******* O*****"),
        ("Zoë Brontë", "Z** B*****"),
    ],
)
def test_case_ref_that_looks_like_a_name_is_masked(ref: str, masked: str) -> None:
    preview = parse_rows(good(1), good(2, case_ref=ref))
    problem = only_problem(preview)
    assert (problem.row, problem.column, problem.value) == (3, "case_ref", masked)
    assert "name" in problem.message
    for word in ref.replace(",", " ").split():
        assert word not in repr(preview)


@pytest.mark.parametrize("ref", ["YJ 001", "Case 12", "ABC123", "Smith", "A1 B2"])
def test_references_that_are_not_names(ref: str) -> None:
    assert not looks_like_a_name(ref)


def test_a_name_repeated_as_a_reference_is_still_masked() -> None:
    preview = parse_rows(good(1, case_ref="Jane Smith"), good(2, case_ref="Jane Smith"))
    assert [p.value for p in preview.problems] == ["J*** S****", "J*** S****"]
    assert "Smith" not in repr(preview)


def test_mask_keeps_initials_only() -> None:
    assert mask("Jane Smith") == "J*** S****"


# --- file formats -------------------------------------------------------------------------------


def test_utf8_bom_is_removed_from_the_first_heading() -> None:
    data = b"\xef\xbb\xbf" + make_csv([good(1, case_manager="Zoë")])
    preview = parse_case_list(data, "cases.csv")
    assert preview.ok, preview.problems
    assert "case_ref" in preview.header_mapping
    assert preview.rows[0].case_manager == "Zoë"
    assert preview.notices == []


def test_cp1252_is_read_with_a_notice() -> None:
    text = make_csv([good(1, case_manager="Zoë Ní Bhriain")]).decode("utf-8")
    preview = parse_case_list(text.encode("cp1252"), "cases.csv")
    assert preview.ok, preview.problems
    assert preview.rows[0].case_manager == "Zoë Ní Bhriain"
    assert any("Windows-1252" in notice for notice in preview.notices)


def test_utf16_with_bom_is_read() -> None:
    text = make_csv([good(1)], delimiter="\t").decode("utf-8")
    preview = parse_case_list(text.encode("utf-16"), "cases.csv")
    assert preview.ok, preview.problems


@pytest.mark.parametrize(("delimiter", "word"), [(";", "semicolons"), ("\t", "tabs")])
def test_semicolon_and_tab_delimiters(delimiter: str, word: str) -> None:
    data = make_csv([good(1), good(2, case_manager="Smith, J")], delimiter=delimiter)
    preview = parse_case_list(data, "cases.csv")
    assert preview.ok, preview.problems
    assert [r.case_manager for r in preview.rows] == ["CM01", "Smith, J"]
    assert any(word in notice for notice in preview.notices)


def test_quoted_line_breaks_keep_spreadsheet_row_numbers() -> None:
    data = make_csv([good(1, case_manager="CM\n01"), good(2, age="40")])
    preview = parse_case_list(data, "cases.csv")
    assert [(p.row, p.column) for p in preview.problems] == [(3, "age")]


def test_blank_rows_are_skipped_but_counted_in_row_numbers() -> None:
    data = make_csv([good(1), ["", "", ""], [], good(2, age="7")])
    preview = parse_case_list(data, "cases.csv")
    assert [(p.row, p.column) for p in preview.problems] == [(5, "age")]
    assert [r.row for r in preview.rows] == [2]


XLSX_HEADINGS = ["Ref", "Domain", "Outcome type", "Start", "End date", "Case worker", "ROH", "SaW"]


def naive(text: str) -> datetime:
    """A datetime without a time zone, as Excel stores them."""
    return datetime.fromisoformat(text)


def test_xlsx_with_date_cells_numbers_and_booleans() -> None:
    more = ["Male", 15.0, True, False]
    data = make_xlsx(
        [
            ["Case list at 1 May 2024"],
            [],
            [*XLSX_HEADINGS[:8], "Sex", "Age", "CLA", "Custody"],
            [10234, "Court", "YRO", naive("2024-04-08T00:00"), None, "CM1", "High", "Low", *more],
            ["YJ2", "OOCD", "Triage", date(2024, 4, 9), "01/05/2024", 7, "L", "L"],
            ["YJ3", "OOCD", "Triage", 45390, None, "CM1", "L", "L"],
            ["YJ4", "OOCD", "Triage", naive("1900-01-01T00:00"), None, "CM1", "L", "L", None, 15.5],
        ],
        extra_sheet=True,
    )
    preview = parse_case_list(data, "Cases.XLSX")
    first, second = preview.rows
    assert (first.row, first.case_ref, first.start_date) == (4, "10234", date(2024, 4, 8))
    assert (first.age, first.looked_after, first.custody) == (15, True, False)
    assert (second.row, second.start_date, second.end_date) == (
        5,
        date(2024, 4, 9),
        date(2024, 5, 1),
    )
    assert second.case_manager == "7"
    assert [(p.row, p.column) for p in preview.problems] == [
        (6, "start_date"),
        (7, "start_date"),
        (7, "age"),
    ]
    assert "a number, not a date" in preview.problems[0].message
    assert any("only the first, 'Case list'" in notice for notice in preview.notices)
    assert any("Rows 1–2" in notice for notice in preview.notices)


def test_xlsx_formulas_are_not_evaluated() -> None:
    cells = [*good(1).values()]
    cells[CANONICAL_COLUMNS.index("case_manager")] = "=1+1"
    data = make_xlsx([HEADINGS, cells])
    preview = parse_case_list(data, "cases.xlsx")
    problem = only_problem(preview)
    assert (problem.row, problem.column) == (2, "case_manager")
    assert "blank" in problem.message


# --- files that cannot be read, and limits ------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "fragment"),
    [
        (b"a,b\n", "cases.txt", "not a .csv or .xlsx"),
        (b"a,b\n", "cases", "not a .csv or .xlsx"),
        (b"\xd0\xcf\x11\xe0rest", "cases.xls", "not a .csv or .xlsx"),
        (b"\xd0\xcf\x11\xe0rest", "cases.xlsx", "old-style Excel"),
        (b"not a zip", "cases.xlsx", "could not be read"),
        (b"", "cases.csv", "empty"),
        (b"  \r\n\r\n ", "cases.csv", "empty"),
        (b",,,\n,,\n", "cases.csv", "empty"),
        (b"a,\x00b\n", "cases.csv", "NUL"),
        (b"\x81\x8d\x8f\x90\x9d", "cases.csv", "encoding"),
    ],
)
def test_unreadable_files_raise_a_clear_error(data: bytes, filename: str, fragment: str) -> None:
    with pytest.raises(CaseListError, match=re.escape(fragment)):
        parse_case_list(data, filename)


def test_xlsx_needing_an_unknown_zip_version_is_unreadable() -> None:
    workbook = bytearray(VALID_XLSX)
    directory = workbook.index(b"PK\x01\x02")
    workbook[directory + 6] = 94  # "version needed to extract": 9.4, which zipfile refuses
    with pytest.raises(CaseListError, match="could not be read"):
        parse_case_list(bytes(workbook), "cases.xlsx")


def test_xlsx_renamed_to_csv_is_explained() -> None:
    with pytest.raises(CaseListError, match="Excel workbook"):
        parse_case_list(make_xlsx([HEADINGS]), "cases.csv")


def test_a_file_without_headings_does_not_echo_its_first_row() -> None:
    data = b"Jane Smith,court,RO,08/04/2024\nJohn Jones,court,RO,08/04/2024\n"
    preview = parse_case_list(data, "cases.csv")
    assert preview.ignored_columns == []
    assert preview.header_mapping == {}
    assert preview.rows == []
    assert "no column headings were recognised" in preview.problems[0].message
    assert "Smith" not in repr(preview) and "Jones" not in repr(preview)


def test_xlsx_that_unpacks_to_far_more_than_its_size_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<row/>" * 200_000)
    data = buffer.getvalue()
    with pytest.raises(CaseListError, match="compressed [0-9]+ times over"):
        parse_case_list(data, "cases.xlsx", max_bytes=len(data) + 1000)


def test_header_only_is_no_cases() -> None:
    preview = parse_case_list(make_csv([]), "cases.csv")
    problem = only_problem(preview)
    assert (problem.row, problem.column) == (None, None)
    assert problem.message.startswith("no cases")
    assert preview.header_mapping["case_ref"] == "case_ref"


def test_max_bytes() -> None:
    data = make_csv([good(n) for n in range(50)])
    assert parse_case_list(data, "cases.csv", max_bytes=len(data)).ok
    with pytest.raises(CaseListError, match="largest accepted"):
        parse_case_list(data, "cases.csv", max_bytes=len(data) - 1)


def test_max_rows_counts_cases_not_blank_rows() -> None:
    rows: list[dict[str, str] | list[str]] = [good(n) for n in range(2500)]
    rows += [[]] * 10
    data = make_csv(rows)
    assert len(parse_case_list(data, "cases.csv", max_rows=2500).rows) == 2500
    with pytest.raises(CaseListError, match="more than 2,499 cases"):
        parse_case_list(data, "cases.csv", max_rows=2499)


def test_progress_is_reported_at_least_every_thousand_rows() -> None:
    calls: list[tuple[int, int]] = []
    data = make_csv([good(n) for n in range(2500)])
    preview = parse_case_list(data, "cases.csv", progress=lambda d, t: calls.append((d, t)))
    assert len(preview.rows) == 2500
    assert calls[0] == (0, 2500)
    assert calls[-1] == (2500, 2500)
    done = [d for d, _ in calls]
    assert done == sorted(done)
    assert all(b - a <= 1000 for a, b in itertools.pairwise(done))
    assert all(t == 2500 for _, t in calls)


def test_progress_for_xlsx_ends_at_the_total() -> None:
    calls: list[tuple[int, int]] = []
    data = make_xlsx([HEADINGS, *[list(good(n).values()) for n in range(1200)]])
    parse_case_list(data, "cases.xlsx", progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (1200, 1200)
    assert all(d <= t for d, t in calls)


# --- writing ------------------------------------------------------------------------------------


def test_write_case_list_csv_writes_canonical_form() -> None:
    row = parse_rows(good(1, end_date="2024-05-01", looked_after="Y", sex="")).rows[0]
    out = io.StringIO(newline="")
    assert write_case_list_csv([row], out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == ",".join(CANONICAL_COLUMNS)
    assert (
        lines[1]
        == "YJ001,court,referral_order,2024-04-08,2024-05-01,CM01,low,medium,,white,15,yes,no"
    )


@st.composite
def case_rows(draw: st.DrawFn) -> CaseRow:
    """Any valid row, in canonical form."""
    disposal = draw(st.sampled_from(sorted(caselist.DISPOSAL_DOMAINS)))
    start = draw(st.dates(date(1990, 1, 1), date(2099, 12, 31)))
    days = draw(st.none() | st.integers(0, 800))
    manager_text = st.text(st.characters(codec="utf-8").filter(str.isprintable), min_size=1)
    return CaseRow(
        row=0,
        case_ref=draw(st.from_regex(r"[A-Z]{0,3}[0-9]{1,6}(/[0-9]{1,2})?", fullmatch=True)),
        domain=draw(st.sampled_from(sorted(caselist.DISPOSAL_DOMAINS[disposal]))),
        disposal_type=disposal,
        start_date=start,
        end_date=None if days is None else min(start + timedelta(days=days), date(2100, 12, 31)),
        case_manager=draw(manager_text.map(str.strip).filter(lambda s: 0 < len(s) <= 100)),
        risk_of_harm=draw(st.sampled_from(sorted(caselist.LEVEL_SPELLINGS))),
        safety_wellbeing=draw(st.sampled_from(sorted(caselist.LEVEL_SPELLINGS))),
        sex=draw(st.none() | st.sampled_from(sorted(caselist.SEX_SPELLINGS))),
        ethnicity_group=draw(st.none() | st.sampled_from(sorted(caselist.ETHNICITY_SPELLINGS))),
        age=draw(st.none() | st.integers(10, 18)),
        looked_after=draw(st.none() | st.booleans()),
        custody=draw(st.none() | st.booleans()),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(case_rows(), min_size=1, max_size=30, unique_by=lambda r: r.case_ref.casefold()))
def test_round_trip_write_then_parse(rows: list[CaseRow]) -> None:
    out = io.StringIO(newline="")
    assert write_case_list_csv(rows, out) == len(rows)
    preview = parse_case_list(out.getvalue().encode("utf-8"), "cases.csv")
    assert preview.problems == []
    assert preview.rows == rows
    assert [r.row for r in preview.rows] == list(range(2, len(rows) + 2))


# --- fuzzing ------------------------------------------------------------------------------------


def _check_preview(preview: ImportPreview, last_row: int | None = None) -> None:
    """What every preview promises, whatever the input."""
    assert preview.ok == (not preview.problems)
    for problem in preview.problems:
        assert problem.row is None or problem.row >= 1
        if last_row is not None and problem.row is not None:
            assert problem.row <= last_row
        assert problem.message
    valid_rows = {r.row for r in preview.rows}
    assert not valid_rows & {p.row for p in preview.problems}
    for row in preview.rows:
        assert isinstance(row.start_date, date)
        assert row.domain in caselist.DOMAIN_SPELLINGS
        assert row.domain in caselist.DISPOSAL_DOMAINS[row.disposal_type]
        assert row.end_date is None or row.end_date >= row.start_date
        assert row.age is None or 10 <= row.age <= 18
        assert row.case_ref[0].isalnum()
    assert len({r.case_ref.casefold() for r in preview.rows}) == len(preview.rows)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["x.csv", "x.xlsx"]))
def test_arbitrary_bytes_never_crash(data: bytes, filename: str) -> None:
    try:
        preview = parse_case_list(data, filename)
    except CaseListError as exc:
        assert str(exc)
    else:
        _check_preview(preview)


CHARACTERS = st.characters(codec="utf-8", exclude_characters="\x00")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_workbooks_raise_case_list_error_or_give_a_preview(data: st.DataObject) -> None:
    workbook = bytearray(VALID_XLSX)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(workbook) - 1))
        workbook[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(workbook) // 2, len(workbook)))
    try:
        preview = parse_case_list(bytes(workbook[:cut]), "cases.xlsx")
    except CaseListError as exc:
        assert str(exc)
    else:
        _check_preview(preview)


VALID_XLSX = make_xlsx([HEADINGS, *[list(good(n).values()) for n in range(20)]])
CELL_POOL = [
    "",
    " ",
    "YJ1",
    "YJ1 ",
    "yj1",
    "YJ2",
    "Jane Smith",
    "=1+1",
    "court",
    "Court",
    "OOCD",
    "resettlement",
    "RO",
    "YCC",
    "DTO",
    "Outcome 22",
    "08/04/2024",
    "2024-04-07",
    "04/13/2024",
    "31/02/2024",
    "low",
    "V High",
    "M",
    "F",
    "15",
    "9",
    "18",
    "Y",
    "n",
    "maybe",
    "white",
    "Martian",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.sampled_from(CELL_POOL) | st.text(CHARACTERS, max_size=8), max_size=15),
        max_size=25,
    )
)
def test_arbitrary_cells_give_problems_not_errors(rows: list[list[str]]) -> None:
    data = make_csv(rows)
    preview = parse_case_list(data, "cases.csv")
    _check_preview(preview, last_row=len(rows) + 1)
    # Every non-blank data row is either imported, has at least one problem, or is one of the
    # notes below the last case (at most two values each, after every row with more).
    non_blank = {n + 2 for n, row in enumerate(rows) if "".join(row).strip()}
    with_problems = {p.row for p in preview.problems if p.row is not None}
    skipped = set(preview.skipped_rows)
    assert {r.row for r in preview.rows} | with_problems | skipped == non_blank
    for number in skipped:
        assert sum(1 for cell in rows[number - 2] if cell.strip()) <= 2
        assert number not in with_problems and number > min(non_blank)


def assert_same_alone_or_in_file(rows: list[list[str]]) -> None:
    """The importer remembers values it has checked; that must never change a row's result.
    Each row's problems in the whole file must be those it has alone, plus a duplicate problem
    exactly when an earlier row had the same usable reference."""
    whole = parse_case_list(make_csv(rows), "cases.csv")
    imported = {r.row: r for r in whole.rows}
    seen_refs: set[str] = set()
    for n, row in enumerate(rows, start=2):
        if not "".join(row).strip():
            continue
        alone = parse_case_list(make_csv([row]), "cases.csv")
        alone_problems = sorted((p.column, p.value, p.message) for p in alone.problems)
        in_file = [p for p in whole.problems if p.row == n]
        duplicate = [p for p in in_file if p.message.startswith("duplicate")]
        others = sorted((p.column, p.value, p.message) for p in in_file if p not in duplicate)
        assert others == alone_problems
        ref_ok = not any(p.column == "case_ref" for p in alone.problems)
        ref = row[0].strip().casefold()
        assert bool(duplicate) == (ref_ok and ref in seen_refs)
        if ref_ok:
            seen_refs.add(ref)
        if alone.rows and not duplicate:
            assert imported[n] == alone.rows[0]
        else:
            assert n not in imported


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.sampled_from(CELL_POOL), min_size=13, max_size=13),
        min_size=1,
        max_size=40,
    )
)
def test_a_row_is_judged_the_same_alone_or_in_a_file(rows: list[list[str]]) -> None:
    assert_same_alone_or_in_file(rows)


# Each column's cells come from a short list, mostly valid, so values repeat (as they do in real
# files) and rows often reach the importer's fast path with every cell already seen.
COLUMN_POOLS = {
    "case_ref": ["YJ1", "YJ2", "yj1", "YJ3 ", "Jane Smith", "=X", ""],
    "domain": ["court", "Court", "OOCD", "resettlement", "nowhere", ""],
    "disposal_type": ["RO", "YCC", "DTO", "Outcome 22", "Supervision"],
    "start_date": ["08/04/2024", "2024-04-08", "2024-04-06", "04/13/2024", ""],
    "end_date": ["", "2024-04-07", "09/04/2024", "31/02/2024"],
    "case_manager": ["CM1", " CM2", "=A1", ""],
    "risk_of_harm": ["low", "V High", "M", "extreme", ""],
    "safety_wellbeing": ["low", "high", "?"],
    "sex": ["M", "F", "", "X"],
    "ethnicity_group": ["white", "", "Martian"],
    "age": ["15", "", "9", "18"],
    "looked_after": ["Y", "n", "", "maybe"],
    "custody": ["0", "", "2"],
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(*(st.sampled_from(COLUMN_POOLS[c]) for c in CANONICAL_COLUMNS)).map(list),
        min_size=1,
        max_size=60,
    )
)
def test_repeated_values_are_judged_the_same_alone_or_in_a_file(rows: list[list[str]]) -> None:
    assert_same_alone_or_in_file(rows)


@pytest.mark.parametrize(
    ("bad", "column", "fragment"),
    [
        (good(8, start_date="2024-04-08", end_date="2024-04-07"), "end_date", "before"),
        (good(8, domain="out_of_court", disposal_type="referral_order"), "disposal_type", "court"),
        (good(1), "case_ref", "duplicate"),
        (good(8, risk_of_harm="extreme"), "risk_of_harm", "not a recognised"),
        (good(8, start_date="04/13/2024"), "start_date", "month-first"),
    ],
)
def test_problems_are_found_when_every_cell_was_seen_valid_before(
    bad: dict[str, str], column: str, fragment: str
) -> None:
    """Rows 2-4 make every cell of the bad row familiar; the bad row then comes twice, so a bad
    value that had been remembered as good would slip through the second time."""
    seen = [
        good(1, start_date="2024-04-01", end_date="2024-04-07"),
        good(2, domain="out_of_court", disposal_type="YCC"),
        good(3),
    ]
    again = bad if column == "case_ref" else {**bad, "case_ref": "YJ009"}
    preview = parse_rows(*seen, bad, again)
    assert [r.row for r in preview.rows] == [2, 3, 4]
    flagged = {(p.row, p.column) for p in preview.problems if fragment in p.message}
    assert flagged == {(5, column), (6, column)}


# --- the data tables and the documentation ------------------------------------------------------


def test_every_code_has_a_readable_first_spelling_to_use_as_its_label() -> None:
    for table in (
        caselist.DOMAIN_SPELLINGS,
        caselist.DISPOSAL_SPELLINGS,
        caselist.LEVEL_SPELLINGS,
        caselist.SEX_SPELLINGS,
        caselist.ETHNICITY_SPELLINGS,
    ):
        for code, spellings in table.items():
            label = spellings[0]
            assert caselist._key(label) == caselist._key(code), (code, label)
            assert label[0].isupper(), label


def test_spelling_tables_do_not_contradict_themselves() -> None:
    with pytest.raises(ValueError, match="claimed by two values"):
        caselist._lookup({"a": ("Same",), "b": ("same",)}, "test")


def test_documentation_lists_every_column_code_and_heading() -> None:
    text = DOC.read_text(encoding="utf-8")
    lowered = text.casefold()
    for column in CANONICAL_COLUMNS:
        assert f"`{column}`" in text, column
    for table in (
        caselist.DOMAIN_SPELLINGS,
        caselist.DISPOSAL_SPELLINGS,
        caselist.LEVEL_SPELLINGS,
        caselist.SEX_SPELLINGS,
        caselist.ETHNICITY_SPELLINGS,
    ):
        for code in table:
            assert f"`{code}`" in text, code
    for spellings in caselist.HEADER_SPELLINGS.values():
        for spelling in spellings:
            assert spelling.casefold() in lowered, spelling
    assert "day first" in text and "10 to 18" in text


def test_codes_are_shown_as_people_write_them() -> None:
    assert value_label("disposal_type", "detention_and_training_order") == (
        "Detention and training order"
    )
    assert value_label("risk_of_harm", "very_high") == "Very high"
    assert value_label("disposal_type", "Youth caution") == "Youth caution"  # already a label
    assert value_label("risk_of_harm", None) == ""
