"""Case assessments: one inspector's answers to the key questions for one sampled case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .cases import Case
from .versioned import Versioned


class AssessmentKind(models.TextChoices):
    PRIMARY = "primary", _("Assessment")
    MODERATION = "moderation", _("Moderation (second assessment)")


class AssessmentState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    AGREED = "agreed", _("Agreed")


class AnswerValue(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NA = "na", _("Not applicable")


class Assessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(
        max_length=20, choices=AssessmentKind.choices, default=AssessmentKind.PRIMARY
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    state = models.CharField(
        max_length=20, choices=AssessmentState.choices, default=AssessmentState.IN_PROGRESS
    )
    returned_reason = models.TextField(blank=True)
    practice_example = models.BooleanField(default=False)
    practice_example_note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="one_assessment_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.case} ({self.get_kind_display()})"


class Answer(Versioned):
    """One key-question answer. `version` guards against two people silently overwriting."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    key_question = models.CharField(max_length=60)
    value = models.CharField(max_length=3, choices=AnswerValue.choices)
    na_reason = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    resolution_note = models.TextField(
        blank=True, help_text="Set when moderation settled a disagreement"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "key_question"], name="one_answer_per_question"
            )
        ]
        indexes = [models.Index(fields=["key_question"])]
