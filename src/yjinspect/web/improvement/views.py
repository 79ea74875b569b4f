"""Pages of the improvement plan: the plan, its items and actions, history, the board's
exports and dashboard. Views stay thin: rules live in `services`, access in `access`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yjinspect.web.inspections.access import Can, allowed, signed_in_user
from yjinspect.web.inspections.components import render as component
from yjinspect.web.inspections.models import Inspection, Role
from yjinspect.web.inspections.query import query_value
from yjinspect.web.inspections.services.ratings import rate_inspection

from .access import PlanCan, get_plan_inspection, may_start, plan_allows
from .forms import ActionForm, ItemForm
from .models import Action, ImprovementPlan, PlanItem, Status, status_label
from .services.exports import plan_pdf, plan_xlsx
from .services.history import PAGE_SIZE, PlanHistory
from .services.plans import (
    PlanNotStartable,
    StaleVersion,
    add_action,
    create_plan,
    filtered_items,
    plan_of,
    progress,
    save_action,
    save_item,
)

ITEMS_PER_PAGE = 25
OVERDUE_SHOWN = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_TAGS: dict[str, str] = {
    Status.NOT_STARTED: "govuk-tag--grey",
    Status.IN_PROGRESS: "govuk-tag--blue",
    Status.DONE: "govuk-tag--green",
    Status.BLOCKED: "govuk-tag--orange",
}


def status_tag(status: str) -> SafeString:
    return component("tag", text=status_label(status), classes=STATUS_TAGS.get(status))


def overdue_tag() -> SafeString:
    return component("tag", text=_("Overdue"), classes="govuk-tag--red")


def _plan_or_404(inspection: Inspection) -> ImprovementPlan:
    plan = plan_of(inspection)
    if plan is None:
        raise Http404("This inspection has no improvement plan yet")
    return plan


def _plan_url(inspection: Inspection) -> str:
    return reverse("improvement:plan", kwargs={"pk": inspection.pk})


def _actions_table(item: PlanItem, today: dt.date, can_edit: bool, pk: int) -> SafeString:
    """The GOV.UK table of an item's actions; typed words go in as text, never as html."""
    head = [
        {"text": _("Action")},
        {"text": _("Owner")},
        {"text": _("Due")},
        {"text": _("Status")},
        {"text": _("Evidence of progress")},
    ]
    if can_edit:
        hidden = format_html('<span class="govuk-visually-hidden">{}</span>', _("Change"))
        head.append({"html": hidden})
    rows = []
    for action in item.actions.all():
        status = status_tag(action.status)
        if action.is_overdue(today):
            status = format_html("{} {}", status, overdue_tag())
        note = action.progress_note
        if action.completed_on:
            note = _("Completed on %(date)s. %(note)s") % {
                "date": action.completed_on.isoformat(),
                "note": note,
            }
        row: list[dict[str, Any]] = [
            {"text": action.description},
            {"text": action.owner},
            {"text": action.due_date.isoformat()},
            {"html": status},
            {"text": note or "–"},
        ]
        if can_edit:
            href = reverse("improvement:action", kwargs={"pk": pk, "action_pk": action.pk})
            link = component(
                "button",
                text=_("Change"),
                href=href,
                classes="govuk-button--secondary govuk-!-margin-bottom-0",
            )
            row.append({"html": link})
        rows.append(row)
    return component(
        "table",
        caption=_("Actions"),
        captionClasses="govuk-table__caption--s",
        head=head,
        rows=rows,
    )


