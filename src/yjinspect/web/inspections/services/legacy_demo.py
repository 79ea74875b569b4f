"""Build the fictitious 'Demoshire 2015' short quality screening as a published inspection.

It goes through the same services as the web app (the framework stored frozen, the case list,
the sample drawn from a seed, assessments saved with history, a moderated case, the letter's
facts and words saved as report texts), so the demo shows what a real SQS in yjinspect looks
like, and its letter states counts in the letters' manner ('9 of the 14 cases').
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.contrib.auth.models import User
from django.db import models, transaction

from yjinspect.demo import legacy as demo
from yjinspect.frameworks import shipped_framework_paths

from ..models import (
    Answer,
    AnswerValue,
    Assessment,
    AssessmentKind,
    AssessmentState,
    Case,
    CaseListImport,
    FrameworkVersion,
    Inspection,
    Membership,
    ReportText,
    Role,
    State,
    StateTransition,
)
from . import sampling
from .ratings import recorded_code

FRAMEWORK_ID = "hmip-sqs"
SEED = 20150608
STEPS = (State.FIELDWORK, State.MODERATION, State.DRAFTING, State.FACTUAL_ACCURACY, State.PUBLISHED)


M = TypeVar("M", bound=models.Model)


def _authored(obj: M, user: User) -> M:
    """Attribute the history row to `user` (there is no request to take it from)."""
    obj._history_user = user  # type: ignore[attr-defined]
    return obj


def build_sqs_demo(
    lead: User, inspectors: Sequence[User], moderator: User | None = None
) -> Inspection:
    """Create 'Demoshire YOT' (SQS, June 2015), assessed, moderated and published.

    `lead` leads and writes the letter; `inspectors` (at least one) assess the cases in turn;
    `moderator`, when given, gives one case a second assessment that agrees with the first.
    All in one transaction: a failure leaves nothing behind.
    """
    if not inspectors:
        raise ValueError("the SQS demo needs at least one inspector to assess its cases")
    with transaction.atomic():
        inspection = _create(lead, inspectors, moderator)
        cases = _import(inspection, lead)
        sampling.draw(inspection, seed=SEED, sizes=None, by=lead)
        sampled = list(
            Case.objects.filter(inspection=inspection, in_sample=True).order_by("case_ref")
        )
        _interviews(sampled, cases, lead)
        _move(inspection, State.FIELDWORK, lead)
        primaries = _assess(inspection, sampled, inspectors)
        if moderator is not None:
            _moderate(sampled[0], primaries[0], moderator)
        for state in STEPS[1:-1]:
            _move(inspection, state, lead)
        _write_letter(inspection, lead)
        _move(inspection, State.PUBLISHED, lead)
        return inspection


def _create(lead: User, inspectors: Sequence[User], moderator: User | None) -> Inspection:
    source = shipped_framework_paths()[FRAMEWORK_ID].read_text(encoding="utf-8")
    inspection = _authored(
        Inspection(
            service_name=demo.SERVICE_NAME,
            framework=FrameworkVersion.store(source, FRAMEWORK_ID),
            fieldwork_start=demo.FIELDWORK_START,
            fieldwork_end=demo.FIELDWORK_END,
            created_by=lead,
        ),
        lead,
    )
    inspection.save()
    team = [(lead, Role.LEAD), *((u, Role.INSPECTOR) for u in inspectors)]
    if moderator is not None:
        team.append((moderator, Role.MODERATOR))
    for user, role in team:
        _authored(Membership(inspection=inspection, user=user, role=role), lead).save()
    return inspection


def _import(inspection: Inspection, lead: User) -> dict[str, demo.DemoCase]:
    rows = demo.demo_cases()
    imported = CaseListImport.objects.create(
        inspection=inspection, filename="demoshire-2015-cases.csv", rows=len(rows), by=lead
    )
    for row in rows:
        _authored(
            Case(
                inspection=inspection,
                case_ref=row.case_ref,
                domain="court",
                disposal_type=row.disposal_type,
                start_date=row.start_date,
                case_manager=row.case_manager,
                risk_of_harm=row.risk_of_harm,
                safety_wellbeing=row.safety_wellbeing,
                sex=row.sex,
                imported_by=imported,
            ),
            lead,
        ).save()
    return {row.case_ref: row for row in rows}


def _interviews(sampled: Sequence[Case], rows: dict[str, demo.DemoCase], lead: User) -> None:
    if len(sampled) != demo.SAMPLED:
        raise RuntimeError(f"the demo sample has {len(sampled)} cases, not {demo.SAMPLED}")
    for index, case in enumerate(sampled):
        case.case_manager_interviewed = index < demo.INTERVIEWED
        case.interview_date = demo.FIELDWORK_START if case.case_manager_interviewed else None
        _authored(case, lead).save()


def _stored_value(inspection: Inspection, item_id: str, answer: str) -> str:
    item = inspection.framework.framework.item(item_id)
    return recorded_code(item, answer) if item.kind == "recorded" else answer


def _assess(
    inspection: Inspection, sampled: Sequence[Case], inspectors: Sequence[User]
) -> list[Assessment]:
    framework = inspection.framework.framework
    answers = demo.demo_answers(framework, [c.case_ref for c in sampled])
    primaries = []
    for index, case in enumerate(sampled):
        assessor = inspectors[index % len(inspectors)]
        case.assessor = assessor
        _authored(case, assessor).save()
        assessment = _authored(
            Assessment(case=case, assessor=assessor, state=AssessmentState.SUBMITTED), assessor
        )
        assessment.save()
        for item_id, answer in answers[case.case_ref].items():
            na = answer == AnswerValue.NA and framework.item(item_id).kind == "scored"
            _authored(
                Answer(
                    assessment=assessment,
                    key_question=item_id,
                    value=_stored_value(inspection, item_id, answer),
                    na_reason=framework.item(item_id).na_when if na else "",
                    updated_by=assessor,
                ),
                assessor,
            ).save()
        primaries.append(assessment)
    return primaries


def _moderate(case: Case, primary: Assessment, moderator: User) -> None:
    """A second assessment of one case that gives the same answers; the first is agreed."""
    second = _authored(
        Assessment(
            case=case,
            kind=AssessmentKind.MODERATION,
            assessor=moderator,
            state=AssessmentState.SUBMITTED,
        ),
        moderator,
    )
    second.save()
    for answer in primary.answers.all():
        _authored(
            Answer(
                assessment=second,
                key_question=answer.key_question,
                value=answer.value,
                na_reason=answer.na_reason,
                updated_by=moderator,
            ),
            moderator,
        ).save()
    primary.state = AssessmentState.AGREED
    _authored(primary, moderator).save()


def _write_letter(inspection: Inspection, lead: User) -> None:
    for key, text in {**demo.FACTS, **demo.TEXTS}.items():
        _authored(
            ReportText(inspection=inspection, key=key, text_en=text, updated_by=lead), lead
        ).save()


def _move(inspection: Inspection, state: State, by: User) -> None:
    StateTransition.objects.create(
        inspection=inspection, from_state=inspection.state, to_state=state, by=by
    )
    inspection.state = state
    _authored(inspection, by).save()
