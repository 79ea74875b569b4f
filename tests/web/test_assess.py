"""Case assessment: the list, the form, saving without silent overwrites, submitting, returning."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractUser
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from tests.web.conftest import PASSWORD
from yjinspect.web.accounts.middleware import kept_work_token
from yjinspect.web.inspections.models import (
    Answer,
    Assessment,
    AssessmentKind,
    AssessmentState,
    Case,
    Inspection,
    State,
)
from yjinspect.web.inspections.services.assessments import (
    PostedAnswer,
    all_questions,
    find_conflicts,
    questions_for_case,
    save_assessment,
)

pytestmark = pytest.mark.django_db

LENSES = ("desistance", "child_safety", "others_safety")
COURT_KQS = [f"{s}.{lens}" for s in ("2.1", "2.2", "2.3", "2.4") for lens in LENSES]
KQ = "2.1.desistance"


def field(kq: str, part: str) -> str:
    return f"kq-{kq.replace('.', '-')}-{part}"


def make_case(
    inspection: Inspection,
    ref: str = "C001",
    *,
    assessor: AbstractUser | None = None,
    domain: str = "court",
    in_sample: bool = True,
) -> Case:
    return Case.objects.create(
        inspection=inspection,
        case_ref=ref,
        domain=domain,
        disposal_type="referral_order",
        start_date=dt.date(2023, 6, 1),
        case_manager="CM1",
        risk_of_harm="medium",
        safety_wellbeing="low",
        in_sample=in_sample,
        assessor=assessor,
    )


def form_data(
    answers: dict[str, str],
    *,
    evidence: dict[str, str] | None = None,
    reasons: dict[str, str] | None = None,
    versions: dict[str, int] | None = None,
    action: str = "save",
    **extra: str,
) -> dict[str, str]:
    """What the browser posts: every question's text fields and version, checked radios only."""
    evidence, reasons, versions = evidence or {}, reasons or {}, versions or {}
    data = {"action": action, "practice_example_note": ""}
    for kq in COURT_KQS:
        if kq in answers:
            data[field(kq, "value")] = answers[kq]
        data[field(kq, "evidence")] = evidence.get(kq, "")
        data[field(kq, "na_reason")] = reasons.get(kq, "")
        data[field(kq, "version")] = str(versions[kq]) if kq in versions else ""
    data.update(extra)
    return data


def version_in(html: str, kq: str) -> str:
    found = re.search(rf'name="{re.escape(field(kq, "version"))}" value="(\d*)"', html)
    assert found, f"no version field for {kq}"
    return found.group(1)


def assess_url(inspection: Inspection, case: Case) -> str:
    return reverse("inspections:assess", args=[inspection.pk, case.pk])


def all_yes(**extra: str) -> dict[str, str]:
    return form_data(dict.fromkeys(COURT_KQS, "yes"), **extra)


def submitted_case(inspection: Inspection, users: dict[str, AbstractUser]) -> Case:
    case = make_case(inspection, assessor=users["inspector"])
    assessment = Assessment.objects.create(
        case=case, assessor=users["inspector"], state=AssessmentState.SUBMITTED
    )
    for kq in COURT_KQS:
        Answer.objects.create(
            assessment=assessment, key_question=kq, value="yes", updated_by=users["inspector"]
        )
    return case


# ---- services ------------------------------------------------------------------------------


def test_questions_for_case_follow_the_case_domain(inspection: Inspection) -> None:
    fw = inspection.framework.framework
    court = questions_for_case(fw, make_case(inspection, "C1"))
    assert [s.id for s in court] == ["2.1", "2.2", "2.3", "2.4"]
    assert [q.id for s in court for q in s.questions] == COURT_KQS
    first = court[0].questions[0]
    assert first.lens_label == "Desistance" and first.prompts and first.text.startswith("Does")
    assert first.field_prefix == "kq-2-1-desistance"
    ooc = questions_for_case(fw, make_case(inspection, "C2", domain="out_of_court"))
    assert [s.id for s in ooc] == ["3.1", "3.2", "3.3"]
    assert questions_for_case(fw, make_case(inspection, "C3", domain="resettlement")) == []
    assert list(all_questions(fw))[:3] == COURT_KQS[:3]


