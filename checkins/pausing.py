"""Pausing a member's check-ins (an inpatient stay, travel, a break they
asked for) and resuming them.

While paused: no check-ins are sent and none can be missed, so no
missed-check-in alerts. Everything the member texts still works: crisis
words, STOP, HELP, free text to their supporter. A pause with an end date
ends by itself on the member's local morning of that date (the tick,
`resume_due`), with a welcome-back text; staff can resume earlier.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import Staff
from checkins.enrollment import EnrollmentError
from checkins.models import CheckIn, Member
from checkins.texts import say
from sms import outbox
from sms.models import Message

# The longest pause staff can set at once; longer absences are a discharge.
MAX_PAUSE_DAYS = 366
# A pause ends at this local time on its last date (the morning the member is back).
RESUME_AT = dt.time(8, 0)


def parse_until(value: str | dt.date | None, member: Member) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        until = value
    else:
        try:
            until = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise EnrollmentError("until", 'Write the date as "YYYY-MM-DD".') from None
    today = timezone.now().astimezone(member.tz).date()
    if until <= today:
        raise EnrollmentError("until", "The pause must end after today.")
    if until > today + dt.timedelta(days=MAX_PAUSE_DAYS):
        raise EnrollmentError("until", f"A pause can last at most {MAX_PAUSE_DAYS} days; discharge the member instead.")
    return until


def parse_reason(value: str | None) -> str:
    if value not in Member.PauseReason.values:
        choices = ", ".join(f"'{v}'" for v in Member.PauseReason.values)
        raise EnrollmentError("reason", f"Reason must be one of {choices}.")
    return value


def pause(member: Member, *, until: str | dt.date | None, reason: str, by: Staff | None, via: str = "web") -> Member:
    """Pause check-ins until `until` (None: until staff resume them)."""
    until_date = parse_until(until, member)
    reason = parse_reason(reason)
    with transaction.atomic():
        locked = Member.objects.select_for_update(of=("self",), no_key=True).get(pk=member.pk)
        if locked.status not in (Member.Status.ACTIVE, Member.Status.PAUSED):
            raise EnrollmentError(
                "status", f"This member is {locked.get_status_display().lower()}: only an active member can be paused.", 409
            )
        before = {"status": locked.status, "paused_until": locked.paused_until, "pause_reason": locked.pause_reason}
        locked.status = Member.Status.PAUSED
        locked.paused_until = until_date
        locked.pause_reason = reason
        locked.next_checkin_at = None
        locked.save(update_fields=["status", "paused_until", "pause_reason", "next_checkin_at"])
        # A check-in already sent cannot be missed while paused: it ends unanswered, not missed.
        locked.checkins.filter(status=CheckIn.Status.OPEN).update(
            status=CheckIn.Status.INCOMPLETE, ended_at=timezone.now()
        )
        after = {"status": locked.status, "paused_until": until_date, "pause_reason": reason}
        audit.record(locked.organization_id, by, "member.paused", locked, audit.changes_between(before, after), via=via)
    _refresh(member, locked)
    return member


def resume(member: Member, *, by: Staff | None, via: str = "web", welcome: bool = True) -> Member:
    """Check-ins start again from the next scheduled time, with a welcome-back
    text. Does nothing to a member who is not paused."""
    with transaction.atomic():
        locked = Member.objects.select_for_update(of=("self",), no_key=True).get(pk=member.pk)
        if locked.status != Member.Status.PAUSED:
            raise EnrollmentError("status", "This member is not paused.", 409)
        before = {"status": locked.status, "paused_until": locked.paused_until, "pause_reason": locked.pause_reason}
        locked.status = Member.Status.ACTIVE
        locked.paused_until = None
        locked.pause_reason = ""
        locked.resumed_at = timezone.now()
        locked.schedule_next_checkin()
        locked.save(update_fields=["status", "paused_until", "pause_reason", "next_checkin_at", "resumed_at"])
        if welcome:
            day = locked.next_checkin_at.astimezone(locked.tz).date()
            outbox.queue(
                phone=locked.phone,
                body=say(
                    "welcome_back",
                    locked.language,
                    first_name=locked.first_name,
                    day=f"{day:%d/%m}" if locked.language == "es" else f"{day:%m/%d}",
                ),
                kind=Message.Kind.SYSTEM,
                priority=Message.Priority.REPLY,
                member=locked,
            )
        after = {"status": locked.status, "paused_until": None, "pause_reason": ""}
        action = "member.resumed" if by is not None else "member.resumed_by_schedule"
        audit.record(locked.organization_id, by, action, locked, audit.changes_between(before, after), via=via)
    _refresh(member, locked)
    return member


def _refresh(member: Member, locked: Member) -> None:
    for field in ("status", "paused_until", "pause_reason", "next_checkin_at", "resumed_at"):
        setattr(member, field, getattr(locked, field))


def is_due(member: Member, now: dt.datetime) -> bool:
    if member.paused_until is None:
        return False
    back = dt.datetime.combine(member.paused_until, RESUME_AT, tzinfo=member.tz)
    return back.astimezone(dt.UTC) <= now


def resume_due(now: dt.datetime | None = None) -> int:
    """The tick: members whose pause has ended resume, each once (the
    status check under the row lock in `resume` stops a second tick)."""
    now = now or timezone.now()
    # The widest zone is UTC-12: anyone whose date has come anywhere is a candidate.
    candidates = Member.objects.filter(status=Member.Status.PAUSED, paused_until__lte=(now + dt.timedelta(hours=14)).date())
    resumed = 0
    for member in candidates:
        if not is_due(member, now):
            continue
        try:
            resume(member, by=None, via="system")
        except EnrollmentError:
            continue  # resumed or changed a moment ago by someone else
        resumed += 1
    return resumed
