"""Part 2 records in the API (docs/privacy.md): the consent texts, the
organization's disclosure register, a staff member's access log, and the
organization's disclosure notice. The member-scoped routes (a member's
consent, accounting of disclosures and access log, and their own copy) need
Member.objects.visible_to and live in checkins/records_api.py; they share the
answer shapes defined here."""

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict, Field

from accounts import audit
from accounts.auth import require_supervisor
from accounts.models import Organization, Staff
from config.pagination import Pagination
from records import consent
from records.disclosure import notice_for
from records.models import PART2_NOTICE, AccessEntry, ConsentRecord, ConsentText, Disclosure

router = Router(tags=["records"])

NOTICE_MAX = 5000
# Ids beyond a bigint are no row; they are 422 rather than a database error.
ID_MAX = 2**63 - 1


# --- Shapes shared with checkins/records_api.py --------------------------------------


class ConsentRecordOut(Schema):
    id: int
    kind: Literal[tuple(ConsentRecord.Kind.values)]  # type: ignore[valid-type]
    method: Literal[tuple(ConsentRecord.Method.values)]  # type: ignore[valid-type]
    staff_id: int | None
    staff: str | None = Field(
        description="The staff member who recorded it; null for the member's own text or their carrier."
    )
    text_version: str
    text: str = Field(description="For a grant: the exact words agreed to.")
    reason: str = Field(description="For a revocation by staff: why.")
    at: dt.datetime

    @staticmethod
    def resolve_staff(record: ConsentRecord) -> str | None:
        return record.staff.name if record.staff_id else None


class DisclosureOut(Schema):
    id: int
    at: dt.datetime
    staff_id: int | None
    staff: str | None
    channel: Literal[tuple(Disclosure.Channel.values)]  # type: ignore[valid-type]
    data: str
    purpose: str
    recipient: str
    member_count: int
    detail: str = Field(description="The page, file or API call.")

    @staticmethod
    def resolve_staff(disclosure: Disclosure) -> str | None:
        return disclosure.staff.name if disclosure.staff_id else None


class AccessOut(Schema):
    at: dt.datetime
    staff_id: int
    staff: str
    member_id: int
    where: str

    @staticmethod
    def resolve_staff(entry: AccessEntry) -> str:
        return entry.staff.name


# --- Consent texts -------------------------------------------------------------------


class ConsentTextOut(Schema):
    version: str
    language: str
    body: str
    current: bool = Field(description="The version new enrolments agree to.")


@router.get("/consent-texts", response=list[ConsentTextOut], summary="The consent texts, by version and language")
@paginate(Pagination)
def list_consent_texts(request):
    """Newest version first. A version's words never change once used."""
    texts = {(t.version, t.language): t.body for t in ConsentText.objects.all()}
    for version, words in consent._table().items():
        for language, body in words.items():
            texts.setdefault((version, language), body)
    return _newest_first(texts)


def _newest_first(texts: dict[tuple[str, str], str]) -> list[dict]:
    versions = sorted({version for version, _ in texts}, reverse=True)
    return [
        {"version": version, "language": language, "body": texts[(version, language)],
         "current": version == consent.DEFAULT_VERSION}
        for version in versions
        for language in sorted(lang for v, lang in texts if v == version)
    ]


# --- The disclosure register ---------------------------------------------------------


class RegisterFilters(Schema):
    channel: Literal[tuple(Disclosure.Channel.values)] | None = None  # type: ignore[valid-type]
    staff_id: int | None = Field(default=None, ge=1, le=ID_MAX)


@router.get(
    "/disclosures", response=list[DisclosureOut], summary="The organization's disclosure register, newest first"
)
@paginate(Pagination)
def list_disclosures(request, filters: Query[RegisterFilters]):
    require_supervisor(request.staff, "read the disclosure register")
    disclosures = Disclosure.objects.filter(organization_id=request.staff.organization_id).select_related("staff")
    if filters.channel:
        disclosures = disclosures.filter(channel=filters.channel)
    if filters.staff_id is not None:
        disclosures = disclosures.filter(staff_id=filters.staff_id)
    return disclosures.order_by("-at", "-id")


# --- A staff member's access log -----------------------------------------------------


@router.get("/staff/{staff_id}/access-log", response=list[AccessOut], summary="Whose records a staff member viewed")
@paginate(Pagination)
def staff_access_log(request, staff_id: int):
    """Newest first: each view of a member's answers, conversation or notes (no content)."""
    require_supervisor(request.staff, "read the access log")
    staff = get_object_or_404(Staff, pk=staff_id, organization_id=request.staff.organization_id)
    return (
        AccessEntry.objects.filter(organization_id=request.staff.organization_id, staff=staff)
        .select_related("staff")
        .order_by("-at", "-id")
    )


# --- The organization's disclosure notice --------------------------------------------


class OrganizationOut(Schema):
    id: int
    name: str
    disclosure_notice: str = Field(description="The notice sent with every disclosure, as in force now.")
    notice_is_default: bool = Field(description="True while the notice is the 42 CFR §2.32 wording.")

    @staticmethod
    def resolve_disclosure_notice(organization: Organization) -> str:
        return notice_for(organization)

    @staticmethod
    def resolve_notice_is_default(organization: Organization) -> bool:
        return not (organization.disclosure_notice or "").strip()


class OrganizationPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    disclosure_notice: str = Field(
        max_length=NOTICE_MAX, description="Blank: back to the 42 CFR §2.32 wording. Check your wording with counsel."
    )


@router.get("/organization", response=OrganizationOut, summary="Your organization")
def get_organization(request):
    return request.staff.organization


@router.patch("/organization", response=OrganizationOut, summary="Change the disclosure notice")
def patch_organization(request, payload: OrganizationPatch):
    require_supervisor(request.staff, "change the disclosure notice")
    organization = Organization.objects.get(pk=request.staff.organization_id)
    notice = payload.disclosure_notice.strip()
    if notice == PART2_NOTICE:
        notice = ""
    before = {"disclosure_notice": organization.disclosure_notice}
    if notice != organization.disclosure_notice:
        organization.disclosure_notice = notice
        organization.save(update_fields=["disclosure_notice"])
        audit.record(
            organization, request.staff, "organization.notice_changed", organization,
            audit.changes_between(before, {"disclosure_notice": notice}), via="api",
        )
    return organization
