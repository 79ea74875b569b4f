"""Forms for plan items and actions. Each carries the version it was loaded at (hidden), so a
save against a row someone else changed meanwhile is caught, and each refuses the inspection's
case references: the plan is shared with the board and must not identify a child."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yjinspect.web.inspections import text_limits as limits
from yjinspect.web.inspections.forms.base import GovForm, LimitedText
from yjinspect.web.inspections.models import Inspection

from .models import Action, PlanItem, Status
from .services.plans import case_refs_in

OWNER_HELP = gettext_lazy("A role or team, for example 'Head of service' or 'Health team'.")


class _PlanForm(GovForm):
    text_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, inspection: Inspection, **kwargs: Any) -> None:
        self.submit_label = _("Save")
        super().__init__(*args, **kwargs)
        self.inspection = inspection

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.text_fields:
            refs = case_refs_in(self.inspection, [data.get(name) or ""])
            if refs:
                self.add_error(
                    name,
                    _(
                        "Remove the case reference %(refs)s: the plan goes to the board and "
                        "must not identify a child."
                    )
                    % {"refs": ", ".join(refs)},
                )
        return data


class ItemForm(_PlanForm):
    owner = LimitedText(
        limit=limits.OWNER,
        called=gettext_lazy("The owner"),
        label=gettext_lazy("Owner"),
        required=False,
        help_text=OWNER_HELP,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=Status.choices, widget=forms.RadioSelect
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    text_fields = ("owner",)

    @staticmethod
    def initial_for(item: PlanItem) -> dict[str, Any]:
        return {"owner": item.owner, "status": item.status, "version": item.version}


class ActionForm(_PlanForm):
    description = LimitedText(
        limit=limits.ACTION,
        called=gettext_lazy("The action"),
        label=gettext_lazy("Action"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What will be done, in a sentence or two."),
    )
    owner = LimitedText(
        limit=limits.OWNER,
        called=gettext_lazy("The owner"),
        label=gettext_lazy("Owner"),
        help_text=OWNER_HELP,
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due date"),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        help_text=gettext_lazy("For example 2025-03-31."),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=Status.choices,
        initial=Status.NOT_STARTED,
        widget=forms.RadioSelect,
    )
    progress_note = LimitedText(
        limit=limits.PROGRESS_NOTE,
        called=gettext_lazy("The evidence of progress"),
        label=gettext_lazy("Evidence of progress (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What has changed so far and how the board can see it."),
    )
    completed_on = forms.DateField(
        label=gettext_lazy("Completed on (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        help_text=gettext_lazy("Only for a done action; left blank, today's date is used."),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput, initial=0)
    text_fields = ("description", "owner", "progress_note")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        completed: dt.date | None = data.get("completed_on")
        if completed and data.get("status") not in (None, Status.DONE):
            self.add_error(
                "completed_on",
                _("Only a done action has a completed date: clear it or mark it done."),
            )
        if completed and completed > timezone.localdate():
            self.add_error("completed_on", _("The completed date cannot be in the future."))
        return data

    @staticmethod
    def initial_for(action: Action) -> dict[str, Any]:
        return {
            "description": action.description,
            "owner": action.owner,
            "due_date": action.due_date,
            "status": action.status,
            "progress_note": action.progress_note,
            "completed_on": action.completed_on,
            "version": action.version,
        }
