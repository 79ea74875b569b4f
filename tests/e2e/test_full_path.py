"""The whole path a new inspection team walks, in a real browser.

Sign in, create an inspection, import a case list with errors, fix it, draw the sample,
assess cases as two inspectors, moderate one, record organisational judgements and one
professional discretion, and see the ratings the method gives.

Every case on the list is sampled (9 court and 5 out-of-court cases: the 80%/±5 formula
takes them all), so the expected ratings follow from the answers typed here alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from yjinspect.web.inspections.models import Answer, Inspection

pytestmark = pytest.mark.e2e

HEADER = (
    "Case reference,Domain,Disposal,Sentence start,Case worker,RoSH,Safety and wellbeing,Gender,Age"
)
COURT = [
    f"E2E-C{i:02d},court,referral_order,2023-0{(i % 9) + 1}-15,CM1,medium,low,male,15"
    for i in range(1, 10)
]
OOCD = [
    f"E2E-O{i:02d},out_of_court,youth_conditional_caution,2023-06-1{i},CM2,low,low,female,14"
    for i in range(1, 6)
]
BAD_ROWS = [
    "E2E-C10,court,referral_order,31/02/2023,CM1,medium,low,male,15",  # no such date
    "E2E-C11,court,community_sentence_xyz,2023-05-01,CM1,medium,low,male,15",  # unknown code
]


def write_csv(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def answer_case(page: Page, url: str, answers: dict[str, str], submit: bool = True) -> None:
    """Open a case's form, answer every key question (default Yes) and save (and submit)."""
    page.goto(url)
    radios = page.locator("input[type=radio][name$='-value'][value=yes]")
    expect(radios.first).to_be_visible()
    for name in sorted({radios.nth(i).get_attribute("name") or "" for i in range(radios.count())}):
        kq = name.removeprefix("kq-").removesuffix("-value")
        value = answers.get(kq, "yes")
        page.locator(f"input[name='{name}'][value='{value}']").check()
        if value == "no":  # a No is submitted with its evidence
            page.locator(f"textarea[name='kq-{kq}-evidence']").fill("No plan for victims' safety.")
    page.locator(
        "textarea[name='kq-2-1-desistance-evidence'], textarea[name$='-evidence']"
    ).first.fill("Assessment drew on education and police information.")
    button = "Save and submit" if submit else "Save"
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)


