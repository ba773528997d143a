"""The on-call rota in the API: each program's weekly on-call periods, and
the gaps in the coming days when a supporter is off the clock and nobody is
on call (coverage.rota). Every staff member of the organization may read the
rota; only supervisors change it."""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, Field

from accounts.auth import require_supervisor
from checkins.models import Program
from config import limits
from config.api_errors import ApiError
from config.pagination import Pagination
from coverage.models import OnCallPeriod
from coverage.rota import RotaError, add_on_call, gaps, remove_on_call

router = Router(tags=["on-call rota"])

MAX_GAP_DAYS = 28


class OnCallOut(Schema):
    id: int
    program_id: int
    staff_id: int
    staff_name: str
    timezone: str
    starts_day: int = Field(description="ISO weekday, Monday 1 to Sunday 7")
    starts_time: str = Field(description='Local "HH:MM"')
    ends_day: int = Field(description="ISO weekday, Monday 1 to Sunday 7")
    ends_time: str = Field(description='Local "HH:MM"')
    description: str = Field(description='e.g. "Friday 17:00 to Monday 09:00 (America/New_York)"')

    @staticmethod
    def resolve_staff_name(period: OnCallPeriod) -> str:
        return period.staff.name

    @staticmethod
    def resolve_starts_time(period: OnCallPeriod) -> str:
        return period.starts_time.strftime("%H:%M")

    @staticmethod
    def resolve_ends_time(period: OnCallPeriod) -> str:
        return period.ends_time.strftime("%H:%M")

    @staticmethod
    def resolve_description(period: OnCallPeriod) -> str:
        return period.describe()


class OnCallIn(Schema):
    model_config = ConfigDict(extra="forbid")

    staff_id: int
    timezone: str = Field(max_length=limits.TIMEZONE_NAME_MAX, description="An IANA name, e.g. America/New_York")
    starts_day: int = Field(ge=1, le=7, description="ISO weekday, Monday 1 to Sunday 7")
    starts_time: str = Field(max_length=limits.TIME_INPUT_MAX, description='Local "HH:MM"')
    ends_day: int = Field(ge=1, le=7, description="ISO weekday, Monday 1 to Sunday 7")
    ends_time: str = Field(
        max_length=limits.TIME_INPUT_MAX, description='Local "HH:MM"; a period ending where it starts is the whole week'
    )


class GapQuery(Schema):
    days: int = Field(7, ge=1, le=MAX_GAP_DAYS, description="How many days ahead to look.")


class GapOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    off_hours: list[str] = Field(description="Who is outside their working hours during the gap.")


def _program(request, program_id: int) -> Program:
    return get_object_or_404(Program, pk=program_id, organization_id=request.staff.organization_id)


def _api_error(error: RotaError) -> ApiError:
    return ApiError(error.status, error.message, field=error.field)


@router.get("/programs/{program_id}/on-call", response=list[OnCallOut], summary="A program's on-call rota")
@paginate(Pagination)
def list_on_call(request, program_id: int):
    program = _program(request, program_id)
    return program.on_call_periods.select_related("staff").order_by("starts_day", "starts_time", "id")


@router.post("/programs/{program_id}/on-call", response={201: OnCallOut}, summary="Add an on-call period")
def create_on_call(request, program_id: int, payload: OnCallIn):
    """A weekly, repeating period, read on `timezone`'s wall clock: Friday
    17:00 to Monday 09:00 wraps over the weekend."""
    require_supervisor(request.staff, "change the on-call rota")
    program = _program(request, program_id)
    data = payload.dict()
    data["timezone_name"] = data.pop("timezone")
    try:
        period = add_on_call(program, **data, by=request.staff, via="api")
    except RotaError as error:
        raise _api_error(error) from None
    return Status(201, period)


@router.delete("/on-call/{period_id}", response={204: None}, summary="Remove an on-call period")
def delete_on_call(request, period_id: int):
    require_supervisor(request.staff, "change the on-call rota")
    period = get_object_or_404(
        OnCallPeriod.objects.select_related("program", "staff"),
        pk=period_id,
        program__organization_id=request.staff.organization_id,
    )
    try:
        remove_on_call(period, by=request.staff, via="api")
    except RotaError as error:
        raise _api_error(error) from None
    return HttpResponse(status=204)


@router.get("/programs/{program_id}/on-call/gaps", response=list[GapOut], summary="Gaps in the rota ahead")
@paginate(Pagination)
def list_gaps(request, program_id: int, query: Query[GapQuery]):
    """Stretches of the next `days` days (from now, to the quarter hour) when a
    supporter of the program's members is outside their working hours and
    nobody available is on call: alerts then go straight to the supervisors."""
    program = _program(request, program_id)
    found = gaps(program, days=query.days)
    return [{"starts_at": g.starts_at, "ends_at": g.ends_at, "off_hours": list(g.off_hours)} for g in found]
