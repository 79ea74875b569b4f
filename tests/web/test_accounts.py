"""Signing in: throttling, the optional second factor, strong passwords, signing out."""

from __future__ import annotations

import datetime as dt
import io
import time
from ipaddress import ip_network

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from yjinspect.web.accounts.addresses import client_address

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_password_sign_in_and_out(users: dict[str, AbstractUser]) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "lead", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("inspections:home")
    assert client.get(reverse("inspections:home")).status_code == 200
    assert client.get(reverse("accounts:logout")).status_code == 200  # GET only asks
    assert client.get(reverse("inspections:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("inspections:home")).status_code == 302


def test_wrong_password_is_refused(users: dict[str, AbstractUser]) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "lead", "password": "nope"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()


def test_five_failures_lock_the_account_from_that_address(
    users: dict[str, AbstractUser], settings: object
) -> None:
    settings.AXES_ENABLED = True  # type: ignore[attr-defined]
    client = Client(REMOTE_ADDR="10.9.8.7")
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "lead", "password": "wrong"})
    locked = client.post(reverse("accounts:login"), {"username": "lead", "password": PASSWORD})
    assert locked.status_code == 429
    assert "You cannot sign in for now" in locked.content.decode()
    # Another account from the same address is not locked.
    other = client.post(reverse("accounts:login"), {"username": "inspector", "password": PASSWORD})
    assert other.status_code == 302