def test_whole_inspection_path(
    open_as: Callable[[User], Page], make_user: Callable[..., User], tmp_path: Path
) -> None:
    lead = make_user("path-lead", staff=True)
    inspector = make_user("path-inspector")
    inspector2 = make_user("path-inspector2")
    moderator = make_user("path-moderator")

    # 1. The lead signs in and creates the inspection.
    page = open_as(lead)
    page.goto("/inspections/")
    page.get_by_role("button", name="Create an inspection").click()
    page.get_by_label("Youth justice service").fill("Pathshire YJS")
    page.get_by_label("Framework").select_option("hmip-youth-2021")
    page.get_by_label("Inspection", exact=True).check()
    page.get_by_label("Fieldwork starts").fill("2024-04-08")
    page.get_by_label("Case window starts").fill("2023-01-01")
    page.get_by_label("Case window ends").fill("2024-02-02")
    page.get_by_role("button", name="Create inspection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pathshire YJS")
    inspection = Inspection.objects.get(service_name="Pathshire YJS")
    base = f"/inspections/{inspection.pk}"

    # 2. The team.
    for user, role in [
        (inspector, "Inspector"),
        (inspector2, "Inspector"),
        (moderator, "Moderator"),
    ]:
        page.get_by_label("Username").fill(user.username)
        page.get_by_label(role, exact=True).check()
        page.get_by_role("button", name="Add to team").click()
        expect(page.get_by_role("cell", name=user.username, exact=True)).to_be_visible()

    # 3. A case list with two bad rows: every problem shown by row, nothing saved.
    page.goto(f"{base}/cases/import/")
    page.get_by_label("Case list file").set_input_files(
        write_csv(tmp_path, "cases.csv", COURT + OOCD + BAD_ROWS)
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("There are 2 problems in this file")).to_be_visible()
    problems = page.locator("#problems")
    expect(problems).to_contain_text("16")  # the bad date is on row 16 (header is row 1)
    expect(problems).to_contain_text("17")
    assert not inspection.cases.exists()
    # Fixed file: the bad rows removed.
    page.get_by_label("Case list file").set_input_files(
        write_csv(tmp_path, "fixed.csv", COURT + OOCD)
    )
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_role("button", name="Add 14 cases to the inspection").click()
    expect(page.get_by_text("E2E-C01")).to_be_visible()
    assert inspection.cases.count() == 14

    # 4. The sample: every case, by the formula.
    page.goto(f"{base}/sample/")
    page.get_by_label("Seed").fill("4242")
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    assert inspection.cases.filter(in_sample=True).count() == 14

    # 5. Two inspectors assess. Court: 2.2 others' safety Yes in 5 of 9 (56%: Requires
    # improvement), all else Yes. Out of court: 3.2 others' safety 3 of 5 (60%).
    court_cases = list(inspection.cases.filter(domain="court").order_by("case_ref"))
    oocd_cases = list(inspection.cases.filter(domain="out_of_court").order_by("case_ref"))
    first = open_as(inspector)
    for i, case in enumerate(court_cases):
        no = {"2-2-others_safety": "no"} if i < 4 else {}
        answer_case(first, f"{base}/cases/{case.pk}/assess/", no)
    second = open_as(inspector2)
    for i, case in enumerate(oocd_cases):
        no = {"3-2-others_safety": "no"} if i < 2 else {}
        answer_case(second, f"{base}/cases/{case.pk}/assess/", no)
    assert Answer.objects.filter(assessment__case__inspection=inspection).count() == 9 * 12 + 5 * 9

    # 6. The moderator chooses one case and assesses it a second time, blind.
    mod = open_as(moderator)
    mod.goto(f"{base}/moderation/")
    target = court_cases[0]
    mod.locator(f"#choose-{target.pk}").check()
    mod.get_by_role("button", name="Save the cases chosen").click()
    mod.get_by_role("link", name=f"Open the second assessment of {target.case_ref}").click()
    expect(mod.get_by_text("Assessment drew on education")).to_have_count(0)  # blind
    answer_case(mod, mod.url, {"2-2-others_safety": "no"})
    mod.goto(f"{base}/moderation/")
    expect(mod.locator("main")).to_contain_text("100%")  # the two assessments agree

    # 7. Organisational judgements, and one professional discretion.
    for standard in ["1.1", "1.2", "1.3", "1.4", "3.4"]:
        page.goto(f"{base}/evidence/{standard}/judgement/")
        page.get_by_label("Good", exact=True).check()
        page.get_by_label("Rationale").fill("Evidence from meetings with the board and staff.")
        page.get_by_role("button", name="Save judgement").click()
        expect(page.locator(".govuk-error-summary")).to_have_count(0)
    page.goto(f"{base}/ratings/3.2/discretion/")
    page.get_by_label("Good", exact=True).check()
    page.get_by_label("Reason").fill("Planning for victims was sound in both weaker cases.")
    page.get_by_role("button", name="Save professional discretion").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)

    # 8. The ratings page shows what the method gives.
    page.goto(f"{base}/ratings/")
    table = page.locator("#ratings-table")
    expect(table.get_by_role("row", name=re.compile(r"2\.2 Planning"))).to_contain_text(
        "Requires improvement"
    )
    expect(table.get_by_role("row", name=re.compile(r"2\.1 Assessment"))).to_contain_text(
        "Outstanding"
    )
    expect(table.get_by_role("row", name=re.compile(r"3\.2 Planning"))).to_contain_text("Good")
    expect(table.get_by_role("row", name=re.compile(r"3\.4 "))).to_contain_text("Good")
    # 1.x Good x4 = 8; 2.1, 2.3, 2.4 Outstanding + 2.2 RI = 10; 3.1, 3.3 Outstanding + 3.2 Good
    # (discretion) + 3.4 Good = 10: 28/36, Good.
    expect(page.locator("#score")).to_have_text("28/36")
    expect(page.locator("#overall-rating")).to_contain_text("Good")
    expect(page.locator("main")).to_contain_text(
        "one more Yes on 2.2.others_safety would make it Good"
    )
    assert inspection.fieldwork_start == dt.date(2024, 4, 8)
