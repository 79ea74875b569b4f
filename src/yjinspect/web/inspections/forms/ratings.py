"""The professional-discretion form: the framework's own policy decides what is allowed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yjinspect.core.ratings import Discretion as CoreDiscretion
from yjinspect.core.ratings import discretion_problem
from yjinspect.frameworks import Framework
from yjinspect.frameworks.schema import Rating, Standard

from .. import text_limits as limits
from ..language import framework_wording
from .base import GovForm, LimitedText


class DiscretionForm(GovForm):
    """Record professional discretion on a case-rated standard.

    Checked with `discretion_problem` against the rating computed now, so the form refuses
    exactly what the engine would refuse to apply (more than one band, the same rating, no
    reason...), with the engine's own words.
    """

    rating = forms.ChoiceField(
        label=gettext_lazy("Rating after professional discretion"),
        choices=(),
        widget=forms.RadioSelect,
    )
    reason = LimitedText(
        limit=limits.REASON,
        called=gettext_lazy("The reason"),
        label=gettext_lazy("Reason"),
        required=False,  # the engine's policy says whether a reason is needed, and says why
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "Why the case figures alone do not give the right rating. This is shown with the "
            "rating wherever it appears."
        ),
    )

    def __init__(
        self,
        *args: Any,
        framework: Framework,
        standard: Standard,
        computed: Rating | None,
        decided_by: str = "",
        **kwargs: Any,
    ) -> None:
        self.submit_label = _("Save professional discretion")
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.standard = standard
        self.computed = computed
        self.decided_by = decided_by
        self.fields["rating"].choices = [  # type: ignore[attr-defined]
            (r.id, framework_wording(r.label)) for r in reversed(framework.ratings)
        ]

    def clean_reason(self) -> str:
        return str(self.cleaned_data.get("reason") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rating = data.get("rating")
        if not rating:
            return data
        reason = str(data.get("reason") or "")
        proposed = CoreDiscretion(self.standard.id, str(rating), reason, self.decided_by)
        problem = discretion_problem(self.framework, self.standard, self.computed, proposed)
        if problem:
            missing_reason = self.framework.discretion.reason_required and not reason.strip()
            self.add_error("reason" if missing_reason else "rating", capfirst(problem))
        return data


class AreaWordForm(GovForm):
    """The inspectors' word for an area of an earlier programme (SQS, FJI, CCI).

    For an area scored from cases this is an override of the word its score gives; for a
    judged area (FJI governance) it is the judged word itself. `check` runs the engine with
    the proposed word and returns its refusal, if any, so the form refuses exactly what the
    engine would (the same word as the score's, a missing reason...), in the engine's words.
    """

    word = forms.ChoiceField(label=gettext_lazy("Word"), choices=(), widget=forms.RadioSelect)
    reason = LimitedText(
        limit=limits.REASON,
        called=gettext_lazy("The reason"),
        label=gettext_lazy("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "Why this word, and not the one the figures give. It is shown beside the word on "
            "the ratings page and kept in the history."
        ),
    )

    def __init__(
        self, *args: Any, words: list[str], check: Callable[[str, str], str | None], **kwargs: Any
    ) -> None:
        self.submit_label = _("Save the word")
        super().__init__(*args, **kwargs)
        self.check = check
        self.fields["word"].choices = [(w, framework_wording(w)) for w in words]  # type: ignore[attr-defined]

    def clean_reason(self) -> str:
        return str(self.cleaned_data.get("reason") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        word = data.get("word")
        if not word:
            return data
        reason = str(data.get("reason") or "")
        if not reason:
            self.add_error("reason", _("Give the reason for this word"))
            return data
        problem = self.check(str(word), reason)
        if problem:
            self.add_error("word", capfirst(problem))
        return data
