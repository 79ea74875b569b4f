"""The case list, and importing it from a service's CSV or Excel file (preview, then commit)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yjinspect.core.caselist import (
    CANONICAL_COLUMNS,
    REQUIRED_COLUMNS,
    CaseListError,
    parse_case_list,
)

from ..access import Can, allowed, get_inspection, signed_in_user
from ..files import NotStored
from ..forms.cases import NO, YES, CaseFilterForm, CaseListUploadForm
from ..language import case_value
from ..models import Case, Inspection
from ..query import query_dict, query_value
from ..services import caselists
from ..services.caselists import ImportRefused
from ..services.sampling import allocatable, domain_labels

PER_PAGE = 50
PROBLEMS_PER_PAGE = 100


def _sentence(message: str) -> str:
    """Core messages start in lower case ('the file is empty'); show them as sentences."""
    text = message.strip()
    return (text[:1].upper() + text[1:]) if text else text


def case_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Every case on the list, filtered and paginated on the server. References only."""
    inspection, role = get_inspection(request, pk, Can.WORK)
    labels = domain_labels(inspection)
    cases = Case.objects.filter(inspection=inspection)
    present = list(cases.order_by().values_list("disposal_type", flat=True).distinct())
    disposals = sorted(
        ((code, case_value("disposal_type", code)) for code in present), key=lambda c: c[1]
    )
    form = CaseFilterForm(
        query_dict(request) or None,
        domains=list(labels.items()),
        disposals=disposals,
        assessors=[(str(uid), name) for uid, name in allocatable(inspection)],
    )
    qs = cases.select_related("assessor")
    q = form.value("q").strip()
    if q:
        qs = qs.filter(case_ref__icontains=q)
    if form.value("domain"):
        qs = qs.filter(domain=form.value("domain"))
    if form.value("disposal_type"):
        qs = qs.filter(disposal_type=form.value("disposal_type"))
    if form.value("in_sample") in (YES, NO):
        qs = qs.filter(in_sample=form.value("in_sample") == YES)
    assessor = form.value("assessor")
    if assessor == CaseFilterForm.NOBODY:
        qs = qs.filter(assessor__isnull=True)
    elif assessor:
        qs = qs.filter(assessor_id=int(assessor))
    page = Paginator(qs.order_by("case_ref"), PER_PAGE).get_page(query_value(request, "page"))
    rows = [
        {
            "case": case,
            "domain": labels.get(case.domain, case.domain),
            "disposal": case_value("disposal_type", case.disposal_type),
            "risk_of_harm": case_value("risk_of_harm", case.risk_of_harm),
            "safety_wellbeing": case_value("safety_wellbeing", case.safety_wellbeing),
        }
        for case in page.object_list
    ]
    totals = cases.aggregate(total=Count("id"), sampled=Count("id", filter=Q(in_sample=True)))
    return render(
        request,
        "inspections/cases/list.html",
        {
            "inspection": inspection,
            "role": role,
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": page.paginator.count,
            "totals": totals,
            "imports": inspection.imports.select_related("by").order_by("-at")[:10],
            "can_manage": allowed(role, inspection, Can.MANAGE),
            "filter": {name: form.value(name) for name in form.fields},
        },
    )


def _preview_context(request: HttpRequest, inspection: Inspection) -> dict[str, Any]:
    stored = caselists.load_preview(
        inspection, caselists.pending_token(request.session, inspection), signed_in_user(request)
    )
    if stored is None:
        return {}
    labels = domain_labels(inspection)
    problems_page = None
    if stored.problem_count:
        problems = caselists.load_problems(stored)
        problems_page = Paginator(problems, PROBLEMS_PER_PAGE).get_page(
            query_value(request, "page")
        )
    return {
        "preview": stored,
        "uploaded_at": caselists.created_at(stored),
        "domain_counts": [
            (labels.get(domain, case_value("domain", domain)), count)
            for domain, count in stored.domain_counts.items()
        ],
        "page": problems_page,
        # The person's own heading for each column, so a problem names what is in their file.
        "headings": {column: heading for heading, column in stored.header_mapping.items()},
    }


