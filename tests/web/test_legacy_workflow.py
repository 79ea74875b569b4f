"""The earlier programmes (SQS, FJI) through the whole web workflow: create, import, sample,
assess, moderate, rate, override a word with its reason, and the report as HTML and PDF."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yjinspect.core.caselist import CANONICAL_COLUMNS
from yjinspect.web.inspections.models import (
    Answer,
    Case,
    Discretion,
    Inspection,
    Judgement,
    Membership,
    Recommendation,
    ReportText,
    Role,
)
from yjinspect.web.inspections.services.assessments import Question, questions_for_case

pytestmark = pytest.mark.django_db

FIELDWORK = dt.date(2015, 6, 15)


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def case_list(n: int, start: dt.date) -> bytes:
    """A fictitious case list in the canonical columns: case references, never names."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CANONICAL_COLUMNS)
    for i in range(n):
        row = {
            "case_ref": f"DS{i + 1:04d}",
            "domain": "court",
            "disposal_type": "referral_order" if i % 2 else "youth_rehabilitation_order",
            "start_date": (start + dt.timedelta(days=i % 40)).isoformat(),
            "case_manager": f"CM{i % 5}",
            "risk_of_harm": ["low", "medium", "high"][i % 3],
            "safety_wellbeing": ["low", "medium"][i % 2],
            "sex": "female" if i % 4 == 0 else "male",
            "ethnicity_group": "white" if i % 3 else "black",
            "age": "15",
            "looked_after": "no",
            "custody": "no",
        }
        writer.writerow([row.get(c, "") for c in CANONICAL_COLUMNS])
    return out.getvalue().encode("utf-8")


