"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's live
server. Everything in tests/e2e is marked `e2e`, which pyproject's addopts deselect; run them
with `pytest -m e2e tests/e2e` (or `make e2e`, which installs chromium first).

The browser is Debian's /usr/bin/chromium (scripts/ensure-test-tools.sh installs it), never one
that Playwright downloads: do not run `playwright install`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from pytest_django.live_server_helper import LiveServer

import yjinspect.web
from yjinspect.frameworks import shipped_framework_paths
from yjinspect.web.inspections.models import FrameworkVersion, Inspection, Membership, Role

E2E_DIR = Path(__file__).resolve().parent
WEB_STATIC = Path(yjinspect.web.__file__).resolve().parent / "static"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000
PASSWORD = "e2e-correct-horse-battery-42"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder `e2e` before `-m` selects or deselects by marker."""
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/ensure-test-tools.sh` first")
    # Playwright's sync API runs an event loop in this thread, so Django would refuse the test's
    # own database access as "async-unsafe"; the browser tests accept that, nothing else does.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as driver:
            yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


def new_context(
    browser: Browser, live_server: LiveServer, *, bypass_csp: bool = False
) -> BrowserContext:
    """A browser context with no cookies, relative URLs on the live server and the tests'
    timeout. `bypass_csp` lets axe's script run on pages whose policy would refuse it."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=bypass_csp, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test, with relative URLs on the live server."""
    context = new_context(browser, live_server)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    """Sign-ins go through the real form, so hash quickly (the live server shares settings)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages must load their CSS and JavaScript: fail loudly if the static folder is lost.
    assert finders.find("yjinspect/app.css") is not None, "static files are not found"


@pytest.fixture
def make_user(transactional_db: None) -> Callable[..., User]:
    def make(username: str, *, staff: bool = False, superuser: bool = False) -> User:
        return User.objects.create_user(
            username=username,
            password=PASSWORD,
            is_staff=staff or superuser,
            is_superuser=superuser,
        )

    return make


@pytest.fixture
def lead(make_user: Callable[..., User]) -> User:
    return make_user("e2e-lead", staff=True)


@pytest.fixture
def inspection(lead: User) -> Inspection:
    source = shipped_framework_paths()["hmip-youth-2021"].read_text(encoding="utf-8")
    created = Inspection.objects.create(
        service_name="Testshire Youth Justice Service",
        framework=FrameworkVersion.store(source, "hmip-youth-2021"),
        fieldwork_start=dt.date(2024, 4, 8),
        created_by=lead,
    )
    Membership.objects.create(inspection=created, user=lead, role=Role.LEAD)
    return created


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real login page, as a person would, and wait to leave it."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def signed_in(page: Page) -> Callable[[User], Page]:
    """`signed_in(user)` signs that user in on `page` and returns the page."""

    def as_user(user: User) -> Page:
        sign_in(page, user.username)
        return page

    return as_user


class OpenAs(Protocol):
    def __call__(self, user: User, *, bypass_csp: bool = False) -> Page: ...


@pytest.fixture
def open_as(browser: Browser, live_server: LiveServer) -> Iterator[OpenAs]:
    """`open_as(user)`: a separate browser context (own cookies) per person, signed in through
    the login page, so several people can work side by side in one test. All are closed after
    the test."""
    contexts: list[BrowserContext] = []

    def open_for(user: User, *, bypass_csp: bool = False) -> Page:
        context = new_context(browser, live_server, bypass_csp=bypass_csp)
        contexts.append(context)
        opened = context.new_page()
        sign_in(opened, user.username)
        return opened

    yield open_for
    for context in contexts:
        context.close()