def case_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a case list and see what it holds; nothing is added to the inspection here."""
    inspection, role = get_inspection(request, pk, Can.MANAGE)
    user = signed_in_user(request)
    blocked = caselists.import_blocked_reason(inspection)
    form = CaseListUploadForm()
    if request.method == "POST":
        caselists.forget(request.session, inspection)
        form = CaseListUploadForm(request.POST, request.FILES)
        if blocked:
            messages.error(request, blocked)
            return redirect("inspections:case_import", pk=pk)
        if form.is_valid():
            upload = form.cleaned_data["case_list"]
            name = PurePath(upload.name or "case-list").name
            try:
                preview = parse_case_list(upload.read(), name, max_bytes=CaseListUploadForm.limit())
            except CaseListError as exc:
                form.add_error("case_list", _sentence(str(exc)))
            else:
                try:
                    stored = caselists.store_preview(inspection, preview, name, user)
                except NotStored as problem:
                    form.add_error("case_list", str(problem))
                else:
                    caselists.remember(request.session, inspection, stored.token)
                    return redirect("inspections:case_import", pk=pk)
    preview_context = {} if request.method == "POST" else _preview_context(request, inspection)
    return render(
        request,
        "inspections/cases/import.html",
        {
            "inspection": inspection,
            "role": role,
            "form": form,
            "blocked": blocked,
            "required_columns": [c for c in CANONICAL_COLUMNS if c in REQUIRED_COLUMNS],
            "optional_columns": [c for c in CANONICAL_COLUMNS if c not in REQUIRED_COLUMNS],
            **preview_context,
        },
    )


@require_POST
def case_import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the previewed cases: all of them or, if anything is wrong, none."""
    inspection, _role = get_inspection(request, pk, Can.MANAGE)
    user = signed_in_user(request)
    stored = caselists.load_preview(
        inspection, caselists.pending_token(request.session, inspection), user
    )
    if stored is None:
        messages.error(request, _("There is no checked case list to add. Upload the file again."))
        return redirect("inspections:case_import", pk=pk)
    try:
        record = caselists.commit_preview(inspection, stored, user)
    except ImportRefused as exc:
        caselists.forget(request.session, inspection)
        messages.error(request, str(exc))
        return redirect("inspections:case_import", pk=pk)
    caselists.forget(request.session, inspection)
    messages.success(
        request,
        _("Added %(n)s cases from %(file)s to the case list.")
        % {"n": f"{record.rows:,}", "file": record.filename},
    )
    return redirect("inspections:cases", pk=pk)


@require_POST
def case_import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    inspection, _role = get_inspection(request, pk, Can.MANAGE)
    caselists.forget(request.session, inspection)
    messages.success(request, _("The uploaded case list was discarded. Nothing was added."))
    return redirect("inspections:case_import", pk=pk)


def case_import_problems(request: HttpRequest, pk: int) -> HttpResponse:
    """Every problem in the uploaded file, as CSV, to work through in a spreadsheet."""
    inspection, _role = get_inspection(request, pk, Can.MANAGE)
    stored = caselists.load_preview(
        inspection,
        caselists.pending_token(request.session, inspection),
        signed_in_user(request),
    )
    if stored is None:
        messages.error(request, _("There is no uploaded case list. Upload the file again."))
        return redirect("inspections:case_import", pk=pk)
    response = HttpResponse(
        caselists.problems_csv(caselists.load_problems(stored)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="case-list-problems.csv"'
    return response


def case_import_template(request: HttpRequest, pk: int) -> HttpResponse:
    """A CSV with the column headings and two made-up example rows, to send to the service."""
    get_inspection(request, pk, Can.VIEW)
    response = HttpResponse(caselists.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="case-list-template.csv"'
    return response


urlpatterns = [
    path("<int:pk>/cases/", case_list, name="cases"),
    path("<int:pk>/cases/import/", case_import, name="case_import"),
    path("<int:pk>/cases/import/commit/", case_import_commit, name="case_import_commit"),
    path("<int:pk>/cases/import/discard/", case_import_discard, name="case_import_discard"),
    path("<int:pk>/cases/import/problems.csv", case_import_problems, name="case_import_problems"),
    path("<int:pk>/cases/import/template.csv", case_import_template, name="case_import_template"),
]
