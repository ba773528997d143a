import datetime as dt
from datetime import datetime
from typing import Annotated, Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime, BeforeValidator, ConfigDict, Field, WithJsonSchema

from accounts.auth import require_supervisor
from accounts.models import ApiToken, AuditEntry, OutOfOffice, Staff
from accounts.staffing import (
    StaffError,
    add_staff,
    cancel_out_of_office,
    check_credentials,
    deactivate_staff,
    set_out_of_office,
    update_staff,
)
from accounts.throttle import Throttled
from config import limits
from config.api_errors import ApiError
from config.pagination import Pagination

router = Router(tags=["staff"])


class TokenIn(Schema):
    email: str = Field(max_length=limits.EMAIL_MAX)
    password: str = Field(max_length=limits.PASSWORD_MAX)


class TokenOut(Schema):
    token: str


class TokenInfo(Schema):
    """A token as its owner sees it in the list: never the key itself."""

    id: int
    prefix: str = Field(description="The first characters of the token, to tell tokens apart.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="Updated at most every five minutes.")
    expires_at: datetime
    current: bool = Field(description="True for the token this request was made with.")


class StaffIn(Schema):
    email: str = Field(max_length=limits.EMAIL_MAX)
    name: str = Field(max_length=limits.PERSON_NAME_MAX)
    phone: str = Field(max_length=limits.PHONE_INPUT_MAX)
    role: str = Field(max_length=limits.ROLE_INPUT_MAX)
    password: str = Field(max_length=limits.PASSWORD_MAX)


class StaffOut(Schema):
    id: int
    email: str
    name: str
    phone: str
    role: str
    active: bool
    backup_id: int | None = Field(description="Takes this person's members while they are out of office.")
    timezone: str
    work_starts: str | None = Field(description='Local "HH:MM"; null: always working.')
    work_ends: str | None = Field(description='Local "HH:MM"; null: always working.')
    work_days: str = Field(description='ISO weekdays, Monday 1 to Sunday 7, e.g. "12345".')
    out_of_office_now: bool


class ColleagueOut(Schema):
    id: int
    name: str
    role: str


def _clock(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def staff_out(staff: Staff, away: bool | None = None) -> dict:
    if away is None:
        away = OutOfOffice.objects.covering(timezone.now()).filter(staff=staff).exists()
    return {
        "id": staff.id,
        "email": staff.email,
        "name": staff.name,
        "phone": staff.phone,
        "role": staff.role,
        "active": staff.is_active,
        "backup_id": staff.backup_id,
        "timezone": staff.timezone,
        "work_starts": _clock(staff.work_starts),
        "work_ends": _clock(staff.work_ends),
        "work_days": staff.work_days,
        "out_of_office_now": away,
    }


def _days_as_text(value):
    """[1, 2, 3] is "123": one type, so that a wrong value is one error naming `work_days`."""
    if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return "".join(str(v) for v in value)
    return value


WorkDays = Annotated[
    str,
    Field(max_length=7),
    BeforeValidator(_days_as_text),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": "^[1-7]{1,7}$"},
                {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 1, "maximum": 7},
                    "minItems": 1,
                    "maxItems": 7,
                },
            ]
        }
    ),
]


class StaffPatch(Schema):
    """Only the fields sent change. A supporter may change only their own
    backup, time zone and working hours."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=limits.PERSON_NAME_MAX)
    phone: str | None = Field(default=None, max_length=limits.PHONE_INPUT_MAX)
    role: str | None = Field(default=None, max_length=limits.ROLE_INPUT_MAX)
    backup_id: int | None = Field(default=None, description="null: no backup.")
    timezone: str | None = Field(default=None, max_length=limits.TIMEZONE_NAME_MAX)
    work_starts: str | None = Field(
        default=None,
        max_length=limits.TIME_INPUT_MAX,
        description='Local "HH:MM"; null with work_ends: always working.',
    )
    work_ends: str | None = Field(default=None, max_length=limits.TIME_INPUT_MAX, description='Local "HH:MM"')
    work_days: WorkDays | None = Field(
        default=None, description='ISO weekdays, Monday 1 to Sunday 7: "12345" or [1, 2, 3, 4, 5].'
    )


# Fields a PATCH may set to null: no backup, no working hours.
NULLABLE_STAFF_FIELDS = {"backup_id", "work_starts", "work_ends"}


class TooManySignIns(ApiError):
    def __init__(self, throttled: Throttled):
        super().__init__(
            429,
            f"Too many failed sign-ins from here. Try again in {throttled.minutes} minute"
            f"{'s' if throttled.minutes != 1 else ''} (see Retry-After).",
        )
        self.headers = {"Retry-After": str(throttled.retry_after)}


@router.post("/auth/token", auth=None, response=TokenOut, summary="Exchange email and password for an API token")
def create_token(request, payload: TokenIn):
    """The token works until it expires (API_TOKEN_TTL_DAYS, 30 days by default), is revoked,
    or its owner's password changes or account is deactivated."""
    try:
        staff = check_credentials(request, payload.email, payload.password)
    except Throttled as throttled:
        raise TooManySignIns(throttled) from None
    if staff is None:
        raise ApiError(401, "Wrong email or password.")
    return {"token": ApiToken.issue(staff)}


