"""The plan's history: every change to the plan, its items and actions, newest first.

Read from django-simple-history's tables. A page is gathered without loading everything:
each table is cut to the rows the page could need (its end index), the candidates are merged
by time and only the page's rows are described (each compared with its previous record).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yjinspect.web.inspections.services.merged_history import MergedHistory

from ..models import Action, ImprovementPlan, PlanItem, status_label

PAGE_SIZE = 25

FIELD_LABELS = {
    "owner": gettext_lazy("Owner"),
    "status": gettext_lazy("Status"),
    "text": gettext_lazy("Recommendation"),
    "addressed_to": gettext_lazy("Addressed to"),
    "description": gettext_lazy("Action"),
    "due_date": gettext_lazy("Due date"),
    "progress_note": gettext_lazy("Evidence of progress"),
    "completed_on": gettext_lazy("Completed on"),
}
_SHOWN = frozenset(FIELD_LABELS)


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    when: dt.datetime
    who: str
    what: str
    changes: tuple[Change, ...]


def _show(field: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if field == "status":
        return status_label(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _querysets(plan: ImprovementPlan) -> list[tuple[type[Model], QuerySet[Any]]]:
    tables: list[tuple[type[Model], QuerySet[Any]]] = [
        (ImprovementPlan, ImprovementPlan.history.filter(id=plan.pk)),
        (PlanItem, PlanItem.history.filter(plan_id=plan.pk)),
        (Action, Action.history.filter(item__plan_id=plan.pk)),
    ]
    return [
        (model, qs.select_related("history_user").order_by("-history_date", "-history_id"))
        for model, qs in tables
    ]


class PlanHistory(MergedHistory[type[Model], Entry]):
    """The timeline as a lazy sequence that Django's Paginator can page (the paging is
    `MergedHistory`'s); this class picks the plan's tables and builds the entries."""

    def __init__(self, plan: ImprovementPlan) -> None:
        super().__init__(_querysets(plan))
        self.numbers = {
            item_id: n
            for n, item_id in enumerate(
                PlanItem.objects.filter(plan=plan)
                .order_by("order", "pk")
                .values_list("pk", flat=True),
                start=1,
            )
        }

    def build(self, rows: list[tuple[type[Model], Any]]) -> list[Entry]:
        return [self._entry(model, row) for model, row in rows]

    def _subject(self, model: type[Model], row: Any) -> str:
        if model is ImprovementPlan:
            return _("The plan")
        if model is PlanItem:
            return _("Item %(n)s") % {"n": self.numbers.get(row.id, "?")}
        return _("Action '%(what)s' on item %(n)s") % {
            "what": row.description[:60],
            "n": self.numbers.get(row.item_id, "?"),
        }

    def _entry(self, model: type[Model], row: Any) -> Entry:
        subject = self._subject(model, row)
        who = row.history_user.username if row.history_user else ""
        if row.history_type == "+":
            shown = [f for f in FIELD_LABELS if hasattr(row, f) and _show(f, getattr(row, f))]
            changes = tuple(
                Change(str(FIELD_LABELS[f]), "", _show(f, getattr(row, f))) for f in shown
            )
            return Entry(row.history_date, who, _("%(s)s created") % {"s": subject}, changes)
        if row.history_type == "-":
            return Entry(row.history_date, who, _("%(s)s deleted") % {"s": subject}, ())
        prev = row.prev_record
        changes = ()
        if prev is not None:
            delta = row.diff_against(prev)
            changes = tuple(
                Change(str(FIELD_LABELS[c.field]), _show(c.field, c.old), _show(c.field, c.new))
                for c in delta.changes
                if c.field in _SHOWN
            )
        return Entry(row.history_date, who, _("%(s)s changed") % {"s": subject}, changes)
