"""The sample: drawing it from a seed, its composition, replacements, and allocating its cases."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yjinspect.core.sampling import SamplingCase, SamplingError

from ..access import Can, allowed, get_inspection, signed_in_user
from ..forms.sample import AllocationForm, DomainChoice, DrawForm, ReplaceForm
from ..language import case_value
from ..models import Case, Inspection, Replacement, Role
from ..query import query_value
from ..services import sampling
from ..services.sampling import AllocationChange, SampleRefused

ATTRIBUTE_LABELS = {
    "sex": gettext_lazy("Sex"),
    "disposal_type": gettext_lazy("Disposal type"),
    "risk_of_harm": gettext_lazy("Risk of harm"),
    "safety_wellbeing": gettext_lazy("Safety and wellbeing"),
    "ethnicity_group": gettext_lazy("Ethnicity"),
    "age": gettext_lazy("Age"),
    "looked_after": gettext_lazy("Looked after"),
    "custody": gettext_lazy("In custody"),
}
ALLOCATION_PER_PAGE = 50


def _sentence(message: str) -> str:
    text = message.strip()
    return (text[:1].upper() + text[1:]) if text else text


def _draw_form(
    inspection: Inspection,
    cases: Sequence[SamplingCase],
    data: object = None,
    infos: Sequence[sampling.DomainInfo] | None = None,
) -> DrawForm:
    """The draw form; `infos` (what a draw would use now) are worked out unless given."""
    if infos is None:
        infos = sampling.domain_infos(inspection, cases, from_draw=False)
    choices = [DomainChoice(i.domain, i.label, i.population, i.basis.target) for i in infos]
    return DrawForm(data, domains=choices, initial={"seed": sampling.new_seed()})


def _render(
    request: HttpRequest,
    inspection: Inspection,
    role: Role,
    *,
    cases: Sequence[SamplingCase] | None = None,
    draw_form: DrawForm | None = None,
    replace_form: ReplaceForm | None = None,
) -> HttpResponse:
    cases = sampling.sampling_cases(inspection) if cases is None else cases
    draw = sampling.current_draw(inspection)
    can_manage = allowed(role, inspection, Can.MANAGE)
    started = sampling.assessments_started(inspection)
    verification = None
    if draw is not None and query_value(request, "verify") == "1":
        try:
            verification = sampling.verify(inspection, cases)
        except (SampleRefused, SamplingError) as exc:
            messages.error(request, _sentence(str(exc)))
    figures = sampling.overview(inspection, cases, draw)
    infos, tables = figures.infos, figures.compositions
    composition = [
        {
            "info": info,
            "rows": [
                {
                    "attribute": ATTRIBUTE_LABELS.get(row.attribute, row.attribute),
                    "value": case_value(row.attribute, row.value) or row.value,
                    "row": row,
                }
                for row in tables.get(info.domain, ())
            ],
        }
        for info in infos
        if info.domain in tables and info.population
    ]
    return render(
        request,
        "inspections/sample/sample.html",
        {
            "inspection": inspection,
            "role": role,
            "case_count": len(cases),
            "draw": draw,
            "infos": infos,
            "composition": composition,
            "verification": verification,
            "replacements": Replacement.objects.filter(inspection=inspection)
            .select_related("removed", "added", "by")
            .order_by("at", "pk"),
            "can_manage": can_manage,
            "assessments_started": started,
            "draw_form": draw_form
            if draw_form is not None
            else (
                _draw_form(inspection, cases, infos=None if draw else infos)
                if can_manage and not started and cases
                else None
            ),
            "replace_form": replace_form or (ReplaceForm() if can_manage and draw else None),
            "can_clear": bool(can_manage and draw and not started),
        },
    )


def sample(request: HttpRequest, pk: int) -> HttpResponse:
    """Team members see the sample; the lead draws (or redraws) it with a seed."""
    inspection, role = get_inspection(
        request, pk, Can.MANAGE if request.method == "POST" else Can.WORK
    )
    if request.method != "POST":
        return _render(request, inspection, role)
    # Check the form without the populations first: planning a large case list takes a
    # while, and the sampler itself refuses a size larger than the eligible population.
    labels = sampling.domain_labels(inspection)
    quick = DrawForm(
        request.POST,
        domains=[
            DomainChoice(d, labels.get(d, d), -1, 0)
            for d in sampling.sampling_settings(inspection).windows
        ],
    )
    problem = None
    if quick.is_valid():
        try:
            draw = sampling.draw(
                inspection,
                seed=int(quick.cleaned_data["seed"]),
                sizes=quick.sizes(),
                by=signed_in_user(request),
            )
        except SampleRefused as exc:
            messages.error(request, str(exc))
            return redirect("inspections:sample", pk=pk)
        except SamplingError as exc:
            problem = _sentence(str(exc))
        else:
            total = sum(len(d["selected"]) for d in draw.summary["domains"])
            messages.success(
                request,
                _("Drew a sample of %(n)s cases with seed %(seed)s.")
                % {"n": total, "seed": draw.seed},
            )
            return redirect("inspections:sample", pk=pk)
    cases = sampling.sampling_cases(inspection)
    form = _draw_form(inspection, cases, request.POST)
    if form.is_valid() and problem:
        form.add_error(None, problem)
    return _render(request, inspection, role, cases=cases, draw_form=form)


@require_POST
def sample_clear(request: HttpRequest, pk: int) -> HttpResponse:
    inspection, _role = get_inspection(request, pk, Can.MANAGE)
    try:
        sampling.clear_sample(inspection, by=signed_in_user(request))
    except SampleRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The sample was cleared. Its seed and replacements stay on record."),
        )
    return redirect("inspections:sample", pk=pk)


@require_POST
def replace_case(request: HttpRequest, pk: int) -> HttpResponse:
    """Swap a sampled case that cannot be inspected for another, with the reason."""
    inspection, role = get_inspection(request, pk, Can.MANAGE)
    form = ReplaceForm(request.POST)
    if form.is_valid():
        try:
            record = sampling.replace(
                inspection,
                case_ref=form.cleaned_data["case_ref"],
                reason=form.cleaned_data["reason"],
                by=signed_in_user(request),
            )
        except (SampleRefused, SamplingError) as exc:
            form.add_error("case_ref", _sentence(str(exc)))
        else:
            if record.added is None:
                messages.success(
                    request,
                    _("%(removed)s was taken out of the sample. No eligible case was left to "
                      "replace it, so the sample is one case smaller.")
                    % {"removed": record.removed.case_ref},
                )  # fmt: skip
            else:
                messages.success(
                    request,
                    _("%(removed)s was replaced by %(added)s, which keeps its inspector.")
                    % {"removed": record.removed.case_ref, "added": record.added.case_ref},
                )
            return redirect("inspections:sample", pk=pk)
    return _render(request, inspection, role, replace_form=form)


def allocation(request: HttpRequest, pk: int) -> HttpResponse:
    """Who reads each sampled case, and whether its case manager has been interviewed."""
    inspection, role = get_inspection(
        request, pk, Can.MANAGE if request.method == "POST" else Can.WORK
    )
    can_manage = allowed(role, inspection, Can.MANAGE)
    sampled = (
        Case.objects.filter(inspection=inspection, in_sample=True)
        .select_related("assessor")
        .order_by("sample_order", "case_ref")
    )
    page = Paginator(sampled, ALLOCATION_PER_PAGE).get_page(query_value(request, "page"))
    assessors = sampling.allocatable(inspection)
    if request.method == "POST":
        posted = {int(v) for v in request.POST.getlist("case") if v.isdecimal()}
        cases = list(sampled.filter(pk__in=posted))
        form = AllocationForm(request.POST, cases=cases, assessors=assessors)
        if form.is_valid():
            changes = {case.pk: AllocationChange(*form.wanted(case)) for case in cases}
            try:
                changed = sampling.allocate(inspection, changes)
            except SampleRefused as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Saved changes to %(n)s cases.") % {"n": changed})
                url = reverse("inspections:allocation", kwargs={"pk": pk})
                query = request.GET.urlencode()
                return redirect(f"{url}?{query}" if query else url)
    else:
        form = AllocationForm(cases=list(page.object_list), assessors=assessors)
    labels = sampling.domain_labels(inspection)
    return render(
        request,
        "inspections/sample/allocation.html",
        {
            "inspection": inspection,
            "role": role,
            "page": page,
            "form": form,
            "rows": [
                {
                    "row": row,
                    "domain": labels.get(row.case.domain, row.case.domain),
                    "disposal": case_value("disposal_type", row.case.disposal_type),
                }
                for row in form.rows()
            ],
            "can_manage": can_manage,
            "has_assessors": bool(assessors),
        },
    )


urlpatterns = [
    path("<int:pk>/sample/", sample, name="sample"),
    path("<int:pk>/sample/clear/", sample_clear, name="sample_clear"),
    path("<int:pk>/sample/replace/", replace_case, name="replace_case"),
    path("<int:pk>/sample/allocation/", allocation, name="allocation"),
]
