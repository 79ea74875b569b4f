"""Forms for creating an inspection and managing its team."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yjinspect.frameworks import shipped_frameworks

from .. import text_limits as limits
from ..models import Mode, Role
from .base import GovForm, LimitedText

# Both scoring models run through the whole web workflow: the current standards and the
# earlier programmes' areas (SQS, FJI, CCI), so a service's history can be inspected again.
WEB_SCORING_MODELS = frozenset({"standards", "areas"})


def framework_choices() -> list[tuple[str, str]]:
    """Every shipped framework the web workflow can run, current standards first."""
    runnable = [fw for fw in shipped_frameworks() if fw.scoring_model in WEB_SCORING_MODELS]
    runnable.sort(key=lambda fw: fw.scoring_model != "standards")
    return [
        (
            fw.id,
            _("%(title)s (%(id)s, version %(version)s)")
            % {"title": fw.title, "id": fw.id, "version": fw.version},
        )
        for fw in runnable
    ]


def optional_area_choices() -> list[tuple[str, str]]:
    """Every optional area of a runnable framework, as 'framework-id:AREA' (the FJI sixth theme).

    One create form serves every framework, so each choice names its framework; `clean` refuses
    a choice that is not the chosen framework's.
    """
    return [
        (
            f"{fw.id}:{area.id}",
            _("%(framework)s: %(area)s (%(id)s)")
            % {"framework": fw.title, "area": area.name, "id": area.id},
        )
        for fw in shipped_frameworks()
        if fw.scoring_model in WEB_SCORING_MODELS
        for area in fw.areas
        if area.optional
    ]


class InspectionForm(GovForm):
    submit_label = gettext_lazy("Create inspection")

    service_name = LimitedText(
        limit=limits.SERVICE_NAME,
        called=gettext_lazy("The service's name"),
        label=gettext_lazy("Youth justice service"),
        help_text=gettext_lazy("For example, Bexley YJS"),
    )
    framework = forms.ChoiceField(label=gettext_lazy("Framework"), choices=())
    mode = forms.ChoiceField(
        label=gettext_lazy("Kind of work"),
        choices=Mode.choices,
        widget=forms.RadioSelect,
        initial=Mode.INSPECTION,
        help_text=gettext_lazy(
            "An internal audit is a service checking its own cases against the standards."
        ),
    )
    fieldwork_start = forms.DateField(
        label=gettext_lazy("Fieldwork starts"), help_text=gettext_lazy("For example, 2024-04-08")
    )
    fieldwork_end = forms.DateField(label=gettext_lazy("Fieldwork ends"), required=False)
    window_start = forms.DateField(
        label=gettext_lazy("Case window starts"),
        required=False,
        help_text=gettext_lazy("Leave blank to use the framework's window before fieldwork."),
    )
    window_end = forms.DateField(label=gettext_lazy("Case window ends"), required=False)
    optional_areas = forms.MultipleChoiceField(
        label=gettext_lazy("Optional themes covered (earlier programmes only)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Tick the optional theme this inspection covers; only the chosen theme's questions "
            "are asked. Tick nothing if it is not decided yet: a theme then counts once one of "
            "its questions is answered."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = framework_choices()  # type: ignore[attr-defined]
        choices = optional_area_choices()
        if choices:
            self.fields["optional_areas"].choices = choices  # type: ignore[attr-defined]
        else:
            del self.fields["optional_areas"]

    def clean_optional_areas(self) -> list[str] | None:
        """The chosen area ids, or None when nothing was ticked (not decided)."""
        ticked: list[str] = self.cleaned_data.get("optional_areas") or []
        return ticked or None

    def _check_optional_areas(self, data: dict[str, Any]) -> None:
        """Keep only the chosen framework's areas, refusing any other by name; store bare ids."""
        ticked: list[str] | None = data.get("optional_areas")
        framework_id = data.get("framework")
        if not ticked or not framework_id:
            return
        others = [t for t in ticked if t.split(":", 1)[0] != framework_id]
        if others:
            labels = dict(optional_area_choices())
            self.add_error(
                "optional_areas",
                _("%(areas)s: not an optional theme of the framework you chose")
                % {"areas": "; ".join(str(labels.get(t, t)) for t in others)},
            )
            return
        data["optional_areas"] = sorted(t.split(":", 1)[1] for t in ticked)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("fieldwork_start"), data.get("fieldwork_end")
        if start and end and end < start:
            self.add_error("fieldwork_end", _("Fieldwork cannot end before it starts"))
        w_start, w_end = data.get("window_start"), data.get("window_end")
        if bool(w_start) != bool(w_end):
            self.add_error("window_end", _("Give both ends of the case window, or neither"))
        elif w_start and w_end and w_end < w_start:
            self.add_error("window_end", _("The case window cannot end before it starts"))
        self._check_optional_areas(data)
        return data


class OptionalAreasForm(GovForm):
    """Change which optional themes an earlier-programme inspection covers, after creation."""

    submit_label = gettext_lazy("Save themes")

    optional_areas = forms.MultipleChoiceField(
        label=gettext_lazy("Optional themes covered"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Only the ticked themes' questions are asked and scored. Tick nothing if it is "
            "not decided yet: a theme then counts once one of its questions is answered."
        ),
    )

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["optional_areas"].choices = areas  # type: ignore[attr-defined]

    def chosen(self) -> list[str] | None:
        """The ticked area ids in a stable order, or None when nothing is ticked."""
        ticked: list[str] = self.cleaned_data.get("optional_areas") or []
        return sorted(ticked) or None


class MemberForm(GovForm):
    submit_label = gettext_lazy("Add to team")

    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=Role.choices, widget=forms.RadioSelect
    )

    def clean_username(self) -> Any:
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("There is no active user called '%(name)s'") % {"name": name}
            )
        return user


class NoteForm(GovForm):
    """A state change, with an optional note for the record."""

    submit_label = gettext_lazy("Move on")
    note = LimitedText(
        limit=limits.REASON,
        called=gettext_lazy("The note"),
        label=gettext_lazy("Note (optional)"),
        required=False,
        widget=forms.Textarea,
    )
