"""Moderation: choosing cases for a blind second assessment, giving it, and how far the two agree.

The second-assessment form is the assessment form (`assess.assessment_view`) for
Assessment(kind=moderation); it never shows the first assessment's answers.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import ALLOWED, Can, allowed, get_inspection, signed_in_user
from ..models import Assessment, AssessmentKind, AssessmentState, Case
from ..query import query_value
from ..services.assessments import (
    AssessmentError,
    agreement,
    all_questions,
    choose_for_moderation,
    resolve_answer,
)
from ..services.sampling import domain_labels
from .assess import PER_PAGE, assessment_view, sampled_case


def _int_list(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdecimal()]  # "²" is a digit, not a number


def _page_links(request: HttpRequest, page: PaginatorPage[Any], param: str) -> dict[str, Any]:
    """GOV.UK pagination parameters for a second list on the page (its own query parameter)."""

    def href(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    params: dict[str, Any] = {
        "items": [
            {"number": n, "href": href(n), "current": n == page.number}
            for n in page.paginator.page_range
        ]
    }
    if page.has_previous():
        params["previous"] = {"href": href(page.previous_page_number())}
    if page.has_next():
        params["next"] = {"href": href(page.next_page_number())}
    return params


def moderation(request: HttpRequest, pk: int) -> HttpResponse:
    """The cases chosen for a second assessment, choosing them, and the agreement figures."""
    writing = request.method == "POST"
    inspection, role = get_inspection(request, pk, Can.MODERATE if writing else Can.WORK)
    user = signed_in_user(request)
    if writing:
        result = choose_for_moderation(
            inspection,
            _int_list(request.POST.getlist("shown")),
            _int_list(request.POST.getlist("cases")),
            user,
        )
        if result.added:
            messages.success(
                request,
                _("Chosen for a second assessment: %(refs)s") % {"refs": ", ".join(result.added)},
            )
        if result.removed:
            messages.success(
                request,
                _("No longer chosen: %(refs)s") % {"refs": ", ".join(result.removed)},
            )
        if result.kept:
            messages.error(
                request,
                _("These cases' second assessments have answers, so they stay chosen: %(refs)s")
                % {"refs": ", ".join(result.kept)},
            )
        if not (result.added or result.removed or result.kept):
            messages.success(request, _("No change to the cases chosen."))
        query = QueryDict(request.POST.get("query", "")).urlencode()
        return redirect(request.path + (f"?{query}" if query else ""))

    primary = Assessment.objects.filter(case=OuterRef("pk"), kind=AssessmentKind.PRIMARY)
    second = Assessment.objects.filter(case=OuterRef("pk"), kind=AssessmentKind.MODERATION)
    qs = (
        Case.objects.filter(
            inspection=inspection, in_sample=True, assessments__kind=AssessmentKind.PRIMARY
        )
        .annotate(
            primary_state=Subquery(primary.values("state")[:1]),
            primary_assessor=Subquery(primary.values("assessor__username")[:1]),
            primary_assessor_pk=Subquery(primary.values("assessor_id")[:1]),
            second_state=Subquery(second.values("state")[:1]),
            second_assessor=Subquery(second.values("assessor__username")[:1]),
        )
        .order_by("case_ref")
    )
    domains = domain_labels(inspection)
    chosen = query_value(request, "chosen")
    domain = query_value(request, "domain")
    if chosen == "yes":
        qs = qs.filter(second_state__isnull=False)
    elif chosen == "no":
        qs = qs.filter(second_state__isnull=True)
    if domain in domains:
        qs = qs.filter(domain=domain)
    page = Paginator(qs, PER_PAGE).get_page(query_value(request, "page"))

    sees_figures = role in ALLOWED[Can.MODERATE]
    summary = agreement(inspection)
    disagreements = None
    disagreement_links = None
    if sees_figures and summary.disagreements:
        disagreements = Paginator(summary.disagreements, PER_PAGE).get_page(
            query_value(request, "dpage")
        )
        if disagreements.paginator.num_pages > 1:
            disagreement_links = _page_links(request, disagreements, "dpage")
    return render(
        request,
        "inspections/moderation/index.html",
        {
            "inspection": inspection,
            "role": role,
            "page": page,
            "chosen": chosen,
            "domain": domain,
            "domains": domains,
            "filtered": bool(chosen or domain),
            "query": request.GET.urlencode(),
            "can_moderate": allowed(role, inspection, Can.MODERATE),
            "sees_figures": sees_figures,
            "summary": summary,
            "overall": summary.rows[-1],
            "disagreements": disagreements,
            "disagreement_links": disagreement_links,
            "state_labels": dict(AssessmentState.choices),
            "by_area": inspection.framework.framework.scoring_model == "areas",
            "user_pk": user.pk,
        },
    )


def moderate(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    """The blind second assessment of one case: the assessment form, for kind=moderation."""
    return assessment_view(request, pk, case_pk, AssessmentKind.MODERATION)


@require_POST
def resolve(request: HttpRequest, pk: int, case_pk: int, kq: str) -> HttpResponse:
    """Record how a disagreement was settled: the first assessment's answer takes it."""
    inspection, _role = get_inspection(request, pk, Can.MODERATE)
    case = sampled_case(inspection, case_pk)
    question = all_questions(inspection.framework.framework).get(kq)
    # Back to the same page of the moderation list (the query is re-encoded, never a URL).
    query = QueryDict(request.POST.get("back", "")).urlencode()
    url = reverse("inspections:moderation", kwargs={"pk": pk})
    back = redirect(f"{url}{'?' + query if query else ''}#disagreements")
    if question is None:
        messages.error(request, _("There is no such key question."))
        return back
    try:
        resolve_answer(
            case,
            kq,
            request.POST.get("value", ""),
            request.POST.get("note", ""),
            signed_in_user(request),
            question.options or None,
        )
    except AssessmentError as error:
        messages.error(
            request,
            _("%(ref)s, %(question)s: %(error)s")
            % {"ref": case.case_ref, "question": question.label, "error": error},
        )
        return back
    messages.success(
        request,
        _("Resolved %(ref)s, %(question)s. The first assessment's answer now counts as resolved.")
        % {"ref": case.case_ref, "question": question.label},
    )
    return back


urlpatterns = [
    path("<int:pk>/moderation/", moderation, name="moderation"),
    path("<int:pk>/cases/<int:case_pk>/moderate/", moderate, name="moderate"),
    path("<int:pk>/cases/<int:case_pk>/resolve/<str:kq>/", resolve, name="resolve"),
]
