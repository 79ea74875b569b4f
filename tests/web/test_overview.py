"""Creating an inspection, its overview, team and lifecycle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse

from yjinspect.web.inspections.models import (
    Assessment,
    AssessmentState,
    Inspection,
    Judgement,
    Membership,
    Role,
    State,
    StateTransition,
)

from .conftest import answered_court_cases

pytestmark = pytest.mark.django_db


def test_staff_create_an_inspection_and_become_its_lead(
    client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    client = client_as("stranger")
    response = client.post(
        reverse("inspections:create"),
        {
            "service_name": "Bexley YJS",
            "framework": "hmip-youth-2021",
            "mode": "internal_audit",
            "fieldwork_start": "2024-04-08",
        },
    )
    created = Inspection.objects.get(service_name="Bexley YJS")
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspections:detail", args=[created.pk]
    )
    assert created.mode == "internal_audit" and created.framework.framework_id == "hmip-youth-2021"
    assert Membership.objects.get(inspection=created, user=users["stranger"]).role == Role.LEAD
    page = client.get(reverse("inspections:detail", args=[created.pk]))
    assert "Bexley YJS" in page.content.decode()


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_dates_are_read_day_first_as_people_in_england_and_wales_write_them(
    client_as: Callable[[str], Client], lang: str
) -> None:
    """04/11/2026 is 4 November, not 11 April (Django's own "en" formats are American)."""
    client_as("stranger").post(
        reverse("inspections:create") + f"?lang={lang}",
        {
            "service_name": "Northshire YJS",
            "framework": "hmip-youth-2021",
            "mode": "internal_audit",
            "fieldwork_start": "04/11/2026",
        },
    )
    created = Inspection.objects.get(service_name="Northshire YJS")
    assert created.fieldwork_start == dt.date(2026, 11, 4)


def test_create_form_errors_are_shown(client_as: Callable[[str], Client]) -> None:
    response = client_as("stranger").post(
        reverse("inspections:create"),
        {
            "service_name": "",
            "framework": "hmip-youth-2021",
            "mode": "inspection",
            "fieldwork_start": "2024-04-08",
            "fieldwork_end": "2024-04-01",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Fieldwork cannot end before it starts" in html
    assert not Inspection.objects.exists()


def test_non_staff_cannot_create(client_as: Callable[[str], Client]) -> None:
    assert client_as("inspector").get(reverse("inspections:create")).status_code == 403


def test_home_lists_only_my_inspections(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    assert (
        "Testshire YJS" in client_as("inspector").get(reverse("inspections:home")).content.decode()
    )
    assert (
        "Testshire YJS"
        not in client_as("stranger").get(reverse("inspections:home")).content.decode()
    )
    assert "Testshire YJS" in client_as("admin").get(reverse("inspections:home")).content.decode()


def test_strangers_get_404_and_anonymous_get_sign_in(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    url = reverse("inspections:detail", args=[inspection.pk])
    assert client_as("stranger").get(url).status_code == 404
    response = client_as("anonymous").get(url)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )


def test_lifecycle_moves_one_step_records_who_and_ends_read_only(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    client = client_as("lead")
    url = reverse("inspections:transition", args=[inspection.pk])
    assert client.post(url, {"to": "drafting"}).status_code == 302  # a jump is refused
    inspection.refresh_from_db()
    assert inspection.state == State.PLANNING
    for target in ["fieldwork", "moderation", "drafting", "factual_accuracy", "published"]:
        client.post(url, {"to": target, "note": f"to {target}"})
    inspection.refresh_from_db()
    assert inspection.state == State.PUBLISHED and inspection.released_to_service
    steps = list(
        StateTransition.objects.filter(inspection=inspection).values_list(
            "to_state", "by__username"
        )
    )
    assert steps == [
        (s, "lead")
        for s in ["fieldwork", "moderation", "drafting", "factual_accuracy", "published"]
    ]
    # Published: no more changes, even by the lead.
    assert client.post(url, {"to": "factual_accuracy"}).status_code == 403
    assert (
        client.post(
            reverse("inspections:release", args=[inspection.pk]), {"released": "0"}
        ).status_code
        == 403
    )


def test_the_lead_sees_what_is_still_to_do_beside_the_move_on_button(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    answered_court_cases(inspection, users["inspector"], {"2.1.desistance": 3}, cases=3)
    Judgement.objects.create(
        inspection=inspection, standard_id="1.1", rating="good", decided_by=users["lead"]
    )
    url = reverse("inspections:detail", args=[inspection.pk])
    page = client_as("lead").get(url).content.decode()
    assert "Still to do before moving on: 3 sampled cases have no submitted assessment; " in page
    assert "5 evidence-rated standards have no judgement." in page  # 1.2-1.4, 3.4, 4.1
    assert "Still to do" not in client_as("inspector").get(url).content.decode()
    Assessment.objects.filter(case__inspection=inspection).update(state=AssessmentState.SUBMITTED)
    page = client_as("lead").get(url).content.decode()
    assert "sampled case" not in page and "5 evidence-rated standards have no judgement." in page


def test_only_the_lead_manages_the_team(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    url = reverse("inspections:add_member", args=[inspection.pk])
    assert (
        client_as("inspector").post(url, {"username": "stranger", "role": "inspector"}).status_code
        == 403
    )
    client_as("lead").post(url, {"username": "stranger", "role": "moderator"})
    assert (
        Membership.objects.get(inspection=inspection, user=users["stranger"]).role == Role.MODERATOR
    )
    member = Membership.objects.get(inspection=inspection, user=users["stranger"])
    client_as("lead").post(reverse("inspections:remove_member", args=[inspection.pk, member.pk]))
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_service_viewer_sees_the_overview_but_no_progress(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    html = (
        client_as("viewer")
        .get(reverse("inspections:detail", args=[inspection.pk]))
        .content.decode()
    )
    assert "Testshire YJS" in html and "Progress" not in html
