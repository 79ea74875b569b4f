"""Case assessment: the list of sampled cases, the assessment form, returning and agreeing.

The form page here is shared with moderation (second assessments): `assessment_view` serves
both kinds, so there is one implementation of the form, its saving and its conflict page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yjinspect.web.accounts.middleware import kept_work_token, pop_kept_post

from ..access import ALLOWED, Can, allowed, get_inspection, signed_in_user
from ..forms.assess import AssessmentForm
from ..models import (
    Assessment,
    AssessmentKind,
    AssessmentState,
    Case,
    Inspection,
    Role,
)
from ..query import query_value
from ..services.assessments import (
    DONE_STATES,
    OPEN_STATES,
    AssessmentClosed,
    AssessmentError,
    Conflict,
    StandardQuestions,
    agree_assessment,
    answers_by_question,
    may_assess_case,
    may_see_answers,
    questions_for_case,
    return_assessment,
    save_assessment,
)
from ..services.sampling import domain_labels

PER_PAGE = 25
NOT_STARTED = "not_started"
# After a conflict: the rest of what the person posted, to offer back with the latest answers.
KEPT_AFTER_CONFLICT = "assess_kept_after_conflict"


def sampled_case(inspection: Inspection, case_pk: int) -> Case:
    return get_object_or_404(
        Case.objects.select_related("assessor"), pk=case_pk, inspection=inspection, in_sample=True
    )


# ---- the list of sampled cases ---------------------------------------------------------------


def assessments(request: HttpRequest, pk: int) -> HttpResponse:
    """Sampled cases with their first assessment's state, filtered and paginated on the server."""
    inspection, role = get_inspection(request, pk, Can.WORK)
    user = signed_in_user(request)
    primary = Assessment.objects.filter(case=OuterRef("pk"), kind=AssessmentKind.PRIMARY)
    second = Assessment.objects.filter(case=OuterRef("pk"), kind=AssessmentKind.MODERATION)
    qs = (
        Case.objects.filter(inspection=inspection, in_sample=True)
        .select_related("assessor")
        .annotate(
            primary_state=Subquery(primary.values("state")[:1]),
            primary_assessor=Subquery(primary.values("assessor__username")[:1]),
            primary_assessor_pk=Subquery(primary.values("assessor_id")[:1]),
            second_state=Subquery(second.values("state")[:1]),
        )
        .order_by("case_ref")
    )
    domains = domain_labels(inspection)
    state = query_value(request, "state")
    domain = query_value(request, "domain")
    who = query_value(request, "assessor")
    if state == NOT_STARTED:
        qs = qs.filter(primary_state__isnull=True)
    elif state in AssessmentState.values:
        qs = qs.filter(primary_state=state)
    if domain in domains:
        qs = qs.filter(domain=domain)
    if who == "mine":
        qs = qs.filter(Q(assessor=user) | Q(primary_assessor_pk=user.pk))
    elif who == "unallocated":
        qs = qs.filter(assessor__isnull=True)
    page = Paginator(qs, PER_PAGE).get_page(query_value(request, "page"))
    return render(
        request,
        "inspections/assess/list.html",
        {
            "inspection": inspection,
            "role": role,
            "page": page,
            "state": state,
            "domain": domain,
            "who": who,
            "states": [*AssessmentState.choices, (NOT_STARTED, _("Not started"))],
            "state_labels": dict(AssessmentState.choices),
            "domains": domains,
            "filtered": bool(state or domain or who),
        },
    )


# ---- the assessment form (first or second assessment) ----------------------------------------


class Refused(Exception):
    """This person may not open this page at all; the message says why."""


