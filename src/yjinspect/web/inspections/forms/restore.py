"""Forms for restoring an inspection archive: the upload, then who each archived person is here.

The people form never chooses for anyone: every select starts on "Choose", and an account that
shares an archived username is only named in the hint.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..services.archive import MAX_ARCHIVE_BYTES, Person, Problem
from .base import GovForm

# The select's value for "leave them out": a colon, which no username can hold.
LEAVE_OUT = ":leave-out"


class ArchiveUploadForm(GovForm):
    archive = forms.FileField(
        label=gettext_lazy("Inspection archive (.zip)"),
        help_text=gettext_lazy(
            "The zip file an inspection's lead downloads from its overview page, up to "
            "%(limit)s. Nothing is restored until you have checked what it holds."
        ),
        error_messages={"required": gettext_lazy("Choose the archive to upload")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.submit_label = _("Upload and check")
        super().__init__(*args, **kwargs)
        field = self.fields["archive"]
        field.help_text = str(field.help_text) % {"limit": filesizeformat(MAX_ARCHIVE_BYTES)}
        field.widget.attrs["accept"] = ".zip"

    def clean_archive(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["archive"]
        name = PurePath(upload.name or "").name
        size = upload.size or 0
        if size > MAX_ARCHIVE_BYTES:
            raise forms.ValidationError(
                _("'%(name)s' is %(size)s: the largest archive accepted is %(limit)s")
                % {
                    "name": name,
                    "size": filesizeformat(size),
                    "limit": filesizeformat(MAX_ARCHIVE_BYTES),
                }
            )
        if size == 0:
            raise forms.ValidationError(_("'%(name)s' is empty") % {"name": name})
        if PurePath(name).suffix.lower() != ".zip":
            raise forms.ValidationError(_("'%(name)s' is not a zip file") % {"name": name})
        return upload


def _hint(person: Person, local: bool) -> str:
    """The person's roles in the archived team, and whether a same-named account exists here;
    escaped, since crispy-forms-gds shows hints as HTML."""
    roles = person.role_labels()
    text = (
        _("In the archived team as: %(roles)s.") % {"roles": ", ".join(roles)}
        if roles
        else _("Not in the archived team now: named in its history only.")
    )
    if local:
        text += " " + _(
            "An account called %(name)s exists here: choose it only if it is the same person."
        ) % {"name": person.username}
    return str(escape(text))


class PeopleForm(GovForm):
    """One select per person the archive names: an active account here, or leave them out."""

    def __init__(
        self, *args: Any, people: Sequence[Person], accounts: Sequence[str], **kwargs: Any
    ) -> None:
        self.submit_label = _("Restore the inspection")
        super().__init__(*args, **kwargs)
        self.people = list(people)
        here = set(accounts)
        for i, person in enumerate(self.people):
            choices = [("", _("Choose")), (LEAVE_OUT, _("Leave them out"))]
            if person.username in here:  # suggested first, never chosen
                same = _("%(name)s (the same username)") % {"name": person.username}
                choices.insert(1, (person.username, same))
            choices += [(a, a) for a in accounts if a != person.username]
            self.fields[self.field_name(i)] = forms.ChoiceField(
                label=str(escape(person.username)),
                choices=choices,
                help_text=_hint(person, person.username in here),
                error_messages={
                    "required": _("Choose who %(name)s is here, or leave them out")
                    % {"name": person.username}
                },
            )

    @staticmethod
    def field_name(index: int) -> str:
        return f"person_{index}"

    def decisions(self) -> dict[str, str | None]:
        """Archived username -> local username, or None to leave them out."""
        return {
            person.username: None
            if (value := str(self.cleaned_data[self.field_name(i)])) == LEAVE_OUT
            else value
            for i, person in enumerate(self.people)
        }

    def add_problems(self, problems: Sequence[Problem]) -> list[Problem]:
        """Put the service's problems about people on their fields; return the others."""
        index = {person.username: i for i, person in enumerate(self.people)}
        rest = []
        for problem in problems:
            if problem.table == "people" and problem.field in index:
                self.add_error(
                    self.field_name(index[problem.field]), f"{problem.field}: {problem.message}"
                )
            else:
                rest.append(problem)
        return rest
