"""A member's Part 2 records in the API (docs/privacy.md): their consent
records (and staff granting or withdrawing consent), their accounting of
disclosures, who viewed their records, and their own copy.

Here, not in records/api.py, because every route is scoped by
Member.objects.visible_to: a supporter reaches only their own members (and
those they cover for), anyone else gets 404.

`record_api_read` is what every API listing of a member's answers or words
calls (checkins/api.py, inbox/api.py): one access entry and one disclosure
(channel `api`) per request, with the caller's stated purpose and recipient."""

import datetime as dt
from typing import Literal

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, Field

from accounts.auth import require_supervisor
from checkins.consenting import grant_by_staff, revoke_by_staff
from checkins.member_copy import PURPOSE as MEMBER_COPY_PURPOSE
from checkins.member_copy import member_copy
from checkins.models import Member
from config import limits
from config.api_errors import ApiError
from config.pagination import Pagination
from records import disclosure
from records.access import log_view
from records.api import AccessOut, ConsentRecordOut, DisclosureOut
from records.consent import ConsentError
from records.models import AccessEntry, Disclosure

router = Router(tags=["records"])

NOT_STATED = "Not stated (read through the API)"
MEMBER_RECIPIENT = "The member"
# The accounting's dates: anything outside is no date a record can carry.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


def visible_member(request, member_id: int) -> Member:
    return get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)


# --- Reading a member's answers or words: the access log and the register ------------


class ReadPurpose(Schema):
    purpose: str | None = Field(
        default=None,
        description=f"Why the data is read (at most {disclosure.PURPOSE_MAX} characters); "
        f'recorded in the disclosure register. Default: "{NOT_STATED}".',
    )
    recipient: str | None = Field(
        default=None,
        description=f"Who receives it (at most {disclosure.RECIPIENT_MAX} characters). "
        'Default: "API client of <your name>".',
    )


def record_api_read(request, member: Member, *, data: str, where: str, stated: ReadPurpose) -> None:
    """One access entry and one disclosure for one API read of `member`'s
    `data`. A purpose or recipient too long is 422 naming it, and records nothing."""
    staff = request.staff
    purpose = stated.purpose if (stated.purpose or "").strip() else NOT_STATED
    default_recipient = f"API client of {staff.name}"[: disclosure.RECIPIENT_MAX]
    recipient = stated.recipient if (stated.recipient or "").strip() else default_recipient
    try:
        purpose, recipient = disclosure.checked(purpose, recipient)
    except disclosure.DisclosureError as error:
        raise ApiError(422, f"{error.field}: {error.message}", field=error.field) from None
    with transaction.atomic():
        log_view(staff, member, where)
        disclosure.record_disclosure(
            organization=staff.organization,
            staff=staff,
            channel=Disclosure.Channel.API,
            data=data,
            purpose=purpose,
            recipient=recipient,
            member_ids=[member.pk],
            detail=f"{request.method} {request.path}",
        )


# --- Consent ---------------------------------------------------------------------------


class ConsentGrantIn(Schema):
    model_config = ConfigDict(extra="forbid")

    method: Literal["verbal", "written"] = Field(description="How the member gave consent to staff.")
    text_version: str | None = Field(
        default=None, max_length=limits.CONSENT_FIELD_MAX,
        description="The consent text agreed to (GET /consent-texts); the current one when left out.",
    )


class ConsentRevokeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=1000, description="Why consent is withdrawn, e.g. asked by phone to stop texts.")


def _consent_error(error: ConsentError) -> ApiError:
    return ApiError(error.status, error.message, field=error.field if error.status == 422 else None)


@router.get("/members/{member_id}/consent", response=list[ConsentRecordOut], summary="A member's consent records")
@paginate(Pagination)
def list_consent(request, member_id: int):
    """Newest first: grants (with the exact words agreed to) and revocations.
    The newest decides whether the member may be texted."""
    member = visible_member(request, member_id)
    return member.consent_records.select_related("staff").order_by("-at", "-id")