@dataclass
class Page:
    """Everything the form page needs to know about a case, its assessments and this person."""

    inspection: Inspection
    role: Role
    user: User
    case: Case
    kind: str
    primary: Assessment | None
    moderation: Assessment | None
    standards: list[StandardQuestions]
    permitted: bool  # may change this assessment (if it is open)
    why_not: str
    hidden: bool  # the answers must not be shown (blind moderation)

    @property
    def assessment(self) -> Assessment | None:
        return self.primary if self.kind == AssessmentKind.PRIMARY else self.moderation

    @property
    def is_open(self) -> bool:
        return self.assessment is None or self.assessment.state in OPEN_STATES

    @property
    def editable(self) -> bool:
        return self.permitted and self.is_open and not self.hidden

    @property
    def url_name(self) -> str:
        return (
            "inspections:assess" if self.kind == AssessmentKind.PRIMARY else "inspections:moderate"
        )

    @property
    def can_decide(self) -> bool:
        """May return (or agree) this assessment: moderation roles, once it is finished."""
        a = self.assessment
        return (
            a is not None
            and a.state in DONE_STATES
            and allowed(self.role, self.inspection, Can.MODERATE)
            and not self.hidden
        )

    @property
    def can_agree(self) -> bool:
        a = self.assessment
        return (
            self.can_decide
            and self.kind == AssessmentKind.PRIMARY
            and a is not None
            and a.state == AssessmentState.SUBMITTED
            and a.assessor_id != self.user.pk
        )


def load_page(request: HttpRequest, pk: int, case_pk: int, kind: str, *, writing: bool) -> Page:
    if kind == AssessmentKind.PRIMARY:
        inspection, role = get_inspection(request, pk, Can.ASSESS if writing else Can.WORK)
    else:
        inspection, role = get_inspection(request, pk, Can.MODERATE if writing else Can.WORK)
        if role not in ALLOWED[Can.MODERATE]:
            raise PermissionDenied(
                _("Only moderators and the lead inspector give second assessments")
            )
    user = signed_in_user(request)
    case = sampled_case(inspection, case_pk)
    both = {a.kind: a for a in case.assessments.select_related("assessor")}
    primary = both.get(AssessmentKind.PRIMARY)
    moderation = both.get(AssessmentKind.MODERATION)
    left_out = inspection.optional_areas_left_out  # optional themes the lead did not choose
    standards = [
        s for s in questions_for_case(inspection.framework.framework, case) if s.id not in left_out
    ]
    shown, other = (
        (primary, moderation) if kind == AssessmentKind.PRIMARY else (moderation, primary)
    )
    hidden = shown is not None and not may_see_answers(user, role, shown, other)
    why_not = ""
    if kind == AssessmentKind.PRIMARY:
        if not allowed(role, inspection, Can.ASSESS):
            why_not = (
                _("This inspection is published, so its assessments can no longer be changed.")
                if inspection.is_read_only
                else _("Your role lets you read this assessment but not change it.")
            )
        elif hidden:
            why_not = _("You are giving this case's second assessment.")
        elif not may_assess_case(role, user, case):
            why_not = _("This case is allocated to %(name)s.") % {
                "name": case.assessor.username if case.assessor else ""
            }
    else:
        if primary is None:
            raise Refused(_("Case %(ref)s has no first assessment yet.") % {"ref": case.case_ref})
        if primary.assessor_id == user.pk:
            raise Refused(
                _(
                    "You gave the first assessment of case %(ref)s, so someone else must give "
                    "its second assessment."
                )
                % {"ref": case.case_ref}
            )
        if not allowed(role, inspection, Can.MODERATE):
            why_not = _(
                "This inspection is published, so its assessments can no longer be changed."
            )
    return Page(
        inspection=inspection,
        role=role,
        user=user,
        case=case,
        kind=kind,
        primary=primary,
        moderation=moderation,
        standards=standards,
        permitted=not why_not,
        why_not=why_not,
        hidden=hidden,
    )


def _stored_form(page: Page) -> AssessmentForm:
    form = AssessmentForm(standards=page.standards)
    if not page.hidden:
        form.fill_from_answers(answers_by_question(page.assessment), page.assessment)
    return form


