"""Comparison pages: the all-or-nothing upload, a service over time with changes judged
against the noise, Bexley 2015 (SQS) beside Bexley 2024 with the note that the measures
differ, and the national distribution with one service highlighted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yjinspect.core.published import COLUMNS, parse_published
from yjinspect.web.comparison import services
from yjinspect.web.comparison.models import PublishedResult, PublishedUpload
from yjinspect.web.comparison.views import SESSION_KEY
from yjinspect.web.inspections.models import (
    Answer,
    Assessment,
    Case,
    Inspection,
    Membership,
    Role,
)

from .conftest import answered_court_cases, framework_version

pytestmark = pytest.mark.django_db

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "src" / "yjinspect" / "demo" / "published-results.csv"
)
HEADER = ",".join(COLUMNS)


def csv_file(text: str, name: str = "results.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def shipped(users: dict[str, AbstractUser]) -> PublishedUpload:
    """The shipped example file, stored as an upload would store it."""
    text = EXAMPLE.read_text(encoding="utf-8")
    return services.store_upload(parse_published(text), text, EXAMPLE.name, users["lead"])  # type: ignore[arg-type]


# ---------------------------------------------------------------- upload


def test_a_file_with_problems_lists_them_all_and_stores_nothing(
    client_as: Callable[[str], Client],
) -> None:
    good = "Bexley,hmip-youth-2021,1,2024-07-12,inspection,standard,2.1,Good,,,,s"
    bad1 = "Bexley,hmip-youth-2021,1,2024-07-12,inspection,standard,2.9,Good,,,,s"
    bad2 = "Bexley,hmip-youth-2021,1,2024-07-12,inspection,key_question,2.2.others_safety,,90,5,9,s"
    client = client_as("lead")
    response = client.post(
        reverse("comparison:upload"),
        {"results": csv_file(f"{HEADER}\n{good}\n{bad1}\n{bad2}\n")},
    )
    assert response.status_code == 200
    problems = response.context["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(3, "item_id"), (4, "percent")]
    assert "There are 2 problems in this file" in response.content.decode()
    assert PublishedResult.objects.count() == 0
    assert SESSION_KEY not in client.session


def test_a_clean_file_is_previewed_then_stored_whole_with_history(
    client_as: Callable[[str], Client],
) -> None:
    client = client_as("lead")
    text = EXAMPLE.read_text(encoding="utf-8")
    expected = len(parse_published(text))
    response = client.post(reverse("comparison:upload"), {"results": csv_file(text)})
    assert response.context["preview"]["count"] == expected
    assert response.context["preview"]["fictitious"] > 0
    assert PublishedResult.objects.count() == 0  # nothing until confirmed
    response = client.post(reverse("comparison:upload_commit"))
    assert response.status_code == 302
    assert PublishedResult.objects.count() == expected
    assert PublishedResult.history.filter(history_type="+").count() == expected
    upload = PublishedUpload.objects.get()
    assert upload.row_count == expected and upload.uploaded_by.username == "lead"
    assert PublishedResult.objects.filter(
        fictitious=True, service__startswith="Fictitious"
    ).exists()
    assert not PublishedResult.objects.filter(fictitious=True, service="Bexley").exists()


def test_a_file_repeating_stored_figures_is_refused_whole(
    client_as: Callable[[str], Client], shipped: PublishedUpload
) -> None:
    new = "Bexley,hmip-youth-2021,1,2019-03-01,inspection,standard,2.1,Good,,,,s"
    repeat = "Bexley,hmip-youth-2021,1,2024-07-12,inspection,standard,2.1,Good,,,,s"
    before = PublishedResult.objects.count()
    response = client_as("lead").post(
        reverse("comparison:upload"), {"results": csv_file(f"{HEADER}\n{new}\n{repeat}\n")}
    )
    problems = response.context["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(3, "item_id")]
    assert "already stored" in problems[0]["message"]
    assert PublishedResult.objects.count() == before


def test_commit_checks_again_and_refuses_figures_stored_meanwhile(
    client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    row = "Bexley,hmip-youth-2021,1,2024-07-12,inspection,standard,2.1,Good,,,,s"
    text = f"{HEADER}\n{row}\n"
    client = client_as("lead")
    client.post(reverse("comparison:upload"), {"results": csv_file(text)})
    services.store_upload(parse_published(text), text, "other.csv", users["admin"])  # type: ignore[arg-type]
    response = client.post(reverse("comparison:upload_commit"))
    assert response.status_code == 409
    assert PublishedResult.objects.count() == 1


# ---------------------------------------------------------------- one service


def test_bexley_2015_sqs_and_2024_are_on_one_page_with_the_note(
    client_as: Callable[[str], Client], shipped: PublishedUpload
) -> None:
    response = client_as("viewer").get(reverse("comparison:service", args=["bexley"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Short Quality Screening" in page and "youth justice standards (2021)" in page
    crosses = response.context["across"]
    sqs = next(c for c in crosses if c.earlier_framework.id == "hmip-sqs")
    assert sqs.current.framework_id == "hmip-youth-2021"
    assert "The measures differ" in sqs.note and "The measures differ" in page
    pp = next(a for a in sqs.rows if a.earlier_label.startswith("PP "))
    assert "PP-01 64% (9/14)" in pp.earlier_figure
    assert ("2.2 Planning: keeping other people safe", "56% (5/9)") in pp.targets
    assert "pooled by yjinspect" in pp.note  # the crosswalk's own note for this area
    cci = next(c for c in crosses if c.earlier_framework.id == "hmip-cci")
    roh = next(a for a in cci.rows if a.earlier_label.startswith("ROH"))
    assert roh.earlier_figure == "Substantial improvement required, 51%"
    # The note on chance reads "95% range" (a translated tag argument would print "95%%").
    assert "each figure has a 95% range" in page and "95%%" not in page
    welsh = client_as("viewer").get(reverse("comparison:service", args=["bexley"]) + "?lang=cy")
    assert "mae gan bob ffigur ystod 95% rhwng dau derfyn" in welsh.content.decode()


def test_changes_are_judged_against_the_noise(
    client_as: Callable[[str], Client],
    users: dict[str, AbstractUser],
    inspection: Inspection,
) -> None:
    # Published 2021: 2/20 and 6/9; this app's 2024 inspection: 9/9 on both key questions.
    rows = [
        "Testshire YOT,hmip-youth-2021,1,2021-05-01,inspection,key_question,2.1.desistance,,10,2,20,s",
        "Testshire YOT,hmip-youth-2021,1,2021-05-01,inspection,key_question,2.1.child_safety,,67,6,9,s",
        "Testshire YOT,hmip-youth-2021,1,2021-05-01,inspection,key_question,2.1.others_safety,,67,,,s",
    ]
    text = HEADER + "\n" + "\n".join(rows) + "\n"
    services.store_upload(parse_published(text), text, "t.csv", users["lead"])  # type: ignore[arg-type]
    kqs = ["2.1.desistance", "2.1.child_safety", "2.1.others_safety"]
    answered_court_cases(inspection, users["inspector"], dict.fromkeys(kqs, 9))
    response = client_as("lead").get(reverse("comparison:service", args=["testshire"]))
    [timeline] = response.context["timelines"]
    assert [o.origin for o in timeline.occasions] == ["published", "app"]
    by_id = {r.item_id: r for r in timeline.rows}
    assert by_id["2.1.desistance"].changes[1].text == "clearly higher"
    assert by_id["2.1.child_safety"].changes[1].text == "no clear change"
    assert by_id["2.1.others_safety"].changes[1].text == "cannot tell: counts not known"
    assert by_id["2.1.desistance"].cells == ["10% (2/20)", "100% (9/9)"]


def test_an_app_inspection_shows_only_to_those_who_may_see_its_ratings(
    client_as: Callable[[str], Client], users: dict[str, AbstractUser], inspection: Inspection
) -> None:
    answered_court_cases(inspection, users["inspector"], {"2.1.desistance": 7})
    url = reverse("comparison:service", args=["testshire"])
    assert "78% (7/9)" in client_as("moderator").get(url).content.decode()
    for outsider in ("viewer", "stranger"):  # ratings not released; not a member
        response = client_as(outsider).get(url)
        assert response.status_code == 200
        assert response.context["timelines"] == []
        assert "78%" not in response.content.decode()


def test_two_app_inspections_are_joined_by_the_engines_crosswalk_rows(
    client_as: Callable[[str], Client], users: dict[str, AbstractUser], inspection: Inspection
) -> None:
    """An SQS audit and a 2021 inspection both rated in the app: the rows come from
    crosswalk_rows, which marks the SQS theme figure as pooled by yjinspect."""
    sqs = Inspection.objects.create(
        service_name="Testshire YOT",
        framework=framework_version("hmip-sqs"),
        fieldwork_start=dt.date(2015, 6, 8),
        created_by=users["lead"],
    )
    Membership.objects.create(inspection=sqs, user=users["lead"], role=Role.LEAD)
    for i in range(4):
        case = Case.objects.create(
            inspection=sqs, case_ref=f"S{i}", domain="court", disposal_type="Referral order",
            start_date=dt.date(2015, 4, 1), case_manager="CM", risk_of_harm="low",
            safety_wellbeing="low", in_sample=True,
        )  # fmt: skip
        assessment = Assessment.objects.create(case=case, assessor=users["lead"])
        value = "yes" if i < 3 else "no"
        Answer.objects.create(
            assessment=assessment, key_question="PP-01", value=value, updated_by=users["lead"]
        )
    answered_court_cases(inspection, users["inspector"], {"2.1.others_safety": 7})
    response = client_as("lead").get(reverse("comparison:service", args=["testshire"]))
    [cross] = response.context["across"]
    assert cross.earlier.origin == cross.current.origin == "app"
    pp = next(a for a in cross.rows if a.earlier_label.startswith("PP "))
    assert pp.earlier_figure.startswith("75% (3/4)")
    assert "pooled by yjinspect; hmip-sqs published no area figure" in pp.earlier_figure
    assert pp.targets[0] == ("2.1 Assessment: keeping other people safe", "78% (7/9)")
    assert "The measures differ" in response.content.decode()


def test_the_sqs_distribution_counts_published_question_figures(
    client_as: Callable[[str], Client], shipped: PublishedUpload
) -> None:
    url = reverse("comparison:national", args=["hmip-sqs"])
    response = client_as("viewer").get(url, {"item": "question:PP-01", "service": "bexley"})
    dist = response.context["dist"]
    assert [r.service for r in dist.rows] == ["Bedfordshire", "Bexley"]
    assert dist.highlighted.figure == "64% (9/14)" and dist.highlighted.category == "60–69%"


# ---------------------------------------------------------------- national distribution


def test_the_national_chart_highlights_one_service(
    client_as: Callable[[str], Client], shipped: PublishedUpload
) -> None:
    url = reverse("comparison:national", args=["hmip-youth-2021"])
    response = client_as("inspector").get(url, {"item": "overall:overall", "service": "bexley"})
    page = response.content.decode()
    dist = response.context["dist"]
    assert dist.highlighted.service == "Bexley" and dist.highlighted.category == "Good"
    chart = response.context["chart"]
    assert chart.count("◀ Bexley") == 1
    good_bar = chart.split(">Good</text>")[1].split("</text>")[0]
    assert 'fill="#0b0c0c"' in good_bar and "◀ Bexley" in good_bar
    assert "FICTITIOUS" in page and "Fictitious" in page
    counts = dict(dist.categories)
    assert sum(counts.values()) == 25  # Bexley and 24 fictitious services, one figure each

    plain = client_as("inspector").get(url, {"item": "overall:overall"})
    assert "◀" not in plain.context["chart"]


def test_a_key_question_is_counted_by_percentage_band(
    client_as: Callable[[str], Client], shipped: PublishedUpload
) -> None:
    url = reverse("comparison:national", args=["hmip-youth-2021"])
    response = client_as("viewer").get(
        url, {"item": "key_question:2.2.others_safety", "service": "bexley"}
    )
    dist = response.context["dist"]
    assert dist.by_percent
    assert dist.highlighted.category == "50–59%"
    assert dist.highlighted.figure == "56% (5/9)"


def test_an_unknown_framework_is_not_found(client_as: Callable[[str], Client]) -> None:
    response = client_as("viewer").get(reverse("comparison:national", args=["nope"]))
    assert response.status_code == 404
