"""Downloads: the answers and decisions (CSV, XLSX) and the complete inspection archive (zip).

The answers are for the team's analysis (Can.WORK); the archive holds everything, uploaded
evidence and the full history included, so only those who manage the inspection may take it.
Blind moderation holds here as on the case page: the answers files leave out the assessments
`hidden_assessments` names for this person, and the archive, which must be whole to be
restored, is refused to anyone from whom an assessment is hidden.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _

from ..access import ALLOWED, Can, get_inspection, signed_in_user
from ..services.archive import export_inspection
from ..services.assessments import hidden_assessments
from ..services.exports import answer_rows, answers_xlsx, csv_lines

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _private(response: HttpResponse, filename: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"


def export_answers_csv(request: HttpRequest, pk: int) -> HttpResponse:
    inspection, role = get_inspection(request, pk, Can.WORK)
    hidden = hidden_assessments(inspection, signed_in_user(request), role)
    # Built inside the request's transaction, so the file is one consistent snapshot.
    body = "".join(csv_lines(answer_rows(inspection, hidden=hidden)))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    _private(response, f"inspection-{pk}-answers.csv")
    return response


def export_answers_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    inspection, role = get_inspection(request, pk, Can.WORK)
    hidden = hidden_assessments(inspection, signed_in_user(request), role)
    response = HttpResponse(answers_xlsx(inspection, hidden=hidden), content_type=XLSX)
    _private(response, f"inspection-{pk}-answers.xlsx")
    return response


def export_archive(request: HttpRequest, pk: int) -> HttpResponseBase:
    # Can.MANAGE is a write right (refused once published); an archive must still be possible
    # then, so the lead's role is checked through VIEW plus the MANAGE rule on the role alone.
    inspection, role = get_inspection(request, pk, Can.WORK)
    if role not in ALLOWED[Can.MANAGE]:
        raise PermissionDenied(_("Your role in this inspection does not allow this"))
    if hidden_assessments(inspection, signed_in_user(request), role):
        messages.error(
            request,
            _(
                "Some assessments are hidden from you while their cases' second assessments "
                "are open (blind moderation). The archive holds every answer, so download it "
                "once those second assessments are submitted."
            ),
        )
        return redirect("inspections:detail", pk=pk)
    response = HttpResponse(export_inspection(inspection), content_type="application/zip")
    _private(response, f"inspection-{pk}.zip")
    return response


urlpatterns = [
    path("<int:pk>/export/answers.csv", export_answers_csv, name="export_answers_csv"),
    path("<int:pk>/export/answers.xlsx", export_answers_xlsx, name="export_answers_xlsx"),
    path("<int:pk>/export/inspection.zip", export_archive, name="export_archive"),
]
