"""Earlier-programme details in the web app: recorded options, conflicts, optional themes,
removing a word, and the report's words saved all or nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from html import unescape

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse

from yjinspect.core.ratings import RatingInputError
from yjinspect.web.inspections.models import (
    Answer,
    Assessment,
    AssessmentState,
    Case,
    Discretion,
    Inspection,
    Membership,
    ReportText,
)
from yjinspect.web.inspections.services.ratings import area_answers, rate_areas_inspection

from .conftest import ROLE_USERS, framework_version

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def fji(users: dict[str, AbstractUser]) -> Inspection:
    """An FJI inspection with every fixture role and three sampled court cases."""
    made = Inspection.objects.create(
        service_name="Testshire YOS",
        framework=framework_version("hmip-fji"),
        fieldwork_start=dt.date(2015, 3, 2),
        created_by=users["lead"],
    )
    for name, role in ROLE_USERS.items():
        Membership.objects.create(inspection=made, user=users[name], role=role)
    for i in range(3):
        Case.objects.create(
            inspection=made,
            case_ref=f"F{i:03d}",
            domain="court",
            disposal_type="referral_order",
            start_date=dt.date(2014, 9, 1),
            case_manager="CM1",
            risk_of_harm="medium",
            safety_wellbeing="low",
            in_sample=True,
        )
    return made


def full_answers(inspection: Inspection, case: Case, value: str = "yes") -> dict[str, str]:
    """A complete form post: every core question answered; the optional themes left blank."""
    from yjinspect.web.inspections.services.assessments import questions_for_case

    data = {"action": "submit"}
    for section in questions_for_case(inspection.framework.framework, case):
        for q in section.questions:
            if q.optional:
                continue
            data[f"{q.field_prefix}-value"] = q.options[0][0] if q.options else value
            data[f"{q.field_prefix}-evidence"] = "What the case record showed"
    return data


def test_optional_theme_questions_do_not_block_submitting(
    client_as: Callable[[str], Client], fji: Inspection
) -> None:
    case = fji.cases.first()
    assert case is not None
    url = reverse("inspections:assess", args=[fji.pk, case.pk])
    page = text_of(client_as("inspector").get(url).content.decode())
    assert "answer it only if it is this inspection's chosen theme" in page
    assert client_as("inspector").post(url, full_answers(fji, case)).status_code == 302
    assessment = Assessment.objects.get(case=case)
    assert assessment.state == AssessmentState.SUBMITTED
    assert not assessment.answers.filter(key_question__startswith="INT-").exists()
    # Neither sixth theme was answered, so neither is part of the rating.
    assert rate_areas_inspection(fji).optional_areas_left_out == ("INT", "CWR")


def test_a_recorded_option_is_shown_by_its_label_and_clashes_are_caught(
    client_as: Callable[[str], Client], fji: Inspection
) -> None:
    case = fji.cases.first()
    assert case is not None
    url = reverse("inspections:assess", args=[fji.pk, case.pk])
    lead, inspector = client_as("lead"), client_as("inspector")
    # Both open the empty form; the inspector saves 'too low' for PP-02, then the lead, who
    # loaded the form before that, saves 'too high': a conflict, and nothing is overwritten.
    assert inspector.post(url, {"action": "save", "kq-PP-02-value": "o2"}).status_code == 302
    clash = lead.post(url, {"action": "save", "kq-PP-02-value": "o3"})
    assert clash.status_code == 409
    page = text_of(clash.content.decode())
    assert "Your answer Answer Too high" in page and "Answer Too low" in page
    stored = Answer.objects.get(assessment__case=case, key_question="PP-02")
    assert (stored.value, stored.version) == ("o2", 1)
    # An option the item does not have is refused by the form.
    bad = inspector.post(url, {"action": "save", "kq-PP-02-value": "o9"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


def test_a_stored_code_that_is_not_an_option_is_named_not_guessed(
    fji: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = fji.cases.first()
    assert case is not None
    assessment = Assessment.objects.create(case=case, assessor=users["inspector"])
    Answer.objects.create(
        assessment=assessment, key_question="PP-02", value="o7", updated_by=users["inspector"]
    )
    with pytest.raises(RatingInputError, match="case F000: stored answer 'o7' to PP-02"):
        area_answers(fji)


def test_removing_a_word_asks_first_and_keeps_the_history(
    client_as: Callable[[str], Client], fji: Inspection, users: dict[str, AbstractUser]
) -> None:
    for case in fji.cases.all():
        client_as("lead").post(
            reverse("inspections:assess", args=[fji.pk, case.pk]), full_answers(fji, case, "no")
        )
    lead = client_as("lead")
    url = reverse("inspections:discretion", args=[fji.pk, "PP"])
    assert (
        lead.post(url, {"word": "Unsatisfactory", "reason": "Victim work was good"}).status_code
        == 302
    )
    asked = lead.post(url, {"action": "remove"})
    assert asked.status_code == 200 and "Remove the word recorded for PP" in text_of(
        asked.content.decode()
    )
    assert Discretion.objects.filter(inspection=fji, standard_id="PP").exists()
    assert lead.post(url, {"action": "confirm_remove"}).status_code == 302
    assert not Discretion.objects.filter(inspection=fji, standard_id="PP").exists()
    kinds = list(
        Discretion.history.filter(inspection=fji)
        .order_by("history_id")
        .values_list("history_type", "rating")
    )
    assert kinds == [("+", "Unsatisfactory"), ("-", "Unsatisfactory")]
    assert rate_areas_inspection(fji).area("PP").word == "Poor"  # the score's word again


def test_report_words_saved_meanwhile_refuse_the_whole_save(
    client_as: Callable[[str], Client], fji: Inspection, users: dict[str, AbstractUser]
) -> None:
    url = reverse("inspections:legacy_texts", args=[fji.pk])
    # Loaded with nothing stored (version 0) ...
    ReportText.objects.create(
        inspection=fji, key="area:RR", text_en="Written meanwhile", updated_by=users["lead"]
    )
    # ... so a save changing that text is refused, and the other field is not saved either.
    refused = client_as("inspector").post(
        url, {"area__RR": "Mine", "area__RR__version": "0", "foreword": "A foreword"}
    )
    assert refused.status_code == 409
    assert "nothing was saved: RR Reducing reoffending" in text_of(refused.content.decode())
    assert not ReportText.objects.filter(inspection=fji, key="foreword").exists()
    assert ReportText.objects.get(inspection=fji, key="area:RR").text_en == "Written meanwhile"
    # A viewer may not write the report's words.
    assert client_as("viewer").post(url, {"foreword": "x"}).status_code == 403


def test_a_word_that_no_longer_applies_is_flagged_not_a_crash(
    client_as: Callable[[str], Client], fji: Inspection, users: dict[str, AbstractUser]
) -> None:
    for case in fji.cases.all():
        client_as("lead").post(
            reverse("inspections:assess", args=[fji.pk, case.pk]), full_answers(fji, case, "no")
        )
    lead = client_as("lead")
    url = reverse("inspections:discretion", args=[fji.pk, "PP"])
    assert lead.post(url, {"word": "Good", "reason": "Strong victim work"}).status_code == 302
    # Later every PP answer becomes Yes: 'Good' is now the score's own word, so the override
    # changes nothing and the engine refuses it. The page says so instead of failing.
    Answer.objects.filter(key_question__startswith="PP-").exclude(key_question="PP-02").update(
        value="yes"
    )
    page = lead.get(reverse("inspections:ratings", args=[fji.pk]))
    assert page.status_code == 200
    assert "PP: the word recorded is not applied: PP: 'Good' is already the word" in text_of(
        page.content.decode()
    )
    rating = rate_areas_inspection(fji)
    assert (rating.area("PP").word, rating.area("PP").override_reason) == ("Good", None)
    assert lead.get(reverse("inspections:legacy_report", args=[fji.pk])).status_code == 200
