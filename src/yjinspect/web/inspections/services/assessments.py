"""Case assessments: the key questions a case answers, saving answers without silent overwrites,
the assessment lifecycle, moderation (second assessments) and how far the two agree.

Views stay thin: they read forms and decide what to show; the rules live here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from yjinspect.core.stats import cohen_kappa
from yjinspect.frameworks import Framework, key_question_id
from yjinspect.frameworks.schema import Item

from .. import text_limits
from ..language import framework_wording
from ..models import (
    Answer,
    AnswerValue,
    Assessment,
    AssessmentKind,
    AssessmentState,
    Case,
    Inspection,
    Role,
)
from .ratings import recorded_code

# (stored value, lazy label) of yes / no / not applicable, read once: the enum's `choices`
# is rebuilt on every access, and the assessment page asks for it once per question.
_ANSWER_CHOICES = [(str(value), label) for value, label in AnswerValue.choices]

# An assessment in one of these states can be changed by whoever may assess it.
OPEN_STATES = frozenset({AssessmentState.IN_PROGRESS, AssessmentState.RETURNED})
# A second assessment in one of these states is finished: it counts in the agreement figures.
DONE_STATES = frozenset({AssessmentState.SUBMITTED, AssessmentState.AGREED})


class AssessmentError(ValueError):
    """A change the assessment's state or contents do not allow; the message says why."""


class AssessmentClosed(AssessmentError):
    """The assessment was submitted or agreed, so it cannot be changed until it is returned."""


# ---- which questions a case answers ------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One question as the assessment form shows it: a key question of the current standards,
    or an item of an earlier programme (SQS, FJI, CCI), grouped under its area as a
    'standard' and as a 'lens', so forms, conflicts and agreement work the same for both."""

    id: str  # e.g. "2.1.desistance", or an item id such as "RR-02"
    standard_id: str
    standard_name: str
    lens: str
    lens_label: str
    text: str
    prompts: tuple[str, ...]
    # A recorded item's own options as (stored value, label); empty: yes / no / not applicable.
    options: tuple[tuple[str, str], ...] = ()
    na_when: str = ""  # an earlier programme's note on when the item does not apply
    # An optional area's item (the FJI sixth theme): the inspection answers one such theme, so
    # leaving these unanswered does not stop an assessment being submitted.
    optional: bool = False

    @property
    def label(self) -> str:
        """A short name for messages: '2.1 Assessment – Desistance', or 'RR-02 Reducing
        reoffending' for an item."""
        if self.standard_id == self.lens:
            return f"{self.id} {self.standard_name}"
        return f"{self.standard_id} {self.standard_name} – {self.lens_label}"

    @property
    def field_prefix(self) -> str:
        """Form field names must not contain dots (they would break HTML ids in CSS)."""
        return "kq-" + self.id.replace(".", "-")

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(stored value, label) of every answer the question takes."""
        if self.options:
            return list(self.options)
        return [(value, str(label)) for value, label in _ANSWER_CHOICES]

    @property
    def choice_labels(self) -> dict[str, str]:
        return dict(self.choices)

    @property
    def takes_na_reason(self) -> bool:
        """Only 'not applicable' on a yes / no / na question needs a reason (a recorded item's
        own 'na' option is an answer like any other)."""
        return not self.options


@dataclass(frozen=True)
class StandardQuestions:
    id: str
    name: str
    statement: str
    questions: tuple[Question, ...]
    intro: str = ""  # shown above the questions (an earlier programme's area expectation)


def _item_options(item: Item) -> tuple[tuple[str, str], ...]:
    if item.kind != "recorded":
        return ()
    return tuple((recorded_code(item, o), _option_label(o)) for o in item.options)


def _option_label(option: str) -> str:
    labels = {
        "yes": _("Yes"),
        "no": _("No"),
        "na": _("Not applicable"),
        "accurate": _("Accurate"),
        "under": _("Too low"),
        "over": _("Too high"),
    }
    return labels.get(option, option.capitalize())


def _area_questions(
    framework: Framework, domain: str | None, interviewed: bool = True
) -> list[StandardQuestions]:
    """An earlier programme's items, area by area, for a case of `domain` (None: every item).

    Items that count something other than cases (the SQS questions put to case managers) are
    asked only on cases whose case manager was interviewed: one answer per interview.
    """
    result = []
    for area in framework.areas:
        items = [
            i
            for i in framework.items
            if i.area == area.id
            and (domain is None or not i.case_domains or domain in i.case_domains)
            and (interviewed or i.counted == "cases")
        ]
        if not items:
            continue
        name = framework_wording(area.name)
        questions = tuple(
            Question(
                id=i.id,
                standard_id=area.id,
                standard_name=name,
                lens=area.id,
                lens_label=name,
                text=framework_wording(i.text),
                prompts=tuple(framework_wording(p) for p in i.prompts),
                options=_item_options(i),
                na_when=framework_wording(i.na_when),
                optional=area.optional,
            )
            for i in items
        )
        statement = framework_wording(area.expectation)
        if area.optional:
            statement += " " + _(
                "This theme is chosen for some inspections only: answer it only if it is "
                "this inspection's chosen theme."
            )
        result.append(
            StandardQuestions(
                area.id, name, framework_wording(area.expectation), questions, statement.strip()
            )
        )
    return result


def _questions(
    framework: Framework, domain: str | None, interviewed: bool = True
) -> list[StandardQuestions]:
    if framework.scoring_model == "areas":
        return _area_questions(framework, domain, interviewed)
    lenses = {lens.id: framework_wording(lens.label) for lens in framework.lenses}
    result = []
    for std in framework.all_standards():
        if std.rating_method != "cases" or not std.key_questions:
            continue
        if domain is not None and domain not in std.case_domains:
            continue
        name = framework_wording(std.name)
        questions = tuple(
            Question(
                id=key_question_id(std.id, kq.lens),
                standard_id=std.id,
                standard_name=name,
                lens=kq.lens,
                lens_label=lenses.get(kq.lens, kq.lens),
                text=framework_wording(kq.text),
                prompts=tuple(framework_wording(p) for p in kq.prompts),
            )
            for kq in std.key_questions
        )
        result.append(StandardQuestions(std.id, name, framework_wording(std.statement), questions))
    return result


def questions_for_case(framework: Framework, case: Case) -> list[StandardQuestions]:
    """The questions a case answers: the case-rated standards whose case domains include the
    case's, or an earlier programme's items for the case's domain, grouped by area."""
    return _questions(framework, case.domain, bool(case.case_manager_interviewed))


