"""Moving alerts to whoever covers now (coverage.routing decides who).

An unresolved alert stays with its responder while they are available. It
moves when they stop being available (out of office, deactivated, their
working hours or on-call period over) or when the member is reassigned:

- open and still at level 0: the new responder is texted and the
  acknowledgement timer starts again (or, with nobody available, it goes to
  the supervisors at once);
- open and escalated: the supervisors already have it; the responder is
  updated so the alert shows who has it, and they are texted;
- acknowledged, by someone no longer active or away: the new responder is
  texted; the acknowledgement stands.

Each move is a `rerouted` event that says why. The tick (every minute)
catches what no action announces, such as an out-of-office period or a shift
starting; deactivation, out-of-office changes and reassignment re-route at
once through signals.

Locks: the alert row (as escalation steps and ACKs), then message rows.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Staff
from alerts import escalation
from alerts.models import Alert, AlertEvent, Severity
from coverage.routing import Cover, is_available, is_away, responder_for

Event = AlertEvent.Type


def _unresolved() -> "Q":
    return Q(status__in=(Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED)) & ~Q(severity=Severity.INFO)


def _holder(alert: Alert) -> Staff | None:
    if alert.status == Alert.Status.ACKNOWLEDGED:
        return alert.acknowledged_by
    return alert.responder


def needs_moving(alert: Alert, now: dt.datetime) -> Cover | None:
    """The cover to move the alert to, or None to leave it where it is."""
    holder = _holder(alert)
    if alert.status == Alert.Status.ACKNOWLEDGED:
        # An acknowledgement stands unless whoever made it has gone or is away.
        if holder is None or (holder.is_active and not is_away(holder, now)):
            return None
    elif holder is not None and is_available(holder, now):
        if holder.pk == alert.member.supporter_id:
            return None
        # Someone covering has it: it goes back only to the supporter, once
        # they are available again (or the member's new supporter).
        cover = responder_for(alert.member, now)
        return cover if cover.is_supporter else None
    elif holder is None and alert.escalation_level > 0:
        return None  # with the supervisors already: nothing better to move to
    cover = responder_for(alert.member, now)
    if cover.staff is not None and holder is not None and cover.staff.pk == holder.pk:
        return None
    if cover.staff is None and alert.escalation_level > 0 and alert.status == Alert.Status.OPEN:
        return None
    return cover


def move(alert_id: int, now: dt.datetime | None = None, why: str = "") -> bool:
    """Re-route one alert if it still needs it. Returns whether it moved."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update(of=("self",), no_key=True)
            .select_related("member__supporter__user", "member__program", "responder__user", "acknowledged_by__user")
            .filter(pk=alert_id)
            .filter(_unresolved())
            .first()
        )
        if alert is None:
            return False
        cover = needs_moving(alert, now)
        if cover is None:
            return False
        alert.responder = cover.staff
        # A step claimed for the old responder's timer must not run.
        alert.escalation_token += 1
        alert.save(update_fields=["responder", "escalation_token"])
        detail = why or cover.why or f"{alert.member.supporter.name} has it again."
        AlertEvent.objects.create(alert=alert, type=Event.REROUTED, detail=detail)
        if alert.status == Alert.Status.OPEN and alert.escalation_level == 0:
            escalation.to_responder(alert, why=detail)
        elif cover.staff is not None:
            escalation.notify(alert, [cover.staff], Event.NOTIFIED)
        return True


def reroute_due(now: dt.datetime | None = None) -> int:
    """The coverage tick: every unresolved alert whose holder is no longer
    available, or whose supporter is available again, goes to whoever covers
    now. Cheap when nothing changed: one query, then a check per alert."""
    now = now or timezone.now()
    moved = 0
    alerts = Alert.objects.filter(_unresolved()).select_related(
        "member__supporter__user", "member__program", "responder__user", "acknowledged_by__user"
    )
    for alert in alerts.iterator(chunk_size=200):
        if needs_moving(alert, now) is not None:
            moved += move(alert.pk, now)
    return moved


def reroute_for_staff(staff_id: int, now: dt.datetime | None = None) -> int:
    """At once, when someone's availability changes: the alerts they hold,
    and those of their members."""
    now = now or timezone.now()
    ids = Alert.objects.filter(_unresolved()).filter(
        Q(responder_id=staff_id) | Q(acknowledged_by_id=staff_id) | Q(member__supporter_id=staff_id)
    ).values_list("pk", flat=True)
    return sum(move(alert_id, now) for alert_id in list(ids))


def reroute_members(member_ids: list[int], now: dt.datetime | None = None) -> int:
    """Reassigned members' open alerts follow them to their new supporter."""
    now = now or timezone.now()
    ids = Alert.objects.filter(_unresolved(), member_id__in=member_ids).values_list("pk", flat=True)
    return sum(move(alert_id, now) for alert_id in list(ids))