def create(client: Client, framework_id: str, name: str) -> Inspection:
    response = client.post(
        reverse("inspections:create"),
        {
            "service_name": name,
            "framework": framework_id,
            "mode": "inspection",
            "fieldwork_start": FIELDWORK.isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Inspection.objects.get(service_name=name)


def import_and_sample(client: Client, inspection: Inspection, n: int, start: dt.date) -> None:
    response = client.post(
        reverse("inspections:case_import", args=[inspection.pk]),
        {"case_list": SimpleUploadedFile("cases.csv", case_list(n, start))},
        follow=True,
    )
    assert response.status_code == 200
    response = client.post(
        reverse("inspections:case_import_commit", args=[inspection.pk]), follow=True
    )
    assert response.status_code == 200
    assert Case.objects.filter(inspection=inspection).count() == n
    response = client.post(
        reverse("inspections:sample", args=[inspection.pk]), {"seed": "2015"}, follow=True
    )
    assert response.status_code == 200, response.content.decode()[:3000]


def answer_case(
    client: Client,
    inspection: Inspection,
    case: Case,
    choose: Callable[[Question], str],
    *,
    url_name: str = "inspections:assess",
    submit: bool = True,
) -> None:
    """Post one case's assessment form: `choose` gives the stored value for each question."""
    data: dict[str, str] = {"action": "submit" if submit else "save"}
    for q in all_case_questions(inspection, case):
        value = choose(q)
        if not value:
            continue  # left unanswered (an optional theme not chosen)
        data[f"{q.field_prefix}-value"] = value
        data[f"{q.field_prefix}-evidence"] = f"Notes on {q.id} for {case.case_ref}"
        if value == "na" and q.takes_na_reason:
            data[f"{q.field_prefix}-na_reason"] = "Did not apply to this case"
    response = client.post(reverse(url_name, args=[inspection.pk, case.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def all_case_questions(inspection: Inspection, case: Case) -> list[Question]:
    standards = questions_for_case(inspection.framework.framework, case)
    return [q for s in standards for q in s.questions]


def text_of(html: str) -> str:
    """The page's words with tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def yes_for_first(counts: dict[str, int], index: int) -> Callable[[Question], str]:
    """Answers for the case at `index`: Yes when index < counts[area] for the question's
    area (No otherwise); optional themes' questions left unanswered unless counted; recorded
    questions take their first option."""

    def choose(q: Question) -> str:
        if q.options:
            return q.options[0][0]
        if q.standard_id not in counts:
            return ""
        return "yes" if index < counts[q.standard_id] else "no"

    return choose


def moderate_one(
    client_as: Callable[[str], Client], inspection: Inspection, case: Case, flip: str
) -> None:
    """The lead chooses `case` for a second assessment; the moderator gives it, differing from
    the first only on question `flip`."""
    lead = client_as("lead")
    response = lead.post(
        reverse("inspections:moderation", args=[inspection.pk]),
        {"shown": [str(case.pk)], "cases": [str(case.pk)]},
    )
    assert response.status_code == 302
    first = {
        a.key_question: a.value
        for a in Answer.objects.filter(assessment__case=case, assessment__kind="primary")
    }

    def same_but_one(q: Question) -> str:
        value = first.get(q.id, "")
        if q.id == flip:
            return "no" if value == "yes" else "yes"
        return value

    answer_case(
        client_as("moderator"), inspection, case, same_but_one, url_name="inspections:moderate"
    )


# ---------------------------------------------------------------- SQS


def test_sqs_from_creation_to_the_letter(
    client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    lead = client_as("lead")
    form = lead.get(reverse("inspections:create")).content.decode()
    assert 'value="hmip-sqs"' in form and 'value="hmip-fji"' in form and 'value="hmip-cci"' in form
    inspection = create(lead, "hmip-sqs", "Demoshire YOT")
    for name in ("inspector", "moderator"):
        role = Role.INSPECTOR if name == "inspector" else Role.MODERATOR
        Membership.objects.create(inspection=inspection, user=users[name], role=role)
    import_and_sample(lead, inspection, 40, dt.date(2015, 3, 16))
    # The SQS draws 20 cases (its framework's rule) when more are eligible.
    sampled = list(Case.objects.filter(inspection=inspection, in_sample=True).order_by("case_ref"))
    assert len(sampled) == 20

    inspector = client_as("inspector")
    # The form asks the SQS questions; a recorded one offers its own options.
    page = inspector.get(reverse("inspections:assess", args=[inspection.pk, sampled[0].pk]))
    html = page.content.decode()
    assert "Was the risk of harm to others understood and explained well enough" in html
    assert ">Too low<" in html and 'value="o2"' in html
    # Not applicable without a reason is refused, naming the question, and nothing is saved.
    refused = inspector.post(
        reverse("inspections:assess", args=[inspection.pk, sampled[0].pk]),
        {"action": "save", "kq-PP-01-value": "na"},
    )
    assert refused.status_code == 200
    assert "Give the reason PP-01 Protecting the public does not apply" in refused.content.decode()
    assert not Answer.objects.filter(assessment__case=sampled[0]).exists()

    counts = {"RR": 15, "PP": 13, "PC": 17, "SS": 20}
    for index, case in enumerate(sampled):
        answer_case(inspector, inspection, case, yes_for_first(counts, index))
    stored = Answer.objects.get(assessment__case=sampled[0], key_question="PP-02")
    assert stored.value == "o1"  # 'accurate', the first option, stored by its position

    moderate_one(client_as, inspection, sampled[0], "PP-01")
    moderation = lead.get(reverse("inspections:moderation", args=[inspection.pk]))
    text = text_of(moderation.content.decode())
    assert "Agreement by area" in text and "PP-01 Protecting the public" in text
    resolved = lead.post(
        reverse("inspections:resolve", args=[inspection.pk, sampled[0].pk, "PP-01"]),
        {"value": "no", "note": "The record shows the risk was not explained"},
    )
    assert resolved.status_code == 302
    answer = Answer.objects.get(
        assessment__case=sampled[0], assessment__kind="primary", key_question="PP-01"
    )
    assert answer.value == "no" and [h.value for h in answer.history.order_by("history_id")] == [
        "yes",
        "no",
    ]

    ratings = text_of(
        lead.get(reverse("inspections:ratings", args=[inspection.pk])).content.decode()
    )
    # PP: 13 Yes of 20 cases on each of its 7 questions, less the one resolved to No.
    assert "PP Protecting the public 64% 90/140" in ratings
    assert "12 of the 20 cases" not in ratings  # 20 relevant cases: a band phrase, not counts
    data = lead.get(reverse("inspections:ratings_json", args=[inspection.pk])).json()
    assert data["areas"]["PP"]["items"]["PP-01"]["yes"] == 12
    assert data["areas"]["PP"]["items"]["PP-02"]["options"]["accurate"] == 20
    # The SQS puts no word on an area, so there is nothing to override.
    assert (
        lead.get(reverse("inspections:discretion", args=[inspection.pk, "PP"])).status_code == 404
    )

    words_url = reverse("inspections:legacy_texts", args=[inspection.pk])
    bad = lead.post(
        words_url,
        {"letter__reoffending_rate": "thirty", "area__PP": "Good in {PP-99}."},
    )
    assert bad.status_code == 200
    problems = text_of(bad.content.decode())
    assert "Published reoffending rate (%): 'thirty' is not a number" in problems
    assert "{PP-99} is not a question with a count in this framework" in problems
    assert not ReportText.objects.filter(inspection=inspection).exists()
    saved = lead.post(
        words_url,
        {
            "letter__reoffending_rate": "29.5",
            "letter__average_rate": "36.1",
            "letter__cohort_footnote": "Ministry of Justice, 2012-13 cohort, binary measure.",
            "area__PP": "The risk of harm was explained well enough in {PP-03} we looked at.",
            "strengths": "- Reports for the court were clear",
            "improvements": "- Risk of harm assessments must consider victims",
        },
    )
    assert saved.status_code == 302
    commentary = ReportText.objects.get(inspection=inspection, key="area:PP")
    assert commentary.history.get().history_user == users["lead"]
    # The form is loaded with each text's version, for the next save's clash check.
    reloaded = lead.get(words_url).content.decode()
    assert re.search(
        r'name="area__PP__version"[^>]*value="1"|value="1"[^>]*name="area__PP__version"', reloaded
    )

    html = lead.get(reverse("inspections:legacy_report", args=[inspection.pk])).content.decode()
    letter = text_of(html)
    assert "We looked at 20 cases of children" in letter
    # The letter is narrative, as published; the counts behind it follow it in an annex.
    body, annex = html.split('id="letter-figures"')
    assert "yj-letter__counts" not in body and "yj-letter__counts" in annex
    assert "Annex: the figures behind this letter" in annex
    assert "was 29.5%. This was better than the England and Wales average of 36.1%." in letter
    assert "Ministry of Justice, 2012-13 cohort, binary measure." in letter
    assert "explained well enough in almost two-thirds of cases we looked at" in letter
    assert "Reports for the court were clear" in letter
    pdf = lead.get(reverse("inspections:legacy_report_pdf", args=[inspection.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


# ---------------------------------------------------------------- FJI


def test_fji_from_creation_to_the_report(
    client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    lead = client_as("lead")
    inspection = create(lead, "hmip-fji", "Demoshire YOS")
    for name in ("inspector", "moderator"):
        role = Role.INSPECTOR if name == "inspector" else Role.MODERATOR
        Membership.objects.create(inspection=inspection, user=users[name], role=role)
    import_and_sample(lead, inspection, 60, dt.date(2015, 1, 5))
    sampled = list(Case.objects.filter(inspection=inspection, in_sample=True).order_by("case_ref"))
    assert len(sampled) == 34  # the FJI's sample size

    # Yes in the first n of 34 cases on every question of the theme; the interventions theme
    # is this inspection's sixth theme, court work is left unanswered (not chosen).
    counts = {"RR": 13, "PP": 19, "PC": 28, "SS": 22, "INT": 17}
    inspector = client_as("inspector")
    for index, case in enumerate(sampled):
        answer_case(inspector, inspection, case, yes_for_first(counts, index))
    moderate_one(client_as, inspection, sampled[-1], "RR-05")

    ratings = text_of(
        lead.get(reverse("inspections:ratings", args=[inspection.pk])).content.decode()
    )
    assert "RR Reducing reoffending 38% 143/374" in ratings and "Poor" in ratings
    assert "PP Protecting the public 56%" in ratings  # Unsatisfactory
    assert "CWR Court work and reports is an optional theme not covered" in ratings
    data = lead.get(reverse("inspections:ratings_json", args=[inspection.pk])).json()
    words = {a: v["word"] for a, v in data["areas"].items()}
    assert words == {
        "RR": "Poor",
        "PP": "Unsatisfactory",
        "PC": "Good",
        "SS": "Satisfactory",
        "GOV": None,
        "INT": "Poor",
    }

    url = reverse("inspections:discretion", args=[inspection.pk, "RR"])
    assert "reason" in text_of(lead.post(url, {"word": "Unsatisfactory"}).content.decode())
    same = lead.post(url, {"word": "Poor", "reason": "no change"})
    assert "already the word" in text_of(same.content.decode())
    # The engine's refusal follows the page language (core/words.py), the word too.
    welsh = text_of(lead.post(f"{url}?lang=cy", {"word": "Poor", "reason": "x"}).content.decode())
    assert "RR: 'Gwael' yw'r gair ar gyfer 38% eisoes" in welsh and "already the word" not in welsh
    # The framework's words in Welsh too (frameworks/welsh/hmip-fji.yaml): name, scale, phrase.
    assert "RR Lleihau aildroseddu" in welsh and "Da Boddhaol Anfoddhaol Gwael" in welsh
    assert "o'r gwaith i leihau aildroseddu ei wneud yn ddigon da, yn y band o dan 55%" in welsh
    assert "Reducing reoffending" not in welsh and "Poor" not in welsh
    lead.get(f"{url}?lang=en")
    assert not Discretion.objects.filter(inspection=inspection).exists()
    assert client_as("inspector").post(url, {"word": "Good", "reason": "x"}).status_code == 403
    moved = lead.post(url, {"word": "Unsatisfactory", "reason": "Reports to court were strong"})
    assert moved.status_code == 302
    override = Discretion.objects.get(inspection=inspection, standard_id="RR")
    assert (override.rating, override.history.get().history_user) == (
        "Unsatisfactory",
        users["lead"],
    )
    judged = lead.post(
        reverse("inspections:discretion", args=[inspection.pk, "GOV"]),
        {"word": "Poor", "reason": "The boards had not held the service to account"},
    )
    assert judged.status_code == 302
    assert Judgement.objects.get(inspection=inspection, standard_id="GOV").rating == "Poor"
    data = lead.get(reverse("inspections:ratings_json", args=[inspection.pk])).json()
    assert data["areas"]["RR"]["word"] == "Unsatisfactory"
    assert data["areas"]["RR"]["default_word"] == "Poor"
    assert data["areas"]["RR"]["override_reason"] == "Reports to court were strong"
    assert data["areas"]["GOV"]["word"] == "Poor"

    for order, (addressed_to, wording) in enumerate(
        [
            ("Chair of the YOS Management Board", "reoffending is reduced"),
            ("Head of Youth Support", "management oversight is effective"),
            ("Chair of the YOS Management Board", "partners attend at the right level"),
        ]
    ):
        Recommendation(
            inspection=inspection,
            addressed_to=addressed_to,
            text_en=wording,
            order=order,
            updated_by=users["lead"],
        ).save()
    assert (
        lead.post(
            reverse("inspections:legacy_texts", args=[inspection.pk]),
            {"area__PP": "Work to protect the public was good enough in {PP-01}."},
        ).status_code
        == 302
    )

    page = lead.get(reverse("inspections:legacy_report", args=[inspection.pk])).content.decode()
    report = text_of(page)
    assert "Key judgements" in report
    assert "Draft: not for publication" in report  # not published yet
    assert "Reducing reoffending Unsatisfactory *" in report
    assert "Governance and partnerships Poor" in report
    assert (
        "Within the case assessment, overall 38% of work to reduce reoffending was done well "
        "enough." in report
    )
    # 19 of 34 cases, every case relevant: a band phrase, as the FJI reports put larger counts.
    assert "Work to protect the public was good enough in just over half of cases." in report
    assert (
        "The Chair of the YOS Management Board should ensure that: reoffending is reduced "
        "partners attend at the right level" in report
    )
    assert (
        "The Head of Youth Support should ensure that: management oversight is effective" in report
    )
    assert "34 cases were inspected" in report
    # The data summary chart: an SVG with its text alternative, and the same counts in a table.
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="yj-chart" id="chart-RR"' in page
    assert '<desc id="chart-RR-desc">RR-02: 13 yes, 21 no, 0 not applicable' in page
    assert 'id="data-RR"' in page and "Court work and reports" not in report
    pdf = lead.get(reverse("inspections:legacy_report_pdf", args=[inspection.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    # In Welsh, the framework's words come from frameworks/welsh/hmip-fji.yaml.
    url = reverse("inspections:legacy_report", args=[inspection.pk])
    welsh = text_of(lead.get(f"{url}?lang=cy").content.decode())
    lead.get(f"{url}?lang=en")
    assert "Lleihau aildroseddu" in welsh and "Llywodraethu a phartneriaethau Gwael" in welsh
    assert (
        "Yn yr asesiad o achosion, roedd 38% o'r gwaith i leihau aildroseddu wedi'i wneud yn "
        "ddigon da" in welsh
    )
    assert "Reducing reoffending" not in welsh and "Within the case assessment" not in welsh


def test_a_standards_inspection_is_sent_to_its_own_report(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    response = client_as("lead").get(reverse("inspections:legacy_report", args=[inspection.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:report", args=[inspection.pk])
