"""After publication, in a real browser: the lead starts the improvement plan from the
report's recommendations, the service adds an action and completes it, and the board's
workbook shows it done."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from yjinspect.web.improvement.models import Action, PlanItem
from yjinspect.web.inspections.models import Inspection, Membership, Recommendation, Role, State

pytestmark = pytest.mark.e2e


@pytest.fixture
def published(inspection: Inspection, lead: User) -> Inspection:
    inspection.state = State.PUBLISHED
    inspection.save()
    for n, (body, text) in enumerate(
        [
            ("The YJS management board", "Make sure plans address the safety of other people."),
            ("The head of service", "Check that out-of-court work is reviewed."),
        ]
    ):
        Recommendation.objects.create(
            inspection=inspection, addressed_to=body, text_en=text, order=n, updated_by=lead
        )
    return inspection


def test_plan_from_recommendations_to_board_export(
    published: Inspection,
    lead: User,
    make_user: Callable[..., User],
    open_as: Callable[[User], Page],
) -> None:
    service = make_user("e2e-service")
    Membership.objects.create(inspection=published, user=service, role=Role.SERVICE_VIEWER)
    plan_url = f"/inspections/{published.pk}/plan/"

    # The lead starts the plan: one item per recommendation.
    lead_page = open_as(lead)
    lead_page.goto(plan_url)
    lead_page.get_by_role("button", name="Start the plan from the recommendations").click()
    expect(lead_page.locator(".govuk-notification-banner")).to_contain_text(
        "Plan started with 2 items"
    )
    expect(lead_page.get_by_text("Check that out-of-court work is reviewed.")).to_be_visible()
    first = PlanItem.objects.get(plan__inspection=published, order=0)

    # The service adds an action to the first item ...
    page = open_as(service)
    page.goto(plan_url)
    page.locator(f"#item-{first.pk}").get_by_role("button", name="Add an action").click()
    page.get_by_label("Action", exact=True).fill("Audit twenty plans for safety of others")
    page.get_by_label("Owner").fill("Quality assurance team")
    page.get_by_label("Due date").fill("2030-03-31")
    page.get_by_role("button", name="Add action").click()
    section = page.locator(f"#item-{first.pk}")
    expect(section).to_contain_text("Audit twenty plans for safety of others")
    expect(section).to_contain_text("Not started")

    # ... and completes it, with its evidence of progress.
    section.get_by_role("button", name="Change").click()
    page.get_by_label("Done").check()
    page.get_by_label("Evidence of progress (optional)").fill("Audit done; findings to board")
    page.get_by_role("button", name="Save").click()
    section = page.locator(f"#item-{first.pk}")
    expect(section.locator(".govuk-tag--green")).to_have_text("Done")
    action = Action.objects.get(item=first)
    assert action.status == "done" and action.completed_on is not None

    # The board's workbook shows the completed action.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download for the board (XLSX)").click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[0]
    row = next(r for r in rows[1:] if r[header.index("Action")] == action.description)
    assert row[header.index("Action status")] == "Done"
    assert row[header.index("Action owner")] == "Quality assurance team"
    assert row[header.index("Overdue")] == "No"
    completed = row[header.index("Completed on")]  # a real date in the workbook
    assert isinstance(completed, dt.datetime) and completed.date() == action.completed_on
    assert row[header.index("Evidence of progress")] == "Audit done; findings to board"
