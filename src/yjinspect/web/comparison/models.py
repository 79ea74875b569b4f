"""Published results, stored from a checked CSV (core/published.py) in one all-or-nothing upload.

Each upload is kept as a record of who added which figures from which file, so a wrong file can
be found and withdrawn as a whole (site admin); every row keeps django-simple-history history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Kind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    INTERNAL_AUDIT = "internal_audit", _("Internal audit")


class ItemKind(models.TextChoices):
    OVERALL = "overall", _("Overall")
    STANDARD = "standard", _("Standard")
    KEY_QUESTION = "key_question", _("Key question")
    AREA = "area", _("Area or theme")
    QUESTION = "question", _("Question")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")


class PublishedUpload(models.Model):
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.row_count} figures)"


class PublishedResult(models.Model):
    upload = models.ForeignKey(PublishedUpload, on_delete=models.CASCADE, related_name="results")
    row_number = models.PositiveIntegerField()
    service = models.CharField(max_length=200)
    service_key = models.CharField(max_length=200, db_index=True)
    framework_id = models.CharField(max_length=64)
    framework_version = models.PositiveIntegerField()
    published_on = models.DateField()
    date_precision = models.CharField(max_length=5, choices=DatePrecision.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    item_kind = models.CharField(max_length=20, choices=ItemKind.choices)
    item_id = models.CharField(max_length=64)
    rating = models.CharField(max_length=100, blank=True)
    rating_id = models.CharField(max_length=64, blank=True)
    percent = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    source = models.TextField()
    fictitious = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service_key", "framework_id", "published_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "service_key",
                    "framework_id",
                    "published_on",
                    "kind",
                    "item_kind",
                    "item_id",
                ],
                name="one_published_figure_per_item",
            )
        ]
        indexes = [models.Index(fields=["framework_id", "item_kind", "item_id"])]

    def __str__(self) -> str:
        return f"{self.service} {self.framework_id} {self.published_on} {self.item_id}"
