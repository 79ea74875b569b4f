"""The upload form for outcome indicators: two files, the period, the cohort, comparators."""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yjinspect.core.indicators import Period, Rules
from yjinspect.web.inspections.forms.base import GovForm

from .models import INDICATOR_KEYS

DATE_HELP = gettext_lazy("For example, 2023-04-01")
MAX_MONTHS = 36


def comparator_field_name(key: str) -> str:
    return f"national_{key}"


class IndicatorUploadForm(GovForm):
    """What the lead gives to compute the indicators. Files are checked by the service."""

    cases_file = forms.FileField(
        label=gettext_lazy("Case-level records (CSV)"),
        help_text=gettext_lazy(
            "One row per offence and its outcome: person_ref, age, offence_date, "
            "disposal_date, disposal_type, and optionally release_date and breach. "
            "Pseudonymous references and ages only: files with name, address or date of "
            "birth columns are refused."
        ),
        error_messages={"required": gettext_lazy("Choose the case-level records file")},
    )
    population_file = forms.FileField(
        label=gettext_lazy("Population aged 10 to 17 (CSV)"),
        help_text=gettext_lazy(
            "Either columns age,population with a row for each age from 10 to 17, or "
            "area,population_10_17 with a row per local authority."
        ),
        error_messages={"required": gettext_lazy("Choose the population file")},
    )
    period_start = forms.DateField(label=gettext_lazy("Period starts"), help_text=DATE_HELP)
    period_end = forms.DateField(label=gettext_lazy("Period ends"), help_text=DATE_HELP)
    cohort_start = forms.DateField(
        label=gettext_lazy("Reoffending cohort starts (optional)"),
        required=False,
        help_text=gettext_lazy("Leave both cohort dates blank to use the period."),
    )
    cohort_end = forms.DateField(
        label=gettext_lazy("Reoffending cohort ends (optional)"), required=False
    )
    follow_up_months = forms.IntegerField(
        label=gettext_lazy("Follow-up period in months"),
        initial=Rules.follow_up_months,
        min_value=1,
        max_value=MAX_MONTHS,
    )
    waiting_months = forms.IntegerField(
        label=gettext_lazy("Waiting period in months"),
        initial=Rules.waiting_months,
        min_value=0,
        max_value=MAX_MONTHS,
        help_text=gettext_lazy(
            "Further time allowed for a reoffence to be proven after the follow-up ends."
        ),
    )
    comparators_file = forms.FileField(
        label=gettext_lazy("National comparators file (optional)"),
        required=False,
        help_text=gettext_lazy(
            "A CSV with columns indicator,value, for example the row fte,180.5. "
            "Or type the figures below."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.submit_label = _("Check and save")
        super().__init__(*args, **kwargs)
        for key, label in INDICATOR_KEYS:
            self.fields[comparator_field_name(key)] = forms.DecimalField(
                label=_("National figure: %(name)s (optional)") % {"name": label},
                required=False,
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=4,
            )
        for name in ("cases_file", "population_file", "comparators_file"):
            self.fields[name].widget.attrs["accept"] = ".csv"

    @staticmethod
    def limit() -> int:
        return int(settings.YJ_MAX_UPLOAD_BYTES)

    def _clean_csv(self, name: str) -> UploadedFile[bytes] | None:
        upload: UploadedFile[bytes] | None = self.cleaned_data.get(name)
        if upload is None:
            return None
        filename = PurePath(upload.name or "").name
        size = upload.size or 0
        if size > self.limit():
            raise forms.ValidationError(
                _("'%(name)s' is %(size)s: the largest file allowed is %(limit)s")
                % {
                    "name": filename,
                    "size": filesizeformat(size),
                    "limit": filesizeformat(self.limit()),
                }
            )
        if size == 0:
            raise forms.ValidationError(_("'%(name)s' is empty") % {"name": filename})
        if PurePath(filename).suffix.lower() != ".csv":
            raise forms.ValidationError(_("'%(name)s' is not a CSV file") % {"name": filename})
        return upload

    def clean_cases_file(self) -> UploadedFile[bytes] | None:
        return self._clean_csv("cases_file")

    def clean_population_file(self) -> UploadedFile[bytes] | None:
        return self._clean_csv("population_file")

    def clean_comparators_file(self) -> UploadedFile[bytes] | None:
        return self._clean_csv("comparators_file")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts"))
        c_start, c_end = data.get("cohort_start"), data.get("cohort_end")
        if bool(c_start) != bool(c_end):
            self.add_error("cohort_end", _("Give both ends of the cohort, or neither"))
        elif c_start and c_end and c_end < c_start:
            self.add_error("cohort_end", _("The cohort cannot end before it starts"))
        return data

    def period(self) -> Period:
        return Period(self.cleaned_data["period_start"], self.cleaned_data["period_end"])

    def cohort(self) -> Period:
        start, end = self.cleaned_data.get("cohort_start"), self.cleaned_data.get("cohort_end")
        return Period(start, end) if start and end else self.period()

    def rules(self) -> Rules:
        return Rules(
            follow_up_months=self.cleaned_data["follow_up_months"],
            waiting_months=self.cleaned_data["waiting_months"],
        )

    def typed_comparators(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for key, _label in INDICATOR_KEYS:
            value = self.cleaned_data.get(comparator_field_name(key))
            if value is not None:
                out[key] = value
        return out
