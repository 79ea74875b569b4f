"""Forms for the case list: uploading a case-list file, and the list's filters."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import GovForm

CASE_LIST_SUFFIXES = (".csv", ".xlsx")
YES, NO = "yes", "no"


class CaseListUploadForm(GovForm):
    case_list = forms.FileField(
        label=gettext_lazy("Case list file"),
        help_text=gettext_lazy(
            "CSV (.csv) or Excel (.xlsx), up to %(limit)s. Nothing is saved until you have "
            "checked the preview."
        ),
        error_messages={"required": gettext_lazy("Choose the case list file to upload")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.submit_label = _("Upload and check")
        super().__init__(*args, **kwargs)
        field = self.fields["case_list"]
        field.help_text = str(field.help_text) % {"limit": filesizeformat(self.limit())}
        field.widget.attrs["accept"] = ",".join(CASE_LIST_SUFFIXES)

    @staticmethod
    def limit() -> int:
        return int(settings.YJ_MAX_UPLOAD_BYTES)

    def clean_case_list(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["case_list"]
        name = PurePath(upload.name or "").name
        size = upload.size or 0
        if size > self.limit():
            raise forms.ValidationError(
                _("'%(name)s' is %(size)s: the largest file allowed is %(limit)s")
                % {
                    "name": name,
                    "size": filesizeformat(size),
                    "limit": filesizeformat(self.limit()),
                }
            )
        if size == 0:
            raise forms.ValidationError(_("'%(name)s' is empty") % {"name": name})
        if PurePath(name).suffix.lower() not in CASE_LIST_SUFFIXES:
            raise forms.ValidationError(
                _("'%(name)s' is not a CSV or Excel (.xlsx) file") % {"name": name}
            )
        return upload


class CaseFilterForm(forms.Form):
    """The case list's filters, read from the query string; invalid values are ignored."""

    q = forms.CharField(required=False, max_length=64)
    domain = forms.ChoiceField(required=False, choices=())
    disposal_type = forms.ChoiceField(required=False, choices=())
    in_sample = forms.ChoiceField(
        required=False, choices=[("", ""), (YES, gettext_lazy("Yes")), (NO, gettext_lazy("No"))]
    )
    assessor = forms.ChoiceField(required=False, choices=())

    NOBODY = "none"

    def __init__(
        self,
        *args: Any,
        domains: list[tuple[str, str]],
        disposals: list[tuple[str, str]],
        assessors: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", ""), *domains]  # type: ignore[attr-defined]
        self.fields["disposal_type"].choices = [("", ""), *disposals]  # type: ignore[attr-defined]
        self.fields["assessor"].choices = [  # type: ignore[attr-defined]
            ("", ""),
            (self.NOBODY, _("Not allocated")),
            *assessors,
        ]

    def value(self, name: str) -> str:
        """The cleaned filter value, or '' when absent or not one of the choices."""
        if not self.is_bound:
            return ""
        cleaned = getattr(self, "cleaned_data", None)
        if cleaned is None:
            self.is_valid()
            cleaned = getattr(self, "cleaned_data", {})
        return str(cleaned.get(name) or "") if name not in self.errors else ""
