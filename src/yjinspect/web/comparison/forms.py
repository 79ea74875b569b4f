"""Forms: the published-results upload, and the filters of the comparison pages."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yjinspect.web.inspections.forms.base import GovForm

MAX_BYTES = 2 * 1024 * 1024  # about 10,000 figures; the shipped example is under 200 KB


class PublishedUploadForm(GovForm):
    results = forms.FileField(
        label=gettext_lazy("Published results file (CSV)"),
        help_text=gettext_lazy(
            "One row per published figure, in the columns described in the guidance. "
            "Every row is checked first; nothing is stored unless the whole file is clean."
        ),
        error_messages={"required": gettext_lazy("Choose the CSV file to upload")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.submit_label = _("Upload and check")
        super().__init__(*args, **kwargs)
        self.fields["results"].widget.attrs["accept"] = ".csv"

    def clean_results(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["results"]
        name = PurePath(upload.name or "").name
        if (upload.size or 0) > MAX_BYTES:
            raise forms.ValidationError(
                _("'%(name)s' is larger than %(limit)s")
                % {"name": name, "limit": filesizeformat(MAX_BYTES)}
            )
        if PurePath(name).suffix.lower() != ".csv":
            raise forms.ValidationError(_("'%(name)s' is not a CSV file") % {"name": name})
        return upload


class ServiceSearchForm(GovForm):
    q = forms.CharField(label=gettext_lazy("Service name"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.submit_label = _("Search")
        super().__init__(*args, **kwargs)


class DistributionForm(GovForm):
    """Which item to count, and which service to pick out; unknown values fall back."""

    item = forms.ChoiceField(label=gettext_lazy("Figure"), required=False, choices=())
    service = forms.ChoiceField(
        label=gettext_lazy("Service to highlight"), required=False, choices=()
    )

    def __init__(
        self,
        *args: Any,
        items: list[tuple[str, str]],
        services: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        self.submit_label = _("Show")
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = items  # type: ignore[attr-defined]
        self.fields["service"].choices = [("", _("None")), *services]  # type: ignore[attr-defined]

    def value(self, name: str, default: str) -> str:
        if not self.is_bound:
            return default
        self.is_valid()
        if name in self.errors:
            return default
        return str(self.cleaned_data.get(name) or default)
