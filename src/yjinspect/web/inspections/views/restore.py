"""Restoring an inspection from its archive (zip): upload, check, then restore.

Who may: inspection staff and site administrators, the people who may create an inspection
(a restore creates one). The person restoring becomes the copy's lead inspector unless they
choose their own account for someone in its team.

1. **Upload** (`restore`). The archive is checked in full (`services/archive.check_archive`):
   every problem is listed by table, row and field, and nothing is kept. A clean archive is
   kept in the file storage (`services/archive.stage_archive`), never in the session, which
   holds only its random token.
2. **Check** (`restore_check`). What the archive holds (service, framework, counts) and every
   person it names, each with a choice: an active account here, or leave them out. Nothing is
   chosen for anyone. Restoring checks the archive again and writes it in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from ..access import signed_in_user
from ..forms.restore import ArchiveUploadForm, PeopleForm
from ..models import Mode, State
from ..services import archive
from ..services.archive import ArchiveError, Problem, StagedArchive

SESSION_KEY = "archive_restore"
# The archive's tables shown on the check page, in this order, with their words.
COUNTED = (
    ("cases", gettext_noop("Cases on the case list")),
    ("assessments", gettext_noop("Case assessments")),
    ("answers", gettext_noop("Answers")),
    ("judgements", gettext_noop("Judgements")),
    ("evidence", gettext_noop("Evidence items")),
    ("report_texts", gettext_noop("Report texts")),
    ("recommendations", gettext_noop("Recommendations")),
    ("plan_items", gettext_noop("Improvement plan items")),
    ("indicator_runs", gettext_noop("Outcome indicator runs")),
)


def _restorer(request: HttpRequest) -> User:
    """The signed-in user if they may restore an inspection (as they may create one)."""
    user = signed_in_user(request)
    if not (user.is_staff or user.is_superuser):
        raise PermissionDenied(_("Only inspection staff can restore an inspection"))
    return user


def _forget(request: HttpRequest) -> None:
    token = request.session.pop(SESSION_KEY, None)
    if token:
        archive.discard_staged(str(token))


def _problem_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    return [
        {"table": p.table, "row": p.row, "field": p.field, "message": p.message} for p in problems
    ]


def restore(request: HttpRequest) -> HttpResponse:
    """Upload an archive; see every problem in it, or go on to check what it holds."""
    user = _restorer(request)
    form = ArchiveUploadForm(request.POST or None, request.FILES or None)
    problems: list[Problem] = []
    if request.method == "POST":
        _forget(request)  # a new upload replaces one checked earlier
        if form.is_valid():
            upload = form.cleaned_data["archive"]
            try:
                staged = archive.stage_archive(upload.read(), upload.name or "", user)
            except ArchiveError as exc:
                problems = exc.problems
            else:
                request.session[SESSION_KEY] = staged.token
                return redirect("inspections:restore_check")
    return render(
        request,
        "inspections/restore/upload.html",
        {"form": form, "problems": _problem_rows(problems), "max": archive.MAX_PROBLEMS},
    )


def _summary_rows(staged: StagedArchive) -> list[dict[str, Any]]:
    """The check page's summary list: what the archive holds, in GOV.UK summary-list rows."""
    summary = staged.summary
    modes, states = dict(Mode.choices), dict(State.choices)
    rows = [
        (_("Service"), summary.service_name),
        (_("Kind"), str(modes.get(summary.mode, summary.mode))),
        (_("State"), str(states.get(summary.state, summary.state))),
        (_("Fieldwork starts"), summary.fieldwork_start),
        (_("Framework"), f"{summary.framework_title} ({summary.framework_ref})"),
    ]
    rows += [(_(label), f"{summary.counts.get(key, 0):,}") for key, label in COUNTED]
    rows += [
        (_("Uploaded files"), f"{summary.files:,}"),
        (_("History records"), f"{summary.history_rows:,}"),
    ]
    return [{"key": {"text": key}, "value": {"text": value}} for key, value in rows]


def restore_check(request: HttpRequest) -> HttpResponse:
    """What the checked archive holds and who its people are here; restoring it."""
    user = _restorer(request)
    staged = archive.load_staged(request.session.get(SESSION_KEY), user)
    if staged is None:
        messages.info(request, _("There is no checked archive waiting: upload it again."))
        return redirect("inspections:restore")
    form = PeopleForm(
        request.POST or None, people=staged.summary.people, accounts=archive.local_accounts()
    )
    problems: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        try:
            inspection = archive.restore_staged(staged, form.decisions(), user)
        except ArchiveError as exc:
            problems = form.add_problems(exc.problems)
        else:
            request.session.pop(SESSION_KEY, None)
            messages.success(
                request,
                _("Restored %(inspection)s as a new inspection.") % {"inspection": inspection},
            )
            return redirect("inspections:detail", pk=inspection.pk)
    return render(
        request,
        "inspections/restore/check.html",
        {
            "staged": staged,
            "summary_rows": _summary_rows(staged),
            "form": form,
            "problems": _problem_rows(problems),
            "max": archive.MAX_PROBLEMS,
        },
    )


@require_POST
def restore_discard(request: HttpRequest) -> HttpResponse:
    _restorer(request)
    _forget(request)
    messages.success(request, _("The uploaded archive was discarded. Nothing was restored."))
    return redirect("inspections:restore")


urlpatterns = [
    path("restore/", restore, name="restore"),
    path("restore/check/", restore_check, name="restore_check"),
    path("restore/discard/", restore_discard, name="restore_discard"),
]
