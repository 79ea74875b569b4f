"""Outcome indicators in the report's background, from the rows the outcomes app stores: on
the page with their footnotes, in Welsh through the catalogue, and the sample's wording."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse
from django.utils import translation

from yjinspect.web.inspections.models import Inspection
from yjinspect.web.inspections.services.report import inspection_report
from yjinspect.web.outcomes.models import IndicatorRun, StoredIndicator

from .conftest import answered_court_cases

pytestmark = pytest.mark.django_db


def store_indicators(
    inspection: Inspection,
    user: AbstractUser,
    *,
    fte: int = 12,
    fte_national: str | None = "180.2",
    source: str = "Youth justice statistics 2023 to 2024",
) -> IndicatorRun:
    """One run as the outcomes app stores it: 20,000 children aged 10-17, `fte` first-time
    entrants, 3 custodial sentences, 7 of a cohort of 40 reoffending (with their comparators)."""
    run = IndicatorRun(
        inspection=inspection,
        period_start=dt.date(2023, 4, 1),
        period_end=dt.date(2024, 3, 31),
        cohort_start=dt.date(2022, 1, 1),
        cohort_end=dt.date(2022, 12, 31),
        follow_up_months=12,
        waiting_months=6,
        cases_filename="cases.csv",
        cases_sha256="0" * 64,
        case_rows=200,
        population_filename="population.csv",
        population_sha256="1" * 64,
        population=20_000,
        comparator_source=source,
        by=user,
    )
    run.save()
    fte_value = Decimal(fte * 100_000) / 20_000
    rows = [
        ("fte", fte, 20_000, fte * 100_000, 20_000, 1, fte_national, fte_value),
        ("custody", 3, 20_000, 3, 20, 2, "0.15", Decimal("0.15")),
        ("reoffending", 7, 40, 35, 2, 1, "20", Decimal("17.5")),
    ]
    for position, (key, num, den, vnum, vden, places, national, value) in enumerate(rows):
        difference = None if national is None else value - Decimal(national)
        StoredIndicator(
            run=run,
            position=position,
            key=key,
            name=key,
            numerator=num,
            denominator=den,
            value_numerator=vnum,
            value_denominator=vden,
            places=places,
            unit="unit",
            rule="rule",
            national=None if national is None else Decimal(national),
            difference=difference,
            verdict=""
            if difference is None
            else "same"
            if difference == 0
            else "better"
            if difference < 0
            else "worse",
        ).save()
    return run


def _numbers(text: str) -> list[str]:
    return sorted(re.findall(r"\d+(?:[.,]\d+)*", text))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def answered(inspection: Inspection, users: dict[str, AbstractUser]) -> Inspection:
    answered_court_cases(inspection, users["inspector"], {"2.1.desistance": 9})
    return inspection


def test_background_states_the_stored_indicators_with_footnotes(
    answered: Inspection, users: dict[str, AbstractUser], client_as: Callable[[str], Client]
) -> None:
    store_indicators(answered, users["lead"])
    html = client_as("lead").get(reverse("inspections:report", args=[answered.pk])).content
    background = html.decode().split('id="background"')[1].split("</section>")[0]
    text = _text(background)
    assert "youth justice system in Testshire was 60.0 per 100,000 children aged 10 to 17" in text
    assert "This was lower than the England and Wales figure of 180.2 per 100,000." in text
    assert "7 of the 40 children in the cohort" in text
    assert "0.15 custodial sentences per 1,000" in text
    # Each figure's mark links to its footnote and back, numbered from 1 in reading order.
    for n in (1, 2, 3):
        assert f'href="#fn-{n}" id="fnref-{n}"' in background
        assert f'<li id="fn-{n}" value="{n}"' in background
    assert "from 1 January 2022 to 31 December 2022, each followed for 12 months" in text
    # The standards' footnotes number on after the background's.
    body = html.decode().split('id="background"')[1].split("</section>", 1)[1]
    assert 'id="fn-1"' not in body and 'id="fn-4"' in body


def test_latest_run_is_the_one_reported(
    answered: Inspection, users: dict[str, AbstractUser]
) -> None:
    store_indicators(answered, users["lead"])
    later = store_indicators(answered, users["lead"], fte=50, fte_national=None)
    later.at = later.at + dt.timedelta(minutes=1)
    later.save()
    report = inspection_report(answered)
    assert report.outcomes[0].text.endswith("was 250.0 per 100,000 children aged 10 to 17.")
    assert report.outcomes[0].after == ""


def test_no_indicators_no_figures(answered: Inspection) -> None:
    report = inspection_report(answered)
    assert report.outcomes == () and report.background_footnotes == ()


def test_welsh_report_takes_the_figures_through_the_catalogue(
    answered: Inspection, users: dict[str, AbstractUser]
) -> None:
    """The Welsh words come from the catalogue (English until it holds them); the figures and
    the footnote numbering are the same in both languages."""
    store_indicators(answered, users["lead"])
    with translation.override("en"):
        english = inspection_report(answered)
    with translation.override("cy"):
        welsh = inspection_report(answered)
    assert [s.footnote.number for s in welsh.outcomes] == [
        s.footnote.number for s in english.outcomes
    ]
    for en, cy in zip(english.outcomes, welsh.outcomes, strict=True):
        assert _numbers(cy.text) == _numbers(en.text)
