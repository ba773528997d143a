"""Enrolling members and changing their details, with the checks that keep a
member's record correct whoever calls: the API, the web app or the demo seed."""

import datetime as dt
import zoneinfo
from functools import lru_cache

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import audit
from accounts.models import Organization, Staff
from accounts.phones import InvalidPhone, to_e164
from checkins import series
from checkins.models import CheckIn, Member, Program
from checkins.signals import members_reassigned
from checkins.texts import say
from records import consent as consent_records
from sms import outbox
from sms.models import Message

CURRENT_CONSENT_TEXT_VERSION = "2026-01"


class EnrollmentError(ValueError):
    def __init__(self, field: str, message: str, status: int = 422):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    """Every IANA zone name this machine knows."""
    return frozenset(zoneinfo.available_timezones())


def parse_timezone(name: str) -> str:
    if not isinstance(name, str) or name not in known_timezones():
        raise EnrollmentError("timezone", "Unknown time zone; use an IANA name such as America/New_York.")
    return name


def parse_checkin_time(value: str | dt.time, program: Program) -> dt.time:
    if isinstance(value, dt.time):
        parsed = value
    else:
        try:
            parsed = dt.datetime.strptime(str(value).strip(), "%H:%M").time()
        except ValueError:
            raise EnrollmentError("checkin_time", 'Write the check-in time as "HH:MM", for example "09:30".') from None
    if not program.in_send_window(parsed):
        start, end = program.send_window_start.strftime("%H:%M"), program.send_window_end.strftime("%H:%M")
        raise EnrollmentError("checkin_time", f"The check-in time must be between {start} and {end}, the program's sending window.")
    return parsed


def _program(organization: Organization, program_id: int) -> Program:
    program = Program.objects.filter(organization=organization, pk=program_id).first()
    if program is None:
        raise EnrollmentError("program_id", "No such program in your organization.")
    return program


def _supporter(organization: Organization, supporter_id: int) -> Staff:
    supporter = Staff.objects.filter(organization=organization, pk=supporter_id, user__is_active=True).first()
    if supporter is None:
        raise EnrollmentError("supporter_id", "No such staff member in your organization.")
    return supporter


def _phone(organization: Organization, raw: str, exclude_member: Member | None = None) -> str:
    try:
        phone = to_e164(raw)
    except InvalidPhone as error:
        raise EnrollmentError("phone", str(error)) from None
    if phone_is_taken(organization, phone, exclude_member):
        raise EnrollmentError("phone", PHONE_TAKEN, status=409)
    return phone


# The same words whether the number is taken here or in another organization,
# so that a 409 tells nobody which numbers another organization enrols.
PHONE_TAKEN = "A member with this phone number is already enrolled."


def phone_is_taken(organization: Organization, phone: str, exclude_member: Member | None = None) -> bool:
    """One owner per phone: a number is an active member (any status but
    discharged) in one organization only, across the deployment; within one
    organization it is enrolled once at all. Otherwise an inbound text could
    not tell whose member wrote it, and one organization could take over
    another's member (and their crisis alerts) by enrolling the number."""
    taken = Member.objects.filter(phone=phone).filter(
        Q(organization=organization) | ~Q(status=Member.Status.DISCHARGED)
    )
    if exclude_member is not None:
        taken = taken.exclude(pk=exclude_member.pk)
    return taken.exists()


def _name(raw: str) -> str:
    name = (raw or "").strip()
    if not name or len(name) > 200:
        raise EnrollmentError("name", "Enter a name of 1 to 200 characters.")
    return name


def _language(raw: str) -> str:
    if raw not in ("en", "es"):
        raise EnrollmentError("language", "Language must be 'en' or 'es'.")
    return raw


