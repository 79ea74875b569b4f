"""Template tags for GOV.UK Frontend components.

`{% govuk "tag" text=... classes=... %}` renders any component by its GOV.UK name. Components
whose inputs are lists (navigation) are built here, from Python data, by small tags.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..components import render
from ..language import case_value, current_language, framework_wording

register = template.Library()

OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

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
    items.append(language_switch(request))
    return render(
        "service-navigation",
        serviceName="yjinspect",
        serviceUrl="/",
        navigation=items,
        menuButtonText=_("Menu"),
        ariaLabel=_("Service information"),
    )


# The other language, named in itself: a Welsh reader looks for "Cymraeg", not "Welsh".
OTHER_LANGUAGE = {"en": ("cy", "Cymraeg"), "cy": ("en", "English")}


def language_switch(request: HttpRequest) -> dict[str, Any]:
    """A link to this same page in the other language (`?lang=`, kept by SwitchLanguageMiddleware).

    The query string is kept, so a filtered list stays filtered when the language changes."""
    code, name = OTHER_LANGUAGE[current_language()]
    query = request.GET.copy()
    query["lang"] = code
    return {
        "text": name,
        "href": f"{request.path}?{query.urlencode()}",
        "attributes": {"lang": code, "hreflang": code},
    }


SECTIONS = [
    ("inspections:detail", gettext_lazy("Overview"), "view"),
    ("inspections:cases", gettext_lazy("Case list"), "work"),
    ("inspections:sample", gettext_lazy("Sample"), "work"),
    ("inspections:assessments", gettext_lazy("Assessments"), "work"),
    ("inspections:moderation", gettext_lazy("Moderation"), "work"),
    ("inspections:evidence", gettext_lazy("Organisational evidence"), "work"),
    ("inspections:ratings", gettext_lazy("Ratings"), "see_ratings"),
    ("inspections:report", gettext_lazy("Report"), "see_ratings"),
    ("inspections:history", gettext_lazy("History"), "work"),
    ("improvement:plan", gettext_lazy("Improvement plan"), "view"),
    ("improvement:dashboard", gettext_lazy("Board dashboard"), "view"),
    ("outcomes:indicators", gettext_lazy("Outcome indicators"), "view"),
]


# Pages under another section's address that belong to a different section: a case's
# assessment lives at /cases/<id>/assess/ but is part of Assessments, not the Case list.
SECTION_OF = {
    "inspections:assess": "inspections:assessments",
    "inspections:return_assessment": "inspections:assessments",
    "inspections:agree_assessment": "inspections:assessments",
    "inspections:moderate": "inspections:moderation",
    "inspections:resolve": "inspections:moderation",
}


@register.inclusion_tag("inspections/_subnav.html", takes_context=True)
def inspection_nav(context: dict[str, Any], inspection: Any, role: Any) -> dict[str, Any]:
    """Links to the inspection's sections that this role may open."""
    from ..access import Can, allowed

    request: HttpRequest = context["request"]
    match = request.resolver_match
    owner = SECTION_OF.get(match.view_name) if match else None
    links = []
    for name, label, can in SECTIONS:
        if not allowed(role, inspection, Can(can)):
            continue
        try:
            href = reverse(name, kwargs={"pk": inspection.pk})
        except NoReverseMatch:
            continue
        if owner:
            current = name == owner
        else:
            current = request.path == href or (
                name != "inspections:detail" and request.path.startswith(href)
            )
        links.append({"href": href, "label": str(label), "current": current})
    return {"links": links, "inspection": inspection}


@register.simple_tag
def phase_banner() -> SafeString:
    return render(
        "phase-banner",
        tag={"text": _("Beta")},
        text=_("Children's names are never stored: cases are known by reference only."),
    )


def _built_in_wording(component: str, params: dict[str, Any]) -> dict[str, Any]:
    """Translated stand-ins for the English words GOV.UK macros print when a param is absent.

    The macros are English-only ("Important", "Warning", "Back"...); without these a Welsh page
    would still carry them. A param the template gives wins."""
    if component == "notification-banner":
        title = _("Success") if params.get("type") == "success" else _("Important")
        return {"titleText": title}
    if component == "warning-text":
        return {"iconFallbackText": _("Warning")}
    if component == "back-link":
        return {"text": _("Back")}
    if component == "breadcrumbs":
        return {"labelText": _("Breadcrumb")}
    if component == "error-message":
        return {"visuallyHiddenText": _("Error")}
    if component == "footer":
        licence = format_html(
            '<a class="govuk-footer__link" href="{}" rel="license">{}</a>',
            OGL_URL,
            _("Open Government Licence v3.0"),
        )
        return {
            "meta": {"visuallyHiddenTitle": _("Support links")},
            "contentLicence": {
                "html": format_html(
                    escape(
                        _(
                            "All content is available under the {licence}, except where "
                            "otherwise stated"
                        )
                    ),
                    licence=licence,
                )
            },
            "copyright": {"text": _("© Crown copyright")},
        }
    return {}


@register.simple_tag
def govuk(component: str, **params: Any) -> SafeString:
    wording = _built_in_wording(component, params)
    if "titleHtml" in params:
        wording.pop("titleText", None)
    return render(component, **{**wording, **params})


@register.simple_tag
def rating_tag(rating_id: str | None, label: str | None) -> SafeString:
    """A coloured GOV.UK tag for a rating (its label in the page's language); grey 'Not rated'
    when there is none."""
    css = RATING_COLOURS.get(rating_id or "", "govuk-tag--grey")
    return render("tag", text=framework_wording(label) if label else _("Not rated"), classes=css)


@register.simple_tag
def state_tag(state: str, label: str) -> SafeString:
    css = STATE_COLOURS.get(state, "govuk-tag--grey")
    return render("tag", text=label, classes=css)


@register.filter(name="case_value")
def case_value_filter(value: Any, column: str) -> str:
    """`{{ case.risk_of_harm|case_value:"risk_of_harm" }}`: a stored code as people write it."""
    return case_value(column, str(value) if value else "")


@register.filter(name="framework")
def framework_filter(text: Any) -> str:
    """`{{ standard.name|framework }}`: see `framework_wording`."""
    return framework_wording(str(text))


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
        items.append(
            {
                "number": n,
                "href": href(n),
                "current": n == page.number,
                "visuallyHiddenText": _("Page %(number)s") % {"number": n},
            }
        )
    params: dict[str, Any] = {"items": items, "landmarkLabel": _("Pagination")}
    hidden_page = format_html('<span class="govuk-visually-hidden"> {}</span>', _("page"))
    if page.has_previous():
        params["previous"] = {
            "href": href(page.previous_page_number()),
            "html": format_html("{}{}", _("Previous"), hidden_page),
        }
    if page.has_next():
        params["next"] = {
            "href": href(page.next_page_number()),
            "html": format_html("{}{}", _("Next"), hidden_page),
        }
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