def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan: items with their actions, filtered (overdue, by status) and paged on the server."""
    inspection, role = get_plan_inspection(request, pk, PlanCan.READ)
    plan = plan_of(inspection)
    today = timezone.localdate()
    can_edit = plan_allows(role, PlanCan.EDIT)
    context: dict[str, Any] = {
        "inspection": inspection,
        "role": role,
        "plan": plan,
        "can_start": plan_allows(role, PlanCan.START),
        "startable": may_start(inspection),
        "can_edit": can_edit,
    }
    if plan is not None:
        show = query_value(request, "show")
        page = Paginator(filtered_items(plan, show, today), ITEMS_PER_PAGE).get_page(
            query_value(request, "page")
        )
        options = [("", _("All items")), ("overdue", _("Items with an overdue action"))]
        options += [(s.value, str(s.label)) for s in Status]
        context |= {
            "page": page,
            "show": show,
            "show_select": component(
                "select",
                id="show",
                name="show",
                label={"text": _("Show")},
                items=[
                    {"value": value, "text": text, "selected": value == show}
                    for value, text in options
                ],
            ),
            "items": [
                {
                    "item": item,
                    "number": (page.start_index() + i),
                    "status": status_tag(item.status),
                    "overdue": any(a.is_overdue(today) for a in item.actions.all()),
                    "table": _actions_table(item, today, can_edit, pk),
                    "has_actions": bool(item.actions.all()),
                }
                for i, item in enumerate(page.object_list)
            ],
            "overdue_count": len(progress(plan, today).overdue),
        }
    return render(request, "improvement/plan.html", context)


def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the plan from the recommendations; again later, add only new recommendations."""
    inspection, _role = get_plan_inspection(request, pk, PlanCan.START)
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        created = create_plan(inspection, signed_in_user(request))
    except PlanNotStartable as problem:
        return render(
            request,
            "improvement/not_startable.html",
            {"inspection": inspection, "role": _role, "problem": str(problem)},
            status=409,
        )
    if created.new_plan:
        text = _("Plan started with %(n)s items, one per recommendation.") % {"n": created.added}
    elif created.added:
        text = _("Added %(n)s new recommendations to the plan.") % {"n": created.added}
    else:
        text = _("The plan already has every recommendation: nothing was added.")
    messages.success(request, text)
    return redirect(_plan_url(inspection))


def _item(plan: ImprovementPlan, item_pk: int) -> PlanItem:
    item = PlanItem.objects.filter(plan=plan, pk=item_pk).first()
    if item is None:
        raise Http404("No such plan item")
    return item


def _conflict(
    request: HttpRequest,
    inspection: Inspection,
    role: Role,
    form: ItemForm | ActionForm,
    current: PlanItem | Action,
) -> HttpResponse:
    """Both versions side by side, nothing saved; the form can resubmit 'mine' knowingly."""
    data = form.cleaned_data
    theirs = form.initial_for(current)  # type: ignore[arg-type]
    rows = []
    for name, field in form.fields.items():
        if name == "version":
            continue
        mine_value, their_value = data.get(name), theirs.get(name)
        if name == "status":
            mine_value, their_value = status_label(mine_value), status_label(their_value)
        rows.append(
            {
                "label": field.label,
                "mine": "" if mine_value is None else str(mine_value),
                "theirs": "" if their_value is None else str(their_value),
            }
        )
    retry_data = {**data, "version": current.version}
    retry = type(form)(initial=retry_data, inspection=inspection)
    retry.helper.inputs[0].value = _("Save my version instead")
    return render(
        request,
        "improvement/conflict.html",
        {
            "inspection": inspection,
            "role": role,
            "rows": rows,
            "current": current,
            "form": retry,
            "action_url": request.path,
        },
        status=409,
    )


def plan_item(request: HttpRequest, pk: int, plan_item_pk: int) -> HttpResponse:
    """Change an item's owner and status (version-checked)."""
    inspection, role = get_plan_inspection(request, pk, PlanCan.EDIT)
    item = _item(_plan_or_404(inspection), plan_item_pk)
    if request.method == "POST":
        form = ItemForm(request.POST, inspection=inspection)
        if form.is_valid():
            try:
                save_item(
                    item, form.cleaned_data["version"], form.cleaned_data, signed_in_user(request)
                )
            except StaleVersion as stale:
                return _conflict(request, inspection, role, form, stale.current)
            messages.success(request, _("Saved the item."))
            return redirect(f"{_plan_url(inspection)}#item-{item.pk}")
    else:
        form = ItemForm(initial=ItemForm.initial_for(item), inspection=inspection)
    return render(
        request,
        "improvement/item.html",
        {"inspection": inspection, "role": role, "item": item, "form": form},
    )


def action_add(request: HttpRequest, pk: int, plan_item_pk: int) -> HttpResponse:
    inspection, role = get_plan_inspection(request, pk, PlanCan.EDIT)
    item = _item(_plan_or_404(inspection), plan_item_pk)
    if request.method == "POST":
        form = ActionForm(request.POST, inspection=inspection)
        if form.is_valid():
            add_action(item, form.cleaned_data, signed_in_user(request), timezone.localdate())
            messages.success(request, _("Added the action."))
            return redirect(f"{_plan_url(inspection)}#item-{item.pk}")
    else:
        form = ActionForm(initial={"version": 0}, inspection=inspection)
    form.helper.inputs[0].value = _("Add action")
    return render(
        request,
        "improvement/action.html",
        {"inspection": inspection, "role": role, "item": item, "form": form, "adding": True},
    )