@router.delete("/auth/token", response={204: None}, summary="Revoke the token this request is made with")
def revoke_current_token(request):
    ApiToken.objects.filter(pk=request.api_token.pk).delete()
    return HttpResponse(status=204)


def _token_info(token: ApiToken, current: ApiToken) -> dict:
    return {
        "id": token.id,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": token.expires_at,
        "current": token.pk == current.pk,
    }


@router.get("/auth/tokens", response=list[TokenInfo], summary="Your own API tokens that still work")
@paginate(Pagination)
def list_tokens(request):
    tokens = ApiToken.live().filter(staff=request.staff)
    return [_token_info(token, request.api_token) for token in tokens]


@router.delete("/auth/tokens/{token_id}", response={204: None}, summary="Revoke one of your own API tokens")
def revoke_token(request, token_id: int):
    deleted, _ = ApiToken.objects.filter(pk=token_id, staff=request.staff).delete()
    if not deleted:
        raise ApiError(404, "Not found.")
    return HttpResponse(status=204)


@router.post("/staff", response={201: StaffOut}, summary="Add a peer supporter or supervisor")
def create_staff(request, payload: StaffIn):
    require_supervisor(request.staff, "add staff")
    try:
        staff = add_staff(request.staff.organization, **payload.dict(), by=request.staff, via="api")
    except StaffError as error:
        raise _api_error(error) from None
    return Status(201, staff_out(staff, away=False))


def _api_error(error: StaffError) -> ApiError:
    return ApiError(error.status, error.message, field=error.field)


def _visible_staff(request):
    """A supervisor sees the organization's staff; a supporter only themself."""
    staff = Staff.objects.filter(organization_id=request.staff.organization_id).select_related("user")
    if not request.staff.is_supervisor:
        staff = staff.filter(pk=request.staff.pk)
    return staff


def _staff(request, staff_id: int) -> Staff:
    return get_object_or_404(_visible_staff(request), pk=staff_id)


@router.get("/staff", response=list[StaffOut], summary="Staff of the organization (a supporter sees only themself)")
@paginate(Pagination)
def list_staff(request, active: bool | None = None):
    staff = _visible_staff(request)
    if active is not None:
        staff = staff.filter(user__is_active=active)
    staff = list(staff.order_by("name", "id"))
    away = set(
        OutOfOffice.objects.covering(timezone.now())
        .filter(staff_id__in=[s.pk for s in staff])
        .values_list("staff_id", flat=True)
    )
    return [staff_out(s, away=s.pk in away) for s in staff]


@router.get("/staff/colleagues", response=list[ColleagueOut], summary="Active colleagues, to choose a backup from")
@paginate(Pagination)
def list_colleagues(request):
    """Everyone else active in your organization, by name: id, name and role
    only (no phone or email), which is what choosing a backup needs. For
    every staff member: a supporter may set their own backup_id."""
    return (
        Staff.objects.filter(organization_id=request.staff.organization_id, user__is_active=True)
        .exclude(pk=request.staff.pk)
        .order_by("name", "id")
    )


@router.get("/staff/{staff_id}", response=StaffOut, summary="A staff member (a supporter: only themself)")
def get_staff(request, staff_id: int):
    return staff_out(_staff(request, staff_id))


