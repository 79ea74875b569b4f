"""Forms for organisational evidence and the judgements of evidence-rated standards.

Uploads are checked twice: by the name's extension and by what the content actually is (its
first bytes, or for Word and Excel files the parts inside the zip). A file passes only when both
agree on one of the allowed types, so a program renamed to `.pdf` is refused.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yjinspect.frameworks import Framework
from yjinspect.frameworks.schema import Standard
from yjinspect.limits import MB, ZIP_TAIL, LimitExceeded, ZipLimits, check_directory, check_zip
from yjinspect.reports.markup import note_problems

from .. import text_limits as limits
from ..language import framework_wording
from ..models import EvidenceKind
from .base import GovForm, LimitedText

NOT_RATED = "not_rated"

# Allowed extensions -> (kind of content, content type served on download).
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    ".pdf": ("pdf", "application/pdf"),
    ".docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".csv": ("text", "text/csv"),
    ".txt": ("text", "text/plain"),
    ".png": ("png", "image/png"),
    ".jpg": ("jpeg", "image/jpeg"),
    ".jpeg": ("jpeg", "image/jpeg"),
}
TYPE_NAMES = {
    "pdf": "PDF",
    "docx": "Word (.docx)",
    "xlsx": "Excel (.xlsx)",
    "text": gettext_lazy("text or CSV"),
    "png": "PNG",
    "jpeg": "JPEG",
}
_SNIFF_BYTES = 8192
# A Word or Excel document is a zip. Nothing here unpacks it, but one beyond these limits (a
# zip bomb) is not stored either: whoever opened it later would unpack it. A large real
# document has a few hundred parts, compressed 5 to 20 times.
OFFICE_ZIP_LIMITS = ZipLimits(max_members=5000, max_unpacked=500 * MB, max_ratio=100)
# Control characters that never occur in text or CSV files (tab, newlines and form feed do).
_BINARY_BYTES = frozenset(range(9)) | frozenset(range(14, 32))


def content_type_for(filename: str) -> str:
    """The content type to send a stored upload with (it was checked on the way in)."""
    kind = ALLOWED_TYPES.get(PurePath(filename).suffix.lower())
    return kind[1] if kind else "application/octet-stream"


def _zip_kind(upload: UploadedFile[bytes]) -> str | None:
    """'docx' or 'xlsx' for an Office Open XML package without macros, else None.

    Raises LimitExceeded for a package beyond OFFICE_ZIP_LIMITS, checked from the end records
    before zipfile lists the members, then from the list before anything else.
    """
    what = _("the document")
    try:
        upload.seek(max(0, (upload.size or 0) - ZIP_TAIL))
        check_directory(bytes(upload.read()), OFFICE_ZIP_LIMITS, what)
        upload.seek(0)
        with zipfile.ZipFile(upload) as package:
            check_zip(package, OFFICE_ZIP_LIMITS, what)
            names = set(package.namelist())
    except LimitExceeded:
        raise
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names or any(n.endswith("vbaProject.bin") for n in names):
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def sniff(upload: UploadedFile[bytes]) -> str | None:
    """What the content is ('pdf', 'docx', 'xlsx', 'png', 'jpeg', 'text'), or None if none.

    LimitExceeded for a Word or Excel package beyond OFFICE_ZIP_LIMITS."""
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    if not isinstance(head, bytes):
        return None
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(upload)
        upload.seek(0)
        return kind
    if head and not _BINARY_BYTES.intersection(head):
        return "text"
    return None


def check_upload(upload: UploadedFile[bytes]) -> str:
    """The upload's extension if its size, name and content are acceptable; else a clear error."""
    name = PurePath(upload.name or "").name
    limit = int(settings.YJ_MAX_UPLOAD_BYTES)
    size = upload.size or 0
    if size > limit:
        raise forms.ValidationError(
            _("'%(name)s' is %(size)s: the largest file allowed is %(limit)s")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    if size == 0:
        raise forms.ValidationError(_("'%(name)s' is empty") % {"name": name})
    suffix = PurePath(name).suffix.lower()
    allowed = ", ".join(dict.fromkeys(str(name) for name in TYPE_NAMES.values()))
    if suffix not in ALLOWED_TYPES:
        raise forms.ValidationError(
            _("'%(name)s' is not a type of file we accept: upload a %(allowed)s file")
            % {"name": name, "allowed": allowed}
        )
    expected = ALLOWED_TYPES[suffix][0]
    try:
        actual = sniff(upload)
    except LimitExceeded as exc:
        upload.seek(0)
        raise forms.ValidationError(
            _("'%(name)s' was not accepted: %(why)s") % {"name": name, "why": exc}
        ) from None
    if actual != expected:
        raise forms.ValidationError(
            _(
                "'%(name)s' is named as a %(expected)s file but its content is not one: "
                "upload the document itself (%(allowed)s)"
            )
            % {"name": name, "expected": TYPE_NAMES[expected], "allowed": allowed}
        )
    return suffix


def evidence_standards(framework: Framework) -> list[Standard]:
    """The standards rated from organisational evidence, in framework order."""
    return [s for s in framework.all_standards() if s.rating_method == "judgement"]


class EvidenceForm(GovForm):
    standard_id = forms.ChoiceField(
        label=gettext_lazy("Standard"),
        required=False,
        choices=(),
        help_text=gettext_lazy("Leave as 'Not about one standard' for general evidence."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of evidence"),
        choices=EvidenceKind.choices,
        widget=forms.RadioSelect,
    )
    title = LimitedText(
        limit=limits.EVIDENCE_TITLE,
        called=gettext_lazy("The title"),
        label=gettext_lazy("Title"),
        help_text=gettext_lazy(
            "For example, 'Management board meeting' or 'Quality assurance framework 2024'."
        ),
    )
    held_on = forms.DateField(
        label=gettext_lazy("Date (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        help_text=gettext_lazy("When it was held or written, for example 2024-04-09."),
    )
    attendees = LimitedText(
        limit=limits.ATTENDEES,
        called=gettext_lazy("The list of who took part"),
        label=gettext_lazy("Who took part (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Roles, not names: for example 'Head of service, two case managers, police "
            "officer'. Never write anyone's name."
        ),
    )
    notes = LimitedText(
        limit=limits.EVIDENCE_ITEM_NOTES,
        called=gettext_lazy("The notes"),
        label=gettext_lazy("Notes (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    upload = forms.FileField(
        label=gettext_lazy("File (optional)"),
        required=False,
        help_text=gettext_lazy(
            "PDF, Word (.docx), Excel (.xlsx), CSV, text, PNG or JPEG, up to %(limit)s. "
            "Its name is kept and shown, so make sure it names nobody."
        ),
    )

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        self.submit_label = _("Add evidence")
        super().__init__(*args, **kwargs)
        choices = [("", _("Not about one standard"))]
        choices += [
            (s.id, f"{s.id} {framework_wording(s.name)}") for s in evidence_standards(framework)
        ]
        self.fields["standard_id"].choices = choices  # type: ignore[attr-defined]
        self.fields["upload"].help_text = str(self.fields["upload"].help_text) % {
            "limit": filesizeformat(int(settings.YJ_MAX_UPLOAD_BYTES))
        }

    def clean_title(self) -> str:
        return str(self.cleaned_data["title"]).strip()

    def clean_upload(self) -> UploadedFile[bytes] | None:
        upload: UploadedFile[bytes] | None = self.cleaned_data.get("upload")
        if upload:
            check_upload(upload)
        return upload


def _lines(text: str) -> str:
    """One item per line: blank lines and surrounding spaces dropped."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


NOTES_HINT = gettext_lazy(
    "One per line. A footnote goes in square brackets after a caret, straight after the word "
    "it explains: [^what the term means]."
)


def _checked_lines(text: str) -> str:
    """`_lines`, refusing a footnote that is never closed or has no words (each line is a
    point of its own in the report, so a note cannot run on to the next line)."""
    lines = _lines(text)
    problems = [p for line in lines.splitlines() for p in note_problems(line)]
    if problems:
        raise forms.ValidationError(problems)
    return lines


class JudgementForm(GovForm):
    """A judgement of an evidence-rated standard; `version` detects a change made meanwhile."""

    rating = forms.ChoiceField(label=gettext_lazy("Rating"), choices=(), widget=forms.RadioSelect)
    rationale = LimitedText(
        limit=limits.JUDGEMENT_RATIONALE,
        called=gettext_lazy("The rationale"),
        label=gettext_lazy("Rationale"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Why this rating: the evidence that decides it."),
        error_messages={"required": gettext_lazy("Give the reasons for this rating")},
    )
    strengths = LimitedText(
        limit=limits.JUDGEMENT_POINTS,
        called=gettext_lazy("The strengths"),
        label=gettext_lazy("Strengths (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=NOTES_HINT,
    )
    areas_for_improvement = LimitedText(
        limit=limits.JUDGEMENT_POINTS,
        called=gettext_lazy("The areas for improvement"),
        label=gettext_lazy("Areas for improvement (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=NOTES_HINT,
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        self.submit_label = _("Save judgement")
        super().__init__(*args, **kwargs)
        choices = [(r.id, framework_wording(r.label)) for r in reversed(framework.ratings)]
        choices.append((NOT_RATED, framework_wording(framework.not_rated_label)))
        self.fields["rating"].choices = choices  # type: ignore[attr-defined]

    def clean_rationale(self) -> str:
        text = str(self.cleaned_data["rationale"]).strip()
        if not text:
            raise forms.ValidationError(_("Give the reasons for this rating"))
        return text

    def clean_strengths(self) -> str:
        return _checked_lines(str(self.cleaned_data.get("strengths") or ""))

    def clean_areas_for_improvement(self) -> str:
        return _checked_lines(str(self.cleaned_data.get("areas_for_improvement") or ""))

    def stored_rating(self) -> str:
        """The rating as the model stores it: blank for 'Not rated'."""
        rating = str(self.cleaned_data["rating"])
        return "" if rating == NOT_RATED else rating
