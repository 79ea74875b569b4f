"""A case list uploaded in the browser (with its progress bar) lands on a working page.

The upload is sent by script so it can show progress, and the answer is written into the
page; GOV.UK Frontend must then start on that page too, so a file with problems puts the
keyboard focus on the error summary, as any other page with errors does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from yjinspect.web.inspections.models import Case, Inspection

pytestmark = pytest.mark.e2e

HEADER = "case_ref,domain,disposal_type,start_date,case_manager,risk_of_harm,safety_wellbeing"


def test_a_case_list_with_problems_focuses_the_error_summary(
    signed_in: Callable[[User], Page], lead: User, inspection: Inspection, tmp_path: Path
) -> None:
    page = signed_in(lead)
    bad = tmp_path / "cases.csv"
    bad.write_text(
        HEADER + "\nYJ001,court,referral_order,2024-01-10,CM1,low,low\n"
        "YJ002,court,no_such_order,2024-01-11,CM1,low,low\n",
        encoding="utf-8",
    )
    page.goto(f"/inspections/{inspection.pk}/cases/import/")
    page.get_by_label("Case list file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and check").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is 1 problem in this file")
    expect(summary).to_be_focused()  # GOV.UK Frontend started on the written page
    expect(page.locator("[data-govuk-error-summary-init]")).to_have_count(1)
    assert Case.objects.filter(inspection=inspection).count() == 0
