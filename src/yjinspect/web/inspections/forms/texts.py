"""Forms for the report's edited words: one text (English and Welsh) and a recommendation.

Both carry the `version` they were loaded at, so a save over someone else's newer change is
caught and shown, never silently applied.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yjinspect.reports.markup import note_problems

from .. import text_limits as limits
from .base import GovForm, LimitedText

MARKUP_HINT = gettext_lazy(
    "Leave a blank line between paragraphs. Start a line with a hyphen and a space ('- ') "
    "to make a bullet point. For a footnote, type its words in square brackets after a caret "
    "straight after the word it explains, like this: Outcome 22[^a way to defer a "
    "prosecution]. The report numbers it and puts it at the foot of the page. The report is "
    "published: never write a child's real name or case reference."
)


def check_notes(form: forms.Form, data: dict[str, Any], *names: str) -> None:
    """Refuse a footnote that is never closed or has no words, naming the field: the report
    would otherwise print the brackets as they were typed."""
    for name in names:
        for problem in note_problems(str(data.get(name) or "")):
            form.add_error(name, problem)


class ReportTextForm(GovForm):
    text_en = LimitedText(
        limit=limits.REPORT_TEXT,
        called=gettext_lazy("The English text"),
        label=gettext_lazy("English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=MARKUP_HINT,
    )
    text_cy = LimitedText(
        limit=limits.REPORT_TEXT,
        called=gettext_lazy("The Welsh text"),
        label=gettext_lazy("Welsh (Cymraeg)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "lang": "cy"}),
        help_text=gettext_lazy(
            "Needed when the report is published in Welsh. While it is empty, the Welsh report "
            "shows the English text."
        ),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.submit_label = _("Save text")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("text_cy") and not data.get("text_en"):
            self.add_error(
                "text_en",
                _("Write the English text too: the English report cannot show only Welsh"),
            )
        check_notes(self, data, "text_en", "text_cy")
        return data


class RecommendationForm(GovForm):
    addressed_to = LimitedText(
        limit=limits.ADDRESSED_TO,
        called=gettext_lazy("The body or role that should act"),
        label=gettext_lazy("Who should act on it"),
        help_text=gettext_lazy(
            "The body or role, for example 'the management board' or 'Demoshire YJS'. "
            "Recommendations to the same body are listed together."
        ),
        error_messages={"required": gettext_lazy("Say who should act on the recommendation")},
    )
    addressed_to_cy = LimitedText(
        limit=limits.ADDRESSED_TO,
        called=gettext_lazy("The body or role that should act, in Welsh"),
        label=gettext_lazy("Who should act on it, in Welsh (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"lang": "cy"}),
    )
    text_en = LimitedText(
        limit=limits.RECOMMENDATION,
        called=gettext_lazy("The recommendation"),
        label=gettext_lazy("Recommendation"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "What they should do, starting with a verb in lower case, for example 'review "
            "how...'. It follows the words '... should:' in the report. A footnote goes in "
            "square brackets after a caret: [^what the term means]."
        ),
        error_messages={"required": gettext_lazy("Write the recommendation")},
    )
    text_cy = LimitedText(
        limit=limits.RECOMMENDATION,
        called=gettext_lazy("The recommendation in Welsh"),
        label=gettext_lazy("Recommendation in Welsh (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "lang": "cy"}),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, existing: int | None = None, **kwargs: Any) -> None:
        """`existing`: how many recommendations the report has, when this one would be added."""
        self.submit_label = _("Save recommendation")
        self.existing = existing
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.existing is not None and self.existing >= limits.RECOMMENDATIONS_PER_REPORT:
            raise forms.ValidationError(
                _(
                    "The report already has %(n)s recommendations, the most it can have. "
                    "Combine or remove some before adding another."
                )
                % {"n": limits.RECOMMENDATIONS_PER_REPORT}
            )
        check_notes(self, data, "text_en", "text_cy")
        return data
