"""How long each free text may be, in characters: the one place the limits are written.

The forms use them (`forms.base.LimitedText`), so do the two services that take a text
outside a form (returning an assessment, resolving a disagreement), and the archive's restore
applies the same rules to every row it reads (`FIELD_LIMITS`, `too_long`).

Why limits: everything here is stored, exported, and much of it is printed in the report,
whose PDF is made inside a web request. A 3 MB foreword once took WeasyPrint 35 s, most of
the worker's 60 s. Each limit is sized for what the text is for, with room to spare, and the
report with every text at its limit renders in about 12 s (docs/RELIABILITY.md). The number
of recommendations is limited for the same reason. Model fields stay as they were (a limit
can change without a migration); the limits below are never above a model field's own.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

# ---- the report's own words (printed in the PDF) ----
REPORT_TEXT = 20_000  # foreword, background, a standard's narrative: about 3,000 words
RECOMMENDATION = 2_000  # one recommendation: about 300 words
ADDRESSED_TO = 200  # who should act on it (the model's own limit)
RECOMMENDATIONS_PER_REPORT = 30  # a published report has about 5 to 15
JUDGEMENT_POINTS = 5_000  # strengths, or areas for improvement: a few bullet points
JUDGEMENT_RATIONALE = 10_000  # why the rating: not printed, but read by moderation
PRACTICE_EXAMPLE = (
    2_000  # one case's good practice (about 300 words), printed under its kind of case
)

# ---- case work ----
EVIDENCE_NOTES = 20_000  # an inspector's notes on one key question
NA_REASON = 2_000  # why a key question does not apply to the case
REASON = 3_000  # a reason or note: discretion, a word's override, returning an assessment,
# settling a disagreement, replacing a case, a change of the inspection's state

# ---- the inspection ----
SERVICE_NAME = 200  # the model's own limit

# ---- organisational evidence ----
EVIDENCE_TITLE = 200  # the model's own limit
ATTENDEES = 1_000  # roles, not names
EVIDENCE_ITEM_NOTES = 10_000

# ---- the improvement plan ----
ACTION = 2_000
PROGRESS_NOTE = 4_000
OWNER = 200  # the model's own limit

# Every limited text field by model (`Model._meta.label_lower`) and field name, for code that
# stores rows without a form (the archive's restore).
FIELD_LIMITS: Mapping[str, Mapping[str, int]] = {
    "inspections.answer": {
        "evidence": EVIDENCE_NOTES,
        "na_reason": NA_REASON,
        "resolution_note": REASON,
    },
    "inspections.assessment": {
        "returned_reason": REASON,
        "practice_example_note": PRACTICE_EXAMPLE,
    },
    "inspections.judgement": {
        "rationale": JUDGEMENT_RATIONALE,
        "strengths": JUDGEMENT_POINTS,
        "areas_for_improvement": JUDGEMENT_POINTS,
    },
    "inspections.discretion": {"reason": REASON},
    "inspections.evidenceitem": {
        "title": EVIDENCE_TITLE,
        "attendees": ATTENDEES,
        "notes": EVIDENCE_ITEM_NOTES,
    },
    "inspections.reporttext": {"text_en": REPORT_TEXT, "text_cy": REPORT_TEXT},
    "inspections.recommendation": {
        "addressed_to": ADDRESSED_TO,
        "addressed_to_cy": ADDRESSED_TO,
        "text_en": RECOMMENDATION,
        "text_cy": RECOMMENDATION,
    },
    "inspections.replacement": {"reason": REASON},
    "inspections.case": {"excluded_reason": REASON},
    "inspections.statetransition": {"note": REASON},
    "inspections.inspection": {"service_name": SERVICE_NAME},
    "improvement.planitem": {
        "addressed_to": ADDRESSED_TO,
        "addressed_to_cy": ADDRESSED_TO,
        "text": RECOMMENDATION,
        "text_cy": RECOMMENDATION,
        "owner": OWNER,
    },
    "improvement.action": {
        "description": ACTION,
        "owner": OWNER,
        "progress_note": PROGRESS_NOTE,
    },
}


def too_long(model_label: str, row: Mapping[str, object]) -> list[tuple[str, int]]:
    """(field, limit) for each text in `row` (a model's field values) longer than the forms
    allow: what a restore must refuse, naming the field and the limit."""
    limits = FIELD_LIMITS.get(model_label, {})
    return [
        (name, limit)
        for name, limit in limits.items()
        if isinstance(value := row.get(name), str) and len(value) > limit
    ]


def too_long_message(name: str, limit: int, length: int) -> str:
    """'The reason must be 3,000 characters or fewer. It has 3,412.': the field and its limit
    named, with how far over it is, so the person knows how much to cut."""
    return _("%(field)s must be %(limit)s characters or fewer. It has %(length)s.") % {
        "field": name,
        "limit": f"{limit:,}",
        "length": f"{length:,}",
    }