@router.post("/members/{member_id}/consent", response={201: ConsentRecordOut}, summary="Record consent given to staff")
def grant_consent(request, member_id: int, payload: ConsentGrantIn):
    """A member who consented verbally or in writing. A member whose consent
    staff withdrew becomes active again. A member who opted out by their own
    text or through their carrier can come back only by texting START: `409`."""
    member = visible_member(request, member_id)
    try:
        record = grant_by_staff(member, staff=request.staff, method=payload.method, text_version=payload.text_version)
    except ConsentError as error:
        raise _consent_error(error) from None
    return Status(201, record)


@router.post(
    "/members/{member_id}/consent/revoke", response={201: ConsentRecordOut}, summary="Withdraw a member's consent"
)
def revoke_consent(request, member_id: int, payload: ConsentRevokeIn):
    """Stops every text to the member at once (as their own STOP would),
    recorded with the reason. Not active or paused: `409`."""
    member = visible_member(request, member_id)
    try:
        record = revoke_by_staff(member, staff=request.staff, reason=payload.reason)
    except ConsentError as error:
        raise _consent_error(error) from None
    return Status(201, record)


# --- The member's accounting of disclosures and access log ------------------------------


class Period(Schema):
    date_from: dt.date | None = Field(
        default=None, alias="from", ge=EARLIEST, le=LATEST, description='"YYYY-MM-DD", the member\'s local date'
    )
    date_to: dt.date | None = Field(
        default=None, alias="to", ge=EARLIEST, le=LATEST, description='"YYYY-MM-DD", included'
    )


def _local_midnight(day: dt.date, member: Member) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=member.tz)


@router.get(
    "/members/{member_id}/disclosures", response=list[DisclosureOut], summary="A member's accounting of disclosures"
)
@paginate(Pagination)
def member_disclosures(request, member_id: int, period: Query[Period]):
    """Oldest first: every disclosure that included the member, between
    `from` and `to` (both included, the member's local dates)."""
    member = visible_member(request, member_id)
    if period.date_from and period.date_to and period.date_from > period.date_to:
        raise ApiError(422, "to: the end of the period comes before its start.", field="to")
    start = _local_midnight(period.date_from, member) if period.date_from else None
    end = _local_midnight(period.date_to + dt.timedelta(days=1), member) if period.date_to else None
    return disclosure.accounting(member, start, end)


@router.get("/members/{member_id}/access-log", response=list[AccessOut], summary="Who viewed a member's records")
@paginate(Pagination)
def member_access_log(request, member_id: int):
    """Supervisors. Newest first: each view of the member's answers,
    conversation or notes (no content)."""
    member = visible_member(request, member_id)
    require_supervisor(request.staff, "read the access log")
    return AccessEntry.objects.filter(member=member).select_related("staff").order_by("-at", "-id")


# --- The member's own copy ------------------------------------------------------------------


@router.get(
    "/members/{member_id}/export",
    response={200: None},
    summary="A member's own record, for the member",
    openapi_extra={
        "responses": {
            200: {
                "description": "A plain-text file (attachment): details, consent, check-ins and answers, texts.",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        }
    },
)
def export_member_copy(request, member_id: int):
    """Recorded as a disclosure to the member (channel `member_copy`), with
    the organization's notice at the end of the file."""
    member = visible_member(request, member_id)
    staff = request.staff
    notice = disclosure.notice_for(staff.organization)
    text = member_copy(member, notice)
    with transaction.atomic():
        log_view(staff, member, "api:GET /members/{id}/export")
        disclosure.record_disclosure(
            organization=staff.organization,
            staff=staff,
            channel=Disclosure.Channel.MEMBER_COPY,
            data="Own record: details, consent, check-ins and answers, texts",
            purpose=MEMBER_COPY_PURPOSE,
            recipient=MEMBER_RECIPIENT,
            member_ids=[member.pk],
            detail=f"{request.method} {request.path}",
        )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="member-{member.pk}-record.txt"'
    return response
