"""An inspection's history: every recorded change, newest first, from simple-history's tables.

Each tracked model has its own history table (`Model.history.model`). A page of the timeline
is gathered without loading everything: each table is filtered in the database (inspection,
case, standard, user, kind), ordered newest first and cut to the rows the page could need
(page number × page size), then the few candidates are merged by time. The record before each
row (for 'before' values) comes from one extra query per table, found by a subquery.

Only pseudonymous facts appear: case references and usernames. Case fields that could
identify a person (case manager, demographics) are not part of the history shown here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import islice
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yjinspect.frameworks import Framework, key_question_id

from ..models import (
    Answer,
    Assessment,
    Case,
    Discretion,
    EvidenceItem,
    Inspection,
    Judgement,
    Membership,
    Recommendation,
    ReportText,
)
from .exports import neutralise
from .merged_history import MergedHistory

PAGE_SIZE = 25
_BATCH = 500


class Kind(StrEnum):
    ANSWER = "answer"
    ASSESSMENT = "assessment"
    JUDGEMENT = "judgement"
    DISCRETION = "discretion"
    CASE = "case"
    MEMBERSHIP = "membership"
    INSPECTION = "inspection"
    EVIDENCE = "evidence"
    REPORT_TEXT = "report_text"
    RECOMMENDATION = "recommendation"


KIND_LABELS: dict[Kind, Promise] = {
    Kind.ANSWER: gettext_lazy("Answers"),
    Kind.ASSESSMENT: gettext_lazy("Assessments"),
    Kind.JUDGEMENT: gettext_lazy("Judgements"),
    Kind.DISCRETION: gettext_lazy("Professional discretion"),
    Kind.CASE: gettext_lazy("Cases (sample and allocation)"),
    Kind.MEMBERSHIP: gettext_lazy("Team"),
    Kind.INSPECTION: gettext_lazy("Inspection and its state"),
    Kind.EVIDENCE: gettext_lazy("Organisational evidence"),
    Kind.REPORT_TEXT: gettext_lazy("Report texts"),
    Kind.RECOMMENDATION: gettext_lazy("Recommendations"),
}


# ---------------------------------------------------------------- what is shown


@dataclass(frozen=True)
class Change:
    name: str  # the model field, as in the CSV
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    who: str  # username; blank when no person was recorded (e.g. a command)
    kind: Kind
    case_ref: str
    subject: str  # the key question or standard the change is about, if any
    what: str
    changes: tuple[Change, ...]

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass(frozen=True)
class Filters:
    case: str = ""
    # A standard id ('2.2') or a key question id ('2.2.others_safety'); for an earlier
    # programme an area id ('RR') or an item id ('RR-02').
    standard: str = ""
    user: str = ""
    kind: str = ""

    @classmethod
    def from_query(cls, query: QueryDict, framework: Framework) -> tuple[Filters, list[str]]:
        """Filters from a query string, and messages for values that name nothing."""
        errors: list[str] = []
        standard = query.get("standard", "").strip()
        if standard and standard not in subject_questions(framework):
            message = (
                _("There is no area or question '%(id)s' in this framework")
                if framework.scoring_model == "areas"
                else _("There is no standard or key question '%(id)s' in this framework")
            )
            errors.append(message % {"id": standard[:40]})
            standard = ""
        kind = query.get("kind", "")
        return (
            cls(
                case=query.get("case", "").strip()[:64],
                standard=standard,
                user=query.get("user", "").strip()[:150],
                kind=kind if kind in {k.value for k in Kind} else "",
            ),
            errors,
        )

    @property
    def active(self) -> bool:
        return bool(self.case or self.standard or self.user or self.kind)


def subject_questions(framework: Framework) -> dict[str, tuple[str, ...] | None]:
    """Every id the filter knows, with the questions it covers (None: it is a question).

    Standards cover their key questions; an earlier programme's areas cover their own items and
    the items they pool from other areas (the FJI court-work theme pools report questions that
    belong to reducing reoffending).
    """
    subjects: dict[str, tuple[str, ...] | None] = {}
    for std in framework.all_standards():
        subjects[std.id] = tuple(key_question_id(std.id, kq.lens) for kq in std.key_questions)
    for area in framework.areas:
        own = [i.id for i in framework.items if i.area == area.id]
        subjects[area.id] = tuple(dict.fromkeys([*own, *area.items]))
    for question in [*framework.key_question_ids(), *(i.id for i in framework.items)]:
        subjects[question] = None
    return subjects


def filter_subjects(framework: Framework) -> list[Any]:
    """What the history page's filter lists: the standards, or an earlier programme's areas
    (each has `id` and `name`)."""
    return list(framework.all_standards()) or list(framework.areas)


# ---------------------------------------------------------------- the tables


@dataclass(frozen=True)
class _Field:
    name: str
    label: Promise
    display: str = "text"  # text | choice | user | rating | bool | date | number | list


@dataclass(frozen=True)
class _Source:
    kind: Kind
    model: type[models.Model]
    scope: Callable[[int], Q]
    fields: tuple[_Field, ...]
    main: str | None = None  # the field whose change is the headline (value, state, rating)
    case_path: str | None = None  # lookup from a history row to the case reference
    subject: str | None = None  # the field holding the key question or standard id
    # (id, the questions it covers or None when it is a question itself) -> rows about it
    standard_q: Callable[[str, tuple[str, ...] | None], Q | None] | None = None
    extra: str | None = None  # a lookup annotated as `yj_extra`
    # The field of a history row naming its assessment: rows of an assessment hidden from the
    # reader (blind moderation, `assessments.hidden_assessments`) are left out.
    assessment: str | None = None

    @property
    def history(self) -> type[models.Model]:
        history_model: type[models.Model] = self.model.history.model  # type: ignore[attr-defined]
        return history_model


def _answer_standard(wanted: str, questions: tuple[str, ...] | None) -> Q:
    return Q(key_question=wanted) if questions is None else Q(key_question__in=questions)


def _standard_field(wanted: str, questions: tuple[str, ...] | None) -> Q | None:
    """Judgements, discretion (an area's word) and evidence are keyed by standard or area id."""
    return None if questions is None else Q(standard_id=wanted)


def _report_text_standard(wanted: str, questions: tuple[str, ...] | None) -> Q | None:
    """A standard's narrative is the report text keyed 'standard:<id>'; an earlier programme's
    area has its commentary ('area:<id>') and key findings ('findings:<id>')."""
    if questions is None:
        return None
    return Q(key__in=[f"standard:{wanted}", f"area:{wanted}", f"findings:{wanted}"])


SOURCES: tuple[_Source, ...] = (
    _Source(
        Kind.ANSWER,
        Answer,
        lambda pk: Q(assessment__case__inspection_id=pk),
        (
            _Field("value", gettext_lazy("Answer"), "choice"),
            _Field("na_reason", gettext_lazy("Reason for not applicable")),
            _Field("evidence", gettext_lazy("Evidence")),
            _Field("resolution_note", gettext_lazy("Resolution note")),
        ),
        main="value",
        case_path="assessment__case__case_ref",
        subject="key_question",
        standard_q=_answer_standard,
        extra="assessment__kind",
        assessment="assessment_id",
    ),
    _Source(
        Kind.ASSESSMENT,
        Assessment,
        lambda pk: Q(case__inspection_id=pk),
        (
            _Field("state", gettext_lazy("State"), "choice"),
            _Field("assessor", gettext_lazy("Assessor"), "user"),
            _Field("returned_reason", gettext_lazy("Reason for returning")),
            _Field("practice_example", gettext_lazy("Practice example"), "bool"),
            _Field("practice_example_note", gettext_lazy("Practice example note")),
        ),
        main="state",
        case_path="case__case_ref",
        extra="kind",
        assessment="id",
    ),
    _Source(
        Kind.JUDGEMENT,
        Judgement,
        lambda pk: Q(inspection_id=pk),
        (
            _Field("rating", gettext_lazy("Rating"), "rating"),
            _Field("rationale", gettext_lazy("Rationale")),
            _Field("strengths", gettext_lazy("Strengths")),
            _Field("areas_for_improvement", gettext_lazy("Areas for improvement")),
            _Field("decided_by", gettext_lazy("Decided by"), "user"),
        ),
        main="rating",
        subject="standard_id",
        standard_q=_standard_field,
    ),
    _Source(
        Kind.DISCRETION,
        Discretion,
        lambda pk: Q(inspection_id=pk),
        (
            _Field("rating", gettext_lazy("Rating"), "rating"),
            _Field("reason", gettext_lazy("Reason")),
            _Field("decided_by", gettext_lazy("Decided by"), "user"),
        ),
        main="rating",
        subject="standard_id",
        standard_q=_standard_field,
    ),
    _Source(
        Kind.CASE,
        Case,
        lambda pk: Q(inspection_id=pk),
        (
            _Field("in_sample", gettext_lazy("In the sample"), "bool"),
            _Field("sample_order", gettext_lazy("Sample order"), "number"),
            _Field("stratum", gettext_lazy("Stratum")),
            _Field("excluded_reason", gettext_lazy("Reason for exclusion")),
            _Field("assessor", gettext_lazy("Allocated to"), "user"),
            _Field("case_manager_interviewed", gettext_lazy("Case manager interviewed"), "bool"),
            _Field("interview_date", gettext_lazy("Interview date"), "date"),
        ),
        case_path="case_ref",
    ),
    _Source(
        Kind.MEMBERSHIP,
        Membership,
        lambda pk: Q(inspection_id=pk),
        (
            _Field("user", gettext_lazy("Person"), "user"),
            _Field("role", gettext_lazy("Role"), "choice"),
        ),
        main="role",
    ),
    _Source(
        Kind.INSPECTION,
        Inspection,
        lambda pk: Q(id=pk),
        (
            _Field("state", gettext_lazy("State"), "choice"),
            _Field("released_to_service", gettext_lazy("Ratings released to the service"), "bool"),
            _Field("service_name", gettext_lazy("Service")),
            _Field("mode", gettext_lazy("Kind"), "choice"),
            _Field("fieldwork_start", gettext_lazy("Fieldwork starts"), "date"),
            _Field("fieldwork_end", gettext_lazy("Fieldwork ends"), "date"),
            _Field("window_start", gettext_lazy("Case window starts"), "date"),
            _Field("window_end", gettext_lazy("Case window ends"), "date"),
            _Field("optional_areas", gettext_lazy("Optional themes chosen"), "list"),
        ),
        main="state",
    ),
    _Source(
        Kind.EVIDENCE,
        EvidenceItem,
        lambda pk: Q(inspection_id=pk),
        (
            _Field("standard_id", gettext_lazy("Standard")),
            _Field("kind", gettext_lazy("Kind"), "choice"),
            _Field("title", gettext_lazy("Title")),
            _Field("held_on", gettext_lazy("Date"), "date"),
            _Field("attendees", gettext_lazy("Who took part")),
            _Field("notes", gettext_lazy("Notes")),
            _Field("upload_name", gettext_lazy("File")),
        ),
        subject="standard_id",
        standard_q=_standard_field,
    ),
    _Source(
        Kind.REPORT_TEXT,
        ReportText,
        lambda pk: Q(inspection_id=pk),
        (
            _Field("text_en", gettext_lazy("English text")),
            _Field("text_cy", gettext_lazy("Welsh text")),
        ),
        subject="key",
        standard_q=_report_text_standard,
    ),
    _Source(
        Kind.RECOMMENDATION,
        Recommendation,
        lambda pk: Q(inspection_id=pk),
        (
            _Field("addressed_to", gettext_lazy("Addressed to")),
            _Field("addressed_to_cy", gettext_lazy("Addressed to (Welsh)")),
            _Field("text_en", gettext_lazy("English text")),
            _Field("text_cy", gettext_lazy("Welsh text")),
            _Field("order", gettext_lazy("Position"), "number"),
        ),
    ),
)
_RANK = {source.kind: i for i, source in enumerate(SOURCES)}


def _queryset(
    source: _Source,
    inspection_pk: int,
    filters: Filters,
    subjects: dict[str, tuple[str, ...] | None],
    hidden: Collection[int],
) -> QuerySet[Any] | None:
    """The source's history rows matching the filters, newest first, without the rows of
    `hidden` assessments; None if none can match."""
    if filters.kind and filters.kind != source.kind:
        return None
    history = source.history
    qs: QuerySet[Any] = history.objects.filter(source.scope(inspection_pk))  # type: ignore[attr-defined]
    if hidden and source.assessment:
        qs = qs.exclude(**{f"{source.assessment}__in": hidden})
    if filters.case:
        if source.case_path is None:
            return None
        qs = qs.filter(**{source.case_path: filters.case})
    if filters.standard:
        questions = subjects.get(filters.standard)
        wanted = source.standard_q(filters.standard, questions) if source.standard_q else None
        if wanted is None:
            return None
        qs = qs.filter(wanted)
    if filters.user:
        qs = qs.filter(history_user__username=filters.user)
    earlier = (
        history.objects.filter(  # type: ignore[attr-defined]
            id=OuterRef("id"), history_id__lt=OuterRef("history_id")
        )
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    qs = qs.annotate(
        yj_prev=Subquery(earlier),
        yj_who=F("history_user__username"),
        yj_case_ref=F(source.case_path) if source.case_path else Value(""),
        yj_extra=F(source.extra) if source.extra else Value(""),
    )
    return qs.order_by("-history_date", "-history_id")


class HistoryRows(MergedHistory[_Source, HistoryEntry]):
    """The filtered timeline as a lazy sequence, so Django's Paginator can page it (the
    paging is `MergedHistory`'s); this class picks the tables and builds the entries.

    `hidden` are the assessments the reader may not see (`assessments.hidden_assessments`):
    their answers' and their own history rows are left out, page and CSV alike.
    """

    def __init__(
        self, inspection: Inspection, filters: Filters, *, hidden: Collection[int]
    ) -> None:
        self.framework = inspection.framework.framework
        subjects = subject_questions(self.framework)
        super().__init__(
            [
                (source, qs)
                for source in SOURCES
                if (qs := _queryset(source, inspection.pk, filters, subjects, hidden)) is not None
            ]
        )

    def order(self, pair: tuple[_Source, Any]) -> tuple[Any, ...]:
        """Changes saved at the same moment: the source listed first in SOURCES comes first."""
        source, row = pair
        return (row.history_date, -_RANK[source.kind], row.history_id)

    def build(self, rows: list[tuple[_Source, Any]]) -> list[HistoryEntry]:
        return build_entries(self.framework, rows)


# ---------------------------------------------------------------- building entries


@dataclass
class _Context:
    framework: Framework
    usernames: dict[int, str] = field(default_factory=dict)


def _batched(values: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(values)
    while chunk := list(islice(it, size)):
        yield chunk


def build_entries(framework: Framework, rows: list[tuple[_Source, Any]]) -> list[HistoryEntry]:
    """Entries for history rows: earlier records and usernames fetched in bulk."""
    earlier: dict[tuple[Kind, int], Any] = {}
    for source in SOURCES:
        wanted = [row.yj_prev for s, row in rows if s is source and row.yj_prev]
        for chunk in _batched(wanted, _BATCH):
            for record in source.history.objects.filter(history_id__in=chunk):  # type: ignore[attr-defined]
                earlier[(source.kind, record.history_id)] = record
    user_ids: set[int] = set()
    for source, row in rows:
        user_fields = [f.name for f in source.fields if f.display == "user"]
        for record in (row, earlier.get((source.kind, row.yj_prev or 0))):
            if record is not None:
                user_ids.update(
                    uid for name in user_fields if (uid := getattr(record, f"{name}_id"))
                )
    ctx = _Context(framework)
    for chunk in _batched(sorted(user_ids), _BATCH):
        ctx.usernames.update(
            get_user_model().objects.filter(pk__in=chunk).values_list("pk", "username")
        )
    return [
        _entry(source, row, earlier.get((source.kind, row.yj_prev or 0)), ctx)
        for source, row in rows
    ]


def _raw(record: Any, f: _Field) -> Any:
    return getattr(record, f"{f.name}_id" if f.display == "user" else f.name)


def _show(source: _Source, f: _Field, value: Any, ctx: _Context) -> str:
    if value is None or value == "":
        return ctx.framework.not_rated_label if f.display == "rating" and value == "" else ""
    if f.display == "choice":
        choices = dict(source.model._meta.get_field(f.name).flatchoices)  # type: ignore[union-attr]
        return str(choices.get(value, value))
    if f.display == "user":
        return ctx.usernames.get(value, f"#{value}")
    if f.display == "rating":
        try:
            return ctx.framework.rating_label(value)
        except ValueError:
            return str(value)
    if f.display == "bool":
        return _("Yes") if value else _("No")
    if f.display == "list":
        return ", ".join(str(v) for v in value) if value else _("None")
    if f.display == "date":
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return str(value)


def _changes(source: _Source, row: Any, prev: Any, ctx: _Context) -> list[Change]:
    def change(f: _Field, before: Any, after: Any) -> Change:
        return Change(
            f.name,
            str(f.label),
            "" if before is _ABSENT else _show(source, f, before, ctx),
            "" if after is _ABSENT else _show(source, f, after, ctx),
        )

    out = []
    for f in source.fields:
        now = _raw(row, f)
        if row.history_type == "-":
            if now not in (None, "", False):
                out.append(change(f, now, _ABSENT))
        elif row.history_type == "+" or prev is None:
            if now not in (None, "", False):
                out.append(change(f, _ABSENT, now))
        else:
            then = _raw(prev, f)
            if then != now:
                out.append(change(f, then, now))
    return out


_ABSENT = object()


def _entry(source: _Source, row: Any, prev: Any, ctx: _Context) -> HistoryEntry:
    changes = _changes(source, row, prev, ctx)
    subject = str(getattr(row, source.subject, "") or "") if source.subject else ""
    return HistoryEntry(
        when=row.history_date,
        who=row.yj_who or "",
        kind=source.kind,
        case_ref=str(row.yj_case_ref or ""),
        subject=subject,
        what=_describe(source, row, prev, changes, ctx),
        changes=tuple(changes),
    )


def _head(source: _Source, row: Any, ctx: _Context) -> str:
    ref = row.yj_case_ref
    moderation = row.yj_extra == "moderation"
    if source.kind == Kind.ANSWER:
        text = (
            _("Moderation answer %(kq)s on case %(case)s")
            if moderation
            else _("Answer %(kq)s on case %(case)s")
        )
        return text % {"kq": row.key_question, "case": ref}
    if source.kind == Kind.ASSESSMENT:
        text = _("Moderation of case %(case)s") if moderation else _("Assessment of case %(case)s")
        return text % {"case": ref}
    if source.kind == Kind.JUDGEMENT:
        return _("Judgement of %(id)s") % {"id": row.standard_id}
    if source.kind == Kind.DISCRETION:
        return _("Professional discretion on %(id)s") % {"id": row.standard_id}
    if source.kind == Kind.CASE:
        return _("Case %(case)s") % {"case": ref}
    if source.kind == Kind.MEMBERSHIP:
        name = ctx.usernames.get(row.user_id, f"#{row.user_id}")
        return _("Team member %(user)s") % {"user": name}
    if source.kind == Kind.EVIDENCE:
        return _("Evidence '%(title)s'") % {"title": row.title}
    if source.kind == Kind.REPORT_TEXT:
        return _("Report text '%(key)s'") % {"key": row.key}
    if source.kind == Kind.RECOMMENDATION:
        return _("Recommendation to %(body)s") % {"body": row.addressed_to}
    return _("Inspection")


_CREATED = {
    Kind.ANSWER: gettext_lazy("recorded"),
    Kind.ASSESSMENT: gettext_lazy("started"),
    Kind.JUDGEMENT: gettext_lazy("recorded"),
    Kind.DISCRETION: gettext_lazy("recorded"),
    Kind.CASE: gettext_lazy("added to the case list"),
    Kind.MEMBERSHIP: gettext_lazy("added to the team"),
    Kind.INSPECTION: gettext_lazy("created"),
    Kind.EVIDENCE: gettext_lazy("added"),
    Kind.REPORT_TEXT: gettext_lazy("written"),
    Kind.RECOMMENDATION: gettext_lazy("added"),
}
_DELETED = {
    Kind.DISCRETION: gettext_lazy("removed"),
    Kind.MEMBERSHIP: gettext_lazy("removed from the team"),
    Kind.CASE: gettext_lazy("removed from the case list"),
    Kind.RECOMMENDATION: gettext_lazy("removed"),
}


def _describe(source: _Source, row: Any, prev: Any, changes: list[Change], ctx: _Context) -> str:
    """One line saying what happened, e.g. 'Answer 2.2.others_safety on case C004: No → Yes'."""
    head = _head(source, row, ctx)
    main = next((c for c in changes if c.name == source.main), None)
    if row.history_type == "-":
        return f"{head} {_DELETED.get(source.kind, gettext_lazy('deleted'))}"
    if row.history_type == "+" or prev is None:
        text = f"{head} {_CREATED[source.kind]}"
        return f"{text}: {main.after}" if main and main.after else text
    others = [c for c in changes if c is not main]
    if source.kind == Kind.CASE:
        return _describe_case(head, changes)
    if main is not None:
        text = f"{head}: {main.before or '–'} → {main.after or '–'}"
        if others:
            text += " (" + _changed(others) + ")"
        return text
    if others:
        return f"{head}: {_changed(others)}"
    return f"{head}: " + _("saved with no change to what is shown here")


def _changed(changes: list[Change]) -> str:
    return _("%(fields)s changed") % {"fields": ", ".join(c.label.lower() for c in changes)}


def _describe_case(head: str, changes: list[Change]) -> str:
    phrases = []
    rest = []
    for c in changes:
        if c.name == "in_sample":
            phrases.append(
                _("added to the sample") if c.after == _("Yes") else _("taken out of the sample")
            )
        elif c.name == "assessor":
            phrases.append(
                _("allocated to %(user)s") % {"user": c.after}
                if c.after
                else _("allocation removed")
            )
        else:
            rest.append(c)
    if rest:
        phrases.append(_changed(rest))
    if not phrases:
        return f"{head}: " + _("details not shown here changed")
    return f"{head}: " + "; ".join(phrases)


# ---------------------------------------------------------------- CSV


CSV_COLUMNS = (
    "when",
    "who",
    "kind",
    "case_ref",
    "key_question_or_standard",
    "field",
    "before",
    "after",
)


def csv_rows(entries: Iterable[HistoryEntry]) -> Iterator[list[str]]:
    """The header, then one row per changed field (one row for a change with no fields)."""
    yield list(CSV_COLUMNS)
    for entry in entries:
        when = timezone.localtime(entry.when).isoformat(timespec="seconds")
        base = [when, entry.who, entry.kind.value, entry.case_ref, entry.subject]
        changes = entry.changes or (Change("", "", "", ""),)
        for c in changes:
            yield [str(neutralise(cell)) for cell in [*base, c.name, c.before, c.after]]
