"""Loose ends of the earlier programmes (issue 5): the FJI sixth theme stored on the inspection,
the exports, the history filter by area and item, and `yjinspect report` for their exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from html import unescape
from pathlib import Path

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
    Membership,
)
from yjinspect.web.inspections.services.archive import export_inspection, import_inspection
from yjinspect.web.inspections.services.exports import ANSWER_COLUMNS, AREA_RATING_COLUMNS
from yjinspect.web.inspections.services.legacy_demo import build_sqs_demo
from yjinspect.web.inspections.services.ratings import rate_areas_inspection

from .conftest import ROLE_USERS, framework_version

pytestmark = pytest.mark.django_db


def fji(users: dict[str, AbstractUser], optional_areas: list[str] | None) -> Inspection:
    """An FJI inspection with the whole team, the lead's choice of sixth theme as given."""
    created = Inspection.objects.create(
        service_name="Followshire YOS",
        framework=framework_version("hmip-fji"),
        fieldwork_start=dt.date(2015, 6, 15),
        optional_areas=optional_areas,
        created_by=users["lead"],
    )
    for name, role in ROLE_USERS.items():
        Membership.objects.create(inspection=created, user=users[name], role=role)
    return created


def sampled_case(inspection: Inspection, ref: str, assessor: AbstractUser) -> Case:
    return Case.objects.create(
        inspection=inspection,
        case_ref=ref,
        domain="court",
        disposal_type="referral_order",
        start_date=dt.date(2015, 3, 1),
        in_sample=True,
        assessor=assessor,
    )


def answer(case: Case, user: AbstractUser, values: dict[str, str]) -> Assessment:
    """A primary assessment with the given stored values (recorded items as 'o1', 'o2'...)."""
    primary = Assessment.objects.create(case=case, assessor=user, state="submitted")
    for item, value in values.items():
        Answer(assessment=primary, key_question=item, value=value, updated_by=user).save()
    return primary


def _create_post(framework_id: str, ticked: list[str]) -> dict[str, object]:
    return {
        "service_name": "Choosershire YOS",
        "framework": framework_id,
        "mode": "inspection",
        "fieldwork_start": "2015-06-15",
        "optional_areas": ticked,
    }


# ---------------------------------------------------------------- the FJI sixth theme


def test_create_form_stores_the_chosen_sixth_theme_with_history(
    client_as: Callable[[str], Client],
) -> None:
    page = client_as("lead").get(reverse("inspections:create")).content.decode()
    assert 'value="hmip-fji:INT"' in page and 'value="hmip-fji:CWR"' in page
    response = client_as("lead").post(
        reverse("inspections:create"), _create_post("hmip-fji", ["hmip-fji:CWR"])
    )
    assert response.status_code == 302
    created = Inspection.objects.get(service_name="Choosershire YOS")
    assert created.optional_areas == ["CWR"]
    assert created.history.first().optional_areas == ["CWR"]  # type: ignore[attr-defined]


def test_nothing_ticked_leaves_the_theme_undecided(client_as: Callable[[str], Client]) -> None:
    response = client_as("lead").post(reverse("inspections:create"), _create_post("hmip-fji", []))
    assert response.status_code == 302
    created = Inspection.objects.get(service_name="Choosershire YOS")
    assert created.optional_areas is None and created.chosen_optional_areas is None


@pytest.mark.parametrize("framework_id", ["hmip-sqs", "hmip-youth-2021"])
def test_a_theme_of_another_framework_is_refused_and_nothing_created(
    client_as: Callable[[str], Client], framework_id: str
) -> None:
    response = client_as("lead").post(
        reverse("inspections:create"), _create_post(framework_id, ["hmip-fji:INT"])
    )
    assert response.status_code == 200
    page = unescape(response.content.decode())
    # The refused theme is named in the error.
    assert "Interventions to reduce reoffending (INT): not an optional theme of the framework" in (
        page
    )
    assert not Inspection.objects.filter(service_name="Choosershire YOS").exists()


def test_the_engine_counts_only_the_chosen_theme(users: dict[str, AbstractUser]) -> None:
    """CWR pools the report questions RR-02..RR-04 of reducing reoffending: undecided, it is
    left out while none of its own questions is answered; chosen, it is scored from them."""
    values = {"RR-02": "yes", "RR-03": "no", "RR-05": "yes"}
    undecided = fji(users, None)
    answer(sampled_case(undecided, "F001", users["inspector"]), users["inspector"], values)
    assert set(rate_areas_inspection(undecided).optional_areas_left_out) == {"INT", "CWR"}

    chosen = fji(users, ["CWR"])
    answer(sampled_case(chosen, "F002", users["inspector"]), users["inspector"], values)
    rating = rate_areas_inspection(chosen)
    assert rating.optional_areas_left_out == ("INT",)
    cwr = rating.area("CWR")
    assert (cwr.yes, cwr.applicable, cwr.percent_text) == (1, 2, "50%")


