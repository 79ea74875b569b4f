"""Browser test: a member of inspection staff uploads the shipped published-results CSV
through the page, confirms it, and opens Bexley's comparison page (2015 SQS beside 2024, with
the note that the measures differ) and the national distribution; axe finds no serious or
critical problem on any comparison page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from .conftest import OpenAs
from .test_accessibility import violations

pytestmark = pytest.mark.e2e

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "src" / "yjinspect" / "demo" / "published-results.csv"
)
SHOTS = os.environ.get("YJ_E2E_SCREENSHOTS")  # a folder, to look at the pages by eye


def test_upload_then_compare_bexley_without_accessibility_violations(
    open_as: OpenAs, lead: User
) -> None:
    page = open_as(lead, bypass_csp=True)  # axe's script is injected into the pages

    page.goto("/inspections/")
    page.get_by_role(
        "link", name="Compare services over time, across programmes and nationally"
    ).click()
    page.get_by_role("button", name="Add published results").click()
    page.get_by_label("Published results file (CSV)").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("Ready to add")).to_be_visible()
    problems = {"upload preview": violations(page)}
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("published figures added")).to_be_visible()
    problems["index"] = violations(page)

    page.get_by_label("Service name").fill("bexley")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Bexley", exact=True).click()
    expect(page.get_by_role("heading", name="Bexley", exact=True)).to_be_visible()
    sqs_heading = page.get_by_role("heading", name="Short Quality Screening").filter(
        has_text="beside"
    )
    expect(sqs_heading).to_be_visible()
    expect(page.get_by_text("The measures differ").first).to_be_visible()
    expect(page.locator("#across-table-2")).to_contain_text("PP-01 64% (9/14)")
    problems["service"] = violations(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/comparison-service.png", full_page=True)

    page.get_by_role(
        "link", name="See where Bexley sits among all published inspections (HMIP youth justice"
    ).click()
    expect(page.locator("#national-chart")).to_contain_text("◀ Bexley")
    expect(page.locator("#distribution-services")).to_contain_text("Bexley (highlighted)")
    problems["national"] = violations(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/comparison-national.png", full_page=True)
    assert {k: v for k, v in problems.items() if v} == {}
