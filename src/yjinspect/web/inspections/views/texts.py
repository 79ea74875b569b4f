"""The report's edited words: foreword, background, involvement, a narrative per standard, and
the recommendations, each in English and Welsh.

Lead and inspectors write; the rest of the team can read the list. Every save carries the
version the form was loaded at: if someone saved in between, nothing is written and a conflict
page (409) shows both versions, as for judgements. Saves go through `.save()`/`.delete()` so
every change is a history row with who and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yjinspect.frameworks import Framework
from yjinspect.reports.content import BACKGROUND, DIVERSITY, FOREWORD, INVOLVEMENT, standard_key

from ..access import Can, allowed, get_inspection, signed_in_user
from ..forms.texts import RecommendationForm, ReportTextForm
from ..language import framework_wording
from ..models import Inspection, Recommendation, ReportText, Role


@dataclass(frozen=True)
class Slot:
    """A place in the report for edited words."""

    key: str
    label: str
    hint: str


def text_slots(framework: Framework) -> list[Slot]:
    """Every text the report can hold, in report order."""
    slots = [
        Slot(
            FOREWORD,
            _("Foreword"),
            _("Opens the report: what was inspected, the overall rating and the main findings."),
        ),
        Slot(
            BACKGROUND,
            _("Background"),
            _(
                "Local context, after the fieldwork facts the report states itself: the area, "
                "the service's place in the council, its teams, and how its figures compare."
            ),
        ),
        Slot(
            INVOLVEMENT,
            _("Involvement of children and their parents or carers"),
            _("How the service hears from children and families, and what they told us."),
        ),
        Slot(
            DIVERSITY,
            _("Diversity"),
            _(
                "How the service understands and meets children's diverse needs and tackles "
                "disproportionality: findings across the standards, as bullet points."
            ),
        ),
    ]
    for std in framework.all_standards():
        slots.append(
            Slot(
                standard_key(std.id),
                f"{std.id} {framework_wording(std.name)}",
                _("The inspectors' findings for this standard, shown under its rating."),
            )
        )
    return slots


def _slot(framework: Framework, key: str) -> Slot:
    for slot in text_slots(framework):
        if slot.key == key:
            return slot
    raise Http404("No such report text")


def _texts_url(pk: int, fragment: str = "") -> str:
    url = reverse("inspections:report_texts", kwargs={"pk": pk})
    return f"{url}#{fragment}" if fragment else url


# ---- the list -------------------------------------------------------------------------------


def _status(text: ReportText | None) -> str:
    if text is None or not text.text_en:
        return _("Not written")
    if not text.text_cy:
        return _("English written; Welsh missing")
    return _("English and Welsh written")


def _recommendation_cards(
    inspection: Inspection, recs: list[Recommendation], can_write: bool
) -> list[dict[str, Any]]:
    cards = []
    for number, rec in enumerate(recs, 1):
        actions = []
        if can_write:  # the card's title is added to each link's hidden text by GOV.UK
            actions = [
                {
                    "href": reverse(
                        "inspections:recommendation_edit", args=[inspection.pk, rec.pk]
                    ),
                    "text": _("Change"),
                },
                {
                    "href": reverse(
                        "inspections:recommendation_delete", args=[inspection.pk, rec.pk]
                    ),
                    "text": _("Delete"),
                },
            ]
        rows = [
            {"key": {"text": _("Addressed to")}, "value": {"text": rec.addressed_to}},
            {"key": {"text": _("Recommendation")}, "value": {"text": rec.text_en}},
            {
                "key": {"text": _("In Welsh")},
                "value": {
                    "text": (
                        f"{rec.addressed_to_cy}: {rec.text_cy}"
                        if rec.addressed_to_cy
                        else rec.text_cy
                    )
                    or _("Missing")
                },
            },
        ]
        cards.append(
            {
                "rec": rec,
                "card": {
                    "title": {
                        "text": _("Recommendation %(n)s") % {"n": number},
                        "headingLevel": 3,
                    },
                    "actions": {"items": actions},
                },
                "rows": rows,
                "first": number == 1,
                "last": number == len(recs),
            }
        )
    return cards


def missing_welsh(
    slots: list[Slot], saved: dict[str, ReportText], recs: list[Recommendation]
) -> list[str]:
    """What the Welsh report would show in English: written texts and recommendations
    without their Welsh."""
    out = [s.label for s in slots if (t := saved.get(s.key)) and t.text_en and not t.text_cy]
    for number, rec in enumerate(recs, 1):
        if not rec.text_cy or not rec.addressed_to_cy:
            out.append(_("Recommendation %(n)s") % {"n": number})
    return out


def report_texts(request: HttpRequest, pk: int) -> HttpResponse:
    inspection, role = get_inspection(request, pk, Can.WORK)
    framework = inspection.framework.framework
    slots = text_slots(framework)
    saved = {t.key: t for t in ReportText.objects.filter(inspection=inspection)}
    recs = list(Recommendation.objects.filter(inspection=inspection).order_by("order", "pk"))
    can_write = allowed(role, inspection, Can.WRITE_REPORT)
    rows = []
    for slot in slots:
        row: dict[str, Any] = {
            "key": {"text": slot.label},
            "value": {"text": _status(saved.get(slot.key))},
        }
        if can_write:
            row["actions"] = {
                "items": [
                    {
                        "href": reverse(
                            "inspections:report_text_edit", args=[inspection.pk, slot.key]
                        ),
                        "text": _("Change"),
                        "visuallyHiddenText": slot.label,
                    }
                ]
            }
        rows.append(row)
    return render(
        request,
        "inspections/texts/list.html",
        {
            "inspection": inspection,
            "role": role,
            "rows": rows,
            "cards": _recommendation_cards(inspection, recs, can_write),
            "missing_welsh": missing_welsh(slots, saved, recs),
            "can_write": can_write,
        },
    )


# ---- one text --------------------------------------------------------------------------------


def report_text_edit(request: HttpRequest, pk: int, text_key: str) -> HttpResponse:
    inspection, role = get_inspection(request, pk, Can.WRITE_REPORT)
    slot = _slot(inspection.framework.framework, text_key)
    where = {"inspection": inspection, "key": slot.key}
    if request.method == "POST":
        form = ReportTextForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            current = ReportText.objects.select_for_update().filter(**where).first()
            seen = data["version"]
            if seen != (current.version if current else 0):
                return _text_conflict(request, inspection, role, slot, form, current)
            saved = current or ReportText(**where)
            saved.text_en, saved.text_cy = data["text_en"], data["text_cy"]
            saved.updated_by = signed_in_user(request)
            saved.version = seen + 1
            try:
                with transaction.atomic():
                    saved.save()  # .save(): history records who and when
            except IntegrityError:  # created by someone else at the same moment
                current = ReportText.objects.filter(**where).first()
                return _text_conflict(request, inspection, role, slot, form, current)
            messages.success(request, _("Saved '%(label)s'.") % {"label": slot.label})
            return redirect(_texts_url(pk, "texts"))
    else:
        current = ReportText.objects.filter(**where).first()
        form = ReportTextForm(
            initial={
                "text_en": current.text_en if current else "",
                "text_cy": current.text_cy if current else "",
                "version": current.version if current else 0,
            }
        )
    return render(
        request,
        "inspections/texts/edit.html",
        {"inspection": inspection, "role": role, "slot": slot, "form": form},
    )


def _conflict_page(
    request: HttpRequest,
    context: dict[str, Any],
    rows: list[dict[str, str]],
    form: ReportTextForm | RecommendationForm,
) -> HttpResponse:
    """Both versions side by side, nothing saved; the form can resubmit 'mine' knowingly."""
    form.helper.inputs[0].value = _("Save my version instead")
    return render(
        request,
        "inspections/texts/conflict.html",
        {**context, "rows": rows, "form": form},
        status=409,
    )


def _text_conflict(
    request: HttpRequest,
    inspection: Inspection,
    role: Role,
    slot: Slot,
    form: ReportTextForm,
    current: ReportText | None,
) -> HttpResponse:
    data = form.cleaned_data
    rows = [
        {
            "label": _("English"),
            "mine": data["text_en"],
            "theirs": current.text_en if current else "",
        },
        {
            "label": _("Welsh"),
            "mine": data["text_cy"],
            "theirs": current.text_cy if current else "",
        },
    ]
    retry = ReportTextForm(
        initial={**data, "version": current.version if current else 0},
    )
    return _conflict_page(
        request,
        {
            "inspection": inspection,
            "role": role,
            "title": slot.label,
            "current": current,
            "action": reverse("inspections:report_text_edit", args=[inspection.pk, slot.key]),
        },
        rows,
        retry,
    )


# ---- recommendations -------------------------------------------------------------------------


def recommendation_add(request: HttpRequest, pk: int) -> HttpResponse:
    inspection, role = get_inspection(request, pk, Can.WRITE_REPORT)
    if request.method == "POST":
        existing = Recommendation.objects.filter(inspection=inspection).count()
        form = RecommendationForm(request.POST, existing=existing)
        if form.is_valid():
            data = form.cleaned_data
            last = Recommendation.objects.filter(inspection=inspection).aggregate(m=Max("order"))
            Recommendation(
                inspection=inspection,
                addressed_to=data["addressed_to"],
                addressed_to_cy=data["addressed_to_cy"],
                text_en=data["text_en"],
                text_cy=data["text_cy"],
                order=(last["m"] or 0) + 1,
                updated_by=signed_in_user(request),
            ).save()
            messages.success(request, _("Added the recommendation."))
            return redirect(_texts_url(pk, "recommendations"))
    else:
        form = RecommendationForm(initial={"version": 0})
    return render(
        request,
        "inspections/texts/recommendation.html",
        {"inspection": inspection, "role": role, "form": form, "rec": None, **_bodies(inspection)},
    )


def _bodies(inspection: Inspection) -> dict[str, Any]:
    """Bodies already addressed, offered as a reminder so one body is spelt one way."""
    names = (
        Recommendation.objects.filter(inspection=inspection)
        .order_by("addressed_to")
        .values_list("addressed_to", flat=True)
        .distinct()
    )
    return {"bodies": list(names)}


def recommendation_edit(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    inspection, role = get_inspection(request, pk, Can.WRITE_REPORT)
    rec = get_object_or_404(Recommendation, pk=rec_pk, inspection=inspection)
    if request.method == "POST":
        form = RecommendationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            current = Recommendation.objects.select_for_update().get(pk=rec.pk)
            if data["version"] != current.version:
                return _recommendation_conflict(request, inspection, role, form, current)
            for name in ("addressed_to", "addressed_to_cy", "text_en", "text_cy"):
                setattr(current, name, data[name])
            current.updated_by = signed_in_user(request)
            current.version += 1
            current.save()
            messages.success(request, _("Saved the recommendation."))
            return redirect(_texts_url(pk, "recommendations"))
    else:
        form = RecommendationForm(
            initial={
                "addressed_to": rec.addressed_to,
                "addressed_to_cy": rec.addressed_to_cy,
                "text_en": rec.text_en,
                "text_cy": rec.text_cy,
                "version": rec.version,
            }
        )
    return render(
        request,
        "inspections/texts/recommendation.html",
        {"inspection": inspection, "role": role, "form": form, "rec": rec, **_bodies(inspection)},
    )


def _recommendation_conflict(
    request: HttpRequest,
    inspection: Inspection,
    role: Role,
    form: RecommendationForm,
    current: Recommendation,
) -> HttpResponse:
    data = form.cleaned_data
    labels = {
        "addressed_to": _("Addressed to"),
        "addressed_to_cy": _("Addressed to, in Welsh"),
        "text_en": _("Recommendation"),
        "text_cy": _("Recommendation in Welsh"),
    }
    rows = [
        {"label": str(label), "mine": data[name], "theirs": getattr(current, name)}
        for name, label in labels.items()
    ]
    retry = RecommendationForm(initial={**data, "version": current.version})
    return _conflict_page(
        request,
        {
            "inspection": inspection,
            "role": role,
            "title": _("Recommendation to %(body)s") % {"body": current.addressed_to},
            "current": current,
            "action": reverse("inspections:recommendation_edit", args=[inspection.pk, current.pk]),
        },
        rows,
        retry,
    )


def recommendation_delete(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    inspection, role = get_inspection(request, pk, Can.WRITE_REPORT)
    rec = get_object_or_404(Recommendation, pk=rec_pk, inspection=inspection)
    changed = False
    if request.method == "POST":
        rec = Recommendation.objects.select_for_update().get(pk=rec.pk)
        # The page shows the words being deleted: if they changed since, ask again.
        changed = request.POST.get("version") != str(rec.version)
        if not changed:
            rec.delete()  # the history keeps the deleted row, with who and when
            messages.success(request, _("Deleted the recommendation."))
            return redirect(_texts_url(pk, "recommendations"))
    return render(
        request,
        "inspections/texts/delete.html",
        {"inspection": inspection, "role": role, "rec": rec, "changed": changed},
        status=409 if changed else 200,
    )


@require_POST
def recommendation_move(request: HttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    """Move one place up or down; positions are renumbered 1..n, each change saved with history.

    The version is not raised: a move changes no words, so it must not turn someone's edit of
    the text into a conflict."""
    inspection, _role = get_inspection(request, pk, Can.WRITE_REPORT)
    direction = request.POST.get("direction")
    if direction not in {"up", "down"}:
        return HttpResponseBadRequest(_("Say whether to move the recommendation up or down"))
    recs = list(
        Recommendation.objects.select_for_update()
        .filter(inspection=inspection)
        .order_by("order", "pk")
    )
    index = next((i for i, r in enumerate(recs) if r.pk == rec_pk), None)
    if index is None:
        raise Http404("No such recommendation")
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(recs):
        recs[index], recs[other] = recs[other], recs[index]
    for position, rec in enumerate(recs, 1):
        if rec.order != position:
            rec.order = position
            rec.save(update_fields=["order"])
    return redirect(_texts_url(pk, "recommendations"))


urlpatterns = [
    path("<int:pk>/report/texts/", report_texts, name="report_texts"),
    path("<int:pk>/report/texts/<str:text_key>/", report_text_edit, name="report_text_edit"),
    path(
        "<int:pk>/report/recommendations/add/",
        recommendation_add,
        name="recommendation_add",
    ),
    path(
        "<int:pk>/report/recommendations/<int:rec_pk>/",
        recommendation_edit,
        name="recommendation_edit",
    ),
    path(
        "<int:pk>/report/recommendations/<int:rec_pk>/delete/",
        recommendation_delete,
        name="recommendation_delete",
    ),
    path(
        "<int:pk>/report/recommendations/<int:rec_pk>/move/",
        recommendation_move,
        name="recommendation_move",
    ),
]
