"""Organisational evidence and the rating decisions that are not arithmetic."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .inspection import Inspection


class Judgement(models.Model):
    """The inspectors' rating of an evidence-rated standard (1.1–1.4, 3.4, 4.1)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="judgements")
    standard_id = models.CharField(max_length=20)
    rating = models.CharField(max_length=40, blank=True, help_text="Blank means 'Not rated'")
    rationale = models.TextField()
    strengths = models.TextField(blank=True, help_text="One per line")
    areas_for_improvement = models.TextField(blank=True, help_text="One per line")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "standard_id"], name="one_judgement_per_standard"
            )
        ]


class Discretion(models.Model):
    """A professional-discretion override of a case-rated standard, with its reason."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="discretions")
    standard_id = models.CharField(max_length=20)
    rating = models.CharField(max_length=40)
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "standard_id"], name="one_discretion_per_standard"
            )
        ]


class EvidenceKind(models.TextChoices):
    MEETING = "meeting", _("Meeting or focus group")
    DOCUMENT = "document", _("Document")
    INTERVIEW = "interview", _("Interview")


class EvidenceItem(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="evidence")
    standard_id = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    held_on = models.DateField(null=True, blank=True)
    attendees = models.TextField(blank=True, help_text="Roles, not names")
    notes = models.TextField(blank=True)
    upload = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    upload_name = models.CharField(max_length=255, blank=True)
    upload_size = models.PositiveIntegerField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["standard_id", "kind", "held_on", "pk"]
