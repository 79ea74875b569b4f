"""The list of inspections, creating one, its overview page, team and lifecycle."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from yjinspect.frameworks import shipped_framework_paths

from ..access import ALLOWED, Can, allowed, get_inspection, signed_in_user, visible_inspections
from ..forms.overview import InspectionForm, MemberForm, NoteForm
from ..models import (
    AssessmentState,
    Case,
    FrameworkVersion,
    Inspection,
    Judgement,
    Membership,
    Mode,
    Role,
    State,
    StateTransition,
)
from ..query import query_value
from ..services.assessments import DONE_STATES


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The inspections this person belongs to, filtered and paginated on the server."""
    ids = visible_inspections(request.user)
    qs = Inspection.objects.select_related("framework")
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    q = query_value(request, "q").strip()
    state = query_value(request, "state")
    mode = query_value(request, "mode")
    if q:
        qs = qs.filter(service_name__icontains=q)
    if state in State.values:
        qs = qs.filter(state=state)
    if mode in Mode.values:
        qs = qs.filter(mode=mode)
    page = Paginator(qs, 25).get_page(query_value(request, "page"))
    return render(
        request,
        "inspections/home.html",
        {
            "page": page,
            "q": q,
            "state": state,
            "mode": mode,
            "states": State.choices,
            "modes": Mode.choices,
            "can_create": request.user.is_staff or request.user.is_superuser,
        },
    )


@login_required
def create(request: HttpRequest) -> HttpResponse:
    """Inspection staff (is_staff) create inspections and become their lead inspector."""
    if not (request.user.is_staff or request.user.is_superuser):
        raise PermissionDenied(_("Only inspection staff can create inspections"))
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source = shipped_framework_paths()[data["framework"]].read_text(encoding="utf-8")
        framework = FrameworkVersion.store(source, data["framework"])
        inspection = Inspection.objects.create(
            service_name=data["service_name"],
            framework=framework,
            mode=data["mode"],
            fieldwork_start=data["fieldwork_start"],
            fieldwork_end=data["fieldwork_end"],
            window_start=data["window_start"],
            window_end=data["window_end"],
            optional_areas=data.get("optional_areas"),
            created_by=signed_in_user(request),
        )
        Membership.objects.create(
            inspection=inspection, user=signed_in_user(request), role=Role.LEAD
        )
        messages.success(
            request,
            _("Created %(inspection)s. You are its lead inspector.") % {"inspection": inspection},
        )
        return redirect("inspections:detail", pk=inspection.pk)
    return render(request, "inspections/create.html", {"form": form})


def _progress(inspection: Inspection) -> dict[str, int]:
    cases = Case.objects.filter(inspection=inspection).aggregate(
        total=Count("id"), sampled=Count("id", filter=Q(in_sample=True))
    )
    by_state = dict(
        inspection.cases.filter(in_sample=True, assessments__kind="primary")
        .values_list("assessments__state")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "cases": cases["total"],
        "sampled": cases["sampled"],
        **{state.value: by_state.get(state.value, 0) for state in AssessmentState},
    }