def all_questions(framework: Framework) -> dict[str, Question]:
    """Every case-answered question by id, in framework order."""
    return {q.id: q for s in _questions(framework, None) for q in s.questions}


def agreement_groups(framework: Framework) -> list[tuple[str, str]]:
    """The groups agreement is shown by: the lenses, or an earlier programme's areas."""
    if framework.scoring_model == "areas":
        return [(s.id, s.name) for s in _area_questions(framework, None)]
    return [(lens.id, framework_wording(lens.label)) for lens in framework.lenses]


# ---- who may do what to a case's assessment ----------------------------------------------


def may_assess_case(role: Role, user: User, case: Case) -> bool:
    """Inspectors assess cases allocated to them or to nobody; a lead may assess any case."""
    return role == Role.LEAD or case.assessor_id is None or case.assessor_id == user.pk


def may_see_answers(
    user: User, role: Role, assessment: Assessment, other: Assessment | None
) -> bool:
    """May this person see this assessment's answers and notes (evidence, reasons for not
    applicable, resolution notes, the practice example, the reason it was returned)?

    `other` is the case's other assessment (the first for a second one, and the other way
    round). This is the one rule of blind moderation: the case page, the answers downloads,
    the history (page and CSV) and the archive download all ask it. While a case's second
    assessment is open the two are kept apart, so neither assessor can lean on the other's
    work: the first is hidden from moderators and from whoever is giving the second; the
    second is hidden from whoever gave the first. Everyone sees their own work, and once the
    second assessment is submitted (or agreed) nothing is hidden.
    """
    moderation = assessment if assessment.kind == AssessmentKind.MODERATION else other
    primary = other if assessment.kind == AssessmentKind.MODERATION else assessment
    if moderation is None or moderation.state not in OPEN_STATES:
        return True
    if assessment.assessor_id == user.pk:
        return True
    if assessment.kind == AssessmentKind.PRIMARY:
        return role != Role.MODERATOR and moderation.assessor_id != user.pk
    return primary is None or primary.assessor_id != user.pk