def enroll_member(
    organization: Organization,
    *,
    name: str,
    phone: str,
    timezone_name: str,
    language: str,
    program_id: int,
    supporter_id: int,
    checkin_time: str | dt.time,
    consent: bool,
    consent_method: str = "recorded by staff",
    consent_text_version: str = CURRENT_CONSENT_TEXT_VERSION,
    by: Staff | None = None,
    via: str = "api",
) -> Member:
    if consent is not True:
        raise EnrollmentError("consent", "The member must consent to receive texts (consent must be true).")
    program = _program(organization, program_id)
    member = Member(
        organization=organization,
        program=program,
        supporter=_supporter(organization, supporter_id),
        name=_name(name),
        phone=_phone(organization, phone),
        timezone=parse_timezone(timezone_name),
        language=_language(language),
        checkin_time=parse_checkin_time(checkin_time, program),
        consent_at=timezone.now(),
        consent_method=(consent_method or "recorded by staff")[:40],
        consent_text_version=(consent_text_version or CURRENT_CONSENT_TEXT_VERSION)[:40],
    )
    # A method this system knows is recorded as such; any other words
    # ("recorded by staff", "demo data") record the consent as given by staff.
    method = consent_method if consent_method in consent_records.Method.values else consent_records.Method.STAFF
    if method == consent_records.Method.CARRIER:
        method = consent_records.Method.STAFF
    try:
        words = consent_records.consent_text(consent_text_version or CURRENT_CONSENT_TEXT_VERSION, member.language)
    except consent_records.ConsentError as error:
        raise EnrollmentError(error.field, error.message) from None
    member.schedule_next_checkin()
    try:
        with transaction.atomic():
            member.save()
            consent_records.grant(member, method=method, staff=by, text_version=words.version)
            # The program's question series (BARC-10 …) that are on: a timer each.
            series.enrol(member)
            # Carriers expect a first text saying what the program is and how to stop.
            outbox.queue(
                phone=member.phone,
                body=say("welcome", member.language, program=program.name),
                kind=Message.Kind.SYSTEM,
                priority=Message.Priority.REPLY,
                member=member,
            )
            audit.record(organization, by, "member.enrolled", member, audit.changes_between({}, _snapshot(member)), via=via)
    except IntegrityError:
        # Two enrolments of one phone at once: the constraint decides.
        raise EnrollmentError("phone", PHONE_TAKEN, status=409) from None
    return member


# Statuses staff may set; `opted_out` is only ever set by the member's own text.
STAFF_SETTABLE_STATUSES = (Member.Status.ACTIVE, Member.Status.PAUSED, Member.Status.DISCHARGED)


# The fields of a member that the audit log follows.
AUDITED = ("name", "phone", "timezone", "language", "program_id", "supporter_id", "checkin_time", "status")


def _snapshot(member: Member) -> dict:
    data = {field: getattr(member, field) for field in AUDITED}
    data["checkin_time"] = member.checkin_time.strftime("%H:%M") if member.checkin_time else None
    return data


def update_member(member: Member, changes: dict, by: Staff, via: str = "api") -> Member:
    """Apply a partial update. Supporters may not move a member to another
    program or supporter; that is a supervisor's decision."""
    if ("program_id" in changes or "supporter_id" in changes) and not by.is_supervisor:
        field = "program_id" if "program_id" in changes else "supporter_id"
        raise EnrollmentError(field, "Only supervisors can change a member's program or supporter.", status=403)
    with transaction.atomic():
        # Read the row again under its lock before writing it back whole, so
        # that an opt-out or any other change since the caller loaded it is
        # not overwritten. Only the member row is locked (nothing else is,
        # docs/architecture.md "Locks"); FOR UPDATE rather than NO KEY UPDATE
        # only when the phone, part of a unique key, may change.
        locking = Member.objects.select_for_update(of=("self",), no_key="phone" not in changes)
        member.refresh_from_db(from_queryset=locking)
        before = _snapshot(member)
        _apply_changes(member, changes)
        changed = audit.changes_between(before, _snapshot(member))
        if changed:
            action = "member.discharged" if changed.get("status", [None, None])[1] == "discharged" else "member.updated"
            audit.record(member.organization_id, by, action, member, changed, via=via)
        if "supporter_id" in changed:
            members_reassigned.send(sender=Member, member_ids=[member.pk])
        return member


