"""`yjinspect caselist check FILE`: the web app's reader on an export before it is uploaded,
its text and JSON output and its exit status; and `indicators --mapping`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yjinspect.cli import main
from yjinspect.core.mapping import Mapping

from .test_caselist_exports import SYSTEM_A, SYSTEM_B, csv_bytes


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_text_names_the_mapping_used_and_every_problem_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["caselist", "check", write(tmp_path, "open-cases.csv", SYSTEM_A)])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("open-cases.csv: 5 cases would be imported; 2 problems")
    assert "  case_ref           <- 'Case Reference'" in out
    assert "  custody               (not in the file)" in out
    assert "  'Outcome Tier': perhaps domain (e.g. Court, Custody, Pre-Court)" in out
    assert "  row 9, disposal_type ('Outcome'), 'Youth Restorative Intervention': not a " in out
    assert "  disposal_type 'Youth Restorative Intervention': 2 rows, first row 9" in out
    assert "Row 13, below the last case, holds only a note" in out


def test_json_keys_and_rows_as_the_spreadsheet_numbers_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["caselist", "check", write(tmp_path, "extract.xlsx", SYSTEM_B), "--format", "json"]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert {"mapping", "problems", "cases", "notes"} <= set(data)
    assert data["mapping"]["domain"] == "Disposal Category"
    assert data["problems"] == [
        {
            "row": None,
            "column": "risk_of_harm",
            "value": "",
            "message": data["problems"][0]["message"],
            "heading": "",
        }
    ]
    assert "the required column risk_of_harm is missing" in data["problems"][0]["message"]
    assert data["cases"] == []
    guessed = {h["heading"]: h["guess"] for h in data["headings"]}
    assert guessed["Risk Level"] == "risk_of_harm"


def test_a_saved_mapping_makes_the_export_clean_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write(tmp_path, "extract.xlsx", SYSTEM_B)
    saved = tmp_path / "mapping.json"
    assert main(["caselist", "check", export, "--save-mapping", str(saved)]) == 1
    assert "wrote" in capsys.readouterr().err
    assert Mapping.from_json(saved.read_bytes()).columns["risk_of_harm"] == "Risk Level"
    code = main(["caselist", "check", export, "--mapping", str(saved), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["problems"] == []
    first = data["cases"][0]
    assert first == {
        "row": 3,
        "case_ref": "B1001",
        "domain": "court",
        "disposal_type": "section_250",
        "start_date": "2024-03-01",
        "end_date": "2026-03-01",
        "case_manager": "CH1",
        "risk_of_harm": "high",
        "safety_wellbeing": "medium",
        "sex": "male",
        "ethnicity_group": None,
        "age": None,
        "looked_after": None,
        "custody": None,
    }
    assert len(data["cases"]) == 5


def test_an_unreadable_file_is_one_problem_and_a_bad_mapping_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["caselist", "check", write(tmp_path, "cases.xls", b"\xd0\xcf\x11\xe0")])
    assert code == 1
    assert "not a .csv or .xlsx file" in capsys.readouterr().out
    bad = write(tmp_path, "mapping.json", b'{"format": "something else"}')
    export = write(tmp_path, "cases.csv", SYSTEM_A)
    assert main(["caselist", "check", export, "--mapping", bad]) == 2
    assert "not a yjinspect mapping file" in capsys.readouterr().err


def test_a_victims_list_is_checked_against_its_framework_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        ["case_ref", "start_date", "contact_offered"],
        ["V1", "08/04/2024", "Yes"],
        ["V2", "09/04/2024", "perhaps"],
    ]
    export = write(tmp_path, "victims.csv", csv_bytes(rows))
    code = main(["caselist", "check", export, "--list", "victims", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["list"] == "victims"
    assert data["cases"] == [
        {
            "row": 2,
            "case_ref": "V1",
            "child_case_ref": None,
            "start_date": "2024-04-08",
            "contact_offered": True,
            "contact_date": None,
            "consent": None,
            "end_date": None,
        }
    ]
    assert [(p["row"], p["column"]) for p in data["problems"]] == [(3, "contact_offered")]


def test_indicators_read_outcome_records_through_a_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [
        ["Client", "Age", "Date of Offence", "Outcome Date", "Result"],
        ["A", "14", "01/03/2023", "01/04/2023", "Youth Caution"],
        ["B", "15", "01/05/2023", "01/06/2023", "Local Warning Scheme"],
    ]
    cases = write(tmp_path, "outcomes.csv", csv_bytes(records))
    pop = write(tmp_path, "pop.csv", b"age,population\n" + b"".join(
        f"{a},1000\n".encode() for a in range(10, 18)
    ))  # fmt: skip
    mapping = Mapping(
        "outcomes",
        {"person_ref": "Client", "disposal_type": "Result"},
        {"disposal_type": {"Local Warning Scheme": "community_resolution"}},
    )
    saved = write(tmp_path, "outcomes-mapping.json", mapping.to_json().encode())
    period = "2023-04-01:2024-03-31"
    code = main(["indicators", cases, "--population", pop, "--period", period])
    assert code == 2
    assert "missing column(s) person_ref, disposal_type" in capsys.readouterr().err
    code = main(
        ["indicators", cases, "--population", pop, "--period", period, "--mapping", saved,
         "--format", "json"]
    )  # fmt: skip
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["fte"]["numerator"] == 1  # A's caution; B's warning scheme is diversion