def hidden_assessments(inspection: Inspection, user: User, role: Role) -> frozenset[int]:
    """Ids of the inspection's assessments whose answers and notes this person may not see:
    `may_see_answers` asked of every case with a second assessment (only those can hide
    anything), in one query, for the downloads and the history to leave out."""
    by_case: dict[int, dict[str, Assessment]] = defaultdict(dict)
    for a in Assessment.objects.filter(
        case__inspection=inspection, case__assessments__kind=AssessmentKind.MODERATION
    ).only("pk", "case_id", "kind", "state", "assessor_id"):
        by_case[a.case_id][a.kind] = a
    hidden = set()
    for pair in by_case.values():
        primary = pair.get(AssessmentKind.PRIMARY)
        moderation = pair.get(AssessmentKind.MODERATION)
        for assessment, other in ((primary, moderation), (moderation, primary)):
            if assessment is not None and not may_see_answers(user, role, assessment, other):
                hidden.add(assessment.pk)
    return frozenset(hidden)


# ---- saving answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class PostedAnswer:
    """What the form sent for one key question."""

    key_question: str
    value: str  # "" when not answered
    na_reason: str
    evidence: str
    version: int | None  # the stored version the form was loaded with; None if there was none

    @property
    def answered(self) -> bool:
        return bool(self.value)

    def content(self) -> tuple[str, str, str]:
        return (self.value, self.na_reason, self.evidence)


@dataclass(frozen=True)
class Conflict:
    """Someone else saved a different answer after this person loaded the form."""

    question: Question
    yours: PostedAnswer
    theirs_value: str
    theirs_na_reason: str
    theirs_evidence: str
    theirs_version: int
    saved_by: str
    saved_at: dt.datetime


@dataclass(frozen=True)
class SaveResult:
    assessment: Assessment
    conflicts: tuple[Conflict, ...]
    changed: int
    submitted: bool
    unanswered: tuple[Question, ...]


def _content(answer: Answer) -> tuple[str, str, str]:
    return (answer.value, answer.na_reason, answer.evidence)


def _locked_assessment(case: Case, kind: str, user: User) -> Assessment:
    """The case's assessment of this kind, created if need be, locked until the transaction ends."""
    found = Assessment.objects.select_for_update().filter(case=case, kind=kind).first()
    if found is not None:
        return found
    created, _new = Assessment.objects.get_or_create(
        case=case, kind=kind, defaults={"assessor": user}
    )
    return Assessment.objects.select_for_update().get(pk=created.pk)


def find_conflicts(
    questions: Sequence[Question], posted: Iterable[PostedAnswer], stored: dict[str, Answer]
) -> tuple[list[Conflict], list[PostedAnswer]]:
    """Split posted answers into conflicts and changes to make.

    A posted answer conflicts when the stored answer has moved on since the form was loaded
    (its version differs) and says something other than what this person posted. Answers
    identical to the stored one, and unanswered questions, are neither.
    """
    by_id = {q.id: q for q in questions}
    conflicts: list[Conflict] = []
    changes: list[PostedAnswer] = []
    for p in posted:
        question = by_id.get(p.key_question)
        if question is None or not p.answered:
            continue
        current = stored.get(p.key_question)
        if current is None:
            changes.append(p)
            continue
        if _content(current) == p.content():
            continue
        if p.version != current.version:
            conflicts.append(
                Conflict(
                    question=question,
                    yours=p,
                    theirs_value=current.value,
                    theirs_na_reason=current.na_reason,
                    theirs_evidence=current.evidence,
                    theirs_version=current.version,
                    saved_by=current.updated_by.username,
                    saved_at=current.updated_at,
                )
            )
            continue
        changes.append(p)
    return conflicts, changes


