"""The live ratings page, professional discretion, and the ratings as JSON.

Every figure comes from one `rate_inspection` call per request: the page shows what the engine
computed and why (its explanation, the distance to the next band, the uncertainty), never a
second calculation of its own.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from yjinspect.core.legacy import AreaResult, scale_words
from yjinspect.core.ratings import InspectionRating, KeyQuestionResult, StandardResult
from yjinspect.frameworks import Framework
from yjinspect.frameworks.schema import Standard

from ..access import Can, allowed, get_inspection, signed_in_user
from ..forms.ratings import AreaWordForm, DiscretionForm
from ..models import Discretion, Inspection, Judgement, Role
from ..services.assessments import assessment_progress
from ..services.ratings import (
    area_word_problem,
    is_areas,
    rate_areas_inspection,
    rate_areas_with_problems,
    rate_inspection,
    save_area_word,
    stored_area_word,
)


def anchor(standard_id: str) -> str:
    return "standard-" + standard_id.replace(".", "-")


def _interval_text(kq: KeyQuestionResult, decimals: int) -> str:
    if kq.interval is None:
        return ""
    low, high = kq.interval
    return f"{low * 100:.{decimals}f}%–{high * 100:.{decimals}f}%"


def _key_question_rows(
    framework: Framework, result: StandardResult, lenses: dict[str, str]
) -> list[dict[str, Any]]:
    decimals = framework.percentages.display_decimals
    return [
        {
            "id": kq.id,
            "lens": lenses.get(kq.lens, kq.lens),
            "text": kq.text,
            "percent": kq.percent_text,
            "driving": kq.id == result.driving_key_question,
            "yes": kq.yes,
            "applicable": kq.applicable,
            "na": kq.na,
            "band": kq.band,
            "interval": _interval_text(kq, decimals),
            "crosses": kq.interval_crosses_band,
            "notes": kq.notes,
        }
        for kq in result.key_questions
    ]


def ratings(request: HttpRequest, pk: int) -> HttpResponse:
    """The ratings as the published report would show them, with the workings underneath."""
    inspection, role = get_inspection(request, pk, Can.SEE_RATINGS)
    if is_areas(inspection):
        return _area_ratings(request, inspection, role)
    framework = inspection.framework.framework
    discretion_rows = list(
        Discretion.objects.filter(inspection=inspection).select_related("decided_by")
    )
    judgement_rows = list(
        Judgement.objects.filter(inspection=inspection).select_related("decided_by")
    )
    result = rate_inspection(inspection, judgement_rows, discretion_rows)
    by_id = {s.id: s for s in result.standards}
    discretions = {d.standard_id: d for d in discretion_rows}
    judgements = {j.standard_id: j for j in judgement_rows}
    # Service viewers reach this page only once the ratings are released (access.py); the
    # draft wording of judgements stays with the team until then, whatever changes there.
    show_text = role != Role.SERVICE_VIEWER or inspection.released_to_service
    lenses = {lens.id: lens.label for lens in framework.lenses}
    domains = []
    details = []
    problems = []
    for domain in framework.domains:
        rows = []
        for standard in domain.standards:
            res = by_id[standard.id]
            recorded = discretions.get(standard.id)
            rows.append({"result": res, "anchor": anchor(standard.id)})
            if recorded is not None and res.discretion_problem:
                problems.append(
                    {
                        "id": standard.id,
                        "anchor": anchor(standard.id),
                        "text": _(
                            "%(id)s: the professional discretion recorded by %(who)s "
                            "(%(rating)s) is not applied: %(problem)s"
                        )
                        % {
                            "id": standard.id,
                            "who": recorded.decided_by.username,
                            "rating": _label(framework, recorded.rating),
                            "problem": res.discretion_problem,
                        },
                    }
                )
            judgement = judgements.get(standard.id)
            details.append(
                {
                    "standard": standard,
                    "result": res,
                    "anchor": anchor(standard.id),
                    "kq_rows": _key_question_rows(framework, res, lenses),
                    "recorded_discretion": recorded,
                    "recorded_discretion_label": _label(framework, recorded.rating)
                    if recorded
                    else "",
                    "judgement": judgement if show_text else None,
                    "strengths": judgement.strengths.splitlines() if judgement else [],
                    "areas": judgement.areas_for_improvement.splitlines() if judgement else [],
                }
            )
        domains.append({"domain": domain, "rows": rows})
    return render(
        request,
        "inspections/ratings/page.html",
        {
            "inspection": inspection,
            "role": role,
            "result": result,
            "domains": domains,
            "details": details,
            "problems": problems,
            "any_discretion": any(s.discretion for s in result.standards),
            "not_rated": framework.not_rated_label,
            "confidence": f"{float(framework.interval.confidence) * 100:g}",
            "can_judge": allowed(role, inspection, Can.JUDGE),
            "can_work": allowed(role, inspection, Can.WORK),
            "show_text": show_text,
            "progress": assessment_progress(inspection),
        },
    )


def _label(framework: Framework, rating_id: str) -> str:
    if not rating_id:
        return framework.not_rated_label
    try:
        return framework.rating_label(rating_id)
    except ValueError:
        return rating_id


def ratings_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The engine's result (`InspectionRating.to_dict()`) plus the framework reference.

    Always in English, whatever language the person's pages are in: a program reading the
    figures should get the same sentences every time, as the framework's labels are."""
    inspection, _role = get_inspection(request, pk, Can.SEE_RATINGS)
    with translation.override("en"):
        return _ratings_json(inspection)


