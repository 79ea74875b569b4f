"""The earlier programmes' reports: the SQS letter and the FJI report, as HTML and as PDF, and
the page where the inspectors enter the letter's facts and the report's words.

An inspection on the current standards has its own report (`views.report`); these URLs send it
there. The PDF is the same body laid out by WeasyPrint with the print stylesheet, offline.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from yjinspect.reports.legacy import FjiReport, SqsLetter
from yjinspect.reports.pdf import html_to_pdf

from ..access import Can, allowed, get_inspection, signed_in_user
from ..forms.legacy_report import LegacyTextsForm, field_name
from ..models import Inspection
from ..services.legacy_report import (
    TextsChanged,
    legacy_report,
    report_fields,
    save_texts,
    stored_texts,
)
from ..services.ratings import is_areas
from .report import report_css_path


def body_template(report: SqsLetter | FjiReport) -> str:
    """The letter for the SQS; the themed report for the FJI (and the CCI)."""
    if isinstance(report, SqsLetter):
        return "inspections/report/sqs_letter.html"
    return "inspections/report/fji.html"


def report_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The report of an earlier-programme inspection, as a web page."""
    inspection, role = get_inspection(request, pk, Can.SEE_RATINGS)
    if not is_areas(inspection):
        return redirect("inspections:report", pk=pk)
    report = legacy_report(inspection)
    return render(
        request,
        "inspections/report/legacy_page.html",
        {
            "inspection": inspection,
            "role": role,
            "report": report,
            "body": body_template(report),
            "can_write": allowed(role, inspection, Can.WRITE_REPORT),
        },
    )


def standalone_html(inspection: Inspection, request: HttpRequest | None = None) -> str:
    """The report as one self-contained HTML file (styles inlined): the PDF's source."""
    report = legacy_report(inspection)
    return render_to_string(
        "inspections/report/legacy_pdf.html",
        {
            "inspection": inspection,
            "report": report,
            "body": body_template(report),
            "css": report_css_path().read_text(encoding="utf-8"),
        },
        request=request,
    )


def pdf_bytes(inspection: Inspection, request: HttpRequest | None = None) -> bytes:
    return html_to_pdf(standalone_html(inspection, request), report_css_path().parent.parent)


def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    inspection, _role = get_inspection(request, pk, Can.SEE_RATINGS)
    if not is_areas(inspection):
        return redirect("inspections:report_pdf", pk=pk)
    started = time.perf_counter()
    response = HttpResponse(pdf_bytes(inspection, request), content_type="application/pdf")
    name = slugify(
        f"{inspection.framework.framework_id}-{inspection.service_name}-"
        f"{inspection.fieldwork_start:%Y-%m}"
    )
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Server-Timing"] = f"pdf;dur={(time.perf_counter() - started) * 1000:.0f}"
    return response


def texts(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter the letter's facts and the report's words, all saved together or not at all."""
    inspection, role = get_inspection(request, pk, Can.WRITE_REPORT)
    if not is_areas(inspection):
        return redirect("inspections:report", pk=pk)
    framework = inspection.framework.framework
    fields = report_fields(framework)
    stored = stored_texts(inspection)
    status = 200
    if request.method == "POST":
        form = LegacyTextsForm(request.POST, framework=framework, report_fields=fields)
        if form.is_valid():
            try:
                changed = save_texts(
                    inspection, fields, form.values(), form.versions(), signed_in_user(request)
                )
            except TextsChanged as clash:
                form.add_error(
                    None,
                    _(
                        "Someone else saved these since you opened the page, so nothing was "
                        "saved: %(fields)s. Copy your words, reload the page and try again."
                    )
                    % {"fields": ", ".join(clash.labels)},
                )
                status = 409
            else:
                messages.success(request, _("Saved %(n)s changed passages.") % {"n": changed})
                return redirect(reverse("inspections:legacy_report", kwargs={"pk": pk}))
    else:
        initial: dict[str, Any] = {}
        for f in fields:
            text = stored.get(f.key)
            initial[field_name(f.key)] = text.text_en if text else ""
            initial[f"{field_name(f.key)}__version"] = text.version if text else 0
        form = LegacyTextsForm(initial=initial, framework=framework, report_fields=fields)
    return render(
        request,
        "inspections/report/legacy_texts.html",
        {"inspection": inspection, "role": role, "form": form},
        status=status,
    )


urlpatterns = [
    path("<int:pk>/report/earlier/", report_view, name="legacy_report"),
    path("<int:pk>/report/earlier.pdf", report_pdf, name="legacy_report_pdf"),
    path("<int:pk>/report/earlier/words/", texts, name="legacy_texts"),
]