def save_assessment(
    case: Case,
    kind: str,
    user: User,
    questions: Sequence[Question],
    posted: Sequence[PostedAnswer],
    *,
    practice_example: bool,
    practice_example_note: str,
    submit: bool = False,
) -> SaveResult:
    """Save one person's answers to a case's assessment, all or nothing.

    The assessment and its answers are locked while we compare versions, so two people saving
    at once are handled one after the other. If any answer conflicts, nothing is saved and the
    conflicts are returned. Each changed answer gets a new version and is saved with `.save()`
    so history records who changed what, and when. Raises AssessmentClosed when the assessment
    was submitted or agreed.
    """
    with transaction.atomic():
        assessment = _locked_assessment(case, kind, user)
        if assessment.state not in OPEN_STATES:
            raise AssessmentClosed(
                _("This assessment is %(state)s, so it cannot be changed until it is returned.")
                % {"state": assessment.get_state_display().lower()}
            )
        stored = {
            a.key_question: a
            for a in Answer.objects.select_for_update().filter(assessment=assessment)
        }
        conflicts, changes = find_conflicts(questions, posted, stored)
        if conflicts:
            return SaveResult(assessment, tuple(conflicts), 0, False, ())
        had_answers = bool(stored)
        for p in changes:
            answer = stored.get(p.key_question)
            if answer is None:
                answer = Answer(assessment=assessment, key_question=p.key_question, version=0)
                stored[p.key_question] = answer
            answer.value = p.value
            answer.na_reason = p.na_reason
            answer.evidence = p.evidence
            answer.version += 1
            answer.updated_by = user
            answer.save()
        dirty = False
        if (assessment.practice_example, assessment.practice_example_note) != (
            practice_example,
            practice_example_note,
        ):
            assessment.practice_example = practice_example
            assessment.practice_example_note = practice_example_note
            dirty = True
        # Whoever starts a chosen case's second assessment becomes its assessor.
        starting = kind == AssessmentKind.MODERATION and not had_answers and bool(changes)
        if starting and assessment.assessor_id != user.pk:
            assessment.assessor = user
            dirty = True
        unanswered = tuple(q for q in questions if q.id not in stored and not q.optional)
        submitted = False
        if submit and not unanswered:
            assessment.state = AssessmentState.SUBMITTED
            submitted = dirty = True
        if dirty:
            assessment.save()
        return SaveResult(assessment, (), len(changes), submitted, unanswered)


def answers_by_question(assessment: Assessment | None) -> dict[str, Answer]:
    if assessment is None:
        return {}
    return {a.key_question: a for a in assessment.answers.select_related("updated_by")}


# ---- the assessment lifecycle --------------------------------------------------------------


def return_assessment(assessment: Assessment, reason: str) -> None:
    """Send a submitted (or agreed) assessment back to its assessor, saying why."""
    reason = reason.strip()
    if not reason:
        raise AssessmentError(_("Say why you are returning the assessment"))
    if "\x00" in reason:  # PostgreSQL cannot store it: refuse it clearly, not with an error 500
        raise AssessmentError(_("Remove the NUL character from the reason"))
    if len(reason) > text_limits.REASON:
        raise AssessmentError(
            text_limits.too_long_message(_("The reason"), text_limits.REASON, len(reason))
        )
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.state not in DONE_STATES:
            raise AssessmentError(_("Only a submitted or agreed assessment can be returned."))
        locked.state = AssessmentState.RETURNED
        locked.returned_reason = reason
        locked.save()
    assessment.refresh_from_db()


