"""The entered facts and words of an earlier programme's report (SQS letter, FJI report).

One field per `services.legacy_report.Field`, plus the hidden version each was loaded with;
every value is checked by the service's `field_problem`, which names the field, so a bad rate
or an unknown '{ITEM}' is refused before anything is saved.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from yjinspect.frameworks import Framework

from .. import text_limits as limits
from ..services.legacy_report import Field, field_problem
from .base import GovForm, LimitedText


def field_name(key: str) -> str:
    """Form field names cannot hold ':' safely in HTML ids: 'area:RR' -> 'area__RR'."""
    return key.replace(":", "__")


class LegacyTextsForm(GovForm):
    submit_label = gettext_lazy("Save the report's words")

    def __init__(
        self, *args: Any, framework: Framework, report_fields: list[Field], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.report_fields = report_fields
        for f in report_fields:
            name = field_name(f.key)
            widget: forms.Widget = (
                forms.Textarea(attrs={"rows": 6}) if f.kind == "text" else forms.TextInput()
            )
            self.fields[name] = LimitedText(
                limit=limits.REPORT_TEXT,
                label=f.label,
                help_text=f.hint,
                required=False,
                widget=widget,
                strip=True,
            )
            self.fields[f"{name}__version"] = forms.IntegerField(
                required=False, min_value=0, widget=forms.HiddenInput
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for f in self.report_fields:
            problem = field_problem(self.framework, f, str(data.get(field_name(f.key)) or ""))
            if problem:
                self.add_error(field_name(f.key), problem)
        return data

    def values(self) -> dict[str, str]:
        return {
            f.key: str(self.cleaned_data.get(field_name(f.key)) or "") for f in self.report_fields
        }

    def versions(self) -> dict[str, int]:
        return {
            f.key: int(self.cleaned_data.get(f"{field_name(f.key)}__version") or 0)
            for f in self.report_fields
        }