def test_second_factor_when_turned_on(users: dict[str, AbstractUser]) -> None:
    user = users["lead"]
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "lead", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:code"))
    assert client.get(reverse("inspections:home")).status_code == 302  # not signed in yet
    wrong = client.post(reverse("accounts:code"), {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows guessing down
    device.throttle_reset()
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    done = client.post(reverse("accounts:code"), {"code": code})
    assert done.status_code == 302
    assert client.get(reverse("inspections:home")).status_code == 200


def test_setting_up_the_second_factor(users: dict[str, AbstractUser]) -> None:
    client = Client()
    client.force_login(users["inspector"])
    client.post(reverse("accounts:security"), {"action": "start"})
    device = TOTPDevice.objects.get(user=users["inspector"])
    assert not device.confirmed
    page = client.get(reverse("accounts:security")).content.decode()
    assert "data:image/svg+xml;base64," in page  # the QR code
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    client.post(reverse("accounts:security"), {"action": "confirm", "code": code})
    device.refresh_from_db()
    assert device.confirmed
    client.post(reverse("accounts:security"), {"action": "disable", "code": _code(device, ahead=1)})
    assert not TOTPDevice.objects.filter(user=users["inspector"]).exists()


@pytest.mark.parametrize("weak", ["short1!", "password1234", "123456789012", "lead"])
def test_weak_passwords_are_refused(weak: str, users: dict[str, AbstractUser]) -> None:
    with pytest.raises(ValidationError):
        validate_password(weak, users["lead"])
    validate_password("a-long-and-unusual-phrase-7", users["lead"])


# ---------------------------------------------------------------- two-factor required


def _code(device: TOTPDevice, ahead: int = 0) -> str:
    """The code the app shows now, or `ahead` steps later (django-otp accepts one step of
    clock difference, and never the same code twice)."""
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    clock.time = time.time() + ahead * device.step
    return f"{clock.token():06d}"


@pytest.fixture
def required(settings: object) -> None:
    settings.YJ_REQUIRE_TWO_FACTOR = True  # type: ignore[attr-defined]


def test_when_required_a_user_without_an_app_reaches_only_the_security_page(
    users: dict[str, AbstractUser], required: None
) -> None:
    client = Client()
    client.post(reverse("accounts:login"), {"username": "inspector", "password": PASSWORD})
    home = client.get(reverse("inspections:home"))
    assert home.status_code == 302 and home["Location"] == reverse("accounts:security")
    page = client.get(reverse("accounts:security"))
    assert page.status_code == 200 and "needs two-factor sign-in" in page.content.decode()
    assert client.get(reverse("accounts:logout")).status_code == 200
    # Setting the app up verifies this sign-in: the site opens.
    client.post(reverse("accounts:security"), {"action": "start"})
    device = TOTPDevice.objects.get(user=users["inspector"])
    client.post(reverse("accounts:security"), {"action": "confirm", "code": _code(device)})
    assert client.get(reverse("inspections:home")).status_code == 200
    # And it cannot be turned off while the site requires it.
    refused = client.post(reverse("accounts:security"), {"action": "disable"}, follow=True)
    assert "so it stays on" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=users["inspector"], confirmed=True).exists()
    assert "Turn off two-factor sign-in" not in refused.content.decode()


def test_when_required_a_sign_in_with_a_code_opens_the_site(
    users: dict[str, AbstractUser], required: None
) -> None:
    device = TOTPDevice.objects.create(user=users["lead"], name="app", confirmed=True)
    client = Client()
    client.post(reverse("accounts:login"), {"username": "lead", "password": PASSWORD})
    client.post(reverse("accounts:code"), {"code": _code(device)})
    assert client.get(reverse("inspections:home")).status_code == 200


def test_when_required_a_session_signed_in_without_a_code_is_signed_out(
    users: dict[str, AbstractUser], required: None
) -> None:
    """A session that skipped the code step (here forced) is not verified, even for a user
    who has an app: it is ended, and they sign in again with the code."""
    TOTPDevice.objects.create(user=users["lead"], name="app", confirmed=True)
    client = Client()
    client.force_login(users["lead"])
    home = client.get(reverse("inspections:home"))
    assert home["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("accounts:security"))["Location"].startswith(
        reverse("accounts:login")
    )


# ---------------------------------------------------------------- every way in asks for the code


def _sign_in_with_code(client: Client, username: str, device: TOTPDevice, next_url: str) -> None:
    client.post(
        reverse("accounts:login"), {"username": username, "password": PASSWORD, "next": next_url}
    )
    done = client.post(reverse("accounts:code"), {"code": _code(device), "next": next_url})
    assert done.status_code == 302 and done["Location"] == next_url


def test_the_admin_login_page_signs_nobody_in_and_sends_people_to_our_sign_in(
    users: dict[str, AbstractUser],
) -> None:
    """Two-factor optional (the default outside production): the site admin's own login form
    took the password alone, even from someone who has an authenticator app."""
    device = TOTPDevice.objects.create(user=users["admin"], name="app", confirmed=True)
    client = Client()
    credentials = {"username": "admin", "password": PASSWORD, "next": "/admin/"}
    posted = client.post("/admin/login/?next=/admin/", credentials)
    assert posted.status_code == 302
    assert posted["Location"] == f"{reverse('accounts:login')}?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # not signed in
    # The admin's own redirect for a signed-out visitor lands on our sign-in too.
    followed = client.get("/admin/", follow=True)
    assert followed.redirect_chain[-1][0] == f"{reverse('accounts:login')}?next=%2Fadmin%2F"
    # Through our sign-in, with the code, the admin opens.
    _sign_in_with_code(client, "admin", device, "/admin/")
    assert client.get("/admin/").status_code == 200


def test_a_sign_in_that_skipped_the_code_is_ended_even_where_two_factor_is_optional(
    users: dict[str, AbstractUser],
) -> None:
    """Whatever way a session was opened without the code (here a forced login), a user who
    has an app gets no page until they sign in with it."""
    TOTPDevice.objects.create(user=users["lead"], name="app", confirmed=True)
    client = Client()
    client.force_login(users["lead"])
    home = client.get(reverse("inspections:home"), follow=True)
    assert home.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "sign in again, with a code" in home.content.decode()
    assert "_auth_user_id" not in client.session  # signed out, not just redirected
    # Someone without an app is not affected.
    other = Client()
    other.force_login(users["inspector"])
    assert other.get(reverse("inspections:home")).status_code == 200


def test_turning_two_factor_off_needs_a_current_code(users: dict[str, AbstractUser]) -> None:
    device = TOTPDevice.objects.create(user=users["lead"], name="app", confirmed=True)
    client = Client()
    _sign_in_with_code(client, "lead", device, reverse("accounts:security"))
    page = client.get(reverse("accounts:security")).content.decode()
    assert "To turn it off, enter the code your authenticator app shows now" in page
    for posted in ({"action": "disable"}, {"action": "disable", "code": "000000"}):
        refused = client.post(reverse("accounts:security"), posted)
        assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
        assert TOTPDevice.objects.filter(user=users["lead"], confirmed=True).exists()
    assert "That code is not right" in refused.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # the wrong code slowed further tries down
    off = client.post(
        reverse("accounts:security"), {"action": "disable", "code": _code(device, ahead=1)}
    )
    assert off.status_code == 302
    assert not TOTPDevice.objects.filter(user=users["lead"]).exists()


# ---------------------------------------------------------------- throttling behind the proxy

PROXY = "10.0.0.5"  # the reverse proxy every request arrives from
LOGIN = "/accounts/login/"


@pytest.fixture
def throttled(settings: object) -> None:
    settings.AXES_ENABLED = True  # type: ignore[attr-defined]


def _try(client: Client, password: str, **headers: str) -> int:
    response = client.post(LOGIN, {"username": "lead", "password": password}, **headers)
    return response.status_code


def test_failures_from_one_client_behind_the_proxy_do_not_lock_out_another(
    users: dict[str, AbstractUser], throttled: None, settings: object
) -> None:
    settings.YJ_TRUSTED_PROXIES = (ip_network(PROXY),)  # type: ignore[attr-defined]
    attacker = Client(REMOTE_ADDR=PROXY)
    for _ in range(5):
        _try(attacker, "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert _try(attacker, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9") == 429
    # The owner, elsewhere, reaches the app through the same proxy and signs in.
    owner = Client(REMOTE_ADDR=PROXY)
    assert _try(owner, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20") == 302
    # The attacker cannot leave its lock by writing an X-Forwarded-For of its own: the proxy
    # appends the address it really came from, and that is the one we read.
    spoofing = Client(REMOTE_ADDR=PROXY)
    assert _try(spoofing, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20, 203.0.113.9") == 429


def test_x_forwarded_for_is_ignored_without_the_trusted_proxy_setting(
    users: dict[str, AbstractUser], throttled: None, settings: object
) -> None:
    settings.YJ_TRUSTED_PROXIES = ()  # type: ignore[attr-defined]
    for i in range(5):  # a different made-up address each time does not spread the failures
        _try(Client(REMOTE_ADDR="192.0.2.1"), "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    assert (
        _try(Client(REMOTE_ADDR="192.0.2.1"), PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1") == 429
    )
    # Nor from a connection that is not one of the trusted proxies (someone reaching the app
    # directly, around the proxy).
    settings.YJ_TRUSTED_PROXIES = (ip_network(PROXY),)  # type: ignore[attr-defined]
    assert (
        _try(Client(REMOTE_ADDR="192.0.2.1"), PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2") == 429
    )


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.9", "203.0.113.9"),
        (PROXY, "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # the client wrote 1.2.3.4 itself
        (PROXY, "203.0.113.9, 10.0.0.7", "203.0.113.9"),  # two proxies of ours
        (PROXY, "", PROXY),  # nothing forwarded: the proxy itself
        (PROXY, "not-an-address, 10.0.0.7", "10.0.0.7"),  # stop at the last one we trust
        ("192.0.2.1", "203.0.113.9", "192.0.2.1"),  # not from a proxy of ours: header ignored
        ("::1", "203.0.113.9", "::1"),
    ],
)
def test_the_client_address_is_read_only_as_far_as_our_proxies_wrote_it(
    remote: str, forwarded: str, expected: str, settings: object
) -> None:
    settings.YJ_TRUSTED_PROXIES = (ip_network("10.0.0.0/24"),)  # type: ignore[attr-defined]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_the_locked_out_page_is_the_sites_and_says_when_and_who_can_unlock(
    users: dict[str, AbstractUser], throttled: None
) -> None:
    client = Client(REMOTE_ADDR="192.0.2.1")
    for _ in range(5):
        _try(client, "wrong")
    last = AccessAttempt.objects.get(username="lead").attempt_time
    locked = client.post(LOGIN, {"username": "lead", "password": PASSWORD})
    html = locked.content.decode()
    assert locked.status_code == 429
    assert 'class="govuk-template__header"' in html and "Skip to main content" in html
    assert "Content-Security-Policy" in locked  # the site's headers too
    until = timezone.localtime(last + dt.timedelta(minutes=15)).strftime("%H:%M")
    assert f"You can try again at {until}" in html
    assert "ask an administrator of this site to unlock your account" in html
    # Trying during the lock does not move the time on.
    _try(client, "wrong")
    assert AccessAttempt.objects.get(username="lead").attempt_time == last


def test_an_administrator_can_unlock_a_name_at_once(
    users: dict[str, AbstractUser], throttled: None
) -> None:
    """The way back docs/deploying.md gives: `manage.py axes_reset_username NAME`."""
    client = Client(REMOTE_ADDR="192.0.2.1")
    for _ in range(5):
        _try(client, "wrong")
    assert _try(client, PASSWORD) == 429
    call_command("axes_reset_username", "lead", stdout=io.StringIO())
    assert _try(client, PASSWORD) == 302
