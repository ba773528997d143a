"""Escalation: getting an alert to people, and moving it up, one fenced step
at a time, when nobody acknowledges it.

Level 0 is the supporter. When the program's acknowledgement timeout passes
without an acknowledgement, the alert escalates to the organization's
supervisors (level 1); after that supervisors are reminded every timeout, up
to the program's `max_reminders`. A crisis skips the wait: the supporter and
every supervisor are texted at once.

The timer is `Alert.next_escalation_at`. The periodic tick claims due alerts
with FOR NO KEY UPDATE SKIP LOCKED and runs one step for each while it holds
them, so a second tick running at the same moment takes other alerts (or
none). A step carries the `escalation_token` it was claimed with and does
nothing unless the alert still has that token and is open: a duplicate task,
a redelivered one, or a step racing an acknowledgement all find the token
moved on and stop.

Locks: the alert row, then the outbound message rows its texts insert
(docs/architecture.md, "Locks").
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Staff
from alerts.models import Alert, AlertEvent
from checkins.models import Program
from coverage.routing import is_away
from sms import outbox
from sms.models import Message

Event = AlertEvent.Type

CRISIS_WHY = "Crisis: supervisors notified at once."


def _acknowledge_by(program: Program, level: int = 0) -> dt.datetime:
    """When the people just texted must have acknowledged: the one place the
    program's acknowledgement timeout is read. Once supervisors have the
    alert (level 1 and up), reminders come every timeout but never closer
    than REMINDER_MIN_SECONDS, so a short timeout cannot burst reminders."""
    seconds = program.ack_timeout_seconds
    if level >= 1:
        seconds = max(seconds, settings.REMINDER_MIN_SECONDS)
    return timezone.now() + dt.timedelta(seconds=seconds)


# --- Starting: what a new or raised alert sets off (called by alerts.routing) ----------


def to_responder(alert: Alert, why: str = "") -> None:
    """Level 0: text whoever has the alert (the supporter, or whoever covers
    for them, coverage.routing) and start the acknowledgement timer. With
    nobody available, it goes to the supervisors at once."""
    if alert.responder_id is None:
        if alert.escalation_level == 0:
            _escalate_now(alert, why or "Nobody else is available: sent to the supervisors.", purpose=UNCOVERED)
        return
    notify(alert, [alert.responder], Event.NOTIFIED)
    _arm(alert)


def crisis_recipients(alert: Alert) -> list[Staff]:
    """Who a crisis reaches before the supervisors: whoever has the alert,
    and the supporter too unless they are out of office or no longer active
    (outside working hours they still hear of it)."""
    people = [alert.responder] if alert.responder_id else []
    supporter = alert.member.supporter
    if supporter.is_active and not is_away(supporter, timezone.now()):
        if supporter.pk not in {p.pk for p in people}:
            people.append(supporter)
    return people


def crisis(alert: Alert) -> None:
    """Whatever the alert's state, a crisis reaches the supporter (and whoever
    covers for them) and every supervisor at once; an acknowledged alert stays
    with whoever has it."""
    people = crisis_recipients(alert)
    if people:
        notify(alert, people, Event.NOTIFIED)
    if alert.escalation_level == 0:
        _escalate_now(alert, CRISIS_WHY, purpose=CRISIS_AT_ONCE)
    else:
        notify(alert, list(alert.organization.supervisors()), Event.NOTIFIED, purpose=CRISIS_AT_ONCE)


def _arm(alert: Alert) -> None:
    alert.next_escalation_at = _acknowledge_by(alert.member.program, alert.escalation_level)
    alert.save(update_fields=["next_escalation_at"])


def _escalate_now(alert: Alert, why: str, purpose: str = "") -> None:
    """Up one level without waiting for the timer. The token moves on, so a
    step already claimed for the old level does nothing."""
    alert.escalation_level += 1
    alert.escalation_token += 1
    alert.save(update_fields=["escalation_level", "escalation_token"])
    AlertEvent.objects.create(alert=alert, type=Event.ESCALATED, detail=why)
    notify(alert, list(alert.organization.supervisors()), Event.NOTIFIED, purpose=purpose or ESCALATION)
    if alert.status == Alert.Status.OPEN:
        _arm(alert)


# --- Stepping: the timer ran out, or a text to staff failed ----------------------------


def step(alert_id: int, token: int, why: str = "Not acknowledged in time.") -> bool:
    """Run one escalation step if `token` is still current. Returns whether it ran."""
    with transaction.atomic():
        # Waits for a lock someone else holds (an ACK, a step, new reasons
        # being added), then the token decides.
        alert = (
            Alert.objects.select_for_update(of=("self",), no_key=True)
            .select_related("member__program", "organization")
            .filter(pk=alert_id, escalation_token=token, status=Alert.Status.OPEN)
            .first()
        )
        if alert is None:
            return False
        program = alert.member.program
        supervisors = list(alert.organization.supervisors())
        alert.escalation_token += 1
        if alert.escalation_level == 0:
            alert.escalation_level = 1
            AlertEvent.objects.create(alert=alert, type=Event.ESCALATED, detail=why)
            notify(alert, supervisors, Event.NOTIFIED, purpose=ESCALATION)
        elif alert.reminders_sent < program.max_reminders:
            alert.reminders_sent += 1
            notify(alert, supervisors, Event.REMINDED, purpose=REMINDER)
        else:
            alert.next_escalation_at = None
            alert.save(update_fields=["escalation_token", "next_escalation_at"])
            AlertEvent.objects.create(
                alert=alert, type=Event.NOTE, detail=f"No more reminders: {program.max_reminders} sent."
            )
            return True
        alert.next_escalation_at = _acknowledge_by(program, alert.escalation_level)
        alert.save(update_fields=["escalation_token", "escalation_level", "reminders_sent", "next_escalation_at"])
        return True


def due_steps(now: dt.datetime | None = None, limit: int = 500) -> list[tuple[int, int]]:
    """(alert id, token) of open alerts whose escalation time has come, claimed
    with FOR NO KEY UPDATE SKIP LOCKED: rows another tick has claimed (or an
    ACK is changing) are left to it. The claim lasts until the caller's
    transaction ends, so call it inside one (escalate_due does; Django refuses
    a locking query outside a transaction)."""
    now = now or timezone.now()
    return list(
        Alert.objects.select_for_update(of=("self",), skip_locked=True, no_key=True)
        .filter(status=Alert.Status.OPEN, next_escalation_at__lte=now)
        .order_by("next_escalation_at")
        .values_list("pk", "escalation_token")[:limit]
    )


def escalate_due(now: dt.datetime | None = None) -> int:
    """The tick: claim the due alerts and run one step for each while they are
    held. Each alert is stepped at most once a tick, however far `now` is
    ahead. Safe to run twice at once (SKIP LOCKED splits the work; the token
    fences the rest)."""
    with transaction.atomic():
        return sum(step(alert_id, token) for alert_id, token in due_steps(now))


def notification_failed(message: Message) -> None:
    """A text to staff about this alert could not be delivered: it is logged,
    and an open alert escalates at once rather than waiting for the timer."""
    alert = message.alert
    who = message.staff.name
    AlertEvent.objects.create(
        alert=alert,
        type=Event.DELIVERY_FAILED,
        channel=AlertEvent.Channel.SMS,
        detail=f"Text to {who} could not be delivered (error {message.error_code or 'unknown'}).",
    )
    if alert.status == Alert.Status.OPEN:
        step(alert.pk, alert.escalation_token, why=f"The text to {who} could not be delivered.")


# --- Texts to staff ----------------------------------------------------------------------


# What a text to staff is: the first one, an escalation after no ACK, a crisis
# sent to supervisors at once, or a reminder. Each says so.
FIRST = ""
ESCALATION = "escalation"
CRISIS_AT_ONCE = "crisis"
REMINDER = "reminder"
UNCOVERED = "uncovered"


def notification_text(alert: Alert, purpose: str = FIRST) -> str:
    """First name and last initial, severity, alert id, a link; never answers,
    substances or diagnoses (contract §6). An escalation names whose
    acknowledgement is missing; a reminder says it is one."""
    about = f"{alert.severity.upper()} check-in alert for {alert.member.short_name} (alert {alert.pk})"
    supporter = (alert.responder or alert.member.supporter).name
    if purpose == ESCALATION:
        about = f"Escalated to you: {about}, not acknowledged by {supporter} in time"
    elif purpose == CRISIS_AT_ONCE:
        about = f"{about}, sent to you and to {supporter} at once"
    elif purpose == REMINDER:
        about = f"Reminder: {about} is still not acknowledged"
    elif purpose == UNCOVERED:
        about = f"Sent to you: {about}; {alert.member.supporter.name} is unavailable and nobody covering is"
    return f"{about}. Reply ACK {alert.pk} to acknowledge. {settings.PUBLIC_BASE_URL}/alerts/{alert.pk}"


def notify(alert: Alert, recipients: list[Staff], event_type: str, purpose: str = FIRST) -> None:
    # Nobody deactivated is texted, whatever list they were on.
    recipients = [staff for staff in recipients if staff.is_active]
    if not recipients:
        AlertEvent.objects.create(alert=alert, type=event_type, detail="Nobody to notify: no supervisor is set up.")
        return
    body = notification_text(alert, purpose)
    for staff in recipients:
        outbox.queue(
            phone=staff.phone,
            body=body,
            kind=Message.Kind.NOTIFICATION,
            priority=Message.Priority.URGENT,
            staff=staff,
            alert=alert,
        )
        AlertEvent.objects.create(
            alert=alert, type=event_type, actor=None, channel=AlertEvent.Channel.SMS, detail=f"Texted {staff.name}."
        )