def action_edit(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """Change an action: its status, evidence of progress, dates (version-checked)."""
    inspection, role = get_plan_inspection(request, pk, PlanCan.EDIT)
    plan = _plan_or_404(inspection)
    action = Action.objects.filter(item__plan=plan, pk=action_pk).select_related("item").first()
    if action is None:
        raise Http404("No such action")
    if request.method == "POST":
        form = ActionForm(request.POST, inspection=inspection)
        if form.is_valid():
            user, today = signed_in_user(request), timezone.localdate()
            try:
                save_action(action, form.cleaned_data["version"], form.cleaned_data, user, today)
            except StaleVersion as stale:
                return _conflict(request, inspection, role, form, stale.current)
            messages.success(request, _("Saved the action."))
            return redirect(f"{_plan_url(inspection)}#item-{action.item_id}")
    else:
        form = ActionForm(initial=ActionForm.initial_for(action), inspection=inspection)
    return render(
        request,
        "improvement/action.html",
        {"inspection": inspection, "role": role, "item": action.item, "form": form},
    )


def plan_history(request: HttpRequest, pk: int) -> HttpResponse:
    inspection, role = get_plan_inspection(request, pk, PlanCan.READ)
    plan = _plan_or_404(inspection)
    page = Paginator(PlanHistory(plan), PAGE_SIZE).get_page(query_value(request, "page"))
    return render(
        request,
        "improvement/history.html",
        {"inspection": inspection, "role": role, "page": page},
    )


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    inspection, _role = get_plan_inspection(request, pk, PlanCan.READ)
    body = plan_xlsx(_plan_or_404(inspection), timezone.localdate())
    return _attachment(HttpResponse(body, content_type=XLSX), f"improvement-plan-{pk}.xlsx")


def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    inspection, _role = get_plan_inspection(request, pk, PlanCan.READ)
    body = plan_pdf(_plan_or_404(inspection), timezone.localdate())
    response = HttpResponse(body, content_type="application/pdf")
    return _attachment(response, f"improvement-plan-{pk}.pdf")


def _ratings_summary(inspection: Inspection, role: Role) -> dict[str, Any] | None:
    """The overall and per-standard ratings, for standards frameworks the member may see."""
    if inspection.framework.framework.scoring_model != "standards":
        return None
    if not allowed(role, inspection, Can.SEE_RATINGS):
        return None
    result = rate_inspection(inspection)
    return {"result": result, "not_rated": result.not_rated_label}


VERDICTS = {
    "better": gettext_lazy("Better than national"),
    "worse": gettext_lazy("Worse than national"),
    "same": gettext_lazy("The same as national"),
}


def _indicators(inspection: Inspection) -> list[dict[str, Any]] | None:
    """Rows of outcome indicators from the outcomes app; None when that app is not installed.

    Imported only when installed, so the dashboard works with or without it.
    """
    if not apps.is_installed("yjinspect.web.outcomes"):
        return None
    from yjinspect.web.outcomes.services import indicator_results

    return [
        {
            "name": r.name,
            "period": str(r.period),
            "local": "" if r.rounded is None else f"{r.rounded} {r.unit}",
            "national": f"{r.comparison.national} {r.unit}" if r.comparison else "",
            "verdict": str(VERDICTS[r.comparison.verdict]) if r.comparison else "",
        }
        for r in indicator_results(inspection)
    ]


def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """The board's page: plan progress, overdue actions, ratings and outcome indicators."""
    inspection, role = get_plan_inspection(request, pk, PlanCan.READ)
    plan = plan_of(inspection)
    today = timezone.localdate()
    figures = progress(plan, today) if plan is not None else None
    return render(
        request,
        "improvement/dashboard.html",
        {
            "inspection": inspection,
            "role": role,
            "plan": plan,
            "progress": figures,
            "overdue": figures.overdue[:OVERDUE_SHOWN] if figures else (),
            "overdue_more": len(figures.overdue) > OVERDUE_SHOWN if figures else False,
            "ratings": _ratings_summary(inspection, role),
            "indicators": _indicators(inspection),
        },
    )
