"""The inspection report: as a web page and as a PDF, from one template.

Both come from `services.report.inspection_report` (the engine's figures, worded by
`yjinspect.reports.content`, with the inspectors' edited words from `views.texts`); the PDF is
the same HTML laid out by WeasyPrint with the print stylesheet, offline. The web view serves the
PDF from `services.report_cache` while nothing in it has changed; `pdf_bytes` always renders
(the CLI and the benchmark use it).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import translation
from django.utils.text import slugify

from yjinspect.reports.pdf import html_to_pdf

from ..access import Can, allowed, get_inspection
from ..models import Inspection
from ..query import query_value
from ..services.ratings import is_areas
from ..services.report import inspection_report, report_language
from ..services.report_cache import cached_pdf
from . import texts

CSS_NAME = "yjinspect/report.css"


def report_css_path() -> Path:
    """The print stylesheet every report uses (the standards report, the earlier programmes'
    reports, the bench's PDF floor): its folder is also where the PDF's fonts and images are
    looked up."""
    found = finders.find(CSS_NAME)
    if not found:
        raise FileNotFoundError(CSS_NAME)
    return Path(str(found))


def _request_language(request: HttpRequest) -> str:
    """`?lang=cy` or `?lang=en`; anything else is English; none follows the active language."""
    return report_language(query_value(request, "lang") or None)


def report(request: HttpRequest, pk: int) -> HttpResponse:
    inspection, role = get_inspection(request, pk, Can.SEE_RATINGS)
    if is_areas(inspection):  # earlier programmes have their own report shapes
        return redirect("inspections:legacy_report", pk=pk)
    lang = _request_language(request)
    with translation.override(lang):
        return render(
            request,
            "inspections/report/page.html",
            {
                "inspection": inspection,
                "role": role,
                "report": inspection_report(inspection),
                "report_lang": lang,
                "texts_link": allowed(role, inspection, Can.WORK),
            },
        )


def standalone_html(
    inspection: Inspection, request: HttpRequest | None = None, lang: str = "en"
) -> str:
    """The report as one self-contained HTML file (styles inlined): the PDF's source too.

    `lang` is "en" or "cy" (anything else is English).
    """
    with translation.override(report_language(lang)):
        return render_to_string(
            "inspections/report/pdf.html",
            {
                "inspection": inspection,
                "report": inspection_report(inspection),
                "css": report_css_path().read_text(encoding="utf-8"),
            },
            request=request,
        )


def pdf_bytes(
    inspection: Inspection, request: HttpRequest | None = None, lang: str = "en"
) -> bytes:
    return html_to_pdf(standalone_html(inspection, request, lang), report_css_path().parent.parent)


def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    inspection, _role = get_inspection(request, pk, Can.SEE_RATINGS)
    if is_areas(inspection):
        return redirect("inspections:legacy_report_pdf", pk=pk)
    lang = _request_language(request)
    started = time.perf_counter()
    pdf, hit = cached_pdf(inspection, lang, lambda: pdf_bytes(inspection, request, lang))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["X-Report-Cache"] = "hit" if hit else "miss"
    name = slugify(
        f"inspection-report-{inspection.service_name}-{inspection.fieldwork_start:%Y-%m}"
        + ("-cy" if lang == "cy" else "")
    )
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Server-Timing"] = f"pdf;dur={(time.perf_counter() - started) * 1000:.0f}"
    return response


urlpatterns = [
    path("<int:pk>/report/", report, name="report"),
    path("<int:pk>/report.pdf", report_pdf, name="report_pdf"),
    *texts.urlpatterns,  # the report's edited words, under /report/ too
]
