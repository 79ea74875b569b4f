"""The service's case list, the sample drawn from it, and who inspects which case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .inspection import Inspection


class CaseListImport(models.Model):
    """One committed case-list file (the file itself is not kept: it may hold more than we need)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255)
    rows = models.PositiveIntegerField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)


class Case(models.Model):
    """A case on the service's list: a pseudonymous reference and the facts sampling needs."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="cases")
    case_ref = models.CharField(max_length=64)
    domain = models.CharField(max_length=20)
    disposal_type = models.CharField(max_length=60)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    case_manager = models.CharField(max_length=100)
    risk_of_harm = models.CharField(max_length=20)
    safety_wellbeing = models.CharField(max_length=20)
    sex = models.CharField(max_length=20, blank=True)
    ethnicity_group = models.CharField(max_length=30, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    looked_after = models.BooleanField(null=True)
    custody = models.BooleanField(null=True)
    imported_by = models.ForeignKey(
        CaseListImport, on_delete=models.SET_NULL, null=True, related_name="cases"
    )
    # Sampling and allocation
    in_sample = models.BooleanField(default=False)
    sample_order = models.PositiveIntegerField(null=True, blank=True)
    stratum = models.CharField(max_length=200, blank=True)
    excluded_reason = models.TextField(blank=True)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="allocated_cases",
    )
    case_manager_interviewed = models.BooleanField(null=True, blank=True)
    interview_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspection", "case_ref"], name="unique_case_ref")
        ]
        indexes = [models.Index(fields=["inspection", "in_sample", "domain"])]
        ordering = ["case_ref"]

    def __str__(self) -> str:
        return self.case_ref


class SampleDraw(models.Model):
    """A recorded draw: the seed and the figures, so anyone can redraw and get the same sample."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="draws")
    seed = models.BigIntegerField()
    summary = models.JSONField(default=dict)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]


class Replacement(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="replacements"
    )
    removed = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    added = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
