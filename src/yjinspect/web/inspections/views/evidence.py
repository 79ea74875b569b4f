"""Organisational evidence (meetings, documents, interviews) and the inspectors' judgements.

The standards rated by judgement (1.1–1.4, 3.4 and 4.1 in the 2021 framework) each get a
section: what the standard says, the themes to look at, the evidence recorded against it and
the current judgement. Uploaded files live outside the static and media URLs: the only way to
read one is the download view, which checks the person's role first.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any
from uuid import uuid4

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from yjinspect.frameworks import Framework
from yjinspect.frameworks.schema import Standard

from ..access import Can, allowed, get_inspection, signed_in_user
from ..files import NotStored, store
from ..forms.evidence import (
    NOT_RATED,
    EvidenceForm,
    JudgementForm,
    content_type_for,
    evidence_standards,
)
from ..language import framework_wording
from ..models import EvidenceItem, EvidenceKind, Inspection, Judgement, Role
from ..query import query_value

GENERAL = "general"  # the section for evidence not about one evidence-rated standard
PREVIEW = 10  # items shown per section on the overview of all sections
PAGE_SIZE = 25


def anchor(standard_id: str) -> str:
    return "standard-" + standard_id.replace(".", "-")


def judgement_standard(framework: Framework, standard_id: str) -> Standard:
    """The evidence-rated standard with this id; 404 for unknown or case-rated standards."""
    try:
        standard = framework.standard(standard_id)
    except KeyError:
        raise Http404("No such standard in this framework") from None
    if standard.rating_method != "judgement":
        raise Http404("This standard is rated from cases, not from evidence")
    return standard


def rating_label(framework: Framework, rating: str) -> str:
    """The rating's label as the page shows it (Welsh on a Welsh page)."""
    return framework_wording(
        framework.rating_label(rating) if rating else framework.not_rated_label
    )


def _items(inspection: Inspection) -> QuerySet[EvidenceItem]:
    return (
        EvidenceItem.objects.filter(inspection=inspection)
        .select_related("added_by")
        .order_by(F("held_on").desc(nulls_last=True), "-pk")
    )


def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """One section per evidence-rated standard, plus general evidence; filtered on the server."""
    inspection, role = get_inspection(request, pk, Can.WORK)
    framework = inspection.framework.framework
    standards = evidence_standards(framework)
    ids = [s.id for s in standards]
    chosen = query_value(request, "standard")
    if chosen not in {*ids, GENERAL}:
        chosen = ""
    kind = query_value(request, "kind")
    items = _items(inspection)
    if kind in EvidenceKind.values:
        items = items.filter(kind=kind)
    else:
        kind = ""
    counts: dict[str, int] = dict(
        items.values_list("standard_id").annotate(n=Count("id")).order_by()
    )
    judgements = {
        j.standard_id: j
        for j in Judgement.objects.filter(inspection=inspection).select_related("decided_by")
    }
    sections: list[dict[str, Any]] = []
    page = None
    for standard in [*standards, None]:
        sid = standard.id if standard else GENERAL
        if chosen and sid != chosen:
            continue
        if standard is None:
            section_items = items.filter(~Q(standard_id__in=ids))
            count = sum(n for s, n in counts.items() if s not in ids)
        else:
            section_items = items.filter(standard_id=sid)
            count = counts.get(sid, 0)
        if chosen:
            page = Paginator(section_items, PAGE_SIZE).get_page(query_value(request, "page"))
            shown = list(page.object_list)
        else:
            shown = list(section_items[:PREVIEW])
        judgement = judgements.get(sid)
        sections.append(
            {
                "standard": standard,
                "id": sid,
                "anchor": anchor(sid),
                "items": shown,
                "count": count,
                "more": count > len(shown) and not chosen,
                "judgement": judgement,
                "rating_label": rating_label(framework, judgement.rating) if judgement else "",
                "not_rated_without": _domain_label(framework, standard),
            }
        )
    return render(
        request,
        "inspections/evidence/list.html",
        {
            "inspection": inspection,
            "role": role,
            "sections": sections,
            "page": page,
            "chosen": chosen,
            "kind": kind,
            "kinds": EvidenceKind.choices,
            "standards": standards,
            "general": GENERAL,
            "can_record": allowed(role, inspection, Can.RECORD_EVIDENCE),
            "can_judge": allowed(role, inspection, Can.JUDGE),
        },
    )


