"""The report's edited words: foreword, narrative passages and recommendations.

Each text has an English and a Welsh version (inspections in Wales publish both); the report
falls back to English, and says so, where the Welsh is missing. Plain text only: paragraphs
are separated by a blank line and lines starting with "- " are bullet points, so nothing a
person types can become markup in the HTML or the PDF.
"""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from .inspection import Inspection
from .versioned import Versioned


class ReportText(Versioned):
    """One edited passage of the report, found by its key.

    Keys: "foreword", "background", "involvement" (children and parents), "standard:<id>"
    for a standard's narrative, "area:<id>" for an area or theme of an earlier programme.
    """

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="report_texts"
    )
    key = models.CharField(max_length=60)
    text_en = models.TextField(blank=True)
    text_cy = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspection", "key"], name="one_text_per_key")
        ]
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.inspection}: {self.key}"


class Recommendation(Versioned):
    """A recommendation of the report, addressed to a named body (e.g. the YJS board)."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="recommendations"
    )
    addressed_to = models.CharField(max_length=200, help_text="The body or role it is for")
    addressed_to_cy = models.CharField(max_length=200, blank=True)
    text_en = models.TextField()
    text_cy = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.addressed_to}: {self.text_en[:60]}"
