"""Turning findings into alerts, and deciding who hears of them.

One unresolved alert per member and topic: a new finding on the same topic
adds its reason to the open alert (and raises its severity if higher) rather
than texting the supporter again. A new alert goes to the member's supporter;
a crisis to the supporter and every supervisor at once. Info alerts
(unreachable) are shown in the supporter's queue and are not texted. The
texts, timers and steps themselves are alerts.escalation's.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts import escalation, rules
from alerts.models import SEVERITY_RANK, Alert, AlertEvent, Severity
from alerts.rules import Finding
from checkins.models import Member
from sms.models import Message

Event = AlertEvent.Type


def raise_alerts(member: Member, findings: list[Finding]) -> list[Alert]:
    by_topic: dict[str, list[Finding]] = {}
    for finding in findings:
        by_topic.setdefault(finding.topic, []).append(finding)
    return [_raise(member, topic, group) for topic, group in by_topic.items()]


def _raise(member: Member, topic: str, findings: list[Finding]) -> Alert:
    severity = max((f.severity for f in findings), key=SEVERITY_RANK.__getitem__)
    reasons = [f.reason for f in findings]
    for _ in range(3):
        try:
            with transaction.atomic():
                existing = (
                    Alert.objects.select_for_update(of=("self",), no_key=True)
                    .filter(member=member, topic=topic)
                    .exclude(status=Alert.Status.RESOLVED)
                    .first()
                )
                if existing is not None:
                    return _add_to(existing, severity, reasons)
                return _create(member, topic, severity, reasons)
        except IntegrityError:
            # Another process created this topic's alert a moment ago: add to it.
            continue
    raise RuntimeError("could not raise the alert")


def _create(member: Member, topic: str, severity: str, reasons: list[str]) -> Alert:
    alert = Alert.objects.create(
        organization_id=member.organization_id,
        member=member,
        supporter_id=member.supporter_id,
        topic=topic,
        severity=severity,
        reasons=reasons,
    )
    AlertEvent.objects.create(alert=alert, type=Event.CREATED, detail=" ".join(reasons))
    # Info alerts (unreachable) wait in the supporter's queue, untexted.
    if severity == Severity.CRISIS:
        escalation.crisis(alert)
    elif severity != Severity.INFO:
        escalation.to_supporter(alert)
    return alert


# A member who keeps texting crisis words re-alerts everyone, but not more
# often than this.
CRISIS_RENOTIFY_AFTER = dt.timedelta(minutes=10)


def _add_to(alert: Alert, severity: str, reasons: list[str]) -> Alert:
    new_reasons = [r for r in reasons if r not in alert.reasons]
    raised = SEVERITY_RANK[severity] > alert.severity_rank
    crisis_again = (
        severity == Severity.CRISIS
        and not raised
        and not alert.events.filter(type=Event.NOTIFIED, at__gte=timezone.now() - CRISIS_RENOTIFY_AFTER).exists()
    )
    if not new_reasons and not raised and not crisis_again:
        return alert
    alert.reasons = alert.reasons + new_reasons
    detail = " ".join(new_reasons) or "Crisis words again."
    if raised:
        detail = f"Severity raised from {alert.severity} to {severity}. {detail}".strip()
        alert.severity = severity
    alert.save(update_fields=["reasons", "severity"])
    AlertEvent.objects.create(alert=alert, type=Event.UPDATED, detail=detail)
    if severity == Severity.CRISIS and (raised or crisis_again):
        escalation.crisis(alert)
    elif raised and alert.status == Alert.Status.OPEN and alert.escalation_level == 0:
        # Still with the supporter: tell them it got worse, and restart their timer.
        escalation.to_supporter(alert)
    return alert


# --- Texts that could not be delivered -----------------------------------------------


def handle_delivery_failure(message: Message) -> None:
    """A notification that failed is escalation's to handle; a text to a member
    that failed marks them unreachable (never counted as risk)."""
    if message.alert_id is not None and message.staff_id is not None:
        escalation.notification_failed(message)
        return
    if message.member_id is None:
        return
    member = message.member
    Member.objects.filter(pk=member.pk, unreachable_since__isnull=True).update(unreachable_since=timezone.now())
    finding = rules.unreachable(member, message.error_code)
    if finding is not None:
        raise_alerts(member, [finding])
