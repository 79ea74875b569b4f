"""Outcome records go through the case list's reader: British dates, disposals by their full
names, headings in the service's own words or its saved mapping, XLSX; the figures are those
of the same records written with ISO dates and codes."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from yjinspect.core.indicators import (
    OUTCOME_SPELLINGS,
    IndicatorInputError,
    compute_indicators,
    parse_period,
    read_case_records,
    read_cases,
)
from yjinspect.core.mapping import Mapping

PERIOD = parse_period("2023-04-01:2024-03-31")
COHORT = parse_period("2023-01-01:2023-03-31")
CODES = [
    "person_ref,age,age_at_offence,offence_date,disposal_date,disposal_type,custodial,release_date,breach",
    "A,14,14,2023-03-01,2023-04-01,youth_caution,no,,",
    "A,14,14,2023-08-01,2023-09-01,yro_iss,no,,",
    "B,13,13,2023-04-20,2023-05-01,community_resolution,no,,",
    "B,13,13,2024-03-01,2024-03-31,youth_conditional_caution,no,,",
    "G,16,16,2023-08-01,2023-10-01,dto,yes,2024-01-01,",
    "G,16,16,2023-11-01,2024-01-15,s91,yes,,",
    "P1,15,15,2022-12-01,2023-01-01,youth_caution,no,,",
    "P1,15,15,2023-06-01,2023-08-01,fine,no,,yes",
    "P1,16,15,2023-12-31,2024-07-01,referral_order,no,,",
]
WORDS = [
    ["Child ID", "Age at Outcome", "Age at Offence", "Date of Offence", "Outcome Date",
     "Outcome", "Custodial Sentence", "Release Date", "Breach"],
    ["A", "14", "14", "01/03/2023", "01/04/2023", "Youth Caution", "N", "", ""],
    ["A", "14", "14", "01/08/2023", "01/09/2023", "YRO with ISS", "N", "", ""],
    ["B", "13", "13", "20/04/2023", "01/05/2023", "Community Resolution", "N", "", ""],
    ["B", "13", "13", "01/03/2024", "31/03/2024", "Youth Conditional Caution", "N", "", ""],
    ["G", "16", "16", "01/08/2023", "01/10/2023", "Detention & Training Order", "Y",
     "01/01/2024", ""],
    ["G", "16", "16", "01/11/2023", "15/01/2024", "Section 91 PCC(S)A 2000", "Y", "", ""],
    ["P1", "15", "15", "01/12/2022", "01/01/2023", "Youth Caution", "N", "", ""],
    ["P1", "15", "15", "01/06/2023", "01/08/2023", "Fine", "N", "", "Y"],
    ["P1", "16", "15", "31/12/2023", "01/07/2024", "Referral Order", "N", "", ""],
]  # fmt: skip


def csv_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def figures(cases: list[object]) -> list[tuple[str, int, int]]:
    results = compute_indicators(cases, 16_000, PERIOD, COHORT)  # type: ignore[arg-type]
    return [(r.key, r.numerator, r.denominator) for r in results]


def test_records_in_the_service_s_words_count_as_the_same_records_in_codes() -> None:
    coded = read_cases(CODES)
    worded = read_case_records(csv_bytes(WORDS), "outcomes.csv")
    assert worded.ok, worded.problems
    assert worded.rows == coded
    assert [c.disposal_type for c in worded.rows[:2]] == ["youth_caution", "yro_iss"]
    assert worded.rows[4].disposal_type == "dto" and worded.rows[5].disposal_type == "s91"
    assert worded.rows[4].release_date == date(2024, 1, 1)  # 01/01/2024, day first
    assert figures(worded.rows) == figures(coded)  # type: ignore[arg-type]


def test_the_old_reader_takes_the_service_s_words_too() -> None:
    text = csv_bytes(WORDS).decode()
    assert read_cases(io.StringIO(text, newline="")) == read_cases(CODES)


def test_a_workbook_of_records_by_path(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Outcome records 2023-24"])
    sheet.append(WORDS[0])
    for row in WORDS[1:]:
        cells: list[object] = list(row)
        for i in (3, 4, 7):
            if cells[i]:
                day, month, year = (int(x) for x in str(cells[i]).split("/"))
                cells[i] = date(year, month, day)  # real date cells
        sheet.append(cells)
    path = tmp_path / "outcomes.xlsx"
    book.save(path)
    read = read_cases(path)
    assert [c.row for c in read] == list(range(3, 12))  # below the title row
    assert [replace(c, row=0) for c in read] == [replace(c, row=0) for c in read_cases(CODES)]


def test_a_local_outcome_and_heading_through_the_saved_mapping() -> None:
    rows = [
        ["Client", "Age", "Date of Offence", "Outcome Date", "Result", "Team"],
        ["A", "14", "01/03/2023", "01/04/2023", "Youth Restorative Intervention", "North"],
        ["A", "14", "01/08/2023", "01/09/2023", "Referral Order", "North"],
    ]
    first = read_case_records(csv_bytes(rows), "outcomes.csv")
    assert set(first.missing_columns) == {"person_ref", "disposal_type"}
    mapping = Mapping(
        "outcomes",
        columns={"person_ref": "Client", "disposal_type": "Result"},
        values={"disposal_type": {"Youth Restorative Intervention": "community_resolution"}},
        ignored=("Team",),
    )
    saved = Mapping.from_json(mapping.to_json())
    second = read_case_records(csv_bytes(rows), "outcomes.csv", mapping=saved)
    assert second.ok, second.problems
    assert [c.disposal_type for c in second.rows] == ["community_resolution", "referral_order"]
    lines = csv_bytes(rows).decode().splitlines()
    assert len(read_cases(lines, mapping=saved)) == 2
    # Without "Team" marked not needed, an unknown column is still refused.
    with pytest.raises(IndicatorInputError, match="unknown column"):
        read_cases(lines, mapping=Mapping("outcomes", saved.columns, saved.values))


def test_problems_name_the_row_the_column_and_the_persons_heading() -> None:
    rows = [
        WORDS[0],
        WORDS[1],
        ["A", "9", "14", "01/13/2023", "01/04/2023", "Caution", "N", "", ""],
    ]
    preview = read_case_records(csv_bytes(rows), "outcomes.csv")
    found = {(p.row, p.column, p.heading) for p in preview.problems}
    assert found == {
        (3, "age", "Age at Outcome"),
        (3, "offence_date", "Date of Offence"),
        (3, "disposal_type", "Outcome"),
    }
    # A bare "Caution" is not guessed: a youth caution or a conditional one?
    assert all(code != "caution" for code in OUTCOME_SPELLINGS)
    collected: list[IndicatorInputError] = []
    read_cases(csv_bytes(rows).decode().splitlines(), problems=collected)
    assert [str(e).split(":")[0] for e in collected] == ["row 3, column age"]


def test_identifying_columns_are_still_refused_by_the_old_rule() -> None:
    header = "person_ref,birth_place,age,offence_date,disposal_date,disposal_type"
    with pytest.raises(IndicatorInputError, match="refusing column.*birth_place"):
        read_cases([header])