def render_page(
    request: HttpRequest,
    page: Page,
    *,
    form: AssessmentForm | None = None,
    status: int = 200,
    banner: str = "",
    return_errors: list[dict[str, str]] | None = None,
    return_reason: str = "",
    show_inputs: bool = False,
) -> HttpResponse:
    form = form if form is not None else _stored_form(page)
    assessment = page.assessment
    context: dict[str, Any] = {
        "inspection": page.inspection,
        "role": page.role,
        "case": page.case,
        "kind": page.kind,
        "moderating": page.kind == AssessmentKind.MODERATION,
        "assessment": assessment,
        "form": form,
        "sections": [] if page.hidden else form.sections(),
        # Editable when allowed, or when a bound form must be shown back (its text kept).
        "editable": page.editable
        or ((form.is_bound or show_inputs) and page.permitted and not page.hidden),
        "why_not": page.why_not,
        "closed": not page.is_open,
        "can_save": page.editable,
        "hidden": page.hidden,
        "banner": banner,
        "domain_label": domain_labels(page.inspection).get(page.case.domain, page.case.domain),
        "can_decide": page.can_decide,
        "can_agree": page.can_agree,
        "return_errors": return_errors or [],
        "return_reason": return_reason,
        "form_url": request.path,
        "page_url_name": page.url_name,
        "kept_for": kept_work_token(signed_in_user(request).pk),
    }
    return render(request, "inspections/assess/form.html", context, status=status)


def _keep_after_conflict(request: HttpRequest, page: Page, conflicts: list[Conflict]) -> None:
    """Keep what the person posted, minus the questions that clashed, to offer back."""
    clashed = {c.question.field_prefix for c in conflicts}
    data = {
        key: values
        for key, values in request.POST.lists()
        if key not in {"csrfmiddlewaretoken", "action"} and key.rsplit("-", 1)[0] not in clashed
    }
    request.session[KEPT_AFTER_CONFLICT] = {"path": request.path, "data": data}


def _pop_after_conflict(request: HttpRequest) -> QueryDict | None:
    kept = request.session.get(KEPT_AFTER_CONFLICT)
    if not kept or kept.get("path") != request.path:
        return None
    del request.session[KEPT_AFTER_CONFLICT]
    if query_value(request, "kept") != "1":
        return None  # they chose to reload the saved answers only
    query = QueryDict(mutable=True)
    for key, values in kept["data"].items():
        query.setlist(key, values)
    return query


def _save(request: HttpRequest, page: Page) -> HttpResponse:
    if not page.permitted:
        raise PermissionDenied(page.why_not)
    submitting = request.POST.get("action") == "submit"
    form = AssessmentForm(request.POST, standards=page.standards, submitting=submitting)
    if not form.is_valid():
        return render_page(request, page, form=form)
    user = page.user
    try:
        result = save_assessment(
            page.case,
            page.kind,
            user,
            [q for s in page.standards for q in s.questions],
            form.posted_answers(),
            practice_example=form.cleaned_data.get("practice_example") or False,
            practice_example_note=form.cleaned_data.get("practice_example_note") or "",
            submit=submitting,
        )
    except AssessmentClosed as closed:
        if page.assessment is not None:
            page.assessment.refresh_from_db()  # it was closed meanwhile: show it as it is now
        form.add_error(None, f"{closed} {_('Nothing was saved: copy any notes you need.')}")
        return render_page(request, page, form=form, status=409)
    if result.conflicts:
        conflicts = list(result.conflicts)
        _keep_after_conflict(request, page, conflicts)
        return render(
            request,
            "inspections/assess/conflict.html",
            {
                "inspection": page.inspection,
                "role": page.role,
                "case": page.case,
                "moderating": page.kind == AssessmentKind.MODERATION,
                "conflicts": conflicts,
                "form_url": request.path,
            },
            status=409,
        )
    if result.submitted:
        messages.success(request, _("Saved and submitted. Moderation can now agree or return it."))
    elif submitting:
        messages.error(
            request,
            _("Saved, but not submitted: these questions have no answer: %(list)s")
            % {"list": "; ".join(q.label for q in result.unanswered)},
        )
    else:
        messages.success(request, _("Saved."))
    return redirect(request.path)