def test_find_conflicts_only_when_the_stored_answer_moved_on_and_differs(
    inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = make_case(inspection)
    questions = [
        q for s in questions_for_case(inspection.framework.framework, case) for q in s.questions
    ]
    assessment = Assessment.objects.create(case=case, assessor=users["inspector"])
    stored = Answer.objects.create(
        assessment=assessment,
        key_question=KQ,
        value="yes",
        evidence="theirs",
        version=2,
        updated_by=users["inspector2"],
    )

    def posted(value: str, evidence: str, version: int | None) -> PostedAnswer:
        return PostedAnswer(KQ, value, "", evidence, version)

    by_kq = {KQ: stored}
    # Same version: an ordinary change.
    conflicts, changes = find_conflicts(questions, [posted("no", "mine", 2)], by_kq)
    assert not conflicts and [c.value for c in changes] == ["no"]
    # Stale version, different content: a conflict naming who saved it.
    conflicts, changes = find_conflicts(questions, [posted("no", "mine", 1)], by_kq)
    assert not changes and conflicts[0].saved_by == "inspector2"
    assert conflicts[0].theirs_evidence == "theirs" and conflicts[0].yours.evidence == "mine"
    # The form saw no answer at all: also stale.
    conflicts, _ = find_conflicts(questions, [posted("no", "mine", None)], by_kq)
    assert len(conflicts) == 1
    # Stale version but the same content: nothing to do, no conflict.
    conflicts, changes = find_conflicts(questions, [posted("yes", "theirs", 1)], by_kq)
    assert not conflicts and not changes
    # Unanswered questions are left alone.
    conflicts, changes = find_conflicts(questions, [posted("", "", None)], by_kq)
    assert not conflicts and not changes


# ---- the list ------------------------------------------------------------------------------


def test_list_shows_sampled_cases_with_their_state_and_filters(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    mine = make_case(inspection, "C001", assessor=users["inspector"])
    make_case(inspection, "C002")
    make_case(inspection, "C003", domain="out_of_court", assessor=users["inspector2"])
    make_case(inspection, "C999", in_sample=False)
    Assessment.objects.create(case=mine, assessor=users["inspector"], state="submitted")
    client = client_as("inspector")
    url = reverse("inspections:assessments", args=[inspection.pk])

    def refs(query: dict[str, str] | None = None) -> list[str]:
        html = client.get(url, query or {}).content.decode()
        return re.findall(r">(C\d{3})<span", html)

    assert refs() == ["C001", "C002", "C003"]
    html = client.get(url).content.decode()
    assert assess_url(inspection, mine) in html and "govuk-tag--purple" in html
    assert refs({"state": "submitted"}) == ["C001"]
    assert refs({"state": "not_started"}) == ["C002", "C003"]
    assert refs({"domain": "out_of_court"}) == ["C003"]
    assert refs({"assessor": "mine"}) == ["C001"]
    assert refs({"assessor": "unallocated"}) == ["C002"]
    assert refs({"state": "returned"}) == []


def test_list_is_paginated_on_the_server(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    for i in range(30):
        make_case(inspection, f"C{i:03d}")
    url = reverse("inspections:assessments", args=[inspection.pk])
    first = client_as("inspector").get(url).content.decode()
    second = client_as("inspector").get(url, {"page": "2"}).content.decode()
    assert len(re.findall(r">C\d{3}<span", first)) == 25
    assert len(re.findall(r">C\d{3}<span", second)) == 5 and "C029" in second


# ---- the form ------------------------------------------------------------------------------


def test_form_shows_the_key_questions_with_guidance_and_accessible_radios(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    case = make_case(inspection)
    html = client_as("inspector").get(assess_url(inspection, case)).content.decode()
    assert html.count('<fieldset class="govuk-fieldset"') == len(COURT_KQS)
    assert "What to look for" in html and "govuk-details" in html
    # A prompt of 2.1 desistance, as guidance.
    assert "Finds the child&#x27;s strengths and what protects them" in html
    assert 'legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Does assessment' in html
    for part in ("value", "na_reason", "evidence"):
        assert f'id="id_{field(KQ, part)}"' in html
    assert 'value="save"' in html and 'value="submit"' in html
    # The section navigation marks Assessments as the current section, not the Case list.
    current = re.findall(r'<a class="govuk-link[^"]*" href="([^"]+)" aria-current="page"', html)
    assert current == [reverse("inspections:assessments", args=[inspection.pk])]
    # The case's codes as people write them, not as stored.
    assert ">Referral order</dd>" in html and ">Medium</dd>" in html and ">Low</dd>" in html
    assert "referral_order" not in html


def test_saving_creates_the_assessment_and_history_records_who(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = make_case(inspection, assessor=users["inspector"])
    client = client_as("inspector")
    url = assess_url(inspection, case)
    response = client.post(url, form_data({KQ: "yes"}, evidence={KQ: "Good analysis"}))
    assert response.status_code == 302 and response["Location"] == url
    assessment = Assessment.objects.get(case=case)
    assert assessment.kind == AssessmentKind.PRIMARY and assessment.assessor == users["inspector"]
    assert assessment.state == AssessmentState.IN_PROGRESS
    answer = Answer.objects.get(assessment=assessment)
    assert (answer.key_question, answer.value, answer.evidence, answer.version) == (
        KQ,
        "yes",
        "Good analysis",
        1,
    )
    html = client.get(url).content.decode()
    assert "Good analysis" in html and version_in(html, KQ) == "1"
    client.post(url, form_data({KQ: "no"}, evidence={KQ: "On reflection"}, versions={KQ: 1}))
    answer.refresh_from_db()
    assert (answer.value, answer.version) == ("no", 2)
    history = list(answer.history.order_by("history_date"))
    assert [(h.value, h.history_user.username) for h in history] == [
        ("yes", "inspector"),
        ("no", "inspector"),
    ]


def test_not_applicable_needs_a_reason_naming_the_question(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    case = make_case(inspection)
    url = assess_url(inspection, case)
    response = client_as("inspector").post(url, form_data({KQ: "na"}))
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert "Give the reason 2.1 Assessment – Desistance does not apply" in html
    assert f'href="#id_{field(KQ, "na_reason")}"' in html
    assert not Answer.objects.exists()
    client_as("inspector").post(url, form_data({KQ: "na"}, reasons={KQ: "No desistance work"}))
    assert Answer.objects.get().na_reason == "No desistance work"


def test_notes_without_an_answer_are_refused_not_lost(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    case = make_case(inspection)
    response = client_as("inspector").post(
        assess_url(inspection, case), form_data({}, evidence={KQ: "Half-typed thought"})
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Half-typed thought" in html
    assert "Choose yes, no or not applicable for 2.1 Assessment – Desistance" in html
    assert not Answer.objects.exists()


def test_two_people_saving_different_answers_get_a_conflict_not_an_overwrite(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    case = make_case(inspection)  # unallocated: either inspector may assess it
    url = assess_url(inspection, case)
    first, second = client_as("inspector"), client_as("inspector2")
    assert version_in(first.get(url).content.decode(), KQ) == ""
    assert version_in(second.get(url).content.decode(), KQ) == ""
    assert first.post(url, form_data({KQ: "yes"}, evidence={KQ: "First notes"})).status_code == 302
    other = "2.2.desistance"
    response = second.post(
        url,
        form_data(
            {KQ: "no", other: "yes"}, evidence={KQ: "Second notes", other: "Planning is fine"}
        ),
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Second notes" in html and "First notes" in html
    assert "The answer saved by inspector at" in html and "Your answer" in html
    answer = Answer.objects.get(key_question=KQ)
    assert (answer.value, answer.evidence, answer.version) == ("yes", "First notes", 1)
    assert not Answer.objects.filter(key_question=other).exists()  # nothing at all was saved

    # Going back: the clash shows the latest answer; the other change is offered again.
    html = second.get(url, {"kept": "1"}).content.decode()
    assert "First notes" in html and "Second notes" not in html
    assert "Planning is fine" in html and version_in(html, KQ) == "1"
    assert "Your other changes are filled in below" in html

    # Round two: both have version 1 loaded; the second save of a different value clashes.
    changed = form_data(
        {KQ: "na"}, reasons={KQ: "Changed"}, evidence={KQ: "First notes"}, versions={KQ: 1}
    )
    assert first.post(url, changed).status_code == 302
    response = second.post(url, form_data({KQ: "no"}, versions={KQ: 1}))
    assert response.status_code == 409
    answer.refresh_from_db()
    assert (answer.value, answer.version) == ("na", 2)
    # Posting exactly what is stored, from a stale form, is not a conflict.
    same = form_data(
        {KQ: "na"}, reasons={KQ: "Changed"}, evidence={KQ: "First notes"}, versions={KQ: 1}
    )
    assert second.post(url, same).status_code == 302


def test_session_timeout_keeps_the_typed_text_until_saved_again(
    inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = make_case(inspection, assessor=users["inspector"])
    url = assess_url(inspection, case)
    client = Client()  # the session has expired: the POST arrives anonymous
    shown_to = kept_work_token(users["inspector"].pk)  # the form's hidden field
    response = client.post(
        url,
        form_data({KQ: "yes"}, evidence={KQ: "An hour of careful typing"}, kept_for=shown_to),
    )
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    assert not Assessment.objects.exists() and not Answer.objects.exists()
    signed_in = client.post(
        reverse("accounts:login"), {"username": "inspector", "password": PASSWORD, "next": url}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == url
    html = client.get(url).content.decode()
    assert "We kept the answers you were typing when your session ended" in html
    assert "An hour of careful typing" in html
    assert re.search(rf'name="{field(KQ, "value")}" type="radio" value="yes" checked', html)
    assert not Answer.objects.exists()  # nothing saved until they press Save
    assert "An hour of careful typing" not in client.get(url).content.decode()  # offered once
    client.post(url, form_data({KQ: "yes"}, evidence={KQ: "An hour of careful typing"}))
    saved = Answer.objects.get()
    assert saved.evidence == "An hour of careful typing" and saved.updated_by == users["inspector"]


def test_text_kept_at_timeout_is_shown_even_if_the_assessment_was_submitted_meanwhile(
    inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = submitted_case(inspection, users)
    Assessment.objects.update(state=AssessmentState.RETURNED)
    url = assess_url(inspection, case)
    client = Client()
    shown_to = kept_work_token(users["inspector"].pk)
    client.post(
        url,
        form_data(
            {KQ: "no"}, evidence={KQ: "Typed while away"}, versions={KQ: 1}, kept_for=shown_to
        ),
    )
    Assessment.objects.update(state=AssessmentState.SUBMITTED)
    client.post(reverse("accounts:login"), {"username": "inspector", "password": PASSWORD})
    html = client.get(url).content.decode()
    assert "Typed while away" in html and "so they cannot be saved" in html
    assert 'name="action"' not in html
    assert Answer.objects.get(key_question=KQ).value == "yes"


def test_submit_needs_every_answer_then_the_assessment_is_read_only(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = make_case(inspection, assessor=users["inspector"])
    url = assess_url(inspection, case)
    client = client_as("inspector")
    response = client.post(url, form_data({KQ: "yes"}, action="submit"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Answer 2.1 Assessment – Keeping the child safe before submitting" in html
    assert "Answer 2.4 Reviewing – Keeping other people safe before submitting" in html
    assert "Answer 2.1 Assessment – Desistance before submitting" not in html
    assert not Assessment.objects.filter(state=AssessmentState.SUBMITTED).exists()
    assert not Answer.objects.exists()

    assert client.post(url, all_yes(action="submit")).status_code == 302
    assessment = Assessment.objects.get(case=case)
    assert assessment.state == AssessmentState.SUBMITTED and assessment.answers.count() == 12
    html = client.get(url).content.decode()
    assert 'name="action"' not in html and "It can be changed again only if moderation" in html
    response = client.post(url, form_data({KQ: "no"}, versions={KQ: 1}))
    html = response.content.decode()
    assert response.status_code == 409 and "Nothing was saved" in html
    assert "so that you can copy it" in html and 'name="action"' not in html
    assert Answer.objects.get(key_question=KQ).value == "yes"


def test_a_no_needs_its_evidence_before_submitting_but_a_draft_does_not(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = make_case(inspection, assessor=users["inspector"])
    url = assess_url(inspection, case)
    client = client_as("inspector")
    answers = {**dict.fromkeys(COURT_KQS, "yes"), KQ: "no"}
    assert client.post(url, form_data(answers)).status_code == 302  # a draft: saved
    Answer.objects.all().delete()
    Assessment.objects.all().delete()
    refused = client.post(url, form_data(answers, action="submit"))
    assert refused.status_code == 200
    assert "Write the evidence for No on 2.1 Assessment – Desistance before submitting" in (
        refused.content.decode()
    )
    assert not Assessment.objects.filter(state=AssessmentState.SUBMITTED).exists()
    done = client.post(url, form_data(answers, action="submit", evidence={KQ: "No ETE plan"}))
    assert done.status_code == 302
    assert Assessment.objects.get(case=case).state == AssessmentState.SUBMITTED


def test_practice_example_is_saved(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    case = make_case(inspection)
    client_as("inspector").post(
        assess_url(inspection, case),
        form_data({}, practice_example="on", practice_example_note="Creative plan"),
    )
    assessment = Assessment.objects.get()
    assert assessment.practice_example and assessment.practice_example_note == "Creative plan"


def test_user_text_is_escaped(client_as: Callable[[str], Client], inspection: Inspection) -> None:
    case = make_case(inspection)
    url = assess_url(inspection, case)
    client = client_as("inspector")
    client.post(url, form_data({KQ: "yes"}, evidence={KQ: "<script>alert(1)</script>"}))
    html = client.get(url).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    conflict = client_as("inspector2").post(url, form_data({KQ: "no"}, evidence={KQ: "<b>x</b>"}))
    text = conflict.content.decode()
    assert conflict.status_code == 409
    assert "<script>alert(1)" not in text and "<b>x</b>" not in text and "&lt;b&gt;x" in text


# ---- returning and agreeing ----------------------------------------------------------------


def test_return_needs_a_reason_and_the_assessor_sees_it(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = submitted_case(inspection, users)
    url = reverse("inspections:return_assessment", args=[inspection.pk, case.pk])
    response = client_as("moderator").post(url, {"reason": "  "})
    html = response.content.decode()
    assert response.status_code == 200 and "Say why you are returning the assessment" in html
    assert 'href="#return-reason"' in html
    assert Assessment.objects.get().state == AssessmentState.SUBMITTED
    assert client_as("inspector").post(url, {"reason": "x"}).status_code == 403

    response = client_as("moderator").post(url, {"reason": "Evidence for 2.3 is thin"})
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.state == AssessmentState.RETURNED
    html = client_as("inspector").get(assess_url(inspection, case)).content.decode()
    assert "Returned by moderation" in html and "Evidence for 2.3 is thin" in html
    assert 'name="action"' in html  # editable again
    history_user = assessment.history.latest("history_date").history_user
    assert history_user == users["moderator"]


def test_agree_moves_a_submitted_assessment_to_agreed(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = submitted_case(inspection, users)
    url = reverse("inspections:agree_assessment", args=[inspection.pk, case.pk])
    assert client_as("inspector").post(url).status_code == 403
    assert client_as("viewer").post(url).status_code == 403
    assert client_as("stranger").post(url).status_code == 404
    assert client_as("lead").post(url).status_code == 302
    assert Assessment.objects.get().state == AssessmentState.AGREED
    html = client_as("inspector").get(assess_url(inspection, case)).content.decode()
    assert 'name="action"' not in html


# ---- permissions ---------------------------------------------------------------------------


def test_who_may_open_and_save_assessments(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    theirs = make_case(inspection, "C001", assessor=users["inspector2"])
    url = assess_url(inspection, theirs)
    listing = reverse("inspections:assessments", args=[inspection.pk])
    for name, status in [("viewer", 403), ("stranger", 404)]:
        assert client_as(name).get(url).status_code == status
        assert client_as(name).get(listing).status_code == status
        assert client_as(name).post(url, form_data({KQ: "yes"})).status_code == status
    assert client_as("anonymous").get(listing).status_code == 302
    # A moderator may read, not assess.
    assert client_as("moderator").get(url).status_code == 200
    assert client_as("moderator").post(url, form_data({KQ: "yes"})).status_code == 403
    # An inspector cannot assess a case allocated to someone else; the lead can.
    html = client_as("inspector").get(url).content.decode()
    assert "This case is allocated to inspector2" in html and 'name="action"' not in html
    assert client_as("inspector").post(url, form_data({KQ: "yes"})).status_code == 403
    assert client_as("lead").post(url, form_data({KQ: "yes"})).status_code == 302
    assert client_as("inspector2").post(url, form_data({KQ: "yes"})).status_code == 302
    # A case of another inspection, or not sampled, is not found.
    unsampled = make_case(inspection, "C002", in_sample=False)
    assert client_as("lead").get(assess_url(inspection, unsampled)).status_code == 404


def test_published_inspections_are_read_only(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = make_case(inspection, assessor=users["inspector"])
    client_as("inspector").post(assess_url(inspection, case), form_data({KQ: "yes"}))
    inspection.state = State.PUBLISHED
    inspection.save()
    response = client_as("lead").get(assess_url(inspection, case))
    html = response.content.decode()
    assert response.status_code == 200 and "published" in html and 'name="action"' not in html
    assert (
        client_as("lead")
        .post(assess_url(inspection, case), form_data({KQ: "no"}, versions={KQ: 1}))
        .status_code
        == 403
    )
    assert Answer.objects.get().value == "yes"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_are_taken_one_after_the_other(
    inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    """Row locks: two people saving the same new answer at once give one save, one conflict."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite writes one at a time anyway")
    case = make_case(inspection)
    Assessment.objects.create(case=case, assessor=users["inspector"])
    questions = [
        q for s in questions_for_case(inspection.framework.framework, case) for q in s.questions
    ]
    barrier = threading.Barrier(2)
    results: dict[str, int | Exception] = {}

    def save(name: str, value: str) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                result = save_assessment(
                    case,
                    AssessmentKind.PRIMARY,
                    users[name],  # type: ignore[arg-type]
                    questions,
                    [PostedAnswer(KQ, value, "", f"notes by {name}", None)],
                    practice_example=False,
                    practice_example_note="",
                )
                time.sleep(0.3)  # hold the locks while the other tries
            results[name] = len(result.conflicts)
        except Exception as error:  # reported by the assertion below
            results[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=("inspector", "yes")),
        threading.Thread(target=save, args=("inspector2", "no")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = [v for v in results.values() if isinstance(v, int)]
    assert len(counts) == 2, results
    assert sorted(counts) == [0, 1], results
    assert Answer.objects.filter(key_question=KQ).count() == 1