@router.patch("/staff/{staff_id}", response=StaffOut, summary="Change a staff member's details, backup or hours")
def patch_staff(request, staff_id: int, payload: StaffPatch):
    """Supervisors change anyone in the organization (but not their own role);
    a supporter only their own `backup_id`, `timezone`, `work_starts`,
    `work_ends` and `work_days` (anything else is `403`). All or nothing."""
    staff = _staff(request, staff_id)
    changes = payload.dict(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field not in NULLABLE_STAFF_FIELDS:
            raise ApiError(422, f"{field}: may not be null.", field=field)
    try:
        update_staff(staff, changes, by=request.staff, via="api")
    except StaffError as error:
        raise _api_error(error) from None
    return staff_out(staff)


@router.post("/staff/{staff_id}/deactivate", response=StaffOut, summary="Deactivate a staff member")
def deactivate(request, staff_id: int):
    """They can no longer sign in and all their API tokens stop working. Their
    members stay assigned to them and show in `GET /members?needs_reassignment=true`;
    their open alerts move to whoever covers."""
    require_supervisor(request.staff, "deactivate staff")
    staff = _staff(request, staff_id)
    try:
        deactivate_staff(staff, by=request.staff, via="api")
    except StaffError as error:
        raise _api_error(error) from None
    return staff_out(staff)


# --- Out of office ---------------------------------------------------------------


class OutOfOfficeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    starts_at: AwareDatetime = Field(description="ISO 8601 with its offset, e.g. 2026-03-02T09:00:00-05:00")
    ends_at: AwareDatetime = Field(description="ISO 8601 with its offset; after starts_at, in the future")


class OutOfOfficeOut(Schema):
    id: int
    staff_id: int
    starts_at: datetime
    ends_at: datetime
    set_by_id: int | None
    created_at: datetime
    cancelled_at: datetime | None
    current: bool = Field(description="True while the period runs (begun, not ended, not cancelled).")

    @staticmethod
    def resolve_current(absence: OutOfOffice) -> bool:
        now = timezone.now()
        return absence.cancelled_at is None and absence.starts_at <= now < absence.ends_at


def _own_or_supervised(request):
    """Out-of-office periods are their owner's and their supervisors' to see and change."""
    staff = Staff.objects.filter(organization_id=request.staff.organization_id)
    if not request.staff.is_supervisor:
        staff = staff.filter(pk=request.staff.pk)
    return staff


def _utc(field: str, value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ApiError(422, f"{field}: give a date before the year 9999.", field=field) from None


@router.get(
    "/staff/{staff_id}/out-of-office", response=list[OutOfOfficeOut], summary="A staff member's out-of-office periods"
)
@paginate(Pagination)
def list_out_of_office(request, staff_id: int):
    """Newest first, cancelled ones included (with `cancelled_at`)."""
    staff = get_object_or_404(_own_or_supervised(request), pk=staff_id)
    return staff.absences.order_by("-starts_at", "-id")


@router.post(
    "/staff/{staff_id}/out-of-office", response={201: OutOfOfficeOut}, summary="Set an out-of-office period"
)
def create_out_of_office(request, staff_id: int, payload: OutOfOfficeIn):
    """While it runs, the person's members' alerts and texts go to their
    backup, or whoever is on call, or the supervisors. Your own, or (for a
    supervisor) anyone's in the organization."""
    staff = get_object_or_404(_own_or_supervised(request), pk=staff_id)
    starts_at, ends_at = _utc("starts_at", payload.starts_at), _utc("ends_at", payload.ends_at)
    try:
        absence = set_out_of_office(staff, starts_at=starts_at, ends_at=ends_at, by=request.staff, via="api")
    except StaffError as error:
        raise _api_error(error) from None
    return Status(201, absence)


@router.delete("/out-of-office/{absence_id}", response=OutOfOfficeOut, summary="End or cancel an out-of-office period")
def delete_out_of_office(request, absence_id: int):
    """Ends a running period now, or cancels one not yet begun; the period
    stays in the list with `cancelled_at`. One already over is `409`."""
    absence = get_object_or_404(
        OutOfOffice.objects.select_related("staff").filter(staff__in=_own_or_supervised(request)), pk=absence_id
    )
    try:
        cancel_out_of_office(absence, by=request.staff, via="api")
    except StaffError as error:
        raise _api_error(error) from None
    return absence


# --- Audit log -------------------------------------------------------------------


class AuditOut(Schema):
    id: int
    at: datetime
    actor_id: int | None
    actor: str | None = Field(description="The staff member's name; null for the system (a scheduled resume).")
    action: str = Field(description='e.g. "member.paused", "staff.updated", "on_call.added"')
    target_type: str = Field(description='"member", "staff" or "oncallperiod"')
    target_id: int | None
    target_label: str
    changes: dict[str, Any] = Field(description="Each changed field as [before, after]; phones show the last 4 digits.")
    via: str = Field(description='"web", "api" or "system"')

    @staticmethod
    def resolve_actor(entry: AuditEntry) -> str | None:
        return entry.actor.name if entry.actor_id else None


class AuditFilters(Schema):
    target_type: str | None = Field(default=None, max_length=20)
    target_id: int | None = None
    actor_id: int | None = None


@router.get("/audit", response=list[AuditOut], summary="The organization's audit log, newest first", tags=["audit"])
@paginate(Pagination)
def list_audit(request, filters: Query[AuditFilters]):
    require_supervisor(request.staff, "read the audit log")
    entries = AuditEntry.objects.filter(organization_id=request.staff.organization_id).select_related("actor")
    for field, value in filters.dict(exclude_none=True).items():
        entries = entries.filter(**{field: value})
    return entries.order_by("-at", "-id")
