"""Forms for the report's edited words: one text (English and Welsh) and a recommendation.

Both carry the `version` they were loaded at, so a save over someone else's newer change is
caught and shown, never silently applied.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import GovForm

MARKUP_HINT = gettext_lazy(
    "Leave a blank line between paragraphs. Start a line with a hyphen and a space ('- ') "
    "to make a bullet point. The report is published: never write a child's real name or "
    "case reference."
)


class ReportTextForm(GovForm):
    text_en = forms.CharField(
        label=gettext_lazy("English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=MARKUP_HINT,
    )
    text_cy = forms.CharField(
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
        return data


class RecommendationForm(GovForm):
    addressed_to = forms.CharField(
        label=gettext_lazy("Who should act on it"),
        max_length=200,
        help_text=gettext_lazy(
            "The body or role, for example 'the management board' or 'Demoshire YJS'. "
            "Recommendations to the same body are listed together."
        ),
        error_messages={"required": gettext_lazy("Say who should act on the recommendation")},
    )
    addressed_to_cy = forms.CharField(
        label=gettext_lazy("Who should act on it, in Welsh (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"lang": "cy"}),
    )
    text_en = forms.CharField(
        label=gettext_lazy("Recommendation"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "What they should do, starting with a verb in lower case, for example 'review "
            "how...'. It follows the words '... should:' in the report."
        ),
        error_messages={"required": gettext_lazy("Write the recommendation")},
    )
    text_cy = forms.CharField(
        label=gettext_lazy("Recommendation in Welsh (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "lang": "cy"}),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.submit_label = _("Save recommendation")
        super().__init__(*args, **kwargs)
