"""The rating engine's and the sampler's sentences follow the page language.

The core writes them through `yjinspect.core.words`, into which the inspections app installs
Django's gettext (`InspectionsConfig.ready`): a Welsh page shows the Welsh of the catalogue,
an English page the engine's English unchanged.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse
from django.utils import translation

from yjinspect.web.inspections.models import Case, Inspection, SampleDraw
from yjinspect.web.inspections.services.ratings import rate_inspection

from .conftest import answered_court_cases

pytestmark = pytest.mark.django_db

EN_EXPLANATION = "2.1 Good: lowest key question 2.1.child_safety 67% (6/9) is in the 65–79% band"
CY_EXPLANATION = (
    "2.1 Da: mae'r cwestiwn allweddol isaf, 2.1.child_safety, sef 67% (6/9), yn y band 65–79%"
)


def _page(client: Client, url: str, lang: str) -> str:
    return html.unescape(client.get(f"{url}?lang={lang}").content.decode())


@pytest.fixture
def answered(inspection: Inspection, users: dict[str, AbstractUser]) -> Inspection:
    """2.1 answered on nine court cases: 9, 6 and 7 Yes, so Good, driven by child safety."""
    answered_court_cases(
        inspection,
        users["inspector"],
        {"2.1.desistance": 9, "2.1.child_safety": 6, "2.1.others_safety": 7},
    )
    return inspection


def test_ratings_page_in_welsh_shows_the_engine_in_welsh(
    answered: Inspection, client_as: Callable[[str], Client]
) -> None:
    page = _page(client_as("lead"), reverse("inspections:ratings", args=[answered.pk]), "cy")
    assert CY_EXPLANATION in page
    assert EN_EXPLANATION not in page
    assert "2 Ie arall ar 2.1.child_safety" in page  # the next band, counted with ngettext
    assert "yn ei gwneud yn Rhagorol" in page  # the framework's label, in Welsh too
    assert "Dim gradd gyffredinol" in page and "No overall rating" not in page
    assert "dim atebion perthnasol i'w gwestiynau allweddol eto" in page  # 2.2 not rated
    assert ">amh.<" in page and ">n/a<" not in page  # 2.2's figures
    assert "lowest key question" not in page and "would make it" not in page


def test_ratings_page_in_english_is_unchanged(
    answered: Inspection, client_as: Callable[[str], Client]
) -> None:
    client = client_as("lead")
    url = reverse("inspections:ratings", args=[answered.pk])
    _page(client, url, "cy")  # a Welsh page first must not leave its words behind
    page = _page(client, url, "en")
    assert EN_EXPLANATION in page
    assert (
        "2 more Yes answers on 2.1.child_safety and one more Yes on 2.1.others_safety "
        "would make it Outstanding"
    ) in page
    assert "No overall rating: scored standard(s)" in page and ">n/a<" in page
    assert "cwestiwn allweddol" not in page and "Dim gradd gyffredinol" not in page


@pytest.fixture
def with_cases(inspection: Inspection) -> Inspection:
    """200 court cases in the window, none sampled yet."""
    Case.objects.bulk_create(
        Case(
            inspection=inspection,
            case_ref=f"C{i:04d}",
            domain="court",
            disposal_type="referral_order",
            start_date=dt.date(2023, 6, 1),
            case_manager="CM1",
            risk_of_harm="low",
            safety_wellbeing="low",
        )
        for i in range(200)
    )
    return inspection


def test_sample_page_explains_sizes_in_the_page_language(
    with_cases: Inspection, client_as: Callable[[str], Client]
) -> None:
    inspection = with_cases
    client = client_as("lead")
    url = reverse("inspections:sample", args=[inspection.pk])
    welsh, english = _page(client, url, "cy"), _page(client, url, "en")
    assert "hyder 80%, ±5 pwynt, N=200 → 91" in welsh
    assert "dim achosion cymwys, felly does dim i'w samplu" in welsh
    assert "confidence" not in welsh and "nothing to sample" not in welsh
    assert "80% confidence, ±5 points, N=200 → 91" in english
    assert "no eligible cases, so nothing to sample" in english


def test_a_welsh_page_leaves_no_welsh_behind_in_the_thread(
    answered: Inspection, client_as: Callable[[str], Client]
) -> None:
    _page(client_as("lead"), reverse("inspections:ratings", args=[answered.pk]), "cy")
    assert translation.get_language() == settings.LANGUAGE_CODE
    assert rate_inspection(answered).standard("2.1").explanation == EN_EXPLANATION


def test_the_ratings_json_is_english_whatever_the_page_language(
    answered: Inspection, client_as: Callable[[str], Client]
) -> None:
    client = client_as("lead")
    client.get(reverse("inspections:ratings", args=[answered.pk]) + "?lang=cy")  # Welsh chosen
    data = client.get(reverse("inspections:ratings_json", args=[answered.pk])).json()
    explanations = {sid: s["explanation"] for sid, s in data["standards"].items()}
    assert explanations["2.1"] == EN_EXPLANATION


def test_a_sample_drawn_on_a_welsh_page_is_recorded_in_english(
    with_cases: Inspection, client_as: Callable[[str], Client]
) -> None:
    inspection = with_cases
    client = client_as("lead")
    url = reverse("inspections:sample", args=[inspection.pk])
    client.get(url + "?lang=cy")
    assert client.post(url, {"seed": "7"}).status_code == 302
    summary = SampleDraw.objects.get(inspection=inspection).summary
    court = next(d for d in summary["domains"] if d["domain"] == "court")
    assert "80% confidence, ±5 points, N=200 → 91" in court["basis"]
