"""An inspection (or internal audit), its team and its lifecycle."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .framework import FrameworkVersion


class Mode(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    INTERNAL_AUDIT = "internal_audit", _("Internal audit")


class State(models.TextChoices):
    PLANNING = "planning", _("Planning")
    FIELDWORK = "fieldwork", _("Fieldwork")
    MODERATION = "moderation", _("Moderation")
    DRAFTING = "drafting", _("Drafting")
    FACTUAL_ACCURACY = "factual_accuracy", _("Factual-accuracy check")
    PUBLISHED = "published", _("Published")


STATE_ORDER = [s.value for s in State]


class Role(models.TextChoices):
    LEAD = "lead", _("Lead inspector")
    INSPECTOR = "inspector", _("Inspector")
    MODERATOR = "moderator", _("Moderator")
    SERVICE_VIEWER = "service_viewer", _("Service viewer")


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
    # Earlier programmes only (FJI sixth theme): the optional area ids this inspection covers.
    # None means not said, and the engine counts an optional area once one of its questions is
    # answered; a list (even empty) is the lead's choice and other optional areas are refused.
    optional_areas = models.JSONField(
        null=True,
        blank=True,
        default=None,
        help_text="Optional area ids chosen for this inspection (earlier programmes)",
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

    @property
    def chosen_optional_areas(self) -> set[str] | None:
        """The chosen optional areas as the engine takes them (None: not said)."""
        return None if self.optional_areas is None else {str(a) for a in self.optional_areas}

    @property
    def offers_optional_areas(self) -> bool:
        """Whether the framework has optional areas to choose (the FJI sixth theme)."""
        return any(a.optional for a in self.framework.framework.areas)

    @property
    def optional_areas_left_out(self) -> set[str]:
        """Optional areas the lead did not choose: their questions are not asked (empty when
        nothing was said, so every optional area stays open to answers)."""
        chosen = self.chosen_optional_areas
        if chosen is None:
            return set()
        framework = self.framework.framework
        return {a.id for a in framework.areas if a.optional and a.id not in chosen}

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
