"""Outcome indicators computed for an inspection from the service's own records.

One `IndicatorRun` per upload: what went in (file names, SHA-256 digests, row count, the
10-17 population, the period, the cohort, the counting rules, the national comparators), who
ran it and when. Its `StoredIndicator` rows are the five results exactly as the core computed
them (exact fraction, numerator, denominator, rule sentence, notes, comparison), so a figure
shown months later is the figure computed then, even if the core's rules change. Runs are never
edited in place: a new upload is a new run, and the latest run is the one shown. Both models
keep history rows so a deletion (e.g. by an administrator) is still traceable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yjinspect.web.inspections.models import Inspection

INDICATOR_KEYS = (
    ("fte", _("First-time entrants")),
    ("custody", _("Use of custody")),
    ("reoffending", _("Binary proven reoffending rate")),
    ("frequency_per_reoffender", _("Reoffences per reoffender")),
    ("frequency_per_offender", _("Reoffences per offender")),
)
VERDICTS = (("better", _("Better")), ("worse", _("Worse")), ("same", _("The same")))


class IndicatorRun(models.Model):
    """One computation of the indicators for an inspection, with everything that went in."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="indicator_runs"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    cohort_start = models.DateField()
    cohort_end = models.DateField()
    follow_up_months = models.PositiveSmallIntegerField()
    waiting_months = models.PositiveSmallIntegerField()
    cases_filename = models.CharField(max_length=255)
    cases_sha256 = models.CharField(max_length=64)
    case_rows = models.PositiveIntegerField()
    population_filename = models.CharField(max_length=255)
    population_sha256 = models.CharField(max_length=64)
    population = models.PositiveIntegerField(help_text=_("Children aged 10 to 17"))
    comparator_source = models.CharField(max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"indicators {self.period_start}..{self.period_end} ({self.inspection_id})"


class StoredIndicator(models.Model):
    """One computed indicator of a run, stored exactly (value as a fraction, not a float)."""

    run = models.ForeignKey(IndicatorRun, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=32, choices=INDICATOR_KEYS)
    name = models.CharField(max_length=100)
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()
    value_numerator = models.BigIntegerField(null=True, blank=True)
    value_denominator = models.BigIntegerField(null=True, blank=True)
    places = models.PositiveSmallIntegerField()
    unit = models.CharField(max_length=64)
    rule = models.TextField()
    notes = models.JSONField(default=list, blank=True)
    national = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    difference = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    verdict = models.CharField(max_length=8, choices=VERDICTS, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="outcomes_one_result_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.numerator}/{self.denominator}"
