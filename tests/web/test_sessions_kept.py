"""Work kept when a session times out: only for our own form, capped, short-lived; and
sessions that have expired are removed.

A POST that arrives without a signed-in session is kept (to be offered back after signing in)
only when Django's own CSRF check passed: its token matches the CSRF cookie, so it was sent
by a page this site served to this browser. Anything else stores nothing and starts no
session. Why: docs/decisions/0006-sessions-and-sign-in-after-the-security-test.md.
"""

from __future__ import annotations

import datetime as dt
import re
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.web.conftest import PASSWORD
from tests.web.test_assess import KQ, assess_url, field, form_data, make_case
from yjinspect.web.accounts.middleware import (
    KEPT_MAX_CHARS,
    KEPT_MAX_FIELDS,
    KEPT_SECONDS,
    SESSION_KEY,
    kept_work_token,
)
from yjinspect.web.inspections.models import Answer, Case, Inspection

pytestmark = pytest.mark.django_db

NOTES = "Notes typed for an hour"
KEPT_BANNER = "We kept the answers you were typing when your session ended"


def token_in(html: str, name: str = "csrfmiddlewaretoken") -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, f"no {name} in the page"
    return found.group(1)


def shown_to(users: dict[str, AbstractUser], name: str = "inspector") -> str:
    """The assessment form's hidden field for the person it was shown to."""
    return kept_work_token(users[name].pk)


def sign_in(client: Client, username: str = "inspector", next_url: str = "") -> None:
    """Through the real sign-in form, CSRF token and all (the client enforces CSRF)."""
    page = client.get(reverse("accounts:login"))
    data = {
        "username": username,
        "password": PASSWORD,
        "csrfmiddlewaretoken": token_in(page.content.decode()),
    }
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("accounts:login"), data)
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.fixture
def case(inspection: Inspection, users: dict[str, AbstractUser]) -> Case:
    return make_case(inspection, assessor=users["inspector"])


def expire_every_session() -> None:
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))


def test_a_post_with_no_csrf_proof_stores_nothing_and_starts_no_session(
    inspection: Inspection, case: Case
) -> None:
    stranger = Client(enforce_csrf_checks=True)  # no cookie at all
    response = stranger.post(
        assess_url(inspection, case), form_data({KQ: "yes"}, evidence={KQ: "x" * 5000})
    )
    assert response.status_code == 403
    assert Session.objects.count() == 0
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_a_forged_csrf_token_stores_nothing(inspection: Inspection, case: Case) -> None:
    stranger = Client(enforce_csrf_checks=True)
    stranger.get(reverse("accounts:login"))  # has a CSRF cookie of its own...
    other = Client(enforce_csrf_checks=True)
    forged = token_in(
        other.get(reverse("accounts:login")).content.decode()
    )  # ...but not this token
    data = form_data({KQ: "yes"}, evidence={KQ: NOTES}, csrfmiddlewaretoken=forged)
    response = stranger.post(assess_url(inspection, case), data)
    assert response.status_code == 403
    assert Session.objects.count() == 0
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_a_post_planted_from_another_site_neither_signs_out_nor_is_offered_back(
    inspection: Inspection, case: Case
) -> None:
    victim = Client(enforce_csrf_checks=True)
    sign_in(victim)
    url = assess_url(inspection, case)
    # Another site's page posts to us in the victim's browser. The browser sends none of our
    # cookies (they are SameSite=Lax) and keeps any cookie the answer sets.
    jar = victim.cookies
    victim.cookies = SimpleCookie()
    planted = form_data({KQ: "no"}, evidence={KQ: "Planted by another site"})
    response = victim.post(url, planted, HTTP_ORIGIN="https://elsewhere.example")
    for name, morsel in jar.items():
        victim.cookies.setdefault(name, morsel)
    assert response.status_code == 403
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    page = victim.get(url)
    if page.status_code == 302:  # signed out by the attack: the victim signs in again
        sign_in(victim, next_url=url)
        page = victim.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Planted by another site" not in html and KEPT_BANNER not in html


def test_a_genuine_post_after_the_session_expired_is_kept_for_a_short_while_then_offered_back(
    inspection: Inspection, case: Case, users: dict[str, AbstractUser]
) -> None:
    client = Client(enforce_csrf_checks=True)
    sign_in(client)
    url = assess_url(inspection, case)
    form_page = client.get(url).content.decode()  # the form, as the inspector opened it
    token, owner = token_in(form_page), token_in(form_page, "kept_for")
    expire_every_session()  # an hour of typing later, the session has ended
    data = form_data({KQ: "yes"}, evidence={KQ: NOTES}, csrfmiddlewaretoken=token, kept_for=owner)
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    assert not Answer.objects.exists()
    kept = Session.objects.get(expire_date__gt=timezone.now())
    assert kept.get_decoded()[SESSION_KEY]["data"][field(KQ, "evidence")] == NOTES
    # A session that only holds kept work lasts minutes, not the hours of a sign-in.
    assert kept.expire_date <= timezone.now() + dt.timedelta(seconds=KEPT_SECONDS)
    sign_in(client, next_url=url)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE  # a normal sign-in
    html = client.get(url).content.decode()
    assert KEPT_BANNER in html and NOTES in html
    assert NOTES not in client.get(url).content.decode()  # offered once
    assert not Answer.objects.exists()  # nothing saved until they press Save