def _ratings_json(inspection: Inspection) -> JsonResponse:
    framework = inspection.framework.framework
    if is_areas(inspection):
        data = rate_areas_inspection(inspection).to_dict()
        data["framework_ref"] = framework.ref
        data["inspection"] = inspection.pk
        return JsonResponse(data)
    result: InspectionRating = rate_inspection(inspection)
    data = result.to_dict()
    data["framework_ref"] = framework.ref
    data["inspection"] = inspection.pk
    return JsonResponse(data)


def _case_standard(framework: Framework, standard_id: str) -> Standard:
    try:
        standard = framework.standard(standard_id)
    except KeyError:
        raise Http404("No such standard in this framework") from None
    if standard.rating_method != "cases":
        raise Http404("Professional discretion applies to case-rated standards only")
    return standard


def discretion(request: HttpRequest, pk: int, standard_id: str) -> HttpResponse:
    """Record, change or remove professional discretion on a case-rated standard.

    Removing needs a second, explicit confirmation. Saves use `.save()`/`.delete()` on the
    model so the history shows who did it and when.
    """
    inspection, role = get_inspection(request, pk, Can.JUDGE)
    if is_areas(inspection):
        return _area_word(request, inspection, role, standard_id)
    framework = inspection.framework.framework
    standard = _case_standard(framework, standard_id)
    result = rate_inspection(inspection).standard(standard.id)
    current = (
        Discretion.objects.filter(inspection=inspection, standard_id=standard.id)
        .select_related("decided_by")
        .first()
    )
    user = signed_in_user(request)
    page = reverse("inspections:ratings", kwargs={"pk": pk}) + "#" + anchor(standard.id)
    context: dict[str, Any] = {
        "inspection": inspection,
        "role": role,
        "standard": standard,
        "result": result,
        "current": current,
        "current_label": _label(framework, current.rating) if current else "",
        "kq_rows": _key_question_rows(
            framework, result, {lens.id: lens.label for lens in framework.lenses}
        ),
        "ratings_url": page,
    }
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action in {"remove", "confirm_remove"}:
        if current is None:
            messages.error(request, _("There is no professional discretion to remove."))
            return redirect(page)
        if action == "remove":
            return render(request, "inspections/ratings/discretion_remove.html", context)
        current.delete()  # history keeps the removed record, with who removed it
        messages.success(
            request,
            _("Removed the professional discretion on %(id)s.") % {"id": standard.id},
        )
        return redirect(page)
    form_kwargs: dict[str, Any] = {
        "framework": framework,
        "standard": standard,
        "computed": result.computed_rating,
        "decided_by": user.username,
    }
    if request.method == "POST":
        form = DiscretionForm(request.POST, **form_kwargs)
        if form.is_valid():
            saved = current or Discretion(inspection=inspection, standard_id=standard.id)
            saved.rating = form.cleaned_data["rating"]
            saved.reason = form.cleaned_data["reason"]
            saved.decided_by = user
            try:
                with transaction.atomic():
                    saved.save()  # .save(): history records who and when
            except IntegrityError:  # recorded by someone else at the same moment
                messages.error(
                    request,
                    _("Someone has just recorded discretion on %(id)s: check it first.")
                    % {"id": standard.id},
                )
                return redirect(request.path)
            messages.success(
                request,
                _("%(id)s is now %(rating)s by professional discretion.")
                % {"id": standard.id, "rating": _label(framework, saved.rating)},
            )
            return redirect(page)
    else:
        initial = {"rating": current.rating, "reason": current.reason} if current else {}
        form = DiscretionForm(initial=initial, **form_kwargs)
    context["form"] = form
    return render(request, "inspections/ratings/discretion.html", context)


# ---- earlier programmes (SQS, FJI, CCI): areas, their scores and words ----------------------


def _area_interval(area: AreaResult) -> str:
    if area.interval is None:
        return ""
    low, high = area.interval
    return f"{low * 100:.0f}%–{high * 100:.0f}%"


