"""Shared fixtures for the web app: a team with every role, and an inspection they work on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.test import Client

from yjinspect.frameworks import shipped_framework_paths
from yjinspect.web.inspections.models import (
    Answer,
    Assessment,
    Case,
    FrameworkVersion,
    Inspection,
    Membership,
    Role,
)

PASSWORD = "correct-horse-battery-staple-42"
ROLE_USERS = {
    "lead": Role.LEAD,
    "inspector": Role.INSPECTOR,
    "inspector2": Role.INSPECTOR,
    "moderator": Role.MODERATOR,
    "viewer": Role.SERVICE_VIEWER,
}


@pytest.fixture(autouse=True)
def _fast_and_unlocked(settings: object) -> None:
    """Tests sign in many times: a fast hasher, and django-axes lockouts tested on their own."""
    settings.AXES_ENABLED = False  # type: ignore[attr-defined]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: object, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Evidence uploads and case-list previews go to a fresh folder, never the checkout's var/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")  # type: ignore[attr-defined]


def make_user(username: str, *, staff: bool = False, superuser: bool = False) -> AbstractUser:
    user: AbstractUser = get_user_model().objects.create_user(  # type: ignore[assignment]
        username=username, password=PASSWORD, is_staff=staff or superuser, is_superuser=superuser
    )
    return user


def framework_version(framework_id: str = "hmip-youth-2021") -> FrameworkVersion:
    source = shipped_framework_paths()[framework_id].read_text(encoding="utf-8")
    return FrameworkVersion.store(source, framework_id)


@pytest.fixture
def users(db: None) -> dict[str, AbstractUser]:
    people = {name: make_user(name, staff=name == "lead") for name in ROLE_USERS}
    people["stranger"] = make_user("stranger", staff=True)
    people["admin"] = make_user("admin", superuser=True)
    return people


@pytest.fixture
def inspection(users: dict[str, AbstractUser]) -> Inspection:
    created = Inspection.objects.create(
        service_name="Testshire YJS",
        framework=framework_version(),
        fieldwork_start=dt.date(2024, 4, 8),
        window_start=dt.date(2023, 4, 10),
        window_end=dt.date(2024, 2, 2),
        created_by=users["lead"],
    )
    for name, role in ROLE_USERS.items():
        Membership.objects.create(inspection=created, user=users[name], role=role)
    return created


@pytest.fixture
def client_as(users: dict[str, AbstractUser]) -> Callable[[str], Client]:
    """A test client signed in as one of the fixture users ('anonymous' for nobody)."""

    def make(name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(users[name])
        return client

    return make


def answered_court_cases(
    inspection: Inspection,
    assessor: AbstractUser,
    yes_by_key_question: dict[str, int],
    *,
    cases: int = 9,
    interviewed: int = 7,
) -> list[Case]:
    """Sampled court cases whose primary assessments answer Yes to each key question the
    given number of times (the first cases say Yes, the rest No)."""
    made = []
    for i in range(cases):
        case = Case.objects.create(
            inspection=inspection,
            case_ref=f"C{i + 1:03d}",
            domain="court",
            disposal_type="Referral order",
            start_date=dt.date(2023, 6, 1),
            case_manager="Pat Example",
            risk_of_harm="medium",
            safety_wellbeing="low",
            in_sample=True,
            case_manager_interviewed=i < interviewed,
        )
        assessment = Assessment.objects.create(case=case, assessor=assessor)
        for kq, yes in yes_by_key_question.items():
            Answer.objects.create(
                assessment=assessment,
                key_question=kq,
                value="yes" if i < yes else "no",
                updated_by=assessor,
            )
        made.append(case)
    return made
