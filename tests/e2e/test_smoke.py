"""Smoke tests in a real browser: sign in, the inspections list, an overview, the skip link."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from yjinspect.web.inspections.models import Inspection

from .conftest import PASSWORD

pytestmark = pytest.mark.e2e


def expect_govuk_page(page: Page, title: str) -> None:
    expect(page).to_have_title(f"{title} – yjinspect")
    header = page.locator("header .govuk-service-navigation")
    expect(header).to_be_visible()
    expect(header.get_by_role("link", name="yjinspect")).to_be_visible()
    expect(page.locator("main#main-content")).to_be_visible()


def test_lead_signs_in_and_opens_an_inspection(
    page: Page, signed_in: Callable[[User], Page], lead: User, inspection: Inspection
) -> None:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    fonts: list[str] = []  # not a GOV.UK service: no GOV.UK typeface is ever fetched
    page.on("request", lambda r: fonts.append(r.url) if ".woff" in r.url else None)
    page.goto("/inspections/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))  # signed out: sent to sign in
    expect_govuk_page(page, "Sign in")

    signed_in(lead)
    page.goto("/inspections/")
    expect_govuk_page(page, "Inspections")
    link = page.get_by_role("link", name=inspection.service_name)
    expect(link).to_be_visible()

    link.click()
    expect(page).to_have_url(re.compile(rf"/inspections/{inspection.pk}/$"))
    expect_govuk_page(page, inspection.service_name)
    expect(page.get_by_role("heading", level=1)).to_contain_text(inspection.service_name)
    page.wait_for_load_state("load")
    assert failed == []  # every stylesheet, script and image loaded
    assert fonts == []
    # GOV.UK Frontend's JavaScript ran (it marks each component it starts)
    expect(page.locator(".govuk-skip-link[data-govuk-skip-link-init]")).to_have_count(1)


def test_keyboard_only_sign_in_and_tab_reaches_the_skip_link_first(
    page: Page, lead: User, inspection: Inspection
) -> None:
    page.goto("/accounts/login/")
    # Tab first reaches the skip link, which moves focus to the main content.
    skip = page.get_by_role("link", name="Skip to main content")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # visually hidden until it has focus
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main-content$"))
    # From there the sign-in form is typed, tabbed and entered.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type(lead.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/inspections/$"))
    expect_govuk_page(page, "Inspections")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()