def _apply_changes(member: Member, changes: dict) -> Member:
    organization = member.organization
    if "name" in changes:
        member.name = _name(changes["name"])
    if "phone" in changes:
        member.phone = _phone(organization, changes["phone"], exclude_member=member)
    if "timezone" in changes:
        member.timezone = parse_timezone(changes["timezone"])
    if "language" in changes:
        member.language = _language(changes["language"])
    if "program_id" in changes:
        member.program = _program(organization, changes["program_id"])
    if "supporter_id" in changes:
        member.supporter = _supporter(organization, changes["supporter_id"])
    if "checkin_time" in changes or "program_id" in changes:
        member.checkin_time = parse_checkin_time(changes.get("checkin_time", member.checkin_time), member.program)
    if "status" in changes:
        status = changes["status"]
        if status not in STAFF_SETTABLE_STATUSES:
            raise EnrollmentError("status", "Status must be 'active', 'paused' or 'discharged'.")
        if member.status == Member.Status.OPTED_OUT and status == Member.Status.ACTIVE:
            raise EnrollmentError("status", "This member opted out by text; only their own START can resume texts.", 409)
        if member.status != Member.Status.OPTED_OUT or status == Member.Status.DISCHARGED:
            _set_status(member, status)
    if (
        "status" in changes
        and member.status != Member.Status.DISCHARGED
        and phone_is_taken(organization, member.phone, exclude_member=member)
    ):
        raise EnrollmentError("phone", PHONE_TAKEN, status=409)
    if {"checkin_time", "timezone", "status", "program_id"} & changes.keys():
        member.schedule_next_checkin()
    try:
        with transaction.atomic():
            member.save()
            if "program_id" in changes:
                # The new program's series (BARC-10 …) that are on: a timer each;
                # the old program's timers go (checkins.series).
                member.series_due.exclude(series__program_id=member.program_id).delete()
                series.enrol(member)
    except IntegrityError:
        raise EnrollmentError("phone", PHONE_TAKEN, status=409) from None
    return member


def _set_status(member: Member, status: str) -> None:
    """The side effects of a status staff set: a pause set this way has no end
    date (checkins.pausing sets one); a discharge is dated; neither leaves a
    check-in open to be missed."""
    if status == member.status:
        return
    now = timezone.now()
    if status in (Member.Status.PAUSED, Member.Status.DISCHARGED):
        member.checkins.filter(status=CheckIn.Status.OPEN).update(status=CheckIn.Status.INCOMPLETE, ended_at=now)
    if status == Member.Status.PAUSED:
        member.paused_until, member.pause_reason = None, Member.PauseReason.OTHER
    else:
        member.paused_until, member.pause_reason = None, ""
    member.discharged_at = now if status == Member.Status.DISCHARGED else None
    if member.status == Member.Status.PAUSED and status == Member.Status.ACTIVE:
        member.resumed_at = now
    member.status = status


def discharge_member(member: Member, by: Staff, via: str = "web") -> Member:
    """No more texts of any kind (a crisis text from them still gets the crisis
    reply and alert). The phone number becomes free to enrol elsewhere."""
    if member.status == Member.Status.DISCHARGED:
        raise EnrollmentError("status", "This member is already discharged.", 409)
    return update_member(member, {"status": Member.Status.DISCHARGED}, by=by, via=via)


def reassign_members(
    organization: Organization, member_ids: list[int], supporter_id: int, by: Staff, via: str = "web"
) -> list[Member]:
    """Move members, one or many, to another active supporter of the
    organization: all or nothing. Each move is an audit entry, and the
    members' open alerts follow them (alerts.rerouting)."""
    if not by.is_supervisor:
        raise EnrollmentError("supporter_id", "Only supervisors can reassign members.", status=403)
    supporter = _supporter(organization, supporter_id)
    ids = sorted({int(i) for i in member_ids})
    if not ids:
        raise EnrollmentError("member_ids", "Choose at least one member.")
    if len(ids) > 500:
        raise EnrollmentError("member_ids", "Reassign at most 500 members at once.")
    with transaction.atomic():
        # Locked in id order, as every path that locks several members does.
        members = list(
            Member.objects.select_for_update(of=("self",), no_key=True)
            .filter(organization=organization, pk__in=ids)
            .order_by("pk")
        )
        if len(members) != len(ids):
            raise EnrollmentError("member_ids", "One or more of these members are not in your organization.")
        moved = []
        for member in members:
            if member.supporter_id == supporter.pk:
                continue
            before = member.supporter
            member.supporter = supporter
            member.save(update_fields=["supporter"])
            audit.record(
                organization, by, "member.reassigned", member,
                {"supporter": [before.name, supporter.name]}, via=via,
            )
            moved.append(member.pk)
        if moved:
            members_reassigned.send(sender=Member, member_ids=moved)
    return members