def test_the_assessment_form_asks_only_the_chosen_theme(
    users: dict[str, AbstractUser], client_as: Callable[[str], Client]
) -> None:
    chosen = fji(users, ["INT"])
    case = sampled_case(chosen, "F010", users["inspector"])
    page = (
        client_as("inspector")
        .get(reverse("inspections:assess", args=[chosen.pk, case.pk]))
        .content.decode()
    )
    assert 'name="kq-INT-01-value"' in page
    assert 'name="kq-CWR-01-value"' not in page
    assert 'name="kq-RR-02-value"' in page  # a pooled question of a core theme stays

    undecided = fji(users, None)
    case = sampled_case(undecided, "F011", users["inspector"])
    page = (
        client_as("inspector")
        .get(reverse("inspections:assess", args=[undecided.pk, case.pk]))
        .content.decode()
    )
    assert 'name="kq-INT-01-value"' in page and 'name="kq-CWR-01-value"' in page


def test_an_archive_written_before_the_field_restores_undecided(
    users: dict[str, AbstractUser],
) -> None:
    original = fji(users, ["INT"])
    data = export_inspection(original)
    source = zipfile.ZipFile(io.BytesIO(data))
    content = json.loads(source.read("inspection.json"))
    rows = [*content["inspection"], *content["history"]["inspection"]]
    assert rows and all(row.pop("optional_areas") == ["INT"] for row in rows)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            body = source.read(name)
            target.writestr(name, json.dumps(content) if name == "inspection.json" else body)
    restored = import_inspection(out.getvalue(), placeholders=True)
    assert restored.pk != original.pk and restored.optional_areas is None
    again = import_inspection(data, placeholders=True)
    assert again.optional_areas == ["INT"]


# ---------------------------------------------------------------- exports


@pytest.fixture
def answered_fji(users: dict[str, AbstractUser]) -> Inspection:
    inspection = fji(users, ["INT"])
    case = sampled_case(inspection, "F100", users["inspector"])
    # PP-02 is recorded: options accurate / under / over / na, stored as o1..o4.
    answer(case, users["inspector"], {"RR-02": "yes", "RR-05": "no", "PP-02": "o2"})
    Discretion(
        inspection=inspection,
        standard_id="RR",
        rating="Satisfactory",
        reason="The files understate the work done",
        decided_by=users["lead"],
    ).save()
    return inspection


def test_answers_export_shows_options_by_label_and_code(
    answered_fji: Inspection, client_as: Callable[[str], Client]
) -> None:
    response = client_as("inspector").get(
        reverse("inspections:export_answers_csv", args=[answered_fji.pk])
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))
    assert rows[0] == list(ANSWER_COLUMNS)
    body = {r["key_question"]: r for r in (dict(zip(rows[0], r, strict=True)) for r in rows[1:])}
    assert (body["PP-02"]["answer"], body["PP-02"]["answer_label"]) == ("o2", "Too low")
    assert (body["RR-02"]["answer"], body["RR-02"]["answer_label"]) == ("yes", "Yes")


