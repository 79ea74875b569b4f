"""Blind moderation everywhere: while a case's second assessment is open, nothing shows its
first assessment's answers and notes to moderators or to whoever gives the second one (nor
the second to whoever gave the first): not the case page, not the answers downloads, not the
history page or CSV (filtered or not), not the archive. One rule decides:
`services.assessments.may_see_answers`."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.web.test_assess import KQ, assess_url, make_case
from tests.web.test_moderation import moderate_url
from yjinspect.web.inspections.models import (
    Answer,
    Assessment,
    AssessmentKind,
    AssessmentState,
    Case,
    Inspection,
    Role,
)
from yjinspect.web.inspections.services.assessments import (
    hidden_assessments,
    may_see_answers,
)

pytestmark = pytest.mark.django_db

# Each appears once, in one place, so finding it anywhere is a leak from that place.
PRIMARY_EVIDENCE = "PRIMARY-EVIDENCE-7f3a"
PRIMARY_NA = "PRIMARY-NA-REASON-7f3a"
PRIMARY_PRACTICE = "PRIMARY-PRACTICE-NOTE-7f3a"
PRIMARY_RETURNED = "PRIMARY-RETURNED-REASON-7f3a"
SECOND_EVIDENCE = "SECOND-EVIDENCE-9c1d"
OTHER_EVIDENCE = "OTHER-CASE-EVIDENCE-5e2b"
PRIMARY_SECRETS = (PRIMARY_EVIDENCE, PRIMARY_NA, PRIMARY_PRACTICE, PRIMARY_RETURNED)


def _assessment(case: Case, kind: str, assessor: AbstractUser, state: str) -> Assessment:
    assessment = Assessment(case=case, kind=kind, assessor=assessor, state=state)
    assessment._history_user = assessor  # type: ignore[attr-defined]  # history names them
    assessment.save()
    return assessment


def _answer(assessment: Assessment, kq: str, value: str, **notes: str) -> Answer:
    answer = Answer(
        assessment=assessment,
        key_question=kq,
        value=value,
        updated_by=assessment.assessor,
        **notes,
    )
    answer._history_user = assessment.assessor  # type: ignore[attr-defined]
    answer.save()
    return answer


def moderated_case(
    inspection: Inspection, users: dict[str, AbstractUser], second_assessor: str = "moderator"
) -> Case:
    """C001: a first assessment by `inspector` with notes of every kind (returned once by
    moderation), and an open second assessment by `second_assessor`. C002: another case's
    first assessment, nothing moderated."""
    case = make_case(inspection, "C001", assessor=users["inspector"])
    primary = _assessment(case, AssessmentKind.PRIMARY, users["inspector"], "in_progress")
    _answer(primary, KQ, "no", evidence=PRIMARY_EVIDENCE)
    _answer(primary, "2.1.child_safety", "na", na_reason=PRIMARY_NA)
    primary.practice_example = True
    primary.practice_example_note = PRIMARY_PRACTICE
    primary.state = AssessmentState.RETURNED
    primary.returned_reason = PRIMARY_RETURNED
    primary._history_user = users["inspector"]  # type: ignore[attr-defined]
    primary.save()
    second = _assessment(
        case, AssessmentKind.MODERATION, users[second_assessor], AssessmentState.IN_PROGRESS
    )
    _answer(second, KQ, "yes", evidence=SECOND_EVIDENCE)
    other = make_case(inspection, "C002", assessor=users["inspector"])
    _answer(
        _assessment(other, AssessmentKind.PRIMARY, users["inspector"], "submitted"),
        KQ,
        "yes",
        evidence=OTHER_EVIDENCE,
    )
    return case


def _downloads(client: Client, inspection: Inspection) -> dict[str, str]:
    """Everything this person can read of the answers, by where it came from."""
    pk = inspection.pk
    got: dict[str, str] = {}
    for name, url in (
        ("answers.csv", reverse("inspections:export_answers_csv", args=[pk])),
        ("history.csv", reverse("inspections:history_csv", args=[pk])),
        ("history.csv?case=C001", reverse("inspections:history_csv", args=[pk]) + "?case=C001"),
        ("history.csv?kind=answer", reverse("inspections:history_csv", args=[pk]) + "?kind=answer"),
        (
            "history.csv?user=inspector",
            reverse("inspections:history_csv", args=[pk]) + "?user=inspector",
        ),
        ("history", reverse("inspections:history", args=[pk])),
        ("history?case=C001", reverse("inspections:history", args=[pk]) + "?case=C001"),
        ("history?kind=assessment", reverse("inspections:history", args=[pk]) + "?kind=assessment"),
        ("history?standard=2.1", reverse("inspections:history", args=[pk]) + "?standard=2.1"),
    ):
        response = client.get(url)
        assert response.status_code == 200, name
        body = response.getvalue() if response.streaming else response.content
        got[name] = body.decode()
    response = client.get(reverse("inspections:export_answers_xlsx", args=[pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    got["answers.xlsx"] = "\n".join(
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
        for cell in row if cell is not None
    )  # fmt: skip
    return got


def _leaks(got: dict[str, str], secrets: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(where, secret) for where, text in got.items() for secret in secrets if secret in text]


def test_the_moderator_reads_no_first_assessment_notes_anywhere_while_moderating(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = moderated_case(inspection, users)
    moderator = client_as("moderator")
    got = _downloads(moderator, inspection)
    assert _leaks(got, PRIMARY_SECRETS) == []
    # The first assessment's answer rows are gone, not just blanked.
    csv_rows = got["answers.csv"].splitlines()
    assert not [r for r in csv_rows if r.startswith("C001,") and ",primary," in r]
    # Their own second assessment and the other case are there as before.
    for where in ("answers.csv", "answers.xlsx", "history.csv", "history"):
        assert SECOND_EVIDENCE in got[where] and OTHER_EVIDENCE in got[where], where
    # The case page hides the first assessment, its returned reason included.
    html = moderator.get(assess_url(inspection, case)).content.decode()
    assert [s for s in PRIMARY_SECRETS if s in html] == []
    assert "its first assessment is hidden" in html


def test_whoever_gives_the_second_assessment_is_blind_too_even_a_lead(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = moderated_case(inspection, users, second_assessor="lead")
    lead = client_as("lead")
    assert _leaks(_downloads(lead, inspection), PRIMARY_SECRETS) == []
    assert PRIMARY_EVIDENCE not in lead.get(assess_url(inspection, case)).content.decode()
    # The archive holds everything, so it is refused (with the reason) rather than cut down.
    response = lead.get(reverse("inspections:export_archive", args=[inspection.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("inspections:detail", args=[inspection.pk])
    assert response["Content-Type"].startswith("text/html")
    assert "blind moderation" in response.content.decode()
    # A site administrator, who is giving no assessment, may take it.
    response = client_as("admin").get(reverse("inspections:export_archive", args=[inspection.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"


def test_the_first_assessor_cannot_read_the_open_second_assessment(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    moderated_case(inspection, users)
    got = _downloads(client_as("inspector"), inspection)
    assert _leaks(got, (SECOND_EVIDENCE,)) == []
    # Their own work is all there.
    assert _leaks({"csv": got["answers.csv"]}, PRIMARY_SECRETS[:2]) == [
        ("csv", PRIMARY_EVIDENCE),
        ("csv", PRIMARY_NA),
    ]


@pytest.mark.parametrize("name", ["inspector2", "admin"])
def test_people_outside_the_moderation_see_everything(
    client_as: Callable[[str], Client],
    inspection: Inspection,
    users: dict[str, AbstractUser],
    name: str,
) -> None:
    moderated_case(inspection, users)
    got = _downloads(client_as(name), inspection)
    for where in ("answers.csv", "answers.xlsx", "history.csv", "history.csv?case=C001"):
        for secret in (PRIMARY_EVIDENCE, PRIMARY_NA, SECOND_EVIDENCE):
            assert secret in got[where], (where, secret)
        assert (OTHER_EVIDENCE in got[where]) == (where != "history.csv?case=C001")
    assert PRIMARY_PRACTICE in got["history"] and PRIMARY_RETURNED in got["history"]


def test_once_the_second_assessment_is_submitted_nothing_is_hidden(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = moderated_case(inspection, users)
    second = Assessment.objects.get(case=case, kind=AssessmentKind.MODERATION)
    second.state = AssessmentState.SUBMITTED
    second.save()
    got = _downloads(client_as("moderator"), inspection)
    for secret in PRIMARY_SECRETS:
        assert secret in got["history"] or secret in got["history?kind=assessment"], secret
    assert PRIMARY_EVIDENCE in got["answers.csv"] and PRIMARY_NA in got["answers.xlsx"]
    assert PRIMARY_EVIDENCE in got["history.csv?case=C001"]
    assert SECOND_EVIDENCE in _downloads(client_as("inspector"), inspection)["answers.csv"]
    html = client_as("moderator").get(assess_url(inspection, case)).content.decode()
    assert PRIMARY_EVIDENCE in html


def test_the_case_page_and_the_downloads_ask_the_same_rule(
    inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    """`hidden_assessments` is `may_see_answers` for every case: for each person and role,
    the assessments it names are exactly those the rule hides."""
    moderated_case(inspection, users)
    assessments = list(Assessment.objects.filter(case__inspection=inspection))
    by_case: dict[int, dict[str, Assessment]] = {}
    for a in assessments:
        by_case.setdefault(a.case_id, {})[a.kind] = a
    for name in ("lead", "inspector", "inspector2", "moderator", "viewer", "admin"):
        for role in Role:
            user = users[name]
            expected = {
                a.pk
                for a in assessments
                if not may_see_answers(
                    user,
                    role,
                    a,
                    next((o for k, o in by_case[a.case_id].items() if k != a.kind), None),
                )
            }
            assert hidden_assessments(inspection, user, role) == expected, (name, role)
    # And what it hides is the case under moderation, for the moderator only.
    moderator = hidden_assessments(inspection, users["moderator"], Role.MODERATOR)
    assert {Assessment.objects.get(pk=pk).case.case_ref for pk in moderator} == {"C001"}
    assert hidden_assessments(inspection, users["inspector2"], Role.INSPECTOR) == frozenset()


def test_the_second_assessment_page_still_opens_for_its_assessor(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = moderated_case(inspection, users)
    html = client_as("moderator").get(moderate_url(inspection, case)).content.decode()
    assert SECOND_EVIDENCE in html and PRIMARY_EVIDENCE not in html