def agree_assessment(assessment: Assessment, user: User) -> None:
    """Mark a submitted assessment as agreed by moderation."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.state != AssessmentState.SUBMITTED:
            raise AssessmentError(_("Only a submitted assessment can be agreed."))
        if locked.assessor_id == user.pk:
            raise AssessmentError(_("Someone else must agree your own assessment."))
        locked.state = AssessmentState.AGREED
        locked.save()
    assessment.refresh_from_db()


# ---- moderation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceResult:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    kept: tuple[str, ...]  # could not be removed: the second assessment has answers


def choose_for_moderation(
    inspection: Inspection, shown: Iterable[int], chosen: Iterable[int], user: User
) -> ChoiceResult:
    """Choose cases for a second assessment, among the cases the form showed.

    Only sampled cases with a first assessment can be chosen. Choosing creates an empty
    second assessment (with the chooser as its assessor until someone starts it); un-choosing
    deletes it, unless answers have been given.
    """
    shown_ids, chosen_ids = set(shown), set(chosen)
    cases = {
        c.pk: c
        for c in Case.objects.filter(
            inspection=inspection,
            in_sample=True,
            pk__in=shown_ids,
            assessments__kind=AssessmentKind.PRIMARY,
        )
    }
    existing = {
        a.case_id: a
        for a in Assessment.objects.filter(
            case_id__in=cases, kind=AssessmentKind.MODERATION
        ).prefetch_related("answers")
    }
    added, removed, kept = [], [], []
    for pk, case in sorted(cases.items(), key=lambda item: item[1].case_ref):
        if pk in chosen_ids and pk not in existing:
            Assessment.objects.create(case=case, kind=AssessmentKind.MODERATION, assessor=user)
            added.append(case.case_ref)
        elif pk not in chosen_ids and pk in existing:
            if existing[pk].answers.all():
                kept.append(case.case_ref)
            else:
                existing[pk].delete()
                removed.append(case.case_ref)
    return ChoiceResult(tuple(added), tuple(removed), tuple(kept))


def resolve_answer(
    case: Case,
    key_question: str,
    value: str,
    note: str,
    user: User,
    choices: Sequence[tuple[str, str]] | None = None,
) -> Answer:
    """Settle a disagreement: the first assessment's answer takes the resolved value and note.

    `choices` are the question's own answers (a recorded item's options). Saved with `.save()`
    and a new version, so history keeps the answer before and after, and who resolved it, and
    anyone with the form open gets a conflict rather than overwriting it.
    """
    note = note.strip()
    yes_no_na = choices is None
    if choices is None:
        choices = [(v, str(label)) for v, label in _ANSWER_CHOICES]
    if value not in dict(choices):
        raise AssessmentError(
            _("Choose the resolved answer: %(choices)s")
            % {"choices": ", ".join(label.lower() for _v, label in choices)}
        )
    if not note:
        raise AssessmentError(_("Say how the disagreement was resolved"))
    if "\x00" in note:  # PostgreSQL cannot store it: refuse it clearly, not with an error 500
        raise AssessmentError(_("Remove the NUL character from the note"))
    if len(note) > text_limits.REASON:
        raise AssessmentError(
            text_limits.too_long_message(_("The note"), text_limits.REASON, len(note))
        )
    with transaction.atomic():
        answer = (
            Answer.objects.select_for_update()
            .filter(
                assessment__case=case,
                assessment__kind=AssessmentKind.PRIMARY,
                key_question=key_question,
            )
            .first()
        )
        second = Answer.objects.filter(
            assessment__case=case,
            assessment__kind=AssessmentKind.MODERATION,
            assessment__state__in=DONE_STATES,
            key_question=key_question,
        ).exists()
        if answer is None or not second:
            raise AssessmentError(
                _("Both assessments must have answered this question before it can be resolved.")
            )
        answer.value = value
        answer.resolution_note = note
        if value == AnswerValue.NA and yes_no_na and not answer.na_reason:
            answer.na_reason = note
        answer.version += 1
        answer.updated_by = user
        answer.save()
        return answer


# ---- agreement between first and second assessments ----------------------------------------


@dataclass(frozen=True)
class AgreementRow:
    key: str  # a lens id, or "overall"
    label: str
    pairs: int
    agreed: int
    kappa: float | None

    @property
    def rate(self) -> float | None:
        return self.agreed / self.pairs if self.pairs else None


@dataclass(frozen=True)
class Disagreement:
    case_id: int
    case_ref: str
    question: Question
    primary: str  # the first assessment's answer before any resolution
    moderation: str
    resolved_value: str  # "" until resolved
    resolution_note: str
    # Each assessor's evidence notes: what the moderator weighs to resolve the difference.
    primary_evidence: str = ""
    moderation_evidence: str = ""

    @property
    def resolved(self) -> bool:
        return bool(self.resolution_note)


@dataclass(frozen=True)
class Agreement:
    rows: tuple[AgreementRow, ...]  # one per lens, then overall
    disagreements: tuple[Disagreement, ...]
    cases_chosen: int
    cases_compared: int


def _values_before_resolution(answer_ids: Sequence[int]) -> dict[int, str]:
    """Each resolved answer's value just before it was first resolved, from its history."""
    if not answer_ids:
        return {}
    result: dict[int, str] = {}
    records = (
        Answer.history.filter(id__in=answer_ids)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "value", "resolution_note")
    )
    last: dict[int, str] = {}
    for answer_id, value, note in records:
        if answer_id in result:
            continue
        if note:
            if answer_id in last:
                result[answer_id] = last[answer_id]
        else:
            last[answer_id] = value
    return result


