"""Forms for creating an inspection and managing its team."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from yjinspect.frameworks import shipped_frameworks

from ..models import Mode, Role
from .base import GovForm


def framework_choices() -> list[tuple[str, str]]:
    """Frameworks the web workflow can run: the standards model (earlier programmes: CLI)."""
    return [
        (fw.id, f"{fw.title} ({fw.id}, version {fw.version})")
        for fw in shipped_frameworks()
        if fw.scoring_model == "standards"
    ]


class InspectionForm(GovForm):
    submit_label = "Create inspection"

    service_name = forms.CharField(
        label="Youth justice service", max_length=200, help_text="For example, Bexley YJS"
    )
    framework = forms.ChoiceField(label="Framework", choices=())
    mode = forms.ChoiceField(
        label="Kind of work",
        choices=Mode.choices,
        widget=forms.RadioSelect,
        initial=Mode.INSPECTION,
        help_text="An internal audit is a service checking its own cases against the standards.",
    )
    fieldwork_start = forms.DateField(label="Fieldwork starts", help_text="For example, 2024-04-08")
    fieldwork_end = forms.DateField(label="Fieldwork ends", required=False)
    window_start = forms.DateField(
        label="Case window starts",
        required=False,
        help_text="Leave blank to use the framework's window before fieldwork.",
    )
    window_end = forms.DateField(label="Case window ends", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = framework_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("fieldwork_start"), data.get("fieldwork_end")
        if start and end and end < start:
            self.add_error("fieldwork_end", "Fieldwork cannot end before it starts")
        w_start, w_end = data.get("window_start"), data.get("window_end")
        if bool(w_start) != bool(w_end):
            self.add_error("window_end", "Give both ends of the case window, or neither")
        elif w_start and w_end and w_end < w_start:
            self.add_error("window_end", "The case window cannot end before it starts")
        return data


class MemberForm(GovForm):
    submit_label = "Add to team"

    username = forms.CharField(label="Username", max_length=150)
    role = forms.ChoiceField(label="Role", choices=Role.choices, widget=forms.RadioSelect)

    def clean_username(self) -> Any:
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"There is no active user called '{name}'")
        return user


class NoteForm(GovForm):
    """A state change, with an optional note for the record."""

    submit_label = "Move on"
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea)
