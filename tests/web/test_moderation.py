"""Moderation: choosing cases, the blind second assessment, agreement figures, resolving."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse

from tests.web.test_assess import COURT_KQS, KQ, assess_url, form_data, make_case
from yjinspect.web.inspections.models import (
    Answer,
    Assessment,
    AssessmentKind,
    AssessmentState,
    Case,
    Inspection,
)
from yjinspect.web.inspections.services.assessments import agreement
from yjinspect.web.inspections.services.ratings import rate_inspection

pytestmark = pytest.mark.django_db

SECRET = "PRIMARY-SECRET-EVIDENCE"


def assessed(
    inspection: Inspection,
    ref: str,
    assessor: AbstractUser,
    answers: dict[str, str],
    *,
    kind: str = AssessmentKind.PRIMARY,
    state: str = AssessmentState.SUBMITTED,
    case: Case | None = None,
    evidence: str = "",
) -> Case:
    """A case with an assessment of this kind holding these answers."""
    case = case or make_case(inspection, ref, assessor=assessor)
    assessment = Assessment.objects.create(case=case, kind=kind, assessor=assessor, state=state)
    for kq, value in answers.items():
        Answer.objects.create(
            assessment=assessment,
            key_question=kq,
            value=value,
            na_reason="n/a" if value == "na" else "",
            evidence=evidence,
            updated_by=assessor,
        )
    return case


def moderate_url(inspection: Inspection, case: Case) -> str:
    return reverse("inspections:moderate", args=[inspection.pk, case.pk])


def moderation_url(inspection: Inspection) -> str:
    return reverse("inspections:moderation", args=[inspection.pk])


def resolve_url(inspection: Inspection, case: Case, kq: str = KQ) -> str:
    return reverse("inspections:resolve", args=[inspection.pk, case.pk, kq])


# ---- choosing cases ------------------------------------------------------------------------


def test_a_moderator_chooses_cases_among_those_with_a_first_assessment(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    one = assessed(inspection, "C001", users["inspector"], {KQ: "yes"})
    two = assessed(inspection, "C002", users["inspector"], {KQ: "no"})
    fresh = make_case(inspection, "C003")  # no first assessment: cannot be chosen
    url = moderation_url(inspection)
    html = client_as("moderator").get(url).content.decode()
    assert f'id="choose-{one.pk}"' in html and f'id="choose-{fresh.pk}"' not in html
    shown = [str(one.pk), str(two.pk), str(fresh.pk)]
    response = client_as("moderator").post(url, {"shown": shown, "cases": [one.pk, fresh.pk]})
    assert response.status_code == 302
    chosen = Assessment.objects.filter(kind=AssessmentKind.MODERATION)
    assert [a.case.case_ref for a in chosen] == ["C001"]
    assert chosen.get().assessor == users["moderator"]
    html = client_as("inspector").get(url, {"chosen": "yes"}).content.decode()
    assert "C001" in html and "C002" not in html
    # Un-choosing removes it, unless answers were given.
    client_as("moderator").post(url, {"shown": shown, "cases": []})
    assert not Assessment.objects.filter(kind=AssessmentKind.MODERATION).exists()
    assessed(inspection, "", users["moderator"], {KQ: "yes"}, kind="moderation", case=two)
    client_as("moderator").post(url, {"shown": shown, "cases": []})
    assert Assessment.objects.filter(kind=AssessmentKind.MODERATION, case=two).exists()
    # Cases not shown on the page are left alone.
    client_as("moderator").post(url, {"shown": [str(one.pk)], "cases": [one.pk]})
    assert Assessment.objects.filter(kind=AssessmentKind.MODERATION).count() == 2


# ---- the blind second assessment -----------------------------------------------------------


def test_the_second_assessment_is_blind(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = assessed(
        inspection, "C001", users["inspector"], dict.fromkeys(COURT_KQS, "no"), evidence=SECRET
    )
    client_as("moderator").post(
        moderation_url(inspection), {"shown": [case.pk], "cases": [case.pk]}
    )
    client = client_as("moderator")
    response = client.get(moderate_url(inspection, case))
    html = response.content.decode()
    assert response.status_code == 200 and "Second assessment" in html
    assert html.count('<fieldset class="govuk-fieldset"') == len(COURT_KQS)
    assert SECRET not in html and " checked" not in html
    # Nor can the moderator read it on the first assessment's page while moderating.
    html = client.get(assess_url(inspection, case)).content.decode()
    assert SECRET not in html and "its first assessment is hidden" in html
    # Saving writes the moderation assessment and leaves the first one alone.
    assert (
        client.post(
            moderate_url(inspection, case),
            form_data(dict.fromkeys(COURT_KQS, "yes"), evidence={KQ: "Mod notes"}, action="submit"),
        ).status_code
        == 302
    )
    second = Assessment.objects.get(case=case, kind=AssessmentKind.MODERATION)
    assert second.state == AssessmentState.SUBMITTED and second.assessor == users["moderator"]
    assert second.answers.get(key_question=KQ).evidence == "Mod notes"
    primary = Answer.objects.get(assessment__kind=AssessmentKind.PRIMARY, key_question=KQ)
    assert (primary.value, primary.evidence, primary.version) == ("no", SECRET, 1)
    # Once the second assessment is submitted, the first may be read.
    assert SECRET in client.get(assess_url(inspection, case)).content.decode()
    # The first assessor may not see their own answers hidden, ever.
    assert SECRET in client_as("inspector").get(assess_url(inspection, case)).content.decode()


def test_the_first_assessor_cannot_moderate_their_own_case(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = assessed(inspection, "C001", users["lead"], {KQ: "yes"})
    url = moderate_url(inspection, case)
    response = client_as("lead").get(url, follow=True)
    assert response.redirect_chain[0][0] == moderation_url(inspection)
    assert "someone else must give its second assessment" in response.content.decode()
    response = client_as("lead").post(url, form_data({KQ: "no"}))
    assert response.status_code == 302
    assert not Assessment.objects.filter(kind=AssessmentKind.MODERATION).exists()
    # Another moderator may.
    assert client_as("moderator").post(url, form_data({KQ: "no"})).status_code == 302
    assert Assessment.objects.filter(kind=AssessmentKind.MODERATION).exists()


def test_who_may_open_the_moderation_pages(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = assessed(inspection, "C001", users["inspector"], {KQ: "yes"})
    page, form = moderation_url(inspection), moderate_url(inspection, case)
    resolve = resolve_url(inspection, case)
    for name, status in [("viewer", 403), ("stranger", 404)]:
        assert client_as(name).get(page).status_code == status
        assert client_as(name).get(form).status_code == status
        assert client_as(name).post(resolve, {"value": "yes", "note": "x"}).status_code == status
    assert client_as("anonymous").get(page).status_code == 302
    # Inspectors see the moderation page but cannot choose, moderate or resolve.
    assert client_as("inspector").get(page).status_code == 200
    assert client_as("inspector2").get(form).status_code == 403
    assert client_as("inspector2").post(form, form_data({KQ: "no"})).status_code == 403
    assert (
        client_as("inspector2").post(page, {"shown": [case.pk], "cases": [case.pk]}).status_code
        == 403
    )
    assert client_as("inspector2").post(resolve, {"value": "no", "note": "x"}).status_code == 403
    assert not Assessment.objects.filter(kind=AssessmentKind.MODERATION).exists()
    assert client_as("moderator").get(form).status_code == 200


# ---- agreement -----------------------------------------------------------------------------


def _two_moderated_cases(inspection: Inspection, users: dict[str, AbstractUser]) -> None:
    """The hand-worked example below: two court cases, moderated.

    Desistance (2.1, 2.2 in each case), first vs second:
      C001: yes/yes, yes/no    C002: no/no, yes/yes
      observed 3/4 = 0.75; first yes 3 no 1, second yes 2 no 2;
      expected (3*2 + 1*2)/16 = 0.5; kappa (0.75 - 0.5)/(1 - 0.5) = 0.50.
    Keeping the child safe: all four yes/yes: 100%, kappa undefined ("–").
    Overall (8 pairs): observed 7/8; first yes 7 no 1, second yes 6 no 2;
      expected (7*6 + 1*2)/64 = 0.6875; kappa (0.875 - 0.6875)/0.3125 = 0.60.
    """
    first = {
        "C001": {"2.1.desistance": "yes", "2.2.desistance": "yes"},
        "C002": {"2.1.desistance": "no", "2.2.desistance": "yes"},
    }
    second = {
        "C001": {"2.1.desistance": "yes", "2.2.desistance": "no"},
        "C002": {"2.1.desistance": "no", "2.2.desistance": "yes"},
    }
    safe = {"2.1.child_safety": "yes", "2.2.child_safety": "yes"}
    for ref in ("C001", "C002"):
        case = assessed(inspection, ref, users["inspector"], first[ref] | safe)
        assessed(
            inspection, ref, users["moderator"], second[ref] | safe, kind="moderation", case=case
        )
    # A second assessment still in progress is not compared (and its answers stay private).
    case = assessed(inspection, "C003", users["inspector"], {"2.1.desistance": "yes"})
    assessed(
        inspection, "C003", users["moderator"], {"2.1.desistance": "no"},
        kind="moderation", case=case, state=AssessmentState.IN_PROGRESS,
    )  # fmt: skip


def test_agreement_figures_on_a_hand_worked_example(
    inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    _two_moderated_cases(inspection, users)
    result = agreement(inspection)
    rows = {r.key: r for r in result.rows}
    assert list(rows) == ["desistance", "child_safety", "others_safety", "overall"]
    assert (rows["desistance"].pairs, rows["desistance"].agreed) == (4, 3)
    assert rows["desistance"].rate == 0.75
    assert rows["desistance"].kappa == pytest.approx(0.5)
    assert rows["child_safety"].rate == 1.0 and rows["child_safety"].kappa is None
    assert rows["others_safety"].pairs == 0 and rows["others_safety"].rate is None
    assert rows["overall"].pairs == 8 and rows["overall"].kappa == pytest.approx(0.6)
    assert [(d.case_ref, d.question.id, d.primary, d.moderation) for d in result.disagreements] == [
        ("C001", "2.2.desistance", "yes", "no")
    ]
    assert (result.cases_chosen, result.cases_compared) == (3, 2)


def test_the_agreement_table_is_for_moderation_roles_only(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    _two_moderated_cases(inspection, users)
    html = client_as("moderator").get(moderation_url(inspection)).content.decode()
    cells = re.findall(r'data-kind="(\w+)">([^<]*)<', html)
    assert cells == [
        ("pairs", "4"), ("rate", "75%"), ("kappa", "0.50"),
        ("pairs", "4"), ("rate", "100%"), ("kappa", "–"),
        ("pairs", "0"), ("rate", "–"), ("kappa", "–"),
        ("pairs", "8"), ("rate", "88%"), ("kappa", "0.60"),
    ]  # fmt: skip
    assert "Disagreements" in html and "2.2 Planning – Desistance" in html
    assert "3 cases chosen for a second assessment; 2 finished and compared." in html
    other = client_as("inspector").get(moderation_url(inspection)).content.decode()
    assert "3 cases chosen for a second assessment; 2 finished and compared." in other
    assert "data-kind" not in other and "2.2 Planning – Desistance" not in other


def test_resolving_a_disagreement_changes_the_rating_inputs_with_history(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = assessed(
        inspection, "C001", users["inspector"], {KQ: "no"}, evidence="No ETE in the plan"
    )
    assessed(
        inspection,
        "C001",
        users["moderator"],
        {KQ: "yes"},
        kind="moderation",
        case=case,
        evidence="ETE is in the review",
    )
    # Before resolving, the moderator sees what each assessor wrote.
    before = client_as("moderator").get(moderation_url(inspection)).content.decode()
    assert "No ETE in the plan" in before and "ETE is in the review" in before

    def desistance_2_1() -> tuple[int, int]:
        std = next(s for s in rate_inspection(inspection).standards if s.id == "2.1")
        kq = next(k for k in std.key_questions if k.id == KQ)
        return kq.yes, kq.applicable

    assert desistance_2_1() == (0, 1)
    url = resolve_url(inspection, case)
    response = client_as("moderator").post(url, {"value": "yes", "note": "  "})
    assert response.status_code == 302
    assert Answer.objects.get(assessment__kind="primary").value == "no"
    assert desistance_2_1() == (0, 1)

    response = client_as("moderator").post(
        url, {"value": "yes", "note": "Agreed at moderation: the plan did address it"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#disagreements")
    answer = Answer.objects.get(assessment__kind="primary")
    assert answer.value == "yes" and answer.resolution_note.startswith("Agreed at moderation")
    assert answer.version == 2 and answer.updated_by == users["moderator"]
    assert desistance_2_1() == (1, 1)
    history = list(answer.history.order_by("history_date"))
    assert [h.value for h in history] == ["no", "yes"]
    assert history[-1].history_user == users["moderator"]
    # The figures still count it as a disagreement (what the assessors said), now resolved.
    result = agreement(inspection)
    assert result.rows[-1].agreed == 0
    (d,) = result.disagreements
    assert (d.primary, d.moderation, d.resolved_value, d.resolved) == ("no", "yes", "yes", True)
    assert (d.primary_evidence, d.moderation_evidence) == (
        "No ETE in the plan",
        "ETE is in the review",
    )
    html = client_as("moderator").get(moderation_url(inspection)).content.decode()
    assert "Agreed at moderation: the plan did address it" in html
    # The case's own page says the answer was settled in moderation, and how.
    case_page = client_as("lead").get(reverse("inspections:assess", args=[inspection.pk, case.pk]))
    assert "Agreed at moderation: the plan did address it" in case_page.content.decode()


def test_resolving_needs_both_answers(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    case = assessed(inspection, "C001", users["inspector"], {KQ: "no"})
    response = client_as("moderator").post(
        resolve_url(inspection, case), {"value": "yes", "note": "x"}, follow=True
    )
    assert "Both assessments must have answered this question" in response.content.decode()
    assert Answer.objects.get().value == "no"
    assert (
        client_as("moderator")
        .post(resolve_url(inspection, case, "9.9.nothing"), {"value": "yes", "note": "x"})
        .status_code
        == 302
    )


def test_choosing_ignores_ids_that_are_digits_but_not_numbers(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    """'²' is a digit to Python (str.isdigit) but int() refuses it: it was an error 500."""
    case = assessed(inspection, "C001", users["inspector"], {KQ: "yes"})
    response = client_as("moderator").post(
        moderation_url(inspection), {"shown": ["²", str(case.pk)], "cases": ["²", str(case.pk)]}
    )
    assert response.status_code == 302
    assert Assessment.objects.filter(case=case, kind=AssessmentKind.MODERATION).exists()
