"""An inspection (or internal audit), its team and its lifecycle."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .framework import FrameworkVersion


class Mode(models.TextChoices):
    INSPECTION = "inspection", "Inspection"
    INTERNAL_AUDIT = "internal_audit", "Internal audit"


class State(models.TextChoices):
    PLANNING = "planning", "Planning"
    FIELDWORK = "fieldwork", "Fieldwork"
    MODERATION = "moderation", "Moderation"
    DRAFTING = "drafting", "Drafting"
    FACTUAL_ACCURACY = "factual_accuracy", "Factual-accuracy check"
    PUBLISHED = "published", "Published"


STATE_ORDER = [s.value for s in State]


class Role(models.TextChoices):
    LEAD = "lead", "Lead inspector"
    INSPECTOR = "inspector", "Inspector"
    MODERATOR = "moderator", "Moderator"
    SERVICE_VIEWER = "service_viewer", "Service viewer"


class Inspection(models.Model):
    service_name = models.CharField(max_length=200)
    framework = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT)
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.INSPECTION)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PLANNING)
    fieldwork_start = models.DateField()
    fieldwork_end = models.DateField(null=True, blank=True)
    window_start = models.DateField(null=True, blank=True, help_text="First eligible case date")
    window_end = models.DateField(null=True, blank=True, help_text="Last eligible case date")
    released_to_service = models.BooleanField(
        default=False, help_text="Service viewers may see the ratings page"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-fieldwork_start", "service_name"]

    def __str__(self) -> str:
        return f"{self.service_name} ({self.fieldwork_start:%B %Y})"

    @property
    def is_read_only(self) -> bool:
        return self.state == State.PUBLISHED

    def next_state(self) -> str | None:
        i = STATE_ORDER.index(self.state)
        return STATE_ORDER[i + 1] if i + 1 < len(STATE_ORDER) else None

    def previous_state(self) -> str | None:
        i = STATE_ORDER.index(self.state)
        return STATE_ORDER[i - 1] if i > 0 and self.state != State.PUBLISHED else None


class Membership(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspection", "user"], name="one_role_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()}"


class StateTransition(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
