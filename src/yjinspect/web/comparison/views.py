"""Comparison pages: services, one service over time and across programmes, the national
distribution of one figure, and the upload of published results.

Published figures are public, so every signed-in user may read them. Inspections and audits
run in this app appear only to people whose role lets them see that inspection's ratings.
Uploading changes what everyone sees, so it is for inspection staff (is_staff) and site
administrators, who also withdraw a wrong upload in the site admin.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yjinspect.core.published import (
    Problem,
    PublishedError,
    PublishedFigure,
    parse_published,
    service_key,
)
from yjinspect.frameworks import get_framework, shipped_framework_paths
from yjinspect.web.inspections.access import signed_in_user, visible_inspections
from yjinspect.web.inspections.models import Inspection
from yjinspect.web.inspections.query import query_dict, query_value

from . import services
from .charts import distribution_chart
from .forms import DistributionForm, PublishedUploadForm, ServiceSearchForm
from .models import PublishedResult

app_name = "comparison"
SESSION_KEY = "comparison_pending_upload"
SERVICES_PER_PAGE = 25
ROWS_PER_PAGE = 50


def _is_staff(request: HttpRequest) -> bool:
    user = signed_in_user(request)
    return bool(user.is_staff or user.is_superuser)


def index(request: HttpRequest) -> HttpResponse:
    """Services with published figures or visible inspections, searched and paginated."""
    user = signed_in_user(request)
    form = ServiceSearchForm(query_dict(request) or None)
    q = form.cleaned_data.get("q", "").strip() if form.is_valid() else ""
    names: dict[str, str] = {}
    published = PublishedResult.objects.order_by("service").values_list("service_key", "service")
    if q:
        published = published.filter(service__icontains=q)
    for key, name in published.distinct():
        names.setdefault(key, name)
    ids = visible_inspections(user)
    inspections = Inspection.objects.order_by("service_name")
    if ids is not None:
        inspections = inspections.filter(pk__in=ids)
    if q:
        inspections = inspections.filter(service_name__icontains=q)
    for name in inspections.values_list("service_name", flat=True).distinct():
        key = service_key(name)
        if key:
            names.setdefault(key, name)
    rows = sorted(names.items(), key=lambda kv: kv[1].casefold())
    page = Paginator(rows, SERVICES_PER_PAGE).get_page(query_value(request, "page"))
    frameworks = [get_framework(fid) for fid in services.comparable_frameworks()]
    context = {
        "form": form,
        "page": page,
        "frameworks": frameworks,
        "can_upload": _is_staff(request),
        "has_fictitious": PublishedResult.objects.filter(fictitious=True).exists(),
    }
    return render(request, "comparison/index.html", context)


def service(request: HttpRequest, service: str) -> HttpResponse:
    """One service over time, per framework, and across programmes through the crosswalk."""
    user = signed_in_user(request)
    occasions = services.published_occasions(service) + services.app_occasions(service, user)
    context = {
        "service_key": service,
        "name": services.service_name(occasions) or service,
        "timelines": services.timelines(occasions),
        "across": services.across_programmes(occasions),
        "fictitious": any(o.fictitious for o in occasions),
        "frameworks": sorted({o.framework_id for o in occasions if o.origin == "published"}),
    }
    return render(request, "comparison/service.html", context)


def national(request: HttpRequest, framework_id: str) -> HttpResponse:
    """Every service's latest published inspection figure for one item, one service picked out."""
    if framework_id not in shipped_framework_paths():
        raise Http404("No such framework")
    fw = get_framework(framework_id)
    items = services.framework_items(fw)
    form = DistributionForm(
        query_dict(request) or None, items=items, services=services.services_for(fw)
    )
    item_kind, _sep, item_id = form.value("item", items[0][0]).partition(":")
    highlight = form.value("service", "")
    dist = services.distribution(fw, item_kind, item_id, highlight)
    page = Paginator(dist.rows, ROWS_PER_PAGE).get_page(query_value(request, "page"))
    title = _("%(item)s: published inspections of %(framework)s") % {
        "item": dist.item_label,
        "framework": fw.title,
    }
    counts = "; ".join(f"{category}: {n}" for category, n in dist.categories)
    desc = _("Number of services in each category. %(counts)s.") % {"counts": counts}
    if dist.highlighted:
        desc += " " + _("%(service)s is in %(category)s.") % {
            "service": dist.highlighted.service,
            "category": dist.highlighted.category,
        }
    chart = distribution_chart(
        "national-chart",
        title,
        desc,
        dist.categories,
        dist.highlighted.category if dist.highlighted else None,
        dist.highlighted.service if dist.highlighted else "",
    )
    context = {
        "framework": fw,
        "form": form,
        "dist": dist,
        "page": page,
        "chart": chart,
        "chart_title": title,
        "has_fictitious": any(r.fictitious for r in dist.rows),
    }
    return render(request, "comparison/national.html", context)