def _area_ratings(request: HttpRequest, inspection: Inspection, role: Role) -> HttpResponse:
    """Per area: the pooled 'done well enough' figure, its counts and interval, the word from
    the framework's scale (or the inspectors' word and why), and every item's counts."""
    framework = inspection.framework.framework
    result, problems = rate_areas_with_problems(inspection)
    recorded = {
        area.id: stored_area_word(inspection, area.id)
        for area in result.areas
        if scale_words(framework, area.id)
    }
    rows = [
        {
            "area": area,
            "anchor": anchor(area.id),
            "interval": _area_interval(area),
            "takes_word": area.id in recorded,
            "recorded": recorded.get(area.id),
            "scored_items": [i for i in area.items if i.kind == "scored"],
            "recorded_items": [i for i in area.items if i.kind == "recorded"],
        }
        for area in result.areas
    ]
    return render(
        request,
        "inspections/ratings/areas.html",
        {
            "inspection": inspection,
            "role": role,
            "result": result,
            "framework": framework,
            "rows": rows,
            "left_out": [framework.area(a) for a in result.optional_areas_left_out],
            "progress": assessment_progress(inspection),
            "any_override": any(a.override_reason for a in result.areas),
            "problems": [
                {
                    "id": area_id,
                    "anchor": anchor(area_id),
                    "text": _("%(id)s: the word recorded is not applied: %(problem)s")
                    % {"id": area_id, "problem": problem},
                }
                for area_id, problem in sorted(problems.items())
            ],
            "confidence": f"{float(framework.interval.confidence) * 100:g}",
            "can_judge": allowed(role, inspection, Can.JUDGE),
            "can_work": allowed(role, inspection, Can.WORK),
        },
    )


def _area_word(
    request: HttpRequest, inspection: Inspection, role: Role, area_id: str
) -> HttpResponse:
    """Record, change or remove the inspectors' word for an area, always with a reason.

    A scored area's word overrides its score's word (a Discretion row keyed by the area id); a
    judged area (FJI governance) takes its word here (a Judgement row). `.save()`/`.delete()`
    keep every change, and who made it, in the history.
    """
    framework = inspection.framework.framework
    words = scale_words(framework, area_id) if area_id in {a.id for a in framework.areas} else []
    if not words:
        raise Http404("No such area, or the area takes no word")
    chosen = rate_areas_inspection(inspection).areas
    area = next((a for a in chosen if a.id == area_id), None)  # None: optional, not chosen
    current = stored_area_word(inspection, area_id)
    page = reverse("inspections:ratings", kwargs={"pk": inspection.pk}) + "#" + anchor(area_id)
    context: dict[str, Any] = {
        "inspection": inspection,
        "role": role,
        "area_def": framework.area(area_id),
        "area": area,
        "current": current,
        "current_reason": _reason(current),
        "judged": framework.area(area_id).rating_method == "judgement",
        "ratings_url": page,
    }
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action in {"remove", "confirm_remove"}:
        if current is None:
            messages.error(request, _("There is no word to remove."))
            return redirect(page)
        if action == "remove":
            return render(request, "inspections/ratings/area_word_remove.html", context)
        current.delete()  # history keeps the removed record, with who removed it
        messages.success(request, _("Removed the word recorded for %(id)s.") % {"id": area_id})
        return redirect(page)

    def check(word: str, reason: str) -> str | None:
        return area_word_problem(inspection, area_id, word, reason)

    if request.method == "POST":
        form = AreaWordForm(request.POST, words=words, check=check)
        if form.is_valid():
            try:
                with transaction.atomic():
                    save_area_word(
                        inspection,
                        area_id,
                        form.cleaned_data["word"],
                        form.cleaned_data["reason"],
                        signed_in_user(request),
                    )
            except IntegrityError:  # recorded by someone else at the same moment
                messages.error(
                    request,
                    _("Someone has just recorded a word for %(id)s: check it first.")
                    % {"id": area_id},
                )
                return redirect(request.path)
            messages.success(
                request,
                _("%(id)s is now %(word)s, with your reason.")
                % {"id": area_id, "word": form.cleaned_data["word"]},
            )
            return redirect(page)
    else:
        initial = {"word": current.rating, "reason": _reason(current)} if current else {}
        form = AreaWordForm(initial=initial, words=words, check=check)
    context["form"] = form
    return render(request, "inspections/ratings/area_word.html", context)


def _reason(recorded: Discretion | Judgement | None) -> str:
    if recorded is None:
        return ""
    return recorded.rationale if isinstance(recorded, Judgement) else recorded.reason


urlpatterns = [
    path("<int:pk>/ratings/", ratings, name="ratings"),
    path("<int:pk>/ratings.json", ratings_json, name="ratings_json"),
    path("<int:pk>/ratings/<str:standard_id>/discretion/", discretion, name="discretion"),
]
