"""Forms for drawing the sample, replacing a sampled case and allocating cases to inspectors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import text_limits as limits
from ..models import Case
from .base import GovForm, LimitedText

MAX_SEED = 2**63 - 1  # SampleDraw.seed is a BigIntegerField
SIZE_PREFIX = "size_"


@dataclass(frozen=True)
class DomainChoice:
    """A domain offered a size; `population` -1 means not worked out (no size check)."""

    domain: str
    label: str
    population: int
    formula: int


class DrawForm(GovForm):
    """The seed and, per domain, an optional sample size instead of the calculated one."""

    seed = forms.IntegerField(
        label=gettext_lazy("Seed"),
        min_value=0,
        max_value=MAX_SEED,
        help_text=gettext_lazy(
            "Any whole number. The same seed and case list always give the same sample, so "
            "keep it with the inspection's records."
        ),
        error_messages={"required": gettext_lazy("Enter a seed (a whole number)")},
    )

    def __init__(self, *args: Any, domains: Sequence[DomainChoice], **kwargs: Any) -> None:
        self.submit_label = _("Draw the sample")
        super().__init__(*args, **kwargs)
        self.domains = list(domains)
        for d in self.domains:
            hint = (
                _(
                    "Leave blank to use the calculated size, %(formula)s of %(population)s "
                    "eligible cases."
                )
                % {"formula": d.formula, "population": d.population}
                if d.population >= 0
                else ""
            )
            self.fields[SIZE_PREFIX + d.domain] = forms.IntegerField(
                label=_("Sample size for %(label)s (optional)") % {"label": d.label},
                required=False,
                min_value=0,
                help_text=hint,
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-5"}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for d in self.domains:
            size = data.get(SIZE_PREFIX + d.domain)
            if size is not None and 0 <= d.population < size:
                self.add_error(
                    SIZE_PREFIX + d.domain,
                    _("There are only %(population)s eligible %(label)s cases")
                    % {"population": d.population, "label": d.label},
                )
        return data

    def sizes(self) -> dict[str, int]:
        """Sizes set by hand, by domain."""
        return {
            d.domain: int(self.cleaned_data[SIZE_PREFIX + d.domain])
            for d in self.domains
            if self.cleaned_data.get(SIZE_PREFIX + d.domain) is not None
        }


class ReplaceForm(GovForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.submit_label = _("Replace case")
        super().__init__(*args, **kwargs)

    case_ref = forms.CharField(
        label=gettext_lazy("Case reference to replace"),
        max_length=64,
        error_messages={"required": gettext_lazy("Enter the reference of the sampled case")},
    )
    reason = LimitedText(
        limit=limits.REASON,
        called=gettext_lazy("The reason"),
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "For example 'transferred out of area' or 'record unavailable'. Do not write "
            "anyone's name."
        ),
        error_messages={"required": gettext_lazy("Give the reason for replacing this case")},
    )

    def clean_case_ref(self) -> str:
        return str(self.cleaned_data["case_ref"]).strip()

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for replacing this case"))
        return reason


INTERVIEWED_CHOICES = [
    ("", gettext_lazy("Not yet")),
    ("yes", gettext_lazy("Yes")),
    ("no", gettext_lazy("No")),
]


@dataclass
class AllocationRow:
    case: Case
    assessor: forms.BoundField
    interviewed: forms.BoundField
    interview_date: forms.BoundField

    @property
    def errors(self) -> list[str]:
        return [
            str(e) for f in (self.assessor, self.interviewed, self.interview_date) for e in f.errors
        ]


def _interviewed_value(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class AllocationForm(forms.Form):
    """One row per sampled case on the page: assessor, case manager interviewed, date.

    Assessor choices are only the inspection's leads and inspectors, so a posted id of
    anyone else fails validation on the server."""

    def __init__(
        self,
        *args: Any,
        cases: Sequence[Case],
        assessors: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cases = list(cases)
        choices = [("", _("Not allocated")), *[(str(pk), name) for pk, name in assessors]]
        for case in self.cases:
            self.fields[f"assessor_{case.pk}"] = forms.ChoiceField(
                label=_("Inspector for %(ref)s") % {"ref": case.case_ref},
                choices=choices,
                required=False,
                initial=str(case.assessor_id or ""),
                widget=forms.Select(attrs={"class": "govuk-select"}),
            )
            self.fields[f"interviewed_{case.pk}"] = forms.ChoiceField(
                label=_("Case manager interviewed for %(ref)s") % {"ref": case.case_ref},
                choices=INTERVIEWED_CHOICES,
                required=False,
                initial=_interviewed_value(case.case_manager_interviewed),
                widget=forms.Select(attrs={"class": "govuk-select"}),
            )
            self.fields[f"interview_date_{case.pk}"] = forms.DateField(
                label=_("Interview date for %(ref)s") % {"ref": case.case_ref},
                required=False,
                initial=case.interview_date,
                widget=forms.DateInput(
                    attrs={"class": "govuk-input govuk-input--width-10", "type": "date"},
                    format="%Y-%m-%d",
                ),
                error_messages={"invalid": _("Enter a real date, for example 2024-04-09")},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for case in self.cases:
            interviewed = data.get(f"interviewed_{case.pk}")
            when = data.get(f"interview_date_{case.pk}")
            if interviewed == "no" and when:
                self.add_error(
                    f"interview_date_{case.pk}",
                    _("%(ref)s: leave the date blank if the case manager was not interviewed")
                    % {"ref": case.case_ref},
                )
        return data

    def rows(self) -> list[AllocationRow]:
        return [
            AllocationRow(
                case,
                self[f"assessor_{case.pk}"],
                self[f"interviewed_{case.pk}"],
                self[f"interview_date_{case.pk}"],
            )
            for case in self.cases
        ]

    def wanted(self, case: Case) -> tuple[int | None, bool | None, date | None]:
        """(assessor id, interviewed, interview date) as posted for one case."""
        assessor = self.cleaned_data.get(f"assessor_{case.pk}") or ""
        interviewed = self.cleaned_data.get(f"interviewed_{case.pk}") or ""
        return (
            int(assessor) if assessor else None,
            None if not interviewed else interviewed == "yes",
            self.cleaned_data.get(f"interview_date_{case.pk}"),
        )