def _problem_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    return [{"row": p.row, "column": p.column, "message": p.message} for p in problems]


def upload(request: HttpRequest) -> HttpResponse:
    """Check a CSV of published results and show every problem, or a summary to confirm."""
    if not _is_staff(request):
        raise PermissionDenied(_("Only inspection staff can add published results"))
    form = PublishedUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST":
        request.session.pop(SESSION_KEY, None)  # a new file replaces any checked earlier
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["results"]
        filename = PurePath(uploaded.name or "results.csv").name
        try:
            text = uploaded.read().decode("utf-8-sig")
            figures = parse_published(text)
            clashes = services.clashes_with_stored(figures)
            if clashes:
                raise PublishedError(clashes)
        except UnicodeDecodeError:
            context["problems"] = _problem_rows(
                [Problem(None, None, _("the file is not UTF-8 text: save it as CSV UTF-8"))]
            )
        except PublishedError as exc:
            context["problems"] = _problem_rows(exc.problems)
        else:
            request.session[SESSION_KEY] = {"text": text, "filename": filename}
            context["preview"] = _summary(figures)
            context["filename"] = filename
    return render(request, "comparison/upload.html", context)


def _summary(figures: list[PublishedFigure]) -> dict[str, Any]:
    by_service: dict[tuple[str, str, str], int] = {}
    for f in figures:
        key = (f.service, f.framework_id, f.published.isoformat())
        by_service[key] = by_service.get(key, 0) + 1
    return {
        "count": len(figures),
        "fictitious": sum(1 for f in figures if f.fictitious),
        "groups": [(s, fid, when, n) for (s, fid, when), n in sorted(by_service.items())],
    }


@require_POST
def upload_commit(request: HttpRequest) -> HttpResponse:
    """Store the checked file in one transaction; checked again, since time has passed."""
    if not _is_staff(request):
        raise PermissionDenied(_("Only inspection staff can add published results"))
    pending = request.session.pop(SESSION_KEY, None)
    if not pending:
        messages.info(request, _("There was no checked file waiting: upload it again."))
        return redirect("comparison:upload")
    try:
        figures = parse_published(pending["text"])
        stored = services.store_upload(
            figures, pending["text"], pending["filename"], signed_in_user(request)
        )
    except (PublishedError, services.UploadRefused) as exc:
        context = {"form": PublishedUploadForm(), "problems": _problem_rows(exc.problems)}
        return render(request, "comparison/upload.html", context, status=409)
    messages.success(
        request,
        _("%(n)s published figures added from %(file)s.")
        % {"n": stored.row_count, "file": stored.filename},
    )
    return redirect("comparison:index")


urlpatterns = [
    path("", index, name="index"),
    path("upload/", upload, name="upload"),
    path("upload/confirm/", upload_commit, name="upload_commit"),
    path("services/<slug:service>/", service, name="service"),
    path("national/<slug:framework_id>/", national, name="national"),
]
