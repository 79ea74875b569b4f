"""Who may do what in an inspection.

Access is per inspection: a role in one inspection gives nothing in another, and a person
without a role cannot tell the inspection exists (404, not 403). Site administrators
(superusers) may do everything. Every view that takes an inspection id goes through
`get_inspection`, and the role matrix test walks every URL against every role.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from .models import Inspection, Membership, Role


class Can(StrEnum):
    VIEW = "view"  # the overview page
    WORK = "work"  # case lists, samples, history: the inspection team
    MANAGE = "manage"  # import, sample, allocate, team, lifecycle
    ASSESS = "assess"
    MODERATE = "moderate"
    JUDGE = "judge"  # judgements and discretion
    RECORD_EVIDENCE = "record_evidence"
    SEE_RATINGS = "see_ratings"
    WRITE_REPORT = "write_report"  # the report's edited words and recommendations


TEAM = {Role.LEAD, Role.INSPECTOR, Role.MODERATOR}
ALLOWED: dict[Can, set[Role]] = {
    Can.VIEW: {*TEAM, Role.SERVICE_VIEWER},
    Can.WORK: TEAM,
    Can.MANAGE: {Role.LEAD},
    Can.ASSESS: {Role.LEAD, Role.INSPECTOR},
    Can.MODERATE: {Role.LEAD, Role.MODERATOR},
    Can.JUDGE: {Role.LEAD},
    Can.RECORD_EVIDENCE: {Role.LEAD, Role.INSPECTOR},
    Can.SEE_RATINGS: TEAM,
    Can.WRITE_REPORT: {Role.LEAD, Role.INSPECTOR},
}
# Changes that are refused once an inspection is published (it is then read-only).
WRITES = {Can.MANAGE, Can.ASSESS, Can.MODERATE, Can.JUDGE, Can.RECORD_EVIDENCE, Can.WRITE_REPORT}


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, for views that LoginRequiredMiddleware has already guarded."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(_("Sign in first"))
    return user


def role_of(user: User | AnonymousUser, inspection: Inspection) -> Role | None:
    if not isinstance(user, User):
        return None
    if user.is_superuser:
        return Role.LEAD
    role = (
        Membership.objects.filter(inspection=inspection, user=user)
        .values_list("role", flat=True)
        .first()
    )
    return Role(role) if role else None


def allowed(role: Role | None, inspection: Inspection, can: Can) -> bool:
    if role is None:
        return False
    if can in WRITES and inspection.is_read_only:
        return False
    if can == Can.SEE_RATINGS and role == Role.SERVICE_VIEWER:
        return inspection.released_to_service
    return role in ALLOWED[can]


def get_inspection(request: HttpRequest, pk: int, can: Can) -> tuple[Inspection, Role]:
    """The inspection if the user may `can` it; 404 for strangers, 403 for members without.

    Every inspection page starts here, so the user's role comes in the same query as the
    inspection (a subquery) rather than a second round trip.
    """
    user = request.user
    if not isinstance(user, User):
        raise Http404("No such inspection")
    inspection = (
        Inspection.objects.select_related("framework")
        .filter(pk=pk)
        .annotate(
            member_role=Subquery(
                Membership.objects.filter(inspection=OuterRef("pk"), user=user)
                .order_by("pk")
                .values("role")[:1]
            )
        )
        .first()
    )
    if inspection is None:
        raise Http404("No such inspection")
    member_role = getattr(inspection, "member_role", None)
    role = Role.LEAD if user.is_superuser else Role(member_role) if member_role else None
    if role is None:
        raise Http404("No such inspection")
    if not allowed(role, inspection, can):
        raise PermissionDenied(_("Your role in this inspection does not allow this"))
    return inspection, role


def visible_inspections(user: User | AnonymousUser) -> list[int] | None:
    """Ids of inspections the user belongs to; None means all (site administrators)."""
    if not isinstance(user, User):
        return []
    if user.is_superuser:
        return None
    return list(Membership.objects.filter(user=user).values_list("inspection_id", flat=True))
