"""Making a plan from the recommendations, saving items and actions, and its progress figures.

Saves compare the version the form was loaded at with the stored one under a row lock: a
mismatch raises `StaleVersion` carrying the stored row, so the view can show both versions
and nothing is overwritten unseen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from yjinspect.web.inspections.models import Case, Inspection, Recommendation

from ..access import may_start
from ..models import Action, ImprovementPlan, PlanItem, Status, overdue_q


class PlanNotStartable(ValueError):
    """The inspection is not yet at the factual-accuracy check or published."""


class StaleVersion(Exception):
    """Someone saved the row after this form was loaded; `current` is what is stored now."""

    def __init__(self, current: PlanItem | Action) -> None:
        super().__init__("stale version")
        self.current = current


@dataclass(frozen=True)
class Created:
    plan: ImprovementPlan
    added: int  # plan items made by this call (0 when nothing was new)
    new_plan: bool


def create_plan(inspection: Inspection, user: User) -> Created:
    """The plan with one item per recommendation; a second call adds only new ones.

    Idempotent under concurrency too: the inspection row is locked while items are added, and
    a unique constraint stops a recommendation becoming two items.
    """
    if not may_start(inspection):
        raise PlanNotStartable(
            _(
                "The improvement plan can be started once the inspection reaches the "
                "factual-accuracy check or is published."
            )
        )
    with transaction.atomic():
        Inspection.objects.select_for_update().filter(pk=inspection.pk).first()
        plan = ImprovementPlan.objects.filter(inspection=inspection).first()
        new_plan = plan is None
        if plan is None:
            plan = ImprovementPlan(inspection=inspection, created_by=user)
            plan.save()
        have = set(
            PlanItem.objects.filter(plan=plan, recommendation__isnull=False).values_list(
                "recommendation_id", flat=True
            )
        )
        start = PlanItem.objects.filter(plan=plan).count()
        added = 0
        for rec in Recommendation.objects.filter(inspection=inspection).order_by("order", "pk"):
            if rec.pk in have:
                continue
            PlanItem(
                plan=plan,
                recommendation=rec,
                addressed_to=rec.addressed_to,
                text=rec.text_en,
                addressed_to_cy=rec.addressed_to_cy,
                text_cy=rec.text_cy,
                order=start + added,
                updated_by=user,
            ).save()  # one by one, so each item has its 'created' history row
            added += 1
    return Created(plan, added, new_plan)


def plan_of(inspection: Inspection) -> ImprovementPlan | None:
    return ImprovementPlan.objects.filter(inspection=inspection).first()


# ---------------------------------------------------------------- case references


_TOKEN = re.compile(r"[^\s,;:()\[\]{}\"'!?]+")


def case_refs_in(inspection: Inspection, texts: Iterable[str]) -> list[str]:
    """Case references of this inspection that appear as words in the texts.

    The plan goes to the management board and beyond, so it must not identify a child; the
    inspection's own case references are the identifiers we can recognise.
    """
    words: set[str] = set()
    for text in texts:
        words.update(w.rstrip(".") for w in _TOKEN.findall(text or ""))
    if not words:
        return []
    found = Case.objects.filter(inspection=inspection, case_ref__in=words)
    return sorted(set(found.values_list("case_ref", flat=True)))


def redact_case_refs(text: str, refs: Iterable[str]) -> str:
    """The text with each given case reference replaced (for exports of copied words)."""
    for ref in sorted(refs, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(ref)}(?![\w-])", _("[case reference removed]"), text)
    return text


# ---------------------------------------------------------------- saving


def _locked(model: type[PlanItem] | type[Action], pk: int) -> Any:
    return model.objects.select_for_update().get(pk=pk)


def save_item(item: PlanItem, seen_version: int, data: Mapping[str, Any], user: User) -> PlanItem:
    """Apply owner and status to the item, unless it changed since `seen_version`."""
    with transaction.atomic():
        current: PlanItem = _locked(PlanItem, item.pk)
        if current.version != seen_version:
            raise StaleVersion(current)
        current.owner = data["owner"]
        current.status = data["status"]
        current.version += 1
        current.updated_by = user
        current.save()  # .save(): history records who and when
    return current


def _completed_on(data: Mapping[str, Any], today: dt.date) -> dt.date | None:
    """A done action keeps the date given, or today; an action not done has none."""
    if data["status"] != Status.DONE:
        return None
    completed: dt.date | None = data.get("completed_on")
    return completed or today


def add_action(item: PlanItem, data: Mapping[str, Any], user: User, today: dt.date) -> Action:
    action = Action(
        item=item,
        description=data["description"],
        owner=data["owner"],
        due_date=data["due_date"],
        status=data["status"],
        progress_note=data.get("progress_note", ""),
        completed_on=_completed_on(data, today),
        updated_by=user,
    )
    action.save()
    return action


def save_action(
    action: Action, seen_version: int, data: Mapping[str, Any], user: User, today: dt.date
) -> Action:
    """Apply the form's values to the action, unless it changed since `seen_version`."""
    with transaction.atomic():
        current: Action = _locked(Action, action.pk)
        if current.version != seen_version:
            raise StaleVersion(current)
        current.description = data["description"]
        current.owner = data["owner"]
        current.due_date = data["due_date"]
        current.status = data["status"]
        current.progress_note = data.get("progress_note", "")
        current.completed_on = _completed_on(data, today)
        current.version += 1
        current.updated_by = user
        current.save()
    return current


# ---------------------------------------------------------------- progress


def items_with_actions(plan: ImprovementPlan) -> QuerySet[PlanItem]:
    """The plan's items, each with its actions, in two queries."""
    return (
        PlanItem.objects.filter(plan=plan)
        .select_related("updated_by")
        .prefetch_related(Prefetch("actions", queryset=Action.objects.order_by("due_date", "pk")))
        .order_by("order", "pk")
    )


def filtered_items(plan: ImprovementPlan, show: str, today: dt.date) -> QuerySet[PlanItem]:
    """Items for the list: all, only those with an overdue action, or those of one status."""
    items = items_with_actions(plan)
    if show == "overdue":
        overdue_items = Action.objects.filter(overdue_q(today), item__plan=plan).values("item_id")
        return items.filter(pk__in=overdue_items)
    if show in Status.values:
        return items.filter(status=show)
    return items


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    items: int
    actions: int


@dataclass(frozen=True)
class Progress:
    counts: tuple[StatusCount, ...]
    total_items: int
    total_actions: int
    overdue: tuple[Action, ...]


def progress(plan: ImprovementPlan, today: dt.date) -> Progress:
    """Counts of items and actions by status, and every overdue action (oldest due first)."""
    item_counts = dict(
        PlanItem.objects.filter(plan=plan).values_list("status").annotate(n=Count("id")).order_by()
    )
    action_counts = dict(
        Action.objects.filter(item__plan=plan)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = tuple(
        StatusCount(
            s.value, str(s.label), item_counts.get(s.value, 0), action_counts.get(s.value, 0)
        )
        for s in Status
    )
    overdue = tuple(
        Action.objects.filter(overdue_q(today), item__plan=plan)
        .select_related("item")
        .order_by("due_date", "pk")
    )
    return Progress(
        counts,
        sum(item_counts.values()),
        sum(action_counts.values()),
        overdue,
    )