def test_kept_work_older_than_its_lifetime_is_not_offered_back(
    inspection: Inspection, case: Case, users: dict[str, AbstractUser]
) -> None:
    client = Client()
    url = assess_url(inspection, case)
    client.post(url, form_data({KQ: "yes"}, evidence={KQ: NOTES}, kept_for=shown_to(users)))
    store = SessionStore(client.session.session_key)
    store[SESSION_KEY] = {**store[SESSION_KEY], "until": timezone.now().timestamp() - 1}
    store.save()
    sign_in_plain(client, url)
    html = client.get(url).content.decode()
    assert NOTES not in html and KEPT_BANNER not in html
    assert SESSION_KEY not in client.session


def sign_in_plain(client: Client, next_url: str) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": "inspector", "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("too_much", ["characters", "fields"])
def test_work_over_the_cap_is_refused_with_a_reason_and_nothing_is_stored(
    inspection: Inspection, case: Case, users: dict[str, AbstractUser], too_much: str
) -> None:
    client = Client()
    url = assess_url(inspection, case)
    if too_much == "characters":
        data = form_data({KQ: "yes"}, evidence={KQ: "x" * (KEPT_MAX_CHARS + 1)})
    else:
        data = {f"extra-{i}": "1" for i in range(KEPT_MAX_FIELDS + 1)}
    data["kept_for"] = shown_to(users)
    response = client.post(url, data, follow=True)
    assert Session.objects.count() == 0
    assert "too long to keep" in response.content.decode()
    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))


def test_work_is_kept_only_for_the_forms_that_offer_it_back(inspection: Inspection) -> None:
    """The assessment and moderation forms offer kept work back; any other form's anonymous
    POST is sent to sign in with nothing stored."""
    client = Client()
    url = reverse("inspections:report_text_edit", args=[inspection.pk, "foreword"])
    response = client.post(url, {"text": "x" * 1000})
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    assert Session.objects.count() == 0


def test_signing_in_removes_expired_sessions(users: dict[str, AbstractUser]) -> None:
    """Nothing else would: the database session store keeps expired rows until
    `clearsessions` runs (docs/deploying.md schedules it too)."""
    for seconds in (-60, -1, 3600):
        store = SessionStore()
        store["something"] = "kept"
        store.set_expiry(seconds)
        store.save()
    assert Session.objects.count() == 3
    sign_in_plain(Client(), "/")
    assert Session.objects.filter(expire_date__lte=timezone.now()).count() == 0
    assert Session.objects.count() == 2  # the live one and the new sign-in


def test_the_second_assessment_form_keeps_work_too(
    inspection: Inspection, case: Case, users: dict[str, AbstractUser]
) -> None:
    client = Client()
    url = reverse("inspections:moderate", args=[inspection.pk, case.pk])
    client.post(url, form_data({KQ: "no"}, evidence={KQ: NOTES}, kept_for=shown_to(users)))
    assert client.session[SESSION_KEY]["data"][field(KQ, "evidence")] == NOTES


@pytest.mark.parametrize("owner", ["", "1", "forged:signature"])
def test_a_stranger_with_a_csrf_token_of_their_own_stores_nothing(
    inspection: Inspection, case: Case, owner: str
) -> None:
    """A CSRF token proves the page came from us, not that a person of ours was shown it:
    anyone can fetch one from the sign-in page. Without the signed `kept_for` field of a page
    served to a signed-in person, nothing is kept and no session starts."""
    stranger = Client(enforce_csrf_checks=True)
    token = token_in(stranger.get(reverse("accounts:login")).content.decode())
    data = form_data(
        {KQ: "yes"}, evidence={KQ: "x" * 100_000}, csrfmiddlewaretoken=token, kept_for=owner
    )
    for _ in range(5):
        response = stranger.post(assess_url(inspection, case), data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert Session.objects.count() == 0
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_kept_work_is_offered_only_to_the_person_whose_form_it_was(
    inspection: Inspection, case: Case, users: dict[str, AbstractUser]
) -> None:
    """The inspector's session ends at a shared computer and a colleague signs in there next:
    the colleague is not shown the inspector's notes."""
    client = Client()
    url = assess_url(inspection, case)
    client.post(url, form_data({KQ: "yes"}, evidence={KQ: NOTES}, kept_for=shown_to(users)))
    assert SESSION_KEY in client.session
    sign_in_as = client.post(
        reverse("accounts:login"), {"username": "lead", "password": PASSWORD, "next": url}
    )
    assert sign_in_as.status_code == 302
    html = client.get(url).content.decode()
    assert NOTES not in html and KEPT_BANNER not in html
    assert SESSION_KEY not in client.session
