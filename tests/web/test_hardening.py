"""Production settings and the headers every page carries."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from yjinspect.web.inspections.models import Inspection

MANAGE = Path(__file__).resolve().parents[2] / "src" / "yjinspect" / "web" / "manage.py"


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "YJ_PRODUCTION": "1",
        "YJ_SECRET_KEY": "k3Qz-9vLw_2Rt8Yp!xN4mB7cJ0sH5dF6gA1eU" * 2,
        "YJ_ALLOWED_HOSTS": "inspect.example.org",
        "YJ_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, str(MANAGE), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_refuses_a_missing_secret_key(tmp_path: Path) -> None:
    env = {**os.environ, "YJ_PRODUCTION": "1", "YJ_VAR_DIR": str(tmp_path)}
    env.pop("YJ_SECRET_KEY", None)
    done = subprocess.run(
        [sys.executable, str(MANAGE), "check"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0 and "YJ_SECRET_KEY" in done.stderr


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_and_safe_headers(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    response = client_as("lead").get(reverse("inspections:detail", args=[inspection.pk]))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_state_changes_need_a_csrf_token(inspection: Inspection, users: dict[str, object]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["lead"])  # type: ignore[arg-type]
    url = reverse("inspections:transition", args=[inspection.pk])
    assert client.post(url, {"to": "fieldwork"}).status_code == 403
    inspection.refresh_from_db()
    assert inspection.state == "planning"


@pytest.mark.django_db
def test_user_text_is_escaped(client_as: Callable[[str], Client], inspection: Inspection) -> None:
    inspection.service_name = "<script>alert(1)</script> YJS"
    inspection.save()
    html = (
        client_as("lead").get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    )
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_flash_messages_ride_in_a_cookie_as_guarded_as_the_session_cookie(
    settings: object,
) -> None:
    """Messages ("Saved.") are kept in a signed cookie (docs/RELIABILITY.md: it spares two
    session writes per save); that cookie must be HttpOnly, SameSite and, in production,
    Secure, like the session cookie it follows."""
    settings.SESSION_COOKIE_SECURE = True  # type: ignore[attr-defined]
    request = RequestFactory().get("/")
    request.session = SessionStore()
    storage = default_storage(request)
    storage.add(constants.SUCCESS, "Saved.")
    response = HttpResponse()
    storage.update(response)
    cookie = response.cookies["messages"]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert cookie.value  # the message, signed
    assert not request.session.keys()  # nothing went into the session store


@pytest.mark.parametrize(("given", "expected"), [(None, "True"), ("0", "False")])
def test_production_requires_two_factor_sign_in_unless_told_otherwise(
    tmp_path: Path, given: str | None, expected: str
) -> None:
    env = {
        **os.environ,
        "YJ_PRODUCTION": "1",
        "YJ_SECRET_KEY": "k3Qz-9vLw_2Rt8Yp!xN4mB7cJ0sH5dF6gA1eU" * 2,
        "YJ_VAR_DIR": str(tmp_path),
    }
    env.pop("YJ_REQUIRE_TWO_FACTOR", None)
    if given is not None:
        env["YJ_REQUIRE_TWO_FACTOR"] = given
    done = subprocess.run(
        [sys.executable, str(MANAGE), "shell", "-c", _PRINT_SETTING],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip().splitlines()[-1] == expected, done.stderr


_PRINT_SETTING = "from django.conf import settings; print(settings.YJ_REQUIRE_TWO_FACTOR)"


def _settings_in_child(
    tmp_path: Path, extra: dict[str, str], code: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "YJ_VAR_DIR": str(tmp_path), **extra}
    return subprocess.run(
        [sys.executable, str(MANAGE), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_trusted_proxies_come_from_the_environment_and_a_bad_one_stops_the_app(
    tmp_path: Path,
) -> None:
    show = "from django.conf import settings; print([str(n) for n in settings.YJ_TRUSTED_PROXIES])"
    done = _settings_in_child(tmp_path, {"YJ_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/24,"}, show)
    assert done.stdout.strip().splitlines()[-1] == "['127.0.0.1/32', '10.0.0.0/24']", done.stderr
    unset = _settings_in_child(tmp_path, {"YJ_TRUSTED_PROXIES": ""}, show)
    assert unset.stdout.strip().splitlines()[-1] == "[]", unset.stderr
    bad = _settings_in_child(tmp_path, {"YJ_TRUSTED_PROXIES": "10.0.0.1, proxy.local"}, show)
    assert (
        bad.returncode != 0 and "YJ_TRUSTED_PROXIES" in bad.stderr and "proxy.local" in bad.stderr
    )
