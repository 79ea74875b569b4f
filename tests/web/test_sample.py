"""Drawing the sample from a seed, its composition, replacements, and allocating its cases."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse

from yjinspect.core.sampling import draw_sample, size_basis
from yjinspect.web.inspections.models import (
    Assessment,
    Case,
    Inspection,
    Replacement,
    SampleDraw,
    State,
)
from yjinspect.web.inspections.services import sampling

pytestmark = pytest.mark.django_db

IN_WINDOW = dt.date(2023, 6, 1)  # the fixture inspection's window is 2023-04-10 to 2024-02-02


def add_cases(
    inspection: Inspection,
    n: int,
    *,
    domain: str = "court",
    prefix: str = "C",
    start: dt.date = IN_WINDOW,
    sex: Callable[[int], str] = lambda i: "female" if i % 4 == 0 else "male",
) -> None:
    disposal = "referral_order" if domain == "court" else "youth_caution"
    Case.objects.bulk_create(
        Case(
            inspection=inspection,
            case_ref=f"{prefix}{i:04d}",
            domain=domain,
            disposal_type=disposal
            if i % 3
            else ("youth_rehabilitation_order" if domain == "court" else "triage"),
            start_date=start + dt.timedelta(days=i % 200),
            case_manager=f"CM{i % 7}",
            risk_of_harm=["low", "medium", "high"][i % 3],
            safety_wellbeing=["low", "medium"][i % 2],
            sex=sex(i),
        )
        for i in range(n)
    )


def sampled(inspection: Inspection) -> set[str]:
    return set(
        Case.objects.filter(inspection=inspection, in_sample=True).values_list(
            "case_ref", flat=True
        )
    )


def draw(client: Client, inspection: Inspection, seed: int | str, **sizes: str) -> str:
    response = client.post(
        reverse("inspections:sample", args=[inspection.pk]),
        {"seed": str(seed), **{f"size_{d}": v for d, v in sizes.items()}},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_sizes_and_their_basis_are_shown_before_drawing(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    add_cases(inspection, 200)
    add_cases(inspection, 15, domain="out_of_court", prefix="O")
    add_cases(inspection, 30, prefix="X", start=dt.date(2022, 1, 1))  # outside the window
    html = (
        client_as("lead").get(reverse("inspections:sample", args=[inspection.pk])).content.decode()
    )
    assert "80% confidence, ±5 points, N=200 → 91" in html
    assert "80% confidence, ±5 points, N=15 → 14" in html
    assert "no eligible cases, so nothing to sample" in html  # resettlement
    assert "10 Apr 2023 – 2 Feb 2024" in html and "the inspection's case window" in html
    seed = re.search(r'name="seed" value="(\d+)"', html)
    assert seed is not None and len(seed.group(1)) == 6  # a random six-digit seed is offered


def test_the_framework_window_is_used_when_the_inspection_sets_none(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    inspection.window_start = inspection.window_end = None
    inspection.save()
    add_cases(inspection, 20)
    html = (
        client_as("lead").get(reverse("inspections:sample", args=[inspection.pk])).content.decode()
    )
    # 52 to 9 weeks before fieldwork on 8 April 2024.
    assert "10 Apr 2023 – 5 Feb 2024" in html and "the framework's window" in html


def test_drawing_records_the_seed_and_reproduces_from_it(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    add_cases(inspection, 200)
    add_cases(inspection, 40, domain="out_of_court", prefix="O")
    client = client_as("lead")
    html = draw(client, inspection, 1234)
    assert "Drew a sample of" in html and "1234" in html
    first = sampled(inspection)
    court = Case.objects.filter(inspection=inspection, in_sample=True, domain="court")
    assert court.count() == 91
    record = SampleDraw.objects.get()
    assert record.seed == 1234 and record.by == users["lead"]
    summary = record.summary
    domains = {d["domain"]: d for d in summary["domains"]}
    assert domains["court"]["population"] == 200 and domains["court"]["target"] == 91
    assert domains["court"]["basis"] == "80% confidence, ±5 points, N=200 → 91"
    assert set(domains["court"]["selected"]) | set(domains["out_of_court"]["selected"]) == first
    assert domains["court"]["composition"][0]["attribute"] == "sex"
    orders = sorted(o or 0 for o in court.values_list("sample_order", flat=True))
    assert len(set(orders)) == 91 and all(orders)
    assert all(c.stratum.count(" × ") == 3 for c in court)
    # Every sampled case has a history record of being drawn, by the lead.
    history = Case.history.filter(in_sample=True, history_type="~")
    assert history.count() == len(first) and {h.history_user for h in history} == {users["lead"]}

    # Clear, draw again with the same seed: the same cases.
    client.post(reverse("inspections:sample_clear", args=[inspection.pk]))
    assert sampled(inspection) == set()
    draw(client, inspection, 1234)
    assert sampled(inspection) == first
    # The sampler on its own, given the same list and seed, agrees.
    cases = sampling.sampling_cases(inspection)
    core = draw_sample(
        cases,
        inspection.framework.framework.sampling,
        seed=1234,
        windows=sampling.explicit_windows(inspection),
    )
    assert set(core.selected) == first
    # A different seed gives a different sample of the same size.
    draw(client, inspection, 99)
    assert sampled(inspection) != first and len(sampled(inspection)) == len(first)
    assert SampleDraw.objects.count() == 3
    assert sampling.verify(inspection).matches


def test_size_set_by_hand(client_as: Callable[[str], Client], inspection: Inspection) -> None:
    add_cases(inspection, 200)
    client = client_as("lead")
    html = draw(client, inspection, 5, court="20")
    assert Case.objects.filter(in_sample=True, domain="court").count() == 20
    assert "set by hand to 20" in html
    html = draw(client, inspection, 5, court="201")
    assert "There are only 200 eligible" in html
    assert Case.objects.filter(in_sample=True).count() == 20  # unchanged
    html = draw(client, inspection, "not a number")
    assert "Enter a whole number" in html


def test_the_composition_table_compares_sample_and_eligible_cases(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    # 40 eligible court cases: 10 female (every fourth), 30 male.
    add_cases(inspection, 40)
    add_cases(inspection, 5, prefix="Z", start=dt.date(2021, 1, 1), sex=lambda i: "female")
    client = client_as("lead")
    draw(client, inspection, 2024)
    html = client.get(reverse("inspections:sample", args=[inspection.pk])).content.decode()
    in_sample = Case.objects.filter(inspection=inspection, in_sample=True)
    n = in_sample.count()
    girls = in_sample.filter(sex="female").count()
    assert n == size_basis(40, inspection.framework.framework.sampling).target == 33
    row = re.search(r'data-attribute="sex" data-value="female">(.*?)</tr>', html, re.DOTALL)
    assert row is not None
    numbers = re.findall(r'numeric">([^<]*)</td>', row.group(1))
    assert numbers == ["10", "25.0%", str(girls), f"{100 * girls / n:.1f}%"]
    assert 7 <= girls <= 9  # proportional: 10/40 of 33 is 8.25, within one case
    # Every stratum attribute of the framework has rows.
    for attribute in ("sex", "disposal_type", "risk_of_harm", "safety_wellbeing"):
        assert f'data-attribute="{attribute}"' in html
    assert "Referral order" in html and "Youth rehabilitation order" in html


def test_replacement_needs_a_reason_and_is_recorded(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    add_cases(inspection, 60)
    client = client_as("lead")
    draw(client, inspection, 77)
    before = sampled(inspection)
    out = sorted(before)[0]
    removed = Case.objects.get(case_ref=out)
    removed.assessor = users["inspector"]  # type: ignore[assignment]
    removed.save()
    url = reverse("inspections:replace_case", args=[inspection.pk])

    response = client.post(url, {"case_ref": out, "reason": "   "})
    assert response.status_code == 200
    assert "Give the reason for replacing this case" in response.content.decode()
    assert sampled(inspection) == before and not Replacement.objects.exists()

    response = client.post(url, {"case_ref": "NOPE", "reason": "moved"})
    assert "NOPE is not in the sample" in response.content.decode()

    html = client.post(url, {"case_ref": out, "reason": "Transferred out of area"}, follow=True)
    page = html.content.decode()
    record = Replacement.objects.get()
    assert record.removed.case_ref == out and record.reason == "Transferred out of area"
    assert record.by == users["lead"] and record.added is not None
    removed.refresh_from_db()
    added = record.added
    assert not removed.in_sample and removed.excluded_reason == "Transferred out of area"
    assert removed.assessor is None and added.assessor == users["inspector"]
    assert added.in_sample and added.sample_order is not None
    assert sampled(inspection) == (before - {out}) | {added.case_ref}
    assert f"{out} was replaced by {added.case_ref}" in page
    assert "Transferred out of area" in page
    # The sample still follows from its seed with the replacement replayed.
    assert sampling.verify(inspection).matches
    check = client.get(reverse("inspections:sample", args=[inspection.pk]), {"verify": "1"})
    assert "Matches its seed" in check.content.decode()
    # A second replacement replays the first and adds the next.
    client.post(url, {"case_ref": added.case_ref, "reason": "Record unavailable"})
    assert Replacement.objects.count() == 2 and sampling.verify(inspection).matches
    # A case taken out never returns.
    assert out not in sampled(inspection)


def test_clearing_keeps_the_replacements_on_record(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    add_cases(inspection, 30)
    client = client_as("lead")
    draw(client, inspection, 3)
    out = sorted(sampled(inspection))[0]
    client.post(
        reverse("inspections:replace_case", args=[inspection.pk]),
        {"case_ref": out, "reason": "moved away"},
    )
    client.post(reverse("inspections:sample_clear", args=[inspection.pk]))
    assert not Replacement.objects.exists() and not sampled(inspection)
    cleared = SampleDraw.objects.get().summary["cleared"]
    assert cleared["by"] == "lead" and cleared["replacements"][0]["removed"] == out
    assert cleared["replacements"][0]["reason"] == "moved away"
    assert not Case.objects.exclude(excluded_reason="").exists()


def test_redraw_and_clear_are_refused_once_assessments_exist(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    add_cases(inspection, 50)
    client = client_as("lead")
    draw(client, inspection, 11)
    before = sampled(inspection)
    case = Case.objects.filter(in_sample=True).first()
    assert case is not None
    Assessment.objects.create(case=case, assessor=users["inspector"])  # type: ignore[misc]
    html = draw(client, inspection, 12)
    assert "Assessments of sampled cases have started" in html
    assert sampled(inspection) == before and SampleDraw.objects.count() == 1
    assert 'name="seed"' not in html  # the draw form is no longer offered
    response = client.post(reverse("inspections:sample_clear", args=[inspection.pk]), follow=True)
    assert "cannot be cleared" in response.content.decode() and sampled(inspection) == before
    # Replacing the assessed case is refused; another can still be replaced.
    url = reverse("inspections:replace_case", args=[inspection.pk])
    response = client.post(url, {"case_ref": case.case_ref, "reason": "moved"})
    assert "already has an assessment" in response.content.decode()
    other = sorted(before - {case.case_ref})[0]
    client.post(url, {"case_ref": other, "reason": "moved"})
    assert other not in sampled(inspection)


def test_drawing_needs_cases(client_as: Callable[[str], Client], inspection: Inspection) -> None:
    client = client_as("lead")
    html = client.get(reverse("inspections:sample", args=[inspection.pk])).content.decode()
    assert "There are no cases to sample yet" in html and 'name="seed"' not in html
    html = draw(client, inspection, 1)
    assert "import the case list first" in html
    assert not SampleDraw.objects.exists()


# ---- allocation ----


def allocation_post(client: Client, inspection: Inspection, case: Case, **fields: str) -> str:
    data = {
        "case": str(case.pk),
        f"assessor_{case.pk}": fields.get("assessor", ""),
        f"interviewed_{case.pk}": fields.get("interviewed", ""),
        f"interview_date_{case.pk}": fields.get("date", ""),
    }
    response = client.post(
        reverse("inspections:allocation", args=[inspection.pk]), data, follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def test_allocation_only_to_inspectors_of_this_inspection(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    add_cases(inspection, 30)
    client = client_as("lead")
    draw(client, inspection, 8)
    case = Case.objects.filter(in_sample=True).order_by("sample_order").first()
    assert case is not None
    page = client.get(reverse("inspections:allocation", args=[inspection.pk])).content.decode()
    options = re.findall(rf'name="assessor_{case.pk}".*?</select>', page, re.DOTALL)[0]
    assert ">inspector<" in options and ">inspector2<" in options and ">lead<" in options
    assert ">moderator<" not in options and ">viewer<" not in options
    assert ">stranger<" not in options

    for outsider in ("stranger", "moderator", "viewer", "admin"):
        html = allocation_post(client, inspection, case, assessor=str(users[outsider].pk))
        assert "Select a valid choice" in html, outsider
        case.refresh_from_db()
        assert case.assessor is None

    versions = case.history.count()
    html = allocation_post(
        client,
        inspection,
        case,
        assessor=str(users["inspector2"].pk),
        interviewed="yes",
        date="2024-04-09",
    )
    assert "Saved changes to 1 cases" in html
    case.refresh_from_db()
    assert case.assessor == users["inspector2"]
    assert case.case_manager_interviewed is True and case.interview_date == dt.date(2024, 4, 9)
    assert case.history.count() == versions + 1
    assert case.history.first().history_user == users["lead"]
    # Saving the same values again changes nothing.
    html = allocation_post(
        client,
        inspection,
        case,
        assessor=str(users["inspector2"].pk),
        interviewed="yes",
        date="2024-04-09",
    )
    assert "Saved changes to 0 cases" in html and case.history.count() == versions + 1

    html = allocation_post(client, inspection, case, interviewed="no", date="2024-04-09")
    assert "leave the date blank if the case manager was not interviewed" in html
    html = allocation_post(client, inspection, case, interviewed="no")
    case.refresh_from_db()
    assert (case.case_manager_interviewed, case.assessor) == (False, None)  # type: ignore[comparison-overlap]


def test_allocation_ignores_cases_outside_the_sample(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    add_cases(inspection, 30)
    client = client_as("lead")
    draw(client, inspection, 8)
    outside = Case.objects.filter(in_sample=False).first()
    assert outside is not None
    allocation_post(client, inspection, outside, assessor=str(users["inspector"].pk))
    outside.refresh_from_db()
    assert outside.assessor is None


def test_the_service_refuses_an_outsider_even_without_the_form(
    inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    add_cases(inspection, 10)
    case = Case.objects.first()
    assert case is not None
    case.in_sample = True
    case.save()
    change = sampling.AllocationChange(users["stranger"].pk, None, None)
    with pytest.raises(sampling.SampleRefused):
        sampling.allocate(inspection, {case.pk: change})
    case.refresh_from_db()
    assert case.assessor is None


def test_inspectors_see_allocation_but_cannot_change_it(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    add_cases(inspection, 20)
    draw(client_as("lead"), inspection, 8)
    case = Case.objects.filter(in_sample=True).first()
    assert case is not None
    url = reverse("inspections:allocation", args=[inspection.pk])
    page = client_as("inspector").get(url).content.decode()
    assert case.case_ref in page and f'name="assessor_{case.pk}"' not in page
    response = client_as("inspector").post(
        url, {"case": str(case.pk), f"assessor_{case.pk}": str(users["inspector"].pk)}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.assessor is None


def test_allocation_is_paginated(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    add_cases(inspection, 400)
    client = client_as("lead")
    draw(client, inspection, 8)
    total = len(sampled(inspection))
    assert total > 50
    url = reverse("inspections:allocation", args=[inspection.pk])
    seen: list[str] = []
    pages = -(-total // 50)
    for number in range(1, pages + 1):
        html = client.get(url, {"page": str(number)}).content.decode()
        shown = re.findall(r'name="case" value="(\d+)"', html)
        assert len(shown) == (50 if number < pages else total - 50 * (pages - 1))
        seen += shown
    assert len(set(seen)) == total


# ---- permissions ----

SAMPLE_URLS = [
    ("inspections:sample", "get", "work"),
    ("inspections:sample", "post", "manage"),
    ("inspections:sample_clear", "post", "manage"),
    ("inspections:replace_case", "post", "manage"),
    ("inspections:allocation", "get", "work"),
    ("inspections:allocation", "post", "manage"),
]
EXPECTED: dict[str, dict[str, object]] = {
    "anonymous": {"work": "login", "manage": "login"},
    "stranger": {"work": 404, "manage": 404},
    "viewer": {"work": 403, "manage": 403},
    "moderator": {"work": 200, "manage": 403},
    "inspector": {"work": 200, "manage": 403},
    "inspector2": {"work": 200, "manage": 403},
    "lead": {"work": 200, "manage": "ok"},
    "admin": {"work": 200, "manage": "ok"},
}


@pytest.mark.parametrize(("name", "method", "needs"), SAMPLE_URLS)
@pytest.mark.parametrize("who", list(EXPECTED))
def test_sample_urls_check_the_role(
    client_as: Callable[[str], Client],
    inspection: Inspection,
    who: str,
    name: str,
    method: str,
    needs: str,
) -> None:
    add_cases(inspection, 12)
    url = reverse(name, args=[inspection.pk])
    data = {"seed": "5", "case_ref": "C0001", "reason": "moved"} if method == "post" else {}
    response = getattr(client_as(who), method)(url, data)
    expected = EXPECTED[who][needs]
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("accounts:login")
        )
    elif expected == "ok":
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == expected
    if expected != "ok":
        assert not SampleDraw.objects.exists() and not sampled(inspection)


def test_the_sample_cannot_change_once_published(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    add_cases(inspection, 12)
    draw(client_as("lead"), inspection, 5)
    inspection.state = State.PUBLISHED
    inspection.save()
    client = client_as("lead")
    assert client.get(reverse("inspections:sample", args=[inspection.pk])).status_code == 200
    assert (
        client.post(reverse("inspections:sample", args=[inspection.pk]), {"seed": "6"}).status_code
        == 403
    )
    for name in ("sample_clear", "replace_case", "allocation"):
        assert client.post(reverse(f"inspections:{name}", args=[inspection.pk])).status_code == 403
    assert SampleDraw.objects.count() == 1
