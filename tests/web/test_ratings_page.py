"""The live ratings page, professional discretion and the ratings JSON, on hand-made figures."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse

from yjinspect.web.inspections.models import (
    Answer,
    Assessment,
    AssessmentState,
    Case,
    Discretion,
    Inspection,
    Judgement,
)
from yjinspect.web.inspections.views import ratings as ratings_views

pytestmark = pytest.mark.django_db


def make_cases(
    inspection: Inspection,
    user: AbstractUser,
    n: int,
    answers: dict[str, int],
    *,
    domain: str = "court",
    prefix: str = "C",
) -> list[Case]:
    """n sampled cases with a primary assessment; `answers` maps a key question to its Yes count
    (the other cases answer No)."""
    cases = []
    for i in range(n):
        case = Case.objects.create(
            inspection=inspection,
            case_ref=f"{prefix}{i + 1:03d}",
            domain=domain,
            disposal_type="Referral order",
            start_date=dt.date(2023, 6, 1),
            case_manager="CM1",
            risk_of_harm="medium",
            safety_wellbeing="low",
            in_sample=True,
        )
        assessment = Assessment.objects.create(case=case, assessor=user)
        for kq, yes in answers.items():
            Answer.objects.create(
                assessment=assessment,
                key_question=kq,
                value="yes" if i < yes else "no",
                updated_by=user,
            )
        cases.append(case)
    return cases


PLANNING = {"2.2.desistance": 9, "2.2.child_safety": 8, "2.2.others_safety": 5}


@pytest.fixture
def planned(inspection: Inspection, users: dict[str, AbstractUser]) -> Inspection:
    """9 court cases: 2.2 answered 9/9, 8/9 and 5/9 Yes."""
    make_cases(inspection, users["inspector"], 9, PLANNING)
    return inspection


def section(html: str, standard_id: str) -> str:
    anchor = "standard-" + standard_id.replace(".", "-")
    return html.split(f'<section id="{anchor}"')[1].split("</section>")[0]


def page(client: Client, inspection: Inspection) -> str:
    response = client.get(reverse("inspections:ratings", args=[inspection.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


def test_case_standard_figures_explanation_and_next_band(
    client_as: Callable[[str], Client], planned: Inspection
) -> None:
    html = page(client_as("inspector"), planned)
    planning = section(html, "2.2")
    assert "Requires improvement" in planning
    assert re.search(r"<strong>56%</strong>", planning)  # the lowest key question, in bold
    assert "<strong>100%</strong>" not in planning and "100%" in planning
    assert "89%" in planning
    assert "5/9" in planning and "8/9" in planning and "9/9" in planning
    assert "26.7%" not in planning and "27%–81%" in planning  # Wilson 95% for 5/9
    # Only the key question that sets the rating carries the warning; others just a hint.
    assert planning.count("a different sample could change this rating") == 1
    assert '<span class="govuk-hint govuk-body-s">Spans a band boundary</span>' in planning
    assert "only 9 applicable cases: treat the figure with care" in planning
    assert "lowest key question 2.2.others_safety 56% (5/9) is in the 50–64% band" in planning
    assert "one more Yes on 2.2.others_safety would make it Good" in planning
    assert "95% interval" in planning
    # Ratings table: 2.2 Requires improvement; no overall rating while others are unrated.
    table = html.split('id="ratings-table"')[1].split("</table>")[0]
    row = table.split("2.2 Planning")[1].split("</tr>")[0]
    assert "Requires improvement" in row
    assert "No overall rating: scored standard(s)" in html
    assert "2.1, 2.3, 2.4" in html


def test_score_and_overall_rating_when_every_scored_standard_is_rated(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    fw = inspection.framework.framework
    case_kqs = [
        kq
        for s in fw.all_standards()
        if s.rating_method == "cases"
        for kq in fw.key_question_ids()
        if kq.startswith(f"{s.id}.")
    ]
    make_cases(inspection, users["inspector"], 9, dict.fromkeys(case_kqs, 9))
    make_cases(inspection, users["inspector"], 1, {}, domain="out_of_court", prefix="O")
    for sid in ["1.1", "1.2", "1.3", "1.4", "3.4"]:
        Judgement.objects.create(
            inspection=inspection,
            standard_id=sid,
            rating="good",
            rationale=f"Draft rationale {sid}",
            decided_by=users["lead"],
        )
    html = page(client_as("lead"), inspection)
    assert re.search(r'id="score">\s*31/36', html)
    assert "Outstanding" in html.split('id="overall-rating"')[1].split("</dd>")[0]
    assert "Score 31/36 is in the 31–36 band: Outstanding" in html
    governance = section(html, "1.1")
    assert "Draft rationale 1.1" in governance and "lead" in governance
    resettlement = section(html, "4.1")
    assert "Not rated: no resettlement cases in the inspection timescale." in resettlement


def test_the_page_rates_once_per_request(
    client_as: Callable[[str], Client], planned: Inspection, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = ratings_views.rate_inspection

    def counting(inspection: Inspection, *rows: Any) -> Any:
        calls.append(inspection.pk)
        return real(inspection, *rows)

    monkeypatch.setattr(ratings_views, "rate_inspection", counting)
    page(client_as("inspector"), planned)
    assert calls == [planned.pk]


# ---------------------------------------------------------------- discretion


def discretion_url(inspection: Inspection, standard_id: str = "2.2") -> str:
    return reverse("inspections:discretion", args=[inspection.pk, standard_id])


def test_discretion_of_two_bands_is_refused_with_the_engines_message(
    client_as: Callable[[str], Client], planned: Inspection
) -> None:
    response = client_as("lead").post(
        discretion_url(planned), {"rating": "outstanding", "reason": "Strong practice"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert (
        "Discretion may move a rating by at most 1 band(s); "
        "Requires improvement to Outstanding is 2" in html
    )
    assert not Discretion.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rating": "good", "reason": "  "}, "Professional discretion needs a written reason"),
        (
            {"rating": "requires_improvement", "reason": "No change"},
            "The discretion rating is the same as the computed rating",
        ),
        ({"rating": "", "reason": "Why"}, "This field is required"),
        ({"rating": "brilliant", "reason": "Why"}, "Select a valid choice"),
    ],
)
def test_discretion_needs_a_reason_and_a_different_rating(
    client_as: Callable[[str], Client], planned: Inspection, data: dict[str, str], message: str
) -> None:
    response = client_as("lead").post(discretion_url(planned), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Discretion.objects.exists()


def test_discretion_is_recorded_shown_and_removed_after_confirmation(
    client_as: Callable[[str], Client], planned: Inspection, users: dict[str, AbstractUser]
) -> None:
    lead = client_as("lead")
    response = lead.post(
        discretion_url(planned),
        {"rating": "good", "reason": "Planning for victims was consistently strong"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#standard-2-2")
    saved = Discretion.objects.get(standard_id="2.2")
    assert (saved.rating, saved.decided_by) == ("good", users["lead"])
    assert saved.history.get().history_user == users["lead"]
    html = page(client_as("inspector"), planned)
    planning = section(html, "2.2")
    assert "Computed rating" in planning and "Requires improvement" in planning
    assert "Final rating (professional discretion)" in planning and "Good" in planning
    assert "Planning for victims was consistently strong" in planning
    assert re.search(r"Decided by</dt><dd[^>]*>lead", planning)
    row = html.split('id="ratings-table"')[1].split("2.2 Planning")[1].split("</tr>")[0]
    assert "Good" in row and "Professional discretion applied" in row
    data = client_as("inspector").get(reverse("inspections:ratings_json", args=[planned.pk]))
    standard = data.json()["standards"]["2.2"]
    assert standard["rating"] == "Good" and standard["computed_rating"] == "Requires improvement"
    assert standard["discretion_reason"] == "Planning for victims was consistently strong"

    # Removing asks first, and only the confirmation removes it.
    ask = lead.post(discretion_url(planned), {"action": "remove"})
    assert ask.status_code == 200
    assert "Are you sure you want to remove the professional discretion?" in ask.content.decode()
    assert Discretion.objects.exists()
    done = lead.post(discretion_url(planned), {"action": "confirm_remove"})
    assert done.status_code == 302 and not Discretion.objects.exists()
    assert "Requires improvement" in section(page(lead, planned), "2.2").split("<table")[0]


def test_answers_changed_after_discretion_show_its_problem(
    client_as: Callable[[str], Client], planned: Inspection, users: dict[str, AbstractUser]
) -> None:
    Discretion.objects.create(
        inspection=planned, standard_id="2.2", rating="good", reason="Why", decided_by=users["lead"]
    )
    # One more Yes: the computed rating is now Good, the same as the discretion.
    answer = Answer.objects.filter(key_question="2.2.others_safety", value="no").first()
    assert answer is not None
    answer.value = "yes"
    answer.save()
    html = page(client_as("lead"), planned)
    assert (
        "2.2: the professional discretion recorded by lead (Good) is not applied: "
        "the discretion rating is the same as the computed rating" in html
    )
    assert discretion_url(planned) in html  # a link to review it
    form = client_as("lead").get(discretion_url(planned)).content.decode()
    assert "the discretion rating is the same as the computed rating" in form


def test_discretion_only_for_case_rated_standards_and_only_for_the_lead(
    client_as: Callable[[str], Client], planned: Inspection
) -> None:
    assert client_as("lead").get(discretion_url(planned)).status_code == 200
    assert client_as("lead").get(discretion_url(planned, "1.1")).status_code == 404
    assert client_as("lead").get(discretion_url(planned, "7.7")).status_code == 404
    data = {"rating": "good", "reason": "Because"}
    for name, status in [
        ("inspector", 403),
        ("moderator", 403),
        ("viewer", 403),
        ("stranger", 404),
    ]:
        client = client_as(name)
        assert client.get(discretion_url(planned)).status_code == status
        assert client.post(discretion_url(planned), data).status_code == status
    anonymous = client_as("anonymous").post(discretion_url(planned), data)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert not Discretion.objects.exists()


# ---------------------------------------------------------------- who sees the ratings


def test_service_viewers_see_ratings_only_once_released(
    client_as: Callable[[str], Client], planned: Inspection, users: dict[str, AbstractUser]
) -> None:
    Judgement.objects.create(
        inspection=planned,
        standard_id="1.1",
        rating="good",
        rationale="Draft wording",
        decided_by=users["lead"],
    )
    viewer = client_as("viewer")
    urls = [
        reverse("inspections:ratings", args=[planned.pk]),
        reverse("inspections:ratings_json", args=[planned.pk]),
    ]
    for url in urls:
        response = viewer.get(url)
        assert response.status_code == 403 and b"Draft wording" not in response.content
    planned.released_to_service = True
    planned.save()
    html = page(viewer, planned)
    assert "Draft wording" in html and "Requires improvement" in html
    assert "professional discretion on" not in html.lower().split("</h1>")[1].split("<script")[0]
    assert "/judgement/" not in html  # no links into the team's pages
    assert viewer.get(urls[1]).status_code == 200


@pytest.mark.parametrize(
    ("name", "status"),
    [("lead", 200), ("inspector", 200), ("moderator", 200), ("viewer", 403), ("stranger", 404)],
)
def test_who_may_see_the_ratings(
    client_as: Callable[[str], Client], planned: Inspection, name: str, status: int
) -> None:
    for url in [
        reverse("inspections:ratings", args=[planned.pk]),
        reverse("inspections:ratings_json", args=[planned.pk]),
    ]:
        assert client_as(name).get(url).status_code == status


def test_anonymous_people_are_sent_to_sign_in(
    client_as: Callable[[str], Client], planned: Inspection
) -> None:
    for url in [
        reverse("inspections:ratings", args=[planned.pk]),
        reverse("inspections:ratings_json", args=[planned.pk]),
        discretion_url(planned),
    ]:
        response = client_as("anonymous").get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_ratings_json_shape(client_as: Callable[[str], Client], planned: Inspection) -> None:
    response = client_as("inspector").get(reverse("inspections:ratings_json", args=[planned.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["framework"] == "hmip-youth-2021" and data["framework_version"] == 2
    assert data["framework_ref"] == "hmip-youth-2021@2" and data["inspection"] == planned.pk
    assert data["score"] is None and data["max_score"] == 36 and data["overall_rating"] is None
    assert list(data["standards"]) == [
        "1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4", "4.1"
    ]  # fmt: skip
    planning = data["standards"]["2.2"]
    assert planning["rating"] == "Requires improvement"
    assert planning["driving_key_question"] == "2.2.others_safety"
    assert planning["next_band"] == "one more Yes on 2.2.others_safety would make it Good"
    others = planning["key_questions"]["2.2.others_safety"]
    assert others == {
        "yes": 5,
        "applicable": 9,
        "not_applicable": 0,
        "percent": 56,
        "exact_percent": 55.56,
        "band": "Requires improvement",
        "interval": [26.7, 81.1],
        "interval_crosses_band": True,
        "notes": ["only 9 applicable cases: treat the figure with care"],
    }
    assert data["standards"]["1.1"]["rating"] == "Not rated"


def test_only_sampled_primary_answers_count(
    client_as: Callable[[str], Client], planned: Inspection, users: dict[str, AbstractUser]
) -> None:
    # A case taken out of the sample, with only Yes answers, changes nothing.
    extra = make_cases(planned, users["inspector"], 1, PLANNING, prefix="X")[0]
    extra.in_sample = False
    extra.save()
    data = client_as("lead").get(reverse("inspections:ratings_json", args=[planned.pk])).json()
    assert data["standards"]["2.2"]["key_questions"]["2.2.others_safety"]["applicable"] == 9


def test_the_page_says_when_sampled_cases_are_not_all_submitted(
    client_as: Callable[[str], Client], planned: Inspection
) -> None:
    assessments = Assessment.objects.filter(case__inspection=planned)
    assessments.update(state=AssessmentState.IN_PROGRESS)
    html = page(client_as("lead"), planned)
    assert "Only 0 of the 9 sampled cases have a submitted assessment" in html
    assessments.update(state=AssessmentState.SUBMITTED)
    assert "have a submitted assessment" not in page(client_as("lead"), planned)
