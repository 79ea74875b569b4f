"""Every URL against every role, with the expected outcome.

The table below must name every URL the app serves: a new URL without an entry fails
`test_every_url_has_an_entry`, so access rules are decided when a page is added, not later.

Outcomes: 'ok' (any 2xx, or a redirect that is not to the sign-in page), 'login' (redirect to
sign in), 'deny' (403 for members without the right), 'hidden' (404: strangers cannot tell
the inspection exists), 'bad' (400/405/409: allowed in, but the empty request is refused).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from yjinspect.web.improvement.models import Action, ImprovementPlan, PlanItem
from yjinspect.web.inspections.models import (
    Answer,
    Assessment,
    Case,
    EvidenceItem,
    Inspection,
    Membership,
    Recommendation,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "stranger", "viewer", "inspector", "moderator", "lead", "admin"]
TEAM = {"inspector", "moderator", "lead", "admin"}
EVERYONE_IN = TEAM | {"viewer"}

# url name -> (method, roles allowed in). Others: anonymous -> login, stranger -> hidden,
# other members -> deny. 'public' pages are open to everyone.
MATRIX: dict[str, tuple[str, set[str] | str]] = {
    "healthz": ("GET", "public"),
    "accounts:login": ("GET", "public"),
    # Without a password step in progress, the code page sends everyone back to sign in.
    "accounts:code": ("GET", "to_sign_in"),
    "accounts:logout": ("GET", "public"),
    "accounts:security": ("GET", "signed_in"),
    "inspections:home": ("GET", "signed_in"),
    "inspections:create": ("GET", "staff"),
    "inspections:detail": ("GET", EVERYONE_IN),
    "inspections:transition": ("POST", {"lead", "admin"}),
    "inspections:release": ("POST", {"lead", "admin"}),
    "inspections:add_member": ("POST", {"lead", "admin"}),
    "inspections:remove_member": ("POST", {"lead", "admin"}),
    "inspections:optional_areas": ("GET", {"lead", "admin"}),
    "inspections:evidence": ("GET", TEAM),
    "inspections:evidence_add": ("GET", {"inspector", "lead", "admin"}),
    "inspections:evidence_download": ("GET", TEAM),
    "inspections:judgement": ("GET", TEAM),
    "inspections:ratings": ("GET", TEAM),
    "inspections:ratings_json": ("GET", TEAM),
    "inspections:discretion": ("GET", {"lead", "admin"}),
    "inspections:history": ("GET", TEAM),
    "inspections:history_csv": ("GET", TEAM),
    "inspections:assessments": ("GET", TEAM),
    "inspections:assess": ("GET", TEAM),
    "inspections:return_assessment": ("POST", {"moderator", "lead", "admin"}),
    "inspections:agree_assessment": ("POST", {"moderator", "lead", "admin"}),
    "inspections:moderation": ("GET", TEAM),
    "inspections:moderate": ("GET", {"moderator", "lead", "admin"}),
    "inspections:resolve": ("POST", {"moderator", "lead", "admin"}),
    "inspections:cases": ("GET", TEAM),
    "inspections:case_import": ("GET", {"lead", "admin"}),
    "inspections:case_import_commit": ("POST", {"lead", "admin"}),
    "inspections:case_import_discard": ("POST", {"lead", "admin"}),
    "inspections:case_import_problems": ("GET", {"lead", "admin"}),
    "inspections:case_import_template": ("GET", EVERYONE_IN),
    "inspections:sample": ("GET", TEAM),
    "inspections:sample_clear": ("POST", {"lead", "admin"}),
    "inspections:replace_case": ("POST", {"lead", "admin"}),
    "inspections:allocation": ("GET", TEAM),
    "inspections:report": ("GET", TEAM),
    "inspections:report_pdf": ("GET", TEAM),
    # Earlier programmes' reports: a standards inspection is sent on to its own report.
    "inspections:legacy_report": ("GET", TEAM),
    "inspections:legacy_report_pdf": ("GET", TEAM),
    "inspections:legacy_texts": ("GET", {"inspector", "lead", "admin"}),
    "inspections:report_texts": ("GET", TEAM),
    "inspections:report_text_edit": ("GET", {"inspector", "lead", "admin"}),
    "inspections:recommendation_add": ("GET", {"inspector", "lead", "admin"}),
    "inspections:recommendation_edit": ("GET", {"inspector", "lead", "admin"}),
    "inspections:recommendation_delete": ("GET", {"inspector", "lead", "admin"}),
    "inspections:recommendation_move": ("POST", {"inspector", "lead", "admin"}),
    "inspections:export_answers_csv": ("GET", TEAM),
    "inspections:export_answers_xlsx": ("GET", TEAM),
    "inspections:export_archive": ("GET", {"lead", "admin"}),
    "outcomes:indicators": ("GET", EVERYONE_IN),
    "outcomes:upload": ("GET", {"lead", "admin"}),
    "improvement:plan": ("GET", EVERYONE_IN),
    "improvement:plan_create": ("POST", {"lead", "admin"}),
    "improvement:plan_item": ("GET", {"viewer", "lead", "admin"}),
    "improvement:action_add": ("GET", {"viewer", "lead", "admin"}),
    "improvement:action": ("GET", {"viewer", "lead", "admin"}),
    "improvement:plan_history": ("GET", EVERYONE_IN),
    "improvement:plan_xlsx": ("GET", EVERYONE_IN),
    "improvement:plan_pdf": ("GET", EVERYONE_IN),
    "improvement:dashboard": ("GET", EVERYONE_IN),
    # Published results are public figures: every signed-in user reads them; the page shows an
    # app inspection only to those who may see its ratings. Uploads change what all see.
    "comparison:index": ("GET", "signed_in"),
    "comparison:service": ("GET", "signed_in"),
    "comparison:national": ("GET", "signed_in"),
    "comparison:upload": ("GET", "staff"),
    "comparison:upload_commit": ("POST", "staff"),
    # Restoring an archive creates an inspection: whoever may create one (staff, admins).
    "inspections:restore": ("GET", "staff"),
    "inspections:restore_check": ("GET", "staff"),
    "inspections:restore_discard": ("POST", "staff"),
}

# URLs outside the app's own code (Django admin, language switch) are covered elsewhere.
SKIP_PREFIXES = ("admin:", "set_language", "javascript-catalog")


def _names(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else prefix
            yield from _names(p.url_patterns, ns)
        elif p.name:
            yield prefix + p.name


def all_url_names() -> list[str]:
    return sorted(
        n for n in set(_names(get_resolver().url_patterns)) if not n.startswith(SKIP_PREFIXES)
    )


def test_every_url_has_an_entry() -> None:
    missing = [n for n in all_url_names() if n not in MATRIX]
    assert missing == [], f"add these URLs to MATRIX with their access rule: {missing}"
    stale = [n for n in MATRIX if n not in all_url_names()]
    assert stale == [], f"MATRIX names URLs that no longer exist: {stale}"


@pytest.fixture
def objects(
    inspection: Inspection, users: dict[str, AbstractUser], settings: object, tmp_path: Path
) -> dict[str, object]:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    case = Case.objects.create(
        inspection=inspection,
        case_ref="M001",
        domain="court",
        disposal_type="referral_order",
        start_date=dt.date(2023, 6, 1),
        case_manager="CM1",
        risk_of_harm="medium",
        safety_wellbeing="low",
        in_sample=True,
        assessor=users["inspector"],
    )
    assessment = Assessment.objects.create(
        case=case, assessor=users["inspector"], state="submitted"
    )
    Answer.objects.create(
        assessment=assessment,
        key_question="2.1.desistance",
        value="yes",
        updated_by=users["inspector"],
    )
    item = EvidenceItem.objects.create(
        inspection=inspection,
        standard_id="1.1",
        kind="document",
        title="Plan",
        added_by=users["lead"],
    )
    item.upload.save("plan.txt", ContentFile(b"board plan"), save=False)
    item.upload_name, item.upload_size = "plan.txt", 10
    item.save()
    member = Membership.objects.get(inspection=inspection, user=users["inspector2"])
    recommendation = Recommendation.objects.create(
        inspection=inspection, addressed_to="The board", text_en="act", updated_by=users["lead"]
    )
    plan = ImprovementPlan.objects.create(inspection=inspection, created_by=users["lead"])
    plan_item = PlanItem.objects.create(
        plan=plan, addressed_to="YJS board", text="Improve plans", updated_by=users["lead"]
    )
    plan_action = Action.objects.create(
        item=plan_item,
        description="Audit plans",
        owner="Head of service",
        due_date=dt.date(2030, 1, 1),
        updated_by=users["lead"],
    )
    return {
        "pk": inspection.pk,
        "case_pk": case.pk,
        "member_pk": member.pk,
        "item_pk": item.pk,
        "standard_id": "2.1",
        "kq": "2.1.desistance",
        "text_key": "foreword",
        "rec_pk": recommendation.pk,
        "plan_item_pk": plan_item.pk,
        "action_pk": plan_action.pk,
        "service": "testshire",
        "framework_id": "hmip-youth-2021",
    }


def _url(name: str, objects: dict[str, object]) -> str:
    resolver = get_resolver()
    ns, _, short = name.rpartition(":")
    patterns = (
        resolver.namespace_dict[ns][1].reverse_dict.getlist(short)
        if ns
        else resolver.reverse_dict.getlist(short)
    )
    params = patterns[0][0][0][1] if patterns else []
    kwargs = {p: objects[p] for p in params}
    if name in {"inspections:judgement"}:
        kwargs["standard_id"] = "1.1"
    return reverse(name, kwargs=kwargs)


def expected(name: str, role: str) -> set[str]:
    _, rule = MATRIX[name]
    if rule == "public":
        return {"ok", "bad"}
    if rule == "to_sign_in":
        return {"login"}
    if role == "anonymous":
        return {"login"}
    if rule == "signed_in":
        return {"ok", "bad"}
    if rule == "staff":
        return {"ok", "bad"} if role in {"stranger", "lead", "admin"} else {"deny"}
    assert isinstance(rule, set)
    if role in rule:
        return {"ok", "bad"}
    return {"hidden"} if role == "stranger" else {"deny"}


def outcome(response_status: int, location: str) -> str:
    if response_status in (301, 302):
        return "login" if location.startswith(reverse("accounts:login")) else "ok"
    if 200 <= response_status < 300:
        return "ok"
    return {403: "deny", 404: "hidden", 400: "bad", 405: "bad", 409: "bad"}.get(
        response_status, str(response_status)
    )


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(
    role: str, client_as: Callable[[str], Client], objects: dict[str, object]
) -> None:
    client = client_as(role)
    wrong = []
    for name in all_url_names():
        method, _ = MATRIX[name]
        url = _url(name, objects)
        response = client.post(url, {}) if method == "POST" else client.get(url)
        got = outcome(response.status_code, response.get("Location", ""))
        if got not in expected(name, role):
            wrong.append(
                f"{method} {name} as {role}: got {got} ({response.status_code}), want {expected(name, role)}"
            )
    assert wrong == []
