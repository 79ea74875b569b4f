"""The professional-discretion form: the framework's own policy decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yjinspect.core.ratings import Discretion as CoreDiscretion
from yjinspect.core.ratings import discretion_problem
from yjinspect.frameworks import Framework
from yjinspect.frameworks.schema import Rating, Standard

from .base import GovForm


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
    reason = forms.CharField(
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
            (r.id, r.label) for r in reversed(framework.ratings)
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
