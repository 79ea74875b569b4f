"""The 'Demoshire 2015' SQS demo: a published inspection whose letter counts like the seeds."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse

from yjinspect.web.inspections.models import Answer, AssessmentState, Inspection, Role, State
from yjinspect.web.inspections.services.legacy_demo import build_sqs_demo
from yjinspect.web.inspections.services.ratings import rate_areas_inspection

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    """The page's words with tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def demo(users: dict[str, AbstractUser]) -> Inspection:
    return build_sqs_demo(
        users["lead"], [users["inspector"], users["inspector2"]], users["moderator"]
    )


def test_the_demo_is_a_published_sqs_of_fourteen_cases(demo: Inspection) -> None:
    assert demo.state == State.PUBLISHED and demo.framework.framework_id == "hmip-sqs"
    assert demo.cases.count() == 23 and demo.cases.filter(in_sample=True).count() == 14
    rating = rate_areas_inspection(demo)
    assert rating.sample_size == 14
    pp01 = rating.area("PP").item("PP-01")
    assert (pp01.yes, pp01.no, pp01.na, pp01.phrase) == (9, 5, 0, "9 of the 14 cases")
    assert rating.area("RR").item("RR-02").phrase == "nine out of ten relevant cases"
    assert rating.area("OM").item("OM-02").phrase == "seven of the eight case managers interviewed"
    # The recorded questions keep their own options.
    assert dict(rating.area("PP").item("PP-02").options or {}) == {
        "accurate": 12, "under": 2, "over": 0, "na": 0,
    }  # fmt: skip
    assert demo.members.get(role=Role.MODERATOR)
    agreed = demo.cases.filter(assessments__state=AssessmentState.AGREED).count()
    assert agreed == 1
    # Built through .save(): every answer has its history row, attributed to its assessor.
    first = Answer.objects.filter(assessment__case__inspection=demo).first()
    assert first is not None
    assert first.history.get().history_user == first.updated_by


def test_the_demo_letter_states_counts_in_the_seeds_manner(
    demo: Inspection, client_as: Callable[[str], Client]
) -> None:
    response = client_as("lead").get(reverse("inspections:legacy_report", args=[demo.pk]))
    assert response.status_code == 200
    page = text_of(response.content.decode())
    assert (
        "Report of Short Quality Screening (SQS) of youth offending work in Demoshire YOT" in page
    )
    assert "We looked at 14 cases of children" in page
    # The inspectors' sentence with the count filled in from the answers, as Bexley 2015 put it.
    assert "risk of harm to others well enough in 9 of the 14 cases we looked at" in page
    assert "Reports for the court were good enough in nine out of ten relevant cases" in page
    assert "seven of the eight case managers interviewed said supervision was good" in page
    assert (
        "The published reoffending rate for Demoshire YOT was 30.2%. This was better than the "
        "previous year and better than the England and Wales average of 35.9%." in page
    )
    assert "April 2012 to March 2013 cohort" in page  # the footnote
    assert "Key strengths" in page and "Areas requiring improvement" in page
    assert "{" not in page  # no placeholder left unfilled
