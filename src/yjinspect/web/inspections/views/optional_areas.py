"""Which optional themes an earlier-programme inspection covers (the FJI sixth theme).

The lead chooses them when creating the inspection, or here later. The choice decides which
questions the assessment form asks and which optional areas the engine scores; a theme that
already has answers cannot be left out (the engine would refuse those answers), so such a
change is refused by item and case, and nothing is saved.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from ..access import Can, get_inspection
from ..forms.overview import OptionalAreasForm
from ..models import Answer, Inspection

CASES_NAMED = 5  # case references named in a refusal; more are counted


def answered_elsewhere(inspection: Inspection, chosen: list[str] | None) -> list[str]:
    """Why `chosen` cannot be stored: one sentence per left-out area with answers.

    Answers of both assessments count (a moderation answer would be resolved into the first).
    """
    if chosen is None:
        return []
    framework = inspection.framework.framework
    left_out = {a.id for a in framework.areas if a.optional and a.id not in chosen}
    home = {i.id: i.area for i in framework.items if i.area in left_out}
    rows = (
        Answer.objects.filter(assessment__case__inspection=inspection, key_question__in=home)
        .exclude(value="")
        .values_list("key_question", "assessment__case__case_ref")
        .order_by("assessment__case__case_ref")
    )
    cases: dict[str, set[str]] = defaultdict(set)
    for item_id, case_ref in rows:
        cases[home[item_id]].add(case_ref)
    problems = []
    for area_id in sorted(cases):
        refs = sorted(cases[area_id])
        values = {"area": area_id, "cases": ", ".join(refs[:CASES_NAMED])}
        if len(refs) > CASES_NAMED:
            values["more"] = str(len(refs) - CASES_NAMED)
            message = _(
                "%(area)s already has answers in cases %(cases)s and %(more)s more: clear them "
                "on the assessment forms first, or keep %(area)s."
            )
        else:
            message = _(
                "%(area)s already has answers in case %(cases)s: clear them on the assessment "
                "form first, or keep %(area)s."
            )
        problems.append(message % values)
    return problems


def optional_areas(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead ticks the optional themes covered; saved with history, or refused whole."""
    inspection, role = get_inspection(request, pk, Can.MANAGE)
    framework = inspection.framework.framework
    areas = [(a.id, f"{a.name} ({a.id})") for a in framework.areas if a.optional]
    if not areas:
        messages.info(request, _("This inspection's framework has no optional themes."))
        return redirect("inspections:detail", pk=pk)
    form = OptionalAreasForm(
        request.POST or None,
        areas=areas,
        initial={"optional_areas": inspection.optional_areas or []},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        for problem in answered_elsewhere(inspection, chosen):
            form.add_error("optional_areas", problem)
        if form.is_valid():
            inspection.optional_areas = chosen
            inspection.save()  # history keeps every change of choice
            messages.success(request, _("Saved the optional themes."))
            return redirect("inspections:detail", pk=pk)
    return render(
        request,
        "inspections/overview/optional_areas.html",
        {"inspection": inspection, "role": role, "form": form},
    )


urlpatterns = [
    path("<int:pk>/optional-themes/", optional_areas, name="optional_areas"),
]
