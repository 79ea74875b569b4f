"""Who may do what with an improvement plan.

The plan outlives the inspection's fieldwork: it is run by the service after publication, when
the inspection's own data is read-only. So plan rights are not `Can.*` write rights (which
publication refuses); they are checked on the member's role once `Can.VIEW` has let them in:

- every member of the inspection (team and service viewers) may read the plan, its history,
  the board exports and the dashboard;
- only the lead inspector starts the plan and adds new recommendations to it;
- the lead inspector and the service (service viewers) edit items and their actions.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from yjinspect.web.inspections.access import Can, get_inspection
from yjinspect.web.inspections.models import Inspection, Role, State


class PlanCan(StrEnum):
    READ = "read"
    START = "start"
    EDIT = "edit"


PLAN_ROLES: dict[PlanCan, frozenset[Role]] = {
    PlanCan.READ: frozenset(Role),
    PlanCan.START: frozenset({Role.LEAD}),
    PlanCan.EDIT: frozenset({Role.LEAD, Role.SERVICE_VIEWER}),
}

# The plan answers the published report; it may be started once the report's words are
# settled enough to be checked by the service (factual-accuracy check) or published.
STARTABLE_STATES = frozenset({State.FACTUAL_ACCURACY, State.PUBLISHED})


def plan_allows(role: Role | None, can: PlanCan) -> bool:
    return role is not None and role in PLAN_ROLES[can]


def get_plan_inspection(request: HttpRequest, pk: int, can: PlanCan) -> tuple[Inspection, Role]:
    """The inspection if this member may `can` its plan: 404 for strangers, 403 for others."""
    inspection, role = get_inspection(request, pk, Can.VIEW)
    if not plan_allows(role, can):
        raise PermissionDenied(_("Your role in this inspection does not allow this"))
    return inspection, role


def may_start(inspection: Inspection) -> bool:
    return inspection.state in STARTABLE_STATES
