"""The earlier programmes' reports in the web app: the FJI's theme sentences from their words
and the core case inspection's scores beside an average the lead enters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse

from yjinspect.web.inspections.models import Case, Inspection, Membership, ReportText

from .conftest import ROLE_USERS, framework_version
from .test_legacy_pieces import full_answers, text_of

pytestmark = pytest.mark.django_db


def _inspection(framework_id: str, users: dict[str, AbstractUser]) -> Inspection:
    made = Inspection.objects.create(
        service_name="Testshire YOT",
        framework=framework_version(framework_id),
        fieldwork_start=dt.date(2011, 3, 2),
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
            start_date=dt.date(2010, 9, 1),
            case_manager="CM1",
            risk_of_harm="medium",
            safety_wellbeing="low",
            in_sample=True,
        )
    return made


def _answer_all(client: Client, inspection: Inspection, value: str) -> None:
    for case in inspection.cases.all():
        response = client.post(
            reverse("inspections:assess", args=[inspection.pk, case.pk]),
            full_answers(inspection, case, value),
        )
        assert response.status_code == 302


def test_the_core_case_inspection_says_how_each_score_compares_with_the_average(
    client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    cci = _inspection("hmip-cci", users)
    lead = client_as("lead")
    _answer_all(lead, cci, "yes")  # every headline 100%
    words = reverse("inspections:legacy_texts", args=[cci.pk])
    form = text_of(lead.get(words).content.decode())
    assert "Safeguarding: the average to compare with (%)" in form
    refused = lead.post(words, {"average__SG": "ninety"})
    assert "Safeguarding: the average to compare with (%): 'ninety' is not a number" in text_of(
        refused.content.decode()
    )
    assert not ReportText.objects.filter(inspection=cci, key="average:SG").exists()
    assert lead.post(words, {"average__SG": "58.5", "average__ROH": "100"}).status_code == 302
    page = text_of(lead.get(reverse("inspections:legacy_report", args=[cci.pk])).content.decode())
    assert (
        "'Safeguarding' work was done well enough 100% of the time. This was above the average "
        "of 58.5%." in page
    )
    assert "This was the same as the average of 100%." in page
    assert "below the average" not in page  # Likelihood of Reoffending: no average given


def test_an_fji_theme_summary_opens_with_its_word(
    client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    fji = _inspection("hmip-fji", users)
    lead = client_as("lead")
    _answer_all(lead, fji, "no")
    page = text_of(lead.get(reverse("inspections:legacy_report", args=[fji.pk])).content.decode())
    assert "Summary Reducing reoffending Overall work to reduce reoffending was poor." in page
    assert (
        "average"
        not in lead.get(reverse("inspections:legacy_texts", args=[fji.pk])).content.decode()
    )
