"""Each supporter's caseload in the API, for supervisors: the rows of the
caseload page (care.caseload), sorted the same way."""

import datetime as dt
from typing import Literal

from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from accounts.auth import require_supervisor
from care.caseload import SORTS, Load, caseload
from config.pagination import Pagination

router = Router(tags=["caseload"])

SortName = Literal[tuple(SORTS + tuple(f"-{s}" for s in SORTS))]  # type: ignore[valid-type]


class AlertCounts(Schema):
    info: int
    warning: int
    urgent: int
    crisis: int


class LoadOut(Schema):
    staff_id: int
    name: str
    role: str
    active: bool = Field(description="False once deactivated: their members need reassignment.")
    away: bool = Field(description="Out of office now.")
    members: int = Field(description="Members not discharged or opted out, paused included.")
    paused: int
    alerts: AlertCounts = Field(description="Open or acknowledged alerts of their members, by severity.")
    open_alerts: int
    overdue_follow_ups: int
    silent: int = Field(description="Active members who have sent no text for 7 days or more.")
    last_contact: dt.date | None = Field(description="The date of their newest contact note.")


class CaseloadQuery(Schema):
    sort: SortName = Field(  # type: ignore[valid-type]
        "name", description="name, members, alerts, overdue, silent or last_contact; a leading - reverses it."
    )


def load_out(load: Load) -> dict:
    return {
        "staff_id": load.staff.pk,
        "name": load.staff.name,
        "role": load.staff.role,
        "active": load.active,
        "away": load.away,
        "members": load.members,
        "paused": load.paused,
        "alerts": load.alerts,
        "open_alerts": load.open_alerts,
        "overdue_follow_ups": load.overdue_follow_ups,
        "silent": load.silent,
        "last_contact": load.last_contact,
    }


@router.get("/caseload", response=list[LoadOut], summary="Each supporter's caseload")
@paginate(Pagination)
def list_caseload(request, query: Query[CaseloadQuery]):
    """One row per supporter (and per supervisor or deactivated person who
    still has members). Numbers sort largest first, names A to Z;
    `last_contact` puts the longest without a contact first."""
    require_supervisor(request.staff, "see the caseload")
    return [load_out(load) for load in caseload(request.staff.organization, query.sort)]