def test_ratings_sheet_of_an_earlier_programme_lists_areas(
    answered_fji: Inspection, client_as: Callable[[str], Client]
) -> None:
    response = client_as("lead").get(
        reverse("inspections:export_answers_xlsx", args=[answered_fji.pk])
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    answers = [list(r) for r in book["Answers"].iter_rows(values_only=True)]
    pp02 = dict(zip(answers[0], next(r for r in answers if r[6] == "PP-02"), strict=True))
    assert (pp02["answer"], pp02["answer_label"]) == ("o2", "Too low")
    rows = [list(r) for r in book["Ratings"].iter_rows(values_only=True)]
    assert rows[0] == list(AREA_RATING_COLUMNS)
    by_area = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert "INT" in by_area and "CWR" not in by_area  # only the chosen sixth theme
    rr = by_area["RR"]
    assert (rr["yes"], rr["applicable"], rr["percent"]) == (1, 2, "50%")
    low, high = rr["interval_low_percent"], rr["interval_high_percent"]
    assert isinstance(low, float) and isinstance(high, float) and low < 50 < high
    assert rr["computed_word"] == "Poor" and rr["final_word"] == "Satisfactory"
    assert rr["override_reason"] == "The files understate the work done"
    assert by_area["GOV"]["percent"] in ("", None)  # a judged theme has no score
    discretion = [list(r) for r in book["Discretion"].iter_rows(values_only=True)]
    assert discretion[1][:2] == ["RR", "Satisfactory"]


# ---------------------------------------------------------------- history filter


def _history(client: Client, inspection: Inspection, subject: str) -> str:
    response = client.get(
        reverse("inspections:history", args=[inspection.pk]), {"standard": subject}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_history_filters_by_area_and_by_item(
    answered_fji: Inspection, client_as: Callable[[str], Client]
) -> None:
    lead = client_as("lead")
    page = _history(lead, answered_fji, "")
    assert '<option value="RR"' in page and '<option value="GOV"' in page  # areas listed
    by_area = _history(lead, answered_fji, "RR")
    assert "There is no" not in by_area
    assert "RR-02" in by_area and "RR-05" in by_area and "PP-02" not in by_area
    assert "The files understate the work done" in by_area  # the area's word
    by_item = _history(lead, answered_fji, "RR-05")
    assert "RR-05" in by_item and "RR-02" not in by_item
    assert "The files understate the work done" not in by_item
    # CWR pools RR-02..RR-04, which belong to reducing reoffending.
    pooled = _history(lead, answered_fji, "CWR")
    assert "RR-02" in pooled and "RR-05" not in pooled
    unknown = _history(lead, answered_fji, "2.1")
    assert "There is no area or question" in unknown
    assert "RR-05" in unknown  # the filter is dropped, not applied to nothing


# ---------------------------------------------------------------- yjinspect report


def test_report_command_writes_the_sqs_letter_from_an_export(
    users: dict[str, AbstractUser], tmp_path: Path
) -> None:
    demo = build_sqs_demo(users["lead"], [users["inspector"]], users["moderator"])
    archive = tmp_path / "sqs.zip"
    archive.write_bytes(export_inspection(demo))
    exe = Path(sys.executable).parent / "yjinspect"
    html_out = tmp_path / "letter.html"
    done = subprocess.run(
        [str(exe), "report", str(archive), "--format", "html", "-o", str(html_out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    html = re.sub(r"\s+", " ", html_out.read_text(encoding="utf-8"))
    assert "Short Quality Screening" in html and "Demoshire YOT" in html
    assert "9 of the 14 cases" in html
    pdf_out = tmp_path / "letter.pdf"
    done = subprocess.run(
        [str(exe), "report", str(archive), "-o", str(pdf_out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert pdf_out.read_bytes()[:5] == b"%PDF-"
    welsh = subprocess.run(
        [str(exe), "report", str(archive), "--lang", "cy", "-o", str(tmp_path / "cy.html")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert welsh.returncode == 2 and "English only" in welsh.stderr
    assert not (tmp_path / "cy.html").exists()


# ---------------------------------------------------------------- changing the choice later


def test_lead_changes_the_theme_later_with_history(
    users: dict[str, AbstractUser], client_as: Callable[[str], Client]
) -> None:
    inspection = fji(users, None)
    url = reverse("inspections:optional_areas", args=[inspection.pk])
    detail = client_as("lead").get(reverse("inspections:detail", args=[inspection.pk]))
    assert url in detail.content.decode()
    response = client_as("lead").post(url, {"optional_areas": ["INT"]})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.optional_areas == ["INT"]
    history = client_as("lead").get(
        reverse("inspections:history", args=[inspection.pk]), {"kind": "inspection"}
    )
    page = unescape(history.content.decode())
    assert "Optional themes chosen" in page and "INT" in page
    assert client_as("inspector").post(url, {"optional_areas": ["CWR"]}).status_code == 403
    inspection.refresh_from_db()
    assert inspection.optional_areas == ["INT"]


def test_leaving_out_an_answered_theme_is_refused_by_case(
    users: dict[str, AbstractUser], client_as: Callable[[str], Client]
) -> None:
    inspection = fji(users, None)
    case = sampled_case(inspection, "F200", users["inspector"])
    answer(case, users["inspector"], {"INT-01": "yes", "RR-02": "no"})
    url = reverse("inspections:optional_areas", args=[inspection.pk])
    response = client_as("lead").post(url, {"optional_areas": ["CWR"]})
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "INT already has answers in case F200" in page
    inspection.refresh_from_db()
    assert inspection.optional_areas is None  # nothing saved
    assert client_as("lead").post(url, {"optional_areas": ["INT"]}).status_code == 302
    inspection.refresh_from_db()
    assert inspection.optional_areas == ["INT"]


def test_a_framework_without_optional_themes_has_nothing_to_choose(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    response = client_as("lead").get(reverse("inspections:optional_areas", args=[inspection.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:detail", args=[inspection.pk])
    assert inspection.offers_optional_areas is False
