"""axe-core on every page type: no serious or critical accessibility violations.

Uses the demo inspection (`load_demo`), signed in as its lead, so every page has real content:
lists with rows, a filled assessment form, moderation figures, ratings and the report.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from yjinspect.web.inspections.models import Case, Inspection, Recommendation

from .conftest import PASSWORD, TIMEOUT_MS, sign_in

pytestmark = pytest.mark.e2e

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")


def violations(page: Page) -> list[str]:
    page.add_script_tag(content=AXE)
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
    )
    return list(found)


@pytest.fixture
def demo(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> Inspection:
    monkeypatch.setenv("YJ_DEMO_PASSWORD", PASSWORD)
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", stdout=quiet)
    return Inspection.objects.get(framework__framework_id="hmip-youth-2021")


def test_every_page_type_has_no_serious_violations(
    browser: Browser, live_server: LiveServer, demo: Inspection
) -> None:
    # The app's CSP forbids inline scripts; only this test's context may inject axe.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    sign_in(page, "demo-lead")
    pk = demo.pk
    case = Case.objects.filter(inspection=demo, in_sample=True).order_by("case_ref").first()
    assert case is not None
    recommendation = Recommendation.objects.filter(inspection=demo).first()
    sqs = Inspection.objects.get(framework__framework_id="hmip-sqs")
    sqs_case = Case.objects.filter(inspection=sqs, in_sample=True).order_by("case_ref").first()
    assert recommendation is not None and sqs_case is not None
    paths = [
        "/inspections/",
        "/inspections/new/",
        f"/inspections/{pk}/",
        f"/inspections/{pk}/cases/",
        f"/inspections/{pk}/cases/import/",
        f"/inspections/{pk}/sample/",
        f"/inspections/{pk}/sample/allocation/",
        f"/inspections/{pk}/assessments/",
        f"/inspections/{pk}/cases/{case.pk}/assess/",
        f"/inspections/{pk}/moderation/",
        f"/inspections/{pk}/evidence/",
        f"/inspections/{pk}/evidence/1.1/judgement/",
        f"/inspections/{pk}/ratings/",
        f"/inspections/{pk}/ratings/2.1/discretion/",
        f"/inspections/{pk}/history/",
        f"/inspections/{pk}/report/",
        f"/inspections/{pk}/report/?lang=cy",
        f"/inspections/{pk}/report/texts/",
        f"/inspections/{pk}/report/texts/foreword/",
        f"/inspections/{pk}/report/recommendations/add/",
        f"/inspections/{pk}/report/recommendations/{recommendation.pk}/",
        f"/inspections/{pk}/plan/",
        f"/inspections/{pk}/board/",
        f"/inspections/{pk}/outcomes/",
        f"/inspections/{pk}/outcomes/upload/",
        # the earlier-programme (SQS) demo inspection, published: assessment, ratings, letter
        f"/inspections/{sqs.pk}/cases/{sqs_case.pk}/assess/",
        f"/inspections/{sqs.pk}/ratings/",
        f"/inspections/{sqs.pk}/report/earlier/",
        "/comparison/",
        "/comparison/upload/",
        "/comparison/services/demoshire/",
        "/comparison/national/hmip-youth-2021/",
        "/accounts/security/",
    ]
    problems = {}
    for path in paths:
        response = page.goto(path)
        if response is None or not response.ok:  # an error page would prove nothing
            problems[path] = [f"HTTP {response.status if response else 'no response'}"]
            continue
        found = violations(page)
        if found:
            problems[path] = found
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    if found := violations(page):
        problems["/accounts/login/"] = found
    context.close()
    assert problems == {}
