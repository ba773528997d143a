"""Acknowledging and resolving alerts, by text (`ACK`, `ACK 42`), web or API.

Acknowledging is a compare-and-set from `open`: it stops the escalation chain
at once by clearing the timer and moving the fencing token on.
"""

import re

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Staff
from alerts.models import Alert, AlertEvent
from config import limits
from sms.models import Message

Event = AlertEvent.Type
ACK = re.compile(r"^\s*ack(?:nowledge)?\s*#?\s*(\d{1,12})?\s*[.!]*\s*$", re.IGNORECASE)


class ResolveError(ValueError):
    pass


OUTCOME_MISSING = "Write a short outcome note, for example “reached by phone, safe”."


def checked_note(note: str | None, required: bool = True, missing: str = OUTCOME_MISSING) -> str:
    """A note or outcome as it will be stored, or ResolveError saying what to
    fix. Checked before anything is written, so a refused note changes nothing."""
    # PostgreSQL text cannot hold NUL, and it means nothing in a note.
    note = (note or "").replace("\x00", "").strip()
    if required and not note:
        raise ResolveError(missing)
    if len(note) > limits.NOTE_MAX:
        raise ResolveError(f"Keep the note to {limits.NOTE_MAX:,} characters or fewer (this one has {len(note):,}).")
    return note


def acknowledge(alert: Alert, by: Staff, channel: str, note: str = "") -> bool:
    """Returns False if the alert was not open (already acknowledged or resolved).
    An optional note is checked first and stored with the acknowledgement, in
    the same transaction: both or neither."""
    note = checked_note(note, required=False)
    with transaction.atomic():
        changed = Alert.objects.filter(pk=alert.pk, status=Alert.Status.OPEN).update(
            status=Alert.Status.ACKNOWLEDGED,
            acknowledged_at=timezone.now(),
            acknowledged_by=by,
            next_escalation_at=None,
            escalation_token=F("escalation_token") + 1,
        )
        if changed:
            AlertEvent.objects.create(alert=alert, type=Event.ACKNOWLEDGED, actor=by, channel=channel)
        # The note goes with the acknowledgement, or onto an alert someone else
        # acknowledged first; acknowledging a resolved alert does nothing at all.
        if note and (changed or Alert.objects.filter(pk=alert.pk).exclude(status=Alert.Status.RESOLVED).exists()):
            AlertEvent.objects.create(alert=alert, type=Event.NOTE, actor=by, channel=channel, detail=note)
    alert.refresh_from_db()
    return bool(changed)


def resolve(alert: Alert, by: Staff, channel: str, outcome: str) -> None:
    """Resolve with a short outcome note ("reached by phone, safe"). An alert
    resolved before anyone acknowledged it counts as acknowledged then too."""
    outcome = checked_note(outcome)
    now = timezone.now()
    with transaction.atomic():
        locked = Alert.objects.select_for_update(of=("self",), no_key=True).get(pk=alert.pk)
        if locked.status == Alert.Status.RESOLVED:
            raise ResolveError("This alert is already resolved.")
        if locked.status == Alert.Status.OPEN:
            locked.acknowledged_at, locked.acknowledged_by = now, by
        locked.status = Alert.Status.RESOLVED
        locked.resolved_at, locked.resolved_by, locked.outcome = now, by, outcome
        locked.next_escalation_at = None
        locked.escalation_token += 1
        locked.save()
        AlertEvent.objects.create(alert=locked, type=Event.RESOLVED, actor=by, channel=channel, detail=outcome)
    alert.refresh_from_db()


def add_note(alert: Alert, by: Staff, channel: str, note: str) -> None:
    note = checked_note(note, missing="Write a note first.")
    AlertEvent.objects.create(alert=alert, type=Event.NOTE, actor=by, channel=channel, detail=note)


# --- By text ----------------------------------------------------------------------


def looks_like_ack(text: str) -> bool:
    return bool(ACK.match(text or ""))


def staff_text(staff: Staff, message: Message) -> list[str]:
    match = ACK.match(message.body or "")
    if match is None:
        return ["Reply ACK to acknowledge your newest alert, or ACK <alert id> for a given one."]
    if match.group(1):
        alert = Alert.objects.visible_to(staff).filter(pk=int(match.group(1))).select_related("member").first()
        if alert is None:
            return [f"Alert {match.group(1)} is not one of yours, so it was not acknowledged."]
    else:
        alert = (
            Alert.objects.visible_to(staff)
            .filter(status=Alert.Status.OPEN, notifications__staff=staff)
            .select_related("member")
            .order_by("-created_at", "-id")
            .first()
        )
        if alert is None:
            return ["You have no open alert to acknowledge."]
    if acknowledge(alert, by=staff, channel=AlertEvent.Channel.SMS):
        return [f"Acknowledged alert {alert.pk} ({alert.member.short_name}). Thank you."]
    who = alert.acknowledged_by.short_name if alert.acknowledged_by else "someone"
    return [f"Alert {alert.pk} was already {alert.status} by {who}."]
