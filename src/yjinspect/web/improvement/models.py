"""An inspection's improvement plan: one item per recommendation, actions under each item.

The plan belongs to the service after publication, so it stays editable when the inspection
itself has become read-only. Items and actions carry a `version` for optimistic conflict
detection (a save made against a stale version is refused, never silently applied), and every
model keeps django-simple-history rows so the board can see who changed what and when.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yjinspect.web.inspections.models import Inspection, Recommendation, Versioned


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked")


def status_label(value: object) -> str:
    """The status's words for a stored value; the value itself when it is not a status."""
    labels = {str(v): str(label) for v, label in Status.choices}
    return labels.get(str(value), str(value))


class ImprovementPlan(models.Model):
    """The plan of one inspection; created from its recommendations by the lead inspector."""

    inspection = models.OneToOneField(
        Inspection, on_delete=models.CASCADE, related_name="improvement_plan"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Improvement plan: {self.inspection}"


class PlanItem(Versioned):
    """One recommendation as the service carries it out.

    The recommendation's words and the body it is addressed to are copied when the item is
    made, so later edits to the report do not rewrite what the board agreed to act on.
    """

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="items")
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_items",
    )
    addressed_to = models.CharField(max_length=200)
    text = models.TextField()
    # The Welsh words as the report had them (blank when the report had none): a service in
    # Wales reports to its board in both languages.
    addressed_to_cy = models.CharField(max_length=200, blank=True)
    text_cy = models.TextField(blank=True)
    owner = models.CharField(max_length=200, blank=True, help_text="A role or team, not a name")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "recommendation"], name="one_item_per_recommendation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.addressed_to}: {self.text[:60]}"

    @property
    def shown_text(self) -> str:
        """The recommendation in the page's language: Welsh when asked for and copied."""
        return self.text_cy if _welsh() and self.text_cy else self.text

    @property
    def shown_addressed_to(self) -> str:
        return self.addressed_to_cy if _welsh() and self.addressed_to_cy else self.addressed_to


def _welsh() -> bool:
    return (get_language() or "").split("-")[0] == "cy"


class Action(Versioned):
    """A step towards an item, with its owner, due date, status and evidence of progress."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=200, help_text="A role or team, not a name")
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    progress_note = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.description[:60]

    def is_overdue(self, today: dt.date) -> bool:
        """Past its due date and not done: the board must see it at once."""
        return self.status != Status.DONE and self.due_date < today


def overdue_q(today: dt.date) -> models.Q:
    """The database form of `Action.is_overdue`, for filtering and counting."""
    return models.Q(due_date__lt=today) & ~models.Q(status=Status.DONE)