def assessment_view(request: HttpRequest, pk: int, case_pk: int, kind: str) -> HttpResponse:
    """GET shows the form (or the assessment read-only); POST saves it."""
    writing = request.method == "POST"
    try:
        page = load_page(request, pk, case_pk, kind, writing=writing)
    except Refused as refused:
        messages.error(request, str(refused))
        return redirect("inspections:moderation", pk=pk)
    if writing:
        return _save(request, page)
    form = _stored_form(page)
    banner = ""
    kept = pop_kept_post(request)
    after_conflict = _pop_after_conflict(request)
    show_inputs = False
    if kept is not None and page.permitted and not page.hidden:
        form.fill_from_post(kept)
        if page.editable:
            banner = _(
                "We kept the answers you were typing when your session ended. Check them and save."
            )
        else:  # closed meanwhile: still show their text, so it can be copied
            show_inputs = True
            banner = _(
                "We kept the answers you were typing when your session ended, but the "
                "assessment has been submitted since, so they cannot be saved. Copy what you need."
            )
    elif page.editable and after_conflict is not None:
        form.fill_from_post(after_conflict)
        banner = _(
            "Your other changes are filled in below but are not saved yet. The questions that "
            "clashed show the latest saved answers. Check them and save."
        )
    return render_page(request, page, form=form, banner=banner, show_inputs=show_inputs)


def assess(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    return assessment_view(request, pk, case_pk, AssessmentKind.PRIMARY)


# ---- moderation decisions: return or agree -----------------------------------------------------


def _decision_page(request: HttpRequest, pk: int, case_pk: int) -> Page:
    get_inspection(request, pk, Can.MODERATE)
    kind = (
        AssessmentKind.MODERATION
        if request.POST.get("kind") == AssessmentKind.MODERATION
        else AssessmentKind.PRIMARY
    )
    try:
        page = load_page(request, pk, case_pk, kind, writing=False)
    except Refused as refused:
        raise PermissionDenied(str(refused)) from refused
    if page.assessment is None:
        raise PermissionDenied(_("There is no assessment to decide on"))
    return page


@require_POST
def return_view(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    """Send a submitted assessment back to its assessor, with a reason they will see."""
    page = _decision_page(request, pk, case_pk)
    reason = request.POST.get("reason", "")
    if not page.can_decide:
        raise PermissionDenied(_("This assessment cannot be returned now"))
    assessment = page.assessment
    assert assessment is not None
    try:
        return_assessment(assessment, reason)
    except AssessmentError as error:
        return render_page(
            request,
            page,
            return_errors=[{"text": str(error), "href": "#return-reason"}],
            return_reason=reason,
        )
    messages.success(
        request,
        _("Returned to %(name)s with your reason.") % {"name": assessment.assessor.username},
    )
    return redirect(page.url_name, pk=pk, case_pk=case_pk)


@require_POST
def agree_view(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    page = _decision_page(request, pk, case_pk)
    assessment = page.assessment
    if assessment is None or not page.can_decide:
        raise PermissionDenied(_("This assessment cannot be agreed now"))
    try:
        agree_assessment(assessment, page.user)
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Assessment agreed."))
    return redirect(page.url_name, pk=pk, case_pk=case_pk)


urlpatterns = [
    path("<int:pk>/assessments/", assessments, name="assessments"),
    path("<int:pk>/cases/<int:case_pk>/assess/", assess, name="assess"),
    path("<int:pk>/cases/<int:case_pk>/return/", return_view, name="return_assessment"),
    path("<int:pk>/cases/<int:case_pk>/agree/", agree_view, name="agree_assessment"),
]