def open_work(inspection: Inspection, progress: dict[str, int]) -> str:
    """What is still to do, said beside the button that moves the inspection on, so nobody
    moves to moderation or drafting without knowing what is left (the move stays allowed);
    '' when nothing is."""
    left = []
    finished = sum(progress.get(state, 0) for state in DONE_STATES)
    unfinished = progress["sampled"] - finished
    if unfinished > 0:
        left.append(
            ngettext(
                "%(n)s sampled case has no submitted assessment",
                "%(n)s sampled cases have no submitted assessment",
                unfinished,
            )
            % {"n": unfinished}
        )
    judged = {
        s.id
        for s in inspection.framework.framework.all_standards()
        if s.rating_method == "judgement"
    }
    recorded = set(
        Judgement.objects.filter(inspection=inspection, standard_id__in=judged).values_list(
            "standard_id", flat=True
        )
    )
    if judged - recorded:
        missing = len(judged - recorded)
        left.append(
            ngettext(
                "%(n)s evidence-rated standard has no judgement",
                "%(n)s evidence-rated standards have no judgement",
                missing,
            )
            % {"n": missing}
        )
    if not left:
        return ""
    return _("Still to do before moving on: %(items)s.") % {"items": "; ".join(left)}


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection, role = get_inspection(request, pk, Can.VIEW)
    members = inspection.members.select_related("user").order_by("role", "user__username")
    progress = _progress(inspection) if role != Role.SERVICE_VIEWER else None
    can_manage = allowed(role, inspection, Can.MANAGE)
    return render(
        request,
        "inspections/detail.html",
        {
            "inspection": inspection,
            "role": role,
            "members": members,
            "progress": progress,
            "open_work": open_work(inspection, progress) if progress and can_manage else "",
            "open_work_attributes": {"id": "open-work"},
            "transitions": inspection.transitions.select_related("by"),
            "can_manage": can_manage,
            "can_archive": role in ALLOWED[Can.MANAGE],
            "can_work": allowed(role, inspection, Can.WORK),
            "can_see_ratings": allowed(role, inspection, Can.SEE_RATINGS),
            "member_form": MemberForm(),
            "next_state": inspection.next_state(),
            "previous_state": inspection.previous_state(),
            "state_labels": dict(State.choices),
        },
    )


@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the inspection one state on (or back), recording who and when."""
    inspection, _role = get_inspection(request, pk, Can.MANAGE)
    target = request.POST.get("to", "")
    if target not in {inspection.next_state(), inspection.previous_state()} - {None}:
        messages.error(request, _("That change of state is not possible from here."))
        return redirect("inspections:detail", pk=pk)
    form = NoteForm(request.POST)  # refuses NUL bytes, which PostgreSQL cannot store
    if not form.is_valid():
        for error in form.errors.get("note", []):
            messages.error(request, str(error))
        return redirect("inspections:detail", pk=pk)
    StateTransition.objects.create(
        inspection=inspection,
        from_state=inspection.state,
        to_state=target,
        by=signed_in_user(request),
        note=form.cleaned_data["note"],
    )
    inspection.state = target
    if target == State.PUBLISHED:
        inspection.released_to_service = True
    inspection.save()
    messages.success(
        request, _("The inspection is now at: %(state)s.") % {"state": State(target).label}
    )
    return redirect("inspections:detail", pk=pk)


@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    """Let service viewers see the ratings page (or take that back)."""
    inspection, _role = get_inspection(request, pk, Can.MANAGE)
    inspection.released_to_service = request.POST.get("released") == "1"
    inspection.save()
    if inspection.released_to_service:
        messages.success(request, _("Service viewers can now see the ratings."))
    else:
        messages.success(request, _("Service viewers can no longer see the ratings."))
    return redirect("inspections:detail", pk=pk)


@require_POST
def add_member(request: HttpRequest, pk: int) -> HttpResponse:
    inspection, _role = get_inspection(request, pk, Can.MANAGE)
    form = MemberForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("inspections:detail", pk=pk)
    user = form.cleaned_data["username"]
    Membership.objects.update_or_create(
        inspection=inspection, user=user, defaults={"role": form.cleaned_data["role"]}
    )
    messages.success(
        request,
        _("%(user)s is now %(role)s.")
        % {"user": user.username, "role": Role(form.cleaned_data["role"]).label},
    )
    return redirect("inspections:detail", pk=pk)


@require_POST
def remove_member(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    inspection, _role = get_inspection(request, pk, Can.MANAGE)
    member = inspection.members.filter(pk=member_pk).select_related("user").first()
    if member is None:
        messages.error(request, _("That person is not on the team."))
    elif member.user == request.user:
        messages.error(
            request, _("You cannot remove yourself; ask another lead or an administrator.")
        )
    else:
        member.delete()
        messages.success(
            request, _("Removed %(user)s from the team.") % {"user": member.user.username}
        )
    return redirect("inspections:detail", pk=pk)


urlpatterns = [
    path("", home, name="home"),
    path("new/", create, name="create"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/state/", transition, name="transition"),
    path("<int:pk>/release/", release, name="release"),
    path("<int:pk>/team/", add_member, name="add_member"),
    path("<int:pk>/team/<int:member_pk>/remove/", remove_member, name="remove_member"),
]
