"""Answers and decisions as CSV and XLSX: the columns, the sheets, no names, no formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from yjinspect.web.inspections.models import (
    Answer,
    Assessment,
    Case,
    Discretion,
    Inspection,
    Judgement,
    State,
)
from yjinspect.web.inspections.services.exports import ANSWER_COLUMNS, neutralise

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/","click")'


@pytest.fixture
def answered(inspection: Inspection, users: dict[str, AbstractUser]) -> Inspection:
    case = Case.objects.create(
        inspection=inspection,
        case_ref="X001",
        domain="court",
        disposal_type="Referral order",
        start_date=dt.date(2023, 6, 1),
        case_manager="Jane Smith",  # a staff name: it must never be exported
        risk_of_harm="medium",
        safety_wellbeing="low",
        in_sample=True,
        assessor=users["inspector"],
    )
    primary = Assessment.objects.create(case=case, assessor=users["inspector"], state="submitted")
    second = Assessment.objects.create(
        case=case, kind="moderation", assessor=users["moderator"], state="in_progress"
    )
    Answer.objects.create(
        assessment=primary,
        key_question="2.1.desistance",
        value="yes",
        evidence=FORMULA,
        updated_by=users["inspector"],
    )
    Answer.objects.create(
        assessment=primary,
        key_question="2.1.child_safety",
        value="na",
        na_reason="+1 not relevant",
        updated_by=users["inspector"],
    )
    Answer.objects.create(
        assessment=second,
        key_question="2.1.desistance",
        value="no",
        evidence="-disagree",
        resolution_note="@settled",
        updated_by=users["moderator"],
    )
    Judgement.objects.create(
        inspection=inspection,
        standard_id="1.1",
        rating="good",
        rationale="=SUM(A1:A9)",
        strengths="Clear vision\nVisits",
        areas_for_improvement="Data",
        decided_by=users["lead"],
    )
    Discretion.objects.create(
        inspection=inspection,
        standard_id="2.1",
        rating="good",
        reason="\tTabbed reason",
        decided_by=users["lead"],
    )
    return inspection


def _csv(client: Client, inspection: Inspection) -> list[list[str]]:
    response = client.get(reverse("inspections:export_answers_csv", args=[inspection.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_answers_csv_rows_and_columns(
    answered: Inspection, client_as: Callable[[str], Client]
) -> None:
    # The lead: the inspector and the moderator may not see each other's work while the
    # moderation is open (tests/web/test_blind_moderation.py).
    rows = _csv(client_as("lead"), answered)
    assert rows[0] == list(ANSWER_COLUMNS)
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert len(body) == 3
    kinds = sorted((r["assessment_kind"], r["key_question"], r["answer"]) for r in body)
    assert kinds == [
        ("moderation", "2.1.desistance", "no"),
        ("primary", "2.1.child_safety", "na"),
        ("primary", "2.1.desistance", "yes"),
    ]
    first = next(r for r in body if r["answer"] == "yes")
    assert first["case_ref"] == "X001"
    assert first["domain"] == "court"
    assert first["disposal_type"] == "Referral order"
    assert first["assessment_state"] == "submitted"
    assert first["assessor"] == "inspector"
    assert first["updated_by"] == "inspector"
    assert first["updated_at"]
    moderation = next(r for r in body if r["assessment_kind"] == "moderation")
    assert moderation["assessor"] == "moderator"


def test_csv_neutralises_formulas_and_leaves_out_names(
    answered: Inspection, client_as: Callable[[str], Client]
) -> None:
    rows = _csv(client_as("lead"), answered)
    cells = [c for r in rows for c in r]
    assert "'" + FORMULA in cells
    assert FORMULA not in cells
    assert "'+1 not relevant" in cells
    assert "'-disagree" in cells
    assert "'@settled" in cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert all("Jane Smith" not in c for c in cells)


def _book(client: Client, inspection: Inspection):  # type: ignore[no-untyped-def]
    response = client.get(reverse("inspections:export_answers_xlsx", args=[inspection.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def test_xlsx_sheets_and_no_formulas(
    answered: Inspection, client_as: Callable[[str], Client]
) -> None:
    book = _book(client_as("lead"), answered)
    assert book.sheetnames == ["Answers", "Judgements", "Discretion", "Ratings"]
    answers = [list(r) for r in book["Answers"].iter_rows(values_only=True)]
    assert answers[0] == list(ANSWER_COLUMNS)
    assert len(answers) == 4
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                # A formula cell would have data_type 'f'; everything is a plain value.
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
                    assert "Jane Smith" not in cell.value
    evidence = [r[ANSWER_COLUMNS.index("evidence")] for r in answers[1:]]
    assert "'" + FORMULA in evidence

    judgements = [list(r) for r in book["Judgements"].iter_rows(values_only=True)]
    assert judgements[0] == [
        "standard",
        "rating",
        "rationale",
        "strengths",
        "areas_for_improvement",
    ]
    assert judgements[1] == ["1.1", "Good", "'=SUM(A1:A9)", "Clear vision\nVisits", "Data"]

    discretion = [list(r) for r in book["Discretion"].iter_rows(values_only=True)]
    assert discretion[0] == ["standard", "rating", "reason", "decided_by"]
    assert discretion[1] == ["2.1", "Good", "'\tTabbed reason", "lead"]


def test_xlsx_ratings_sheet_follows_the_engine(
    answered: Inspection, client_as: Callable[[str], Client]
) -> None:
    book = _book(client_as("lead"), answered)
    rows = [list(r) for r in book["Ratings"].iter_rows(values_only=True)]
    header = rows[0]
    assert header == [
        "standard",
        "computed_rating",
        "final_rating",
        "key_question",
        "yes",
        "applicable",
        "percent",
    ]
    by_kq = {r[3]: dict(zip(header, r, strict=True)) for r in rows[1:] if r[3]}
    # One primary Yes on desistance (the moderation No does not count), child safety N/A.
    assert by_kq["2.1.desistance"]["yes"] == 1
    assert by_kq["2.1.desistance"]["applicable"] == 1
    assert by_kq["2.1.desistance"]["percent"] == "100%"
    assert by_kq["2.1.child_safety"]["applicable"] == 0
    # Discretion makes 2.1 Good whatever was computed; 1.1 is a judgement (no computed rating).
    standards = {r[0]: r for r in rows[1:]}
    assert standards["2.1"][2] == "Good"
    assert standards["1.1"][1] in ("", None)
    assert standards["1.1"][2] == "Good"
    assert {r[0] for r in rows[1:]} >= {"1.1", "2.1", "2.4", "4.1"}


def test_neutralise() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(start + "x") == "'" + start + "x"
    assert neutralise("plain") == "plain"
    assert neutralise(3) == 3
    assert neutralise(None) is None


def test_who_may_download(answered: Inspection, client_as: Callable[[str], Client]) -> None:
    pk = answered.pk
    csv_url = reverse("inspections:export_answers_csv", args=[pk])
    xlsx_url = reverse("inspections:export_answers_xlsx", args=[pk])
    zip_url = reverse("inspections:export_archive", args=[pk])
    assert client_as("viewer").get(csv_url).status_code == 403
    assert client_as("viewer").get(xlsx_url).status_code == 403
    assert client_as("stranger").get(csv_url).status_code == 404
    assert client_as("inspector").get(zip_url).status_code == 403
    assert client_as("moderator").get(zip_url).status_code == 403
    response = client_as("lead").get(zip_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "inspection.json" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_published_inspection_can_still_be_exported(
    answered: Inspection, client_as: Callable[[str], Client]
) -> None:
    answered.state = State.PUBLISHED
    answered.save()
    lead = client_as("lead")
    assert lead.get(reverse("inspections:export_archive", args=[answered.pk])).status_code == 200
    assert (
        lead.get(reverse("inspections:export_answers_csv", args=[answered.pk])).status_code == 200
    )
    inspector = client_as("inspector")
    assert (
        inspector.get(reverse("inspections:export_archive", args=[answered.pk])).status_code == 403
    )