def agreement(inspection: Inspection) -> Agreement:
    """Per lens and overall: paired answers, agreement and Cohen's kappa, and the disagreements.

    Pairs are the answers to the same key question in a case's first assessment and its
    finished (submitted or agreed) second assessment. Where a disagreement has been resolved,
    the first assessment's answer from before the resolution is used, so the figures measure
    how far the two assessors agreed, not the outcome.
    """
    framework = inspection.framework.framework
    questions = all_questions(framework)
    rows = Answer.objects.filter(
        assessment__case__inspection=inspection, assessment__case__in_sample=True
    ).filter(
        Q(assessment__kind=AssessmentKind.PRIMARY)
        | Q(assessment__kind=AssessmentKind.MODERATION, assessment__state__in=DONE_STATES)
    )
    primary: dict[tuple[int, str], tuple[int, str, str]] = {}
    second: dict[tuple[int, str], str] = {}
    evidence: dict[tuple[int, str, str], str] = {}
    refs: dict[int, str] = {}
    for answer_id, case_id, case_ref, kind, kq, value, note, notes in rows.values_list(
        "id",
        "assessment__case_id",
        "assessment__case__case_ref",
        "assessment__kind",
        "key_question",
        "value",
        "resolution_note",
        "evidence",
    ):
        if kq not in questions:
            continue
        refs[case_id] = case_ref
        evidence[(case_id, kq, kind)] = notes
        if kind == AssessmentKind.PRIMARY:
            primary[(case_id, kq)] = (answer_id, value, note)
        else:
            second[(case_id, kq)] = value
    paired = [key for key in primary if key in second]
    before = _values_before_resolution([primary[k][0] for k in paired if primary[k][2]])
    by_lens: dict[str, list[tuple[str, str]]] = defaultdict(list)
    disagreements = []
    order = {kq: i for i, kq in enumerate(questions)}
    for case_id, kq in sorted(paired, key=lambda k: (refs[k[0]], order[k[1]])):
        answer_id, current, note = primary[(case_id, kq)]
        first = before.get(answer_id, current) if note else current
        moderated = second[(case_id, kq)]
        question = questions[kq]
        by_lens[question.lens].append((first, moderated))
        if first != moderated:
            disagreements.append(
                Disagreement(
                    case_id=case_id,
                    case_ref=refs[case_id],
                    question=question,
                    primary=first,
                    moderation=moderated,
                    resolved_value=current if note else "",
                    resolution_note=note,
                    primary_evidence=evidence.get((case_id, kq, AssessmentKind.PRIMARY), ""),
                    moderation_evidence=evidence.get((case_id, kq, AssessmentKind.MODERATION), ""),
                )
            )

    def row(key: str, label: str, pairs: list[tuple[str, str]]) -> AgreementRow:
        return AgreementRow(
            key, label, len(pairs), sum(a == b for a, b in pairs), cohen_kappa(pairs)
        )

    groups = agreement_groups(framework)
    table = [row(key, label, by_lens[key]) for key, label in groups]
    everything = [p for key, _label in groups for p in by_lens[key]]
    table.append(row("overall", _("All key questions"), everything))
    chosen = Assessment.objects.filter(
        case__inspection=inspection, case__in_sample=True, kind=AssessmentKind.MODERATION
    )
    return Agreement(
        rows=tuple(table),
        disagreements=tuple(disagreements),
        cases_chosen=chosen.count(),
        cases_compared=len({case_id for case_id, _kq in paired}),
    )


def assessment_progress(inspection: Inspection) -> tuple[int, int]:
    """(sampled cases whose first assessment is submitted or agreed, sampled cases): the
    ratings count every saved answer, so until the two are equal the figures will move."""
    sampled = Case.objects.filter(inspection=inspection, in_sample=True)
    done = sampled.filter(
        assessments__kind=AssessmentKind.PRIMARY,
        assessments__state__in=DONE_STATES,
    )
    return done.distinct().count(), sampled.count()