def _domain_label(framework: Framework, standard: Standard | None) -> str:
    """The case domain without which this standard is not rated (e.g. resettlement), if any."""
    if standard is None or not standard.not_rated_without_cases:
        return ""
    for domain in framework.case_domains:
        if domain.id == standard.not_rated_without_cases:
            return framework_wording(domain.label.lower())
    return standard.not_rated_without_cases


def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a meeting, document or interview, with an optional checked upload."""
    inspection, role = get_inspection(request, pk, Can.RECORD_EVIDENCE)
    framework = inspection.framework.framework
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES, framework=framework)
    else:
        form = EvidenceForm(
            framework=framework, initial={"standard_id": query_value(request, "standard")}
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = EvidenceItem(
            inspection=inspection,
            standard_id=data["standard_id"],
            kind=data["kind"],
            title=data["title"],
            held_on=data["held_on"],
            attendees=data["attendees"].strip(),
            notes=data["notes"].strip(),
            added_by=signed_in_user(request),
        )
        upload = data.get("upload")
        stored = True
        if upload:
            original = PurePath(upload.name or "upload").name
            item.upload_name = original[-255:]
            item.upload_size = upload.size
            # Stored under a random name: the original may say more than it should.
            name = f"{uuid4().hex}{PurePath(original).suffix.lower()}"
            field = item.upload.field
            try:
                item.upload.name = store(
                    field.generate_filename(item, name),
                    upload,
                    item.upload.storage,
                    field.max_length,
                )
            except NotStored as problem:
                form.add_error("upload", str(problem))
                stored = False
        if stored:
            item.save()
            messages.success(request, _("Added '%(title)s'.") % {"title": item.title})
            target = reverse("inspections:evidence", kwargs={"pk": pk})
            return redirect(f"{target}#{anchor(item.standard_id or GENERAL)}")
    return render(
        request,
        "inspections/evidence/add.html",
        {"inspection": inspection, "role": role, "form": form},
    )


def evidence_download(request: HttpRequest, pk: int, item_pk: int) -> FileResponse:
    """Send an uploaded file as an attachment under its original name, never inline."""
    inspection, _role = get_inspection(request, pk, Can.WORK)
    item = EvidenceItem.objects.filter(inspection=inspection, pk=item_pk).first()
    if item is None or not item.upload:
        raise Http404("No such file")
    name = item.upload_name or PurePath(item.upload.name or "evidence").name
    try:
        handle = item.upload.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage") from None
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type=content_type_for(name)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _initial(judgement: Judgement | None) -> dict[str, Any]:
    if judgement is None:
        return {"version": 0}
    return {
        "rating": judgement.rating or NOT_RATED,
        "rationale": judgement.rationale,
        "strengths": judgement.strengths,
        "areas_for_improvement": judgement.areas_for_improvement,
        "version": judgement.version,
    }


def judgement(request: HttpRequest, pk: int, standard_id: str) -> HttpResponse:
    """See (team) or record (lead) the judgement of an evidence-rated standard.

    The form carries the version it was loaded at; a save against a judgement that changed
    meanwhile saves nothing and shows both versions (409), so nobody overwrites unseen work.
    """
    posting = request.method == "POST"
    inspection, role = get_inspection(request, pk, Can.JUDGE if posting else Can.WORK)
    framework = inspection.framework.framework
    standard = judgement_standard(framework, standard_id)
    where = {"inspection": inspection, "standard_id": standard.id}
    if posting:
        form = JudgementForm(request.POST, framework=framework)
        if form.is_valid():
            current = Judgement.objects.select_for_update().filter(**where).first()
            seen = form.cleaned_data["version"]
            if seen != (current.version if current else 0):
                return _conflict(request, inspection, role, standard, form, current)
            saved = current or Judgement(**where)
            saved.rating = form.stored_rating()
            saved.rationale = form.cleaned_data["rationale"]
            saved.strengths = form.cleaned_data["strengths"]
            saved.areas_for_improvement = form.cleaned_data["areas_for_improvement"]
            saved.decided_by = signed_in_user(request)
            saved.version = seen + 1
            try:
                with transaction.atomic():
                    saved.save()  # .save(), not .update(): history records who and when
            except IntegrityError:  # created by someone else at the same moment
                current = Judgement.objects.filter(**where).first()
                return _conflict(request, inspection, role, standard, form, current)
            messages.success(
                request,
                _("Saved the judgement of %(id)s %(name)s: %(rating)s.")
                % {
                    "id": standard.id,
                    "name": framework_wording(standard.name),
                    "rating": rating_label(framework, saved.rating),
                },
            )
            target = reverse("inspections:evidence", kwargs={"pk": pk})
            return redirect(f"{target}#{anchor(standard.id)}")
        current = Judgement.objects.filter(**where).select_related("decided_by").first()
    else:
        current = Judgement.objects.filter(**where).select_related("decided_by").first()
        form = JudgementForm(initial=_initial(current), framework=framework)
    items = _items(inspection).filter(standard_id=standard.id)
    return render(
        request,
        "inspections/evidence/judgement.html",
        {
            "inspection": inspection,
            "role": role,
            "standard": standard,
            "anchor": anchor(standard.id),
            "form": form,
            "current": current,
            "current_label": rating_label(framework, current.rating) if current else "",
            "items": items[:PREVIEW],
            "item_count": items.count(),
            "can_judge": allowed(role, inspection, Can.JUDGE),
            "not_rated_without": _domain_label(framework, standard),
        },
    )


def _conflict(
    request: HttpRequest,
    inspection: Inspection,
    role: Role,
    standard: Standard,
    form: JudgementForm,
    current: Judgement | None,
) -> HttpResponse:
    """Both versions side by side; nothing saved. The form can resubmit 'mine' knowingly."""
    framework = inspection.framework.framework
    data = form.cleaned_data
    mine = {
        "rating": rating_label(framework, form.stored_rating()),
        "rationale": data["rationale"],
        "strengths": data["strengths"],
        "areas_for_improvement": data["areas_for_improvement"],
    }
    theirs = None
    if current is not None:
        theirs = {
            "rating": rating_label(framework, current.rating),
            "rationale": current.rationale,
            "strengths": current.strengths,
            "areas_for_improvement": current.areas_for_improvement,
        }
    labels = {
        "rating": _("Rating"),
        "rationale": _("Rationale"),
        "strengths": _("Strengths"),
        "areas_for_improvement": _("Areas for improvement"),
    }
    rows = [
        {"label": labels[key], "mine": mine[key], "theirs": theirs[key] if theirs else ""}
        for key in labels
    ]
    retry = JudgementForm(
        initial={
            "rating": data["rating"],
            "rationale": data["rationale"],
            "strengths": data["strengths"],
            "areas_for_improvement": data["areas_for_improvement"],
            "version": current.version if current else 0,
        },
        framework=framework,
    )
    retry.helper.inputs[0].value = _("Save my version instead")
    return render(
        request,
        "inspections/evidence/judgement_conflict.html",
        {
            "inspection": inspection,
            "role": role,
            "standard": standard,
            "rows": rows,
            "current": current,
            "form": retry,
        },
        status=409,
    )


urlpatterns = [
    path("<int:pk>/evidence/", evidence, name="evidence"),
    path("<int:pk>/evidence/add/", evidence_add, name="evidence_add"),
    path(
        "<int:pk>/evidence/<int:item_pk>/download/",
        evidence_download,
        name="evidence_download",
    ),
    path("<int:pk>/evidence/<str:standard_id>/judgement/", judgement, name="judgement"),
]
