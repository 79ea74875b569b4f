"""Template tags for GOV.UK Frontend components.

`{% govuk "tag" text=... classes=... %}` renders any component by its GOV.UK name. Components
whose inputs are lists (navigation) are built here, from Python data, by small tags.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..components import render

register = template.Library()

RATING_COLOURS = {
    "outstanding": "govuk-tag--green",
    "good": "govuk-tag--turquoise",
    "requires_improvement": "govuk-tag--orange",
    "inadequate": "govuk-tag--red",
}

STATE_COLOURS = {
    "in_progress": "govuk-tag--blue",
    "submitted": "govuk-tag--purple",
    "returned": "govuk-tag--orange",
    "agreed": "govuk-tag--green",
}


@register.simple_tag(takes_context=True)
def service_navigation(context: dict[str, Any]) -> SafeString:
    request: HttpRequest = context["request"]
    items = []
    if request.user.is_authenticated:
        home = reverse("inspections:home")
        items.append(
            {"text": _("Inspections"), "href": home, "active": request.path.startswith(home)}
        )
        security = reverse("accounts:security")
        items.append({"text": _("Security"), "href": security, "active": request.path == security})
        items.append({"text": _("Sign out"), "href": reverse("accounts:logout")})
    return render("service-navigation", serviceName="yjinspect", serviceUrl="/", navigation=items)


SECTIONS = [
    ("inspections:detail", "Overview", "view"),
    ("inspections:cases", "Case list", "work"),
    ("inspections:sample", "Sample", "work"),
    ("inspections:assessments", "Assessments", "work"),
    ("inspections:moderation", "Moderation", "work"),
    ("inspections:evidence", "Organisational evidence", "work"),
    ("inspections:ratings", "Ratings", "see_ratings"),
    ("inspections:report", "Report", "see_ratings"),
    ("inspections:history", "History", "work"),
]


@register.inclusion_tag("inspections/_subnav.html", takes_context=True)
def inspection_nav(context: dict[str, Any], inspection: Any, role: Any) -> dict[str, Any]:
    """Links to the inspection's sections that this role may open."""
    from ..access import Can, allowed

    request: HttpRequest = context["request"]
    links = []
    for name, label, can in SECTIONS:
        if not allowed(role, inspection, Can(can)):
            continue
        try:
            href = reverse(name, kwargs={"pk": inspection.pk})
        except NoReverseMatch:
            continue
        current = request.path == href or (
            name != "inspections:detail" and request.path.startswith(href)
        )
        links.append({"href": href, "label": _(label), "current": current})
    return {"links": links, "inspection": inspection}


@register.simple_tag
def phase_banner() -> SafeString:
    return render(
        "phase-banner",
        tag={"text": _("Beta")},
        text=_("Children's names are never stored: cases are known by reference only."),
    )


@register.simple_tag
def govuk(component: str, **params: Any) -> SafeString:
    return render(component, **params)


@register.simple_tag
def rating_tag(rating_id: str | None, label: str | None) -> SafeString:
    """A coloured GOV.UK tag for a rating; grey 'Not rated' when there is none."""
    css = RATING_COLOURS.get(rating_id or "", "govuk-tag--grey")
    return render("tag", text=label or _("Not rated"), classes=css)


@register.simple_tag
def state_tag(state: str, label: str) -> SafeString:
    css = STATE_COLOURS.get(state, "govuk-tag--grey")
    return render("tag", text=label, classes=css)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


@register.simple_tag
def pagination(page: Any, request: HttpRequest) -> SafeString:
    """GOV.UK pagination for a Django page, keeping the current filters in the links."""
    if page.paginator.num_pages <= 1:
        return SafeString("")

    def href(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return "?" + query.urlencode()

    numbers = sorted(
        {1, page.paginator.num_pages, *range(max(1, page.number - 2), page.number + 3)}
        & set(page.paginator.page_range)
    )
    items: list[dict[str, Any]] = []
    for i, n in enumerate(numbers):
        if i and n != numbers[i - 1] + 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": href(n), "current": n == page.number})
    params: dict[str, Any] = {"items": items}
    if page.has_previous():
        params["previous"] = {"href": href(page.previous_page_number())}
    if page.has_next():
        params["next"] = {"href": href(page.next_page_number())}
    return render("pagination", **params)


@register.simple_tag
def error_summary(form: Any) -> SafeString:
    """GOV.UK error summary linking each message to its field."""
    errors = []
    for name, messages in form.errors.items():
        field = form.fields.get(name)
        widget = getattr(field, "widget", None)
        # GOV.UK radios and checkboxes number their inputs from 1; link to the first one.
        first = "_1" if getattr(widget, "input_type", "") in {"radio", "checkbox"} else ""
        field_id = f"#id_{name}{first}" if name != "__all__" else "#main-content"
        errors += [{"text": str(m), "href": field_id} for m in messages]
    return render("error-summary", titleText=_("There is a problem"), errorList=errors)
