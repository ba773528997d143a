"""Escalation: an alert nobody acknowledged moves up, one fenced step at a time.

Level 0 is the supporter. When `ack_timeout_seconds` pass without an
acknowledgement, the alert escalates to the organization's supervisors
(level 1); after that supervisors are reminded every timeout, up to the
program's `max_reminders`.

The timer is `Alert.next_escalation_at`. The periodic tick claims due alerts
with SKIP LOCKED and runs one step for each. A step carries the
`escalation_token` it was claimed with and does nothing unless the alert
still has that token and is open: a duplicate task, a second beat, or a step
racing an acknowledgement all find the token moved on and stop.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from alerts.models import Alert, AlertEvent
from alerts.routing import notify

Event = AlertEvent.Type


def step(alert_id: int, token: int, why: str = "Not acknowledged in time.") -> bool:
    """Run one escalation step if `token` is still current. Returns whether it ran."""
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update(of=("self",))
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
            notify(alert, supervisors, Event.NOTIFIED)
        elif alert.reminders_sent < program.max_reminders:
            alert.reminders_sent += 1
            notify(alert, supervisors, Event.REMINDED, reminder=True)
        else:
            alert.next_escalation_at = None
            alert.save(update_fields=["escalation_token", "next_escalation_at"])
            AlertEvent.objects.create(
                alert=alert, type=Event.NOTE, detail=f"No more reminders: {program.max_reminders} sent."
            )
            return True
        alert.next_escalation_at = timezone.now() + dt.timedelta(seconds=program.ack_timeout_seconds)
        alert.save(update_fields=["escalation_token", "escalation_level", "reminders_sent", "next_escalation_at"])
        return True


def due_steps(now: dt.datetime | None = None, limit: int = 500) -> list[tuple[int, int]]:
    """(alert id, token) of every open alert whose escalation time has come."""
    now = now or timezone.now()
    return list(
        Alert.objects.filter(status=Alert.Status.OPEN, next_escalation_at__lte=now)
        .order_by("next_escalation_at")
        .values_list("pk", "escalation_token")[:limit]
    )


def escalate_due(now: dt.datetime | None = None) -> int:
    """The tick: run every due step. Safe to run twice at once (the token fences it)."""
    return sum(step(alert_id, token) for alert_id, token in due_steps(now))
