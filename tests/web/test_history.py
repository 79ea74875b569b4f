"""The history timeline and its CSV: who changed what, before and after, filtered and paged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yjinspect.web.inspections.models import (
    Answer,
    Assessment,
    Case,
    Discretion,
    Inspection,
    Judgement,
    Membership,
    Role,
)
from yjinspect.web.inspections.services.history import Filters, HistoryRows, neutralise

pytestmark = pytest.mark.django_db


def saved_by(obj: Any, user: AbstractUser, **changes: Any) -> Any:
    """Save a model as `user` would through a view, so history records them."""
    for name, value in changes.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()
    return obj


def make_case(inspection: Inspection, ref: str, by: AbstractUser) -> Assessment:
    case = Case(
        inspection=inspection,
        case_ref=ref,
        domain="court",
        disposal_type="Referral order",
        start_date=dt.date(2023, 6, 1),
        case_manager="Jane Smith",  # a name: it must never reach the history
        risk_of_harm="medium",
        safety_wellbeing="low",
    )
    saved_by(case, by)
    saved_by(case, by, in_sample=True, assessor=by)
    return saved_by(Assessment(case=case, assessor=by), by)  # type: ignore[no-any-return]


@pytest.fixture
def story(inspection: Inspection, users: dict[str, AbstractUser]) -> dict[str, Any]:
    """C004's answer to 2.2.others_safety changed twice; other changes around it."""
    c004 = make_case(inspection, "C004", users["inspector"])
    c005 = make_case(inspection, "C005", users["inspector2"])
    answer = saved_by(
        Answer(
            assessment=c004,
            key_question="2.2.others_safety",
            value="no",
            evidence="No risk plan",
            updated_by=users["inspector"],
        ),
        users["inspector"],
    )
    saved_by(answer, users["inspector"], value="yes", evidence="Risk plan found in the file")
    saved_by(answer, users["moderator"], resolution_note="Agreed at moderation")
    saved_by(
        Answer(
            assessment=c004,
            key_question="2.1.desistance",
            value="yes",
            updated_by=users["inspector"],
        ),
        users["inspector"],
    )
    saved_by(
        Answer(
            assessment=c005,
            key_question="2.2.others_safety",
            value="na",
            na_reason='=HYPERLINK("http://evil")',
            updated_by=users["inspector2"],
        ),
        users["inspector2"],
    )
    saved_by(c004, users["inspector"], state="submitted")
    saved_by(
        Judgement(
            inspection=inspection,
            standard_id="1.1",
            rating="good",
            rationale="Strong board",
            decided_by=users["lead"],
        ),
        users["lead"],
    )
    discretion = saved_by(
        Discretion(
            inspection=inspection,
            standard_id="2.2",
            rating="good",
            reason="+ victims well planned for",
            decided_by=users["lead"],
        ),
        users["lead"],
    )
    discretion._history_user = users["lead"]
    discretion.delete()
    return {"answer": answer, "c004": c004}


def history(client: Client, inspection: Inspection, **query: str) -> str:
    response = client.get(reverse("inspections:history", args=[inspection.pk]), query)
    assert response.status_code == 200
    return str(response.content.decode())


def rows(html: str) -> list[str]:
    table = html.split('<table class="govuk-table" id="history">')[1]
    body = table.split('<tbody class="govuk-table__body">')[1].split("</tbody>")[0]
    return [re.sub(r"\s+", " ", r) for r in body.split('<tr class="govuk-table__row">')[1:]]


def download(client: Client, inspection: Inspection, **query: str) -> list[list[str]]:
    response = client.get(reverse("inspections:history_csv", args=[inspection.pk]), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(text)))


def test_an_answer_changed_twice_shows_who_and_before_and_after(
    client_as: Callable[[str], Client], inspection: Inspection, story: dict[str, Any]
) -> None:
    html = history(client_as("lead"), inspection, kind="answer", case="C004")
    found = rows(html)
    assert len(found) == 4  # newest first: 2.1 answer, resolution note, change, first answer
    assert "Answer 2.1.desistance on case C004 recorded: Yes" in found[0]
    assert "Answer 2.2.others_safety on case C004: resolution note changed" in found[1]
    assert "moderator" in found[1] and "Agreed at moderation" in found[1]
    change = found[2]
    assert "Answer 2.2.others_safety on case C004: No → Yes (evidence changed)" in change
    assert '?user=inspector"' in change
    assert re.search(r"Answer</dt>.*?No</span> → <span[^>]*>Yes", change)
    assert re.search(r"Evidence</dt>.*?No risk plan</span> → <span[^>]*>Risk plan found", change)
    assert "Answer 2.2.others_safety on case C004 recorded: No" in found[3]


