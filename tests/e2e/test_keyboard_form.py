"""The case assessment form works with the keyboard alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from yjinspect.web.inspections.models import Answer, Case, Inspection, Membership, Role

pytestmark = pytest.mark.e2e


def test_answer_and_save_a_question_by_keyboard(
    page: Page,
    signed_in: Callable[[User], Page],
    make_user: Callable[..., User],
    inspection: Inspection,
) -> None:
    inspector = make_user("keys-inspector")
    Membership.objects.create(inspection=inspection, user=inspector, role=Role.INSPECTOR)
    case = Case.objects.create(
        inspection=inspection,
        case_ref="KEY-001",
        domain="court",
        disposal_type="referral_order",
        start_date=dt.date(2023, 9, 1),
        case_manager="CM1",
        risk_of_harm="low",
        safety_wellbeing="low",
        in_sample=True,
        assessor=inspector,
    )
    signed_in(inspector)
    page.goto(f"/inspections/{inspection.pk}/cases/{case.pk}/assess/")
    first_yes = page.locator("input[name='kq-2-1-desistance-value'][value='yes']")
    # Tab from the top of the page until the first answer has focus, as a keyboard user would.
    for _ in range(60):
        page.keyboard.press("Tab")
        if first_yes.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the first answer")
    page.keyboard.press("Space")
    expect(first_yes).to_be_checked()
    # Tab on to the evidence box of the same question and type into it.
    evidence = page.locator("textarea[name='kq-2-1-desistance-evidence']")
    for _ in range(10):
        page.keyboard.press("Tab")
        if evidence.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the evidence notes")
    page.keyboard.type("Typed with the keyboard only.")
    save = page.get_by_role("button", name="Save", exact=True)
    for _ in range(400):  # on through the other questions to the Save button
        page.keyboard.press("Tab")
        if save.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the Save button")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    answer = Answer.objects.get(assessment__case=case, key_question="2.1.desistance")
    assert answer.value == "yes" and answer.evidence == "Typed with the keyboard only."