def test_every_kind_of_change_is_in_the_timeline(
    client_as: Callable[[str], Client],
    inspection: Inspection,
    story: dict[str, Any],
    users: dict[str, AbstractUser],
) -> None:
    membership = Membership.objects.get(inspection=inspection, user=users["inspector2"])
    saved_by(membership, users["lead"], role=Role.MODERATOR)
    saved_by(inspection, users["lead"], state="fieldwork")
    html = history(client_as("inspector"), inspection)
    text = re.sub(r"\s+", " ", html)
    for expected in [
        "Inspection: Planning → Fieldwork",
        "Team member inspector2: Inspector → Moderator",
        "Professional discretion on 2.2 removed",
        "Professional discretion on 2.2 recorded: Good",
        "Judgement of 1.1 recorded: Good",
        "Assessment of case C004: In progress → Submitted",
        "Case C004: added to the sample; allocated to inspector",
        "Case C004 added to the case list",
        "Answer 2.2.others_safety on case C005 recorded: Not applicable",
    ]:
        assert expected in text, expected
    assert "Jane Smith" not in html  # names never appear
    newest = rows(html)[0]
    assert "Inspection: Planning → Fieldwork" in newest and "lead" in newest


def test_changes_made_through_the_app_record_the_user(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    lead = client_as("lead")
    url = reverse("inspections:judgement", args=[inspection.pk, "1.2"])
    data = {"rating": "good", "rationale": "First view", "version": 0}
    assert lead.post(url, data).status_code == 302
    assert lead.post(url, {**data, "rating": "outstanding", "version": 1}).status_code == 302
    found = rows(history(client_as("moderator"), inspection, standard="1.2"))
    assert len(found) == 2
    assert "Judgement of 1.2: Good → Outstanding" in found[0] and "lead" in found[0]


def test_filter_by_case(
    client_as: Callable[[str], Client], inspection: Inspection, story: dict[str, Any]
) -> None:
    html = history(client_as("lead"), inspection, case="C005")
    text = " ".join(rows(html))
    assert "case C005" in text and "C004" not in text
    assert "Judgement" not in text and "Inspection" not in text
    # Assessment, case (added, sampled) and answer rows for C005.
    assert len(rows(html)) == 4


def test_filter_by_standard_matches_its_key_questions_judgement_and_discretion(
    client_as: Callable[[str], Client], inspection: Inspection, story: dict[str, Any]
) -> None:
    text = " ".join(rows(history(client_as("lead"), inspection, standard="2.2")))
    assert "2.2.others_safety on case C004" in text and "2.2.others_safety on case C005" in text
    assert "Professional discretion on 2.2" in text
    assert "2.1.desistance" not in text and "Judgement of 1.1" not in text
    assert "Case C004" not in text and "Assessment of case" not in text
    judged = " ".join(rows(history(client_as("lead"), inspection, standard="1.1")))
    assert "Judgement of 1.1 recorded: Good" in judged and "Answer" not in judged
    one = rows(history(client_as("lead"), inspection, standard="2.2.others_safety", case="C004"))
    assert len(one) == 3
    wrong = history(client_as("lead"), inspection, standard="9.9")
    assert "There is no standard or key question &#x27;9.9&#x27; in this framework" in wrong


def test_filter_by_user_and_kind(
    client_as: Callable[[str], Client], inspection: Inspection, story: dict[str, Any]
) -> None:
    by_moderator = rows(history(client_as("lead"), inspection, user="moderator"))
    assert len(by_moderator) == 1 and "resolution note changed" in by_moderator[0]
    lead_discretion = rows(history(client_as("lead"), inspection, user="lead", kind="discretion"))
    assert len(lead_discretion) == 2
    assert "removed" in lead_discretion[0] and "recorded: Good" in lead_discretion[1]
    assert "No changes to show." in history(client_as("lead"), inspection, user="nobody")


def test_history_is_paged_on_the_server_newest_first(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    assessment = make_case(inspection, "C010", users["inspector"])  # 3 rows
    answer = saved_by(
        Answer(assessment=assessment, key_question="2.3.desistance", value="no", evidence="v0",
               updated_by=users["inspector"]),
        users["inspector"],
    )  # fmt: skip
    for i in range(1, 30):
        saved_by(answer, users["inspector"], evidence=f"v{i}")
    saved_by(assessment, users["inspector"], state="submitted")
    total = 3 + 30 + 1
    client = client_as("lead")
    first = history(client, inspection, case="C010")
    assert f"{total} changes" in first
    page1 = rows(first)
    assert len(page1) == 25
    assert "In progress → Submitted" in page1[0]
    assert 'v28</span> → <span class="yj-after">v29' in page1[1]
    page2 = rows(history(client, inspection, case="C010", page="2"))
    assert len(page2) == total - 25
    assert 'v4</span> → <span class="yj-after">v5' in page2[0]
    assert "Case C010 added to the case list" in page2[-1]
    assert "?case=C010&amp;page=2" in first.split('aria-label="Pagination"')[1]  # keeps filters


def test_a_page_costs_a_fixed_number_of_queries(
    inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    def count_for(n: int) -> int:
        for i in range(n):
            assessment = make_case(inspection, f"Q{n}-{i}", users["inspector"])
            saved_by(
                Answer(assessment=assessment, key_question="2.2.desistance", value="yes",
                       updated_by=users["inspector"]),
                users["inspector"],
            )  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            rows_ = HistoryRows(inspection, Filters(), hidden=())
            assert len(rows_[0:25]) == 25
        return len(queries)

    assert count_for(10) == count_for(20)


def test_csv_has_the_filtered_rows_neutralised_and_no_names(
    client_as: Callable[[str], Client], inspection: Inspection, story: dict[str, Any]
) -> None:
    table = download(client_as("inspector"), inspection)
    assert table[0] == [
        "when", "who", "kind", "case_ref", "key_question_or_standard", "field", "before", "after"
    ]  # fmt: skip
    body = table[1:]
    change = [
        r for r in body if r[2] == "answer" and r[5] == "value" and r[6] == "No" and r[7] == "Yes"
    ]
    assert len(change) == 1
    assert change[0][1:5] == ["inspector", "answer", "C004", "2.2.others_safety"]
    assert dt.datetime.fromisoformat(change[0][0]).tzinfo is not None
    evidence = [r for r in body if r[5] == "evidence" and r[3] == "C004" and r[6]]
    assert evidence[0][6:] == ["No risk plan", "Risk plan found in the file"]
    na_reason = next(r for r in body if r[5] == "na_reason")
    assert na_reason[7] == '\'=HYPERLINK("http://evil")'
    reasons = [r for r in body if r[2] == "discretion" and r[5] == "reason"]
    assert {r[6] or r[7] for r in reasons} == {"'+ victims well planned for"}
    assert "Jane Smith" not in repr(table)
    filtered = download(client_as("inspector"), inspection, case="C005")[1:]
    assert filtered and {r[3] for r in filtered} == {"C005"}


def test_neutralise() -> None:
    assert [neutralise(v) for v in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "plain", ""]] == [
        "'=1+1", "'+1", "'-2", "'@SUM(A1)", "'\tx", "plain", ""
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("lead", 200),
        ("inspector", 200),
        ("moderator", 200),
        ("admin", 200),
        ("viewer", 403),
        ("stranger", 404),
    ],
)
def test_who_may_see_the_history(
    client_as: Callable[[str], Client], inspection: Inspection, name: str, status: int
) -> None:
    client = client_as(name)
    assert client.get(reverse("inspections:history", args=[inspection.pk])).status_code == status
    response = client.get(reverse("inspections:history_csv", args=[inspection.pk]))
    assert response.status_code == status


def test_anonymous_people_are_sent_to_sign_in(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    for url in [
        reverse("inspections:history", args=[inspection.pk]),
        reverse("inspections:history_csv", args=[inspection.pk]),
    ]:
        response = client_as("anonymous").get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_another_inspections_history_is_not_shown(
    client_as: Callable[[str], Client],
    inspection: Inspection,
    story: dict[str, Any],
    users: dict[str, AbstractUser],
) -> None:
    other = Inspection.objects.create(
        service_name="Elsewhere YJS",
        framework=inspection.framework,
        fieldwork_start=inspection.fieldwork_start,
        created_by=users["lead"],
    )
    Membership.objects.create(inspection=other, user=users["lead"], role=Role.LEAD)
    html = history(client_as("lead"), other)
    assert "C004" not in html and "Judgement of" not in html
