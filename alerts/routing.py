"""Turning findings into alerts and getting them to the right people.

One unresolved alert per member and topic: a new finding on the same topic
adds its reason to the open alert (and raises its severity if higher) rather
than texting the supporter again. A new alert texts the member's supporter;
a crisis texts the supporter and every supervisor at once. Info alerts
(unreachable) are shown in the supporter's queue and are not texted.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Staff
from alerts.models import SEVERITY_RANK, Alert, AlertEvent, Severity
from alerts.rules import Finding
from checkins.models import Member
from sms import outbox
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
                    Alert.objects.select_for_update()
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
    if severity == Severity.INFO:
        return alert
    notify(alert, [member.supporter], Event.NOTIFIED)
    if severity == Severity.CRISIS:
        _escalate_now(alert, "Crisis: supervisors notified at once.")
    else:
        _arm_timer(alert)
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
        # Whatever the alert's state, a crisis reaches the supporter and every
        # supervisor at once; an acknowledged alert stays with whoever has it.
        notify(alert, [alert.member.supporter], Event.NOTIFIED)
        if alert.escalation_level == 0:
            _escalate_now(alert, "Crisis: supervisors notified at once.")
        else:
            notify(alert, list(alert.organization.supervisors()), Event.NOTIFIED)
    elif raised and alert.status == Alert.Status.OPEN and alert.escalation_level == 0:
        notify(alert, [alert.member.supporter], Event.NOTIFIED)
        _arm_timer(alert)
    return alert


def _arm_timer(alert: Alert) -> None:
    timeout = alert.member.program.ack_timeout_seconds
    alert.next_escalation_at = timezone.now() + dt.timedelta(seconds=timeout)
    alert.save(update_fields=["next_escalation_at"])


def _escalate_now(alert: Alert, why: str) -> None:
    alert.escalation_level += 1
    alert.escalation_token += 1
    alert.save(update_fields=["escalation_level", "escalation_token"])
    AlertEvent.objects.create(alert=alert, type=Event.ESCALATED, detail=why)
    notify(alert, list(alert.organization.supervisors()), Event.NOTIFIED)
    if alert.status == Alert.Status.OPEN:
        _arm_timer(alert)


# --- Texts to staff ---------------------------------------------------------------


def notification_text(alert: Alert, reminder: bool = False) -> str:
    """First name and last initial, severity, alert id, a link; never answers,
    substances or diagnoses (contract §6)."""
    lead = "Reminder: " if reminder else ""
    return (
        f"{lead}{alert.severity.upper()} check-in alert for {alert.member.short_name} (alert {alert.pk}). "
        f"Reply ACK {alert.pk} to acknowledge. {settings.PUBLIC_BASE_URL}/alerts/{alert.pk}"
    )


def notify(alert: Alert, recipients: list[Staff], event_type: str, reminder: bool = False) -> None:
    if not recipients:
        AlertEvent.objects.create(alert=alert, type=event_type, detail="Nobody to notify: no supervisor is set up.")
        return
    body = notification_text(alert, reminder=reminder)
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


# --- Texts that could not be delivered -----------------------------------------------


def handle_delivery_failure(message: Message) -> None:
    """A notification that failed is logged and escalates at once; a text to a
    member that failed marks them unreachable (never counted as risk)."""
    from alerts import escalation, rules

    if message.alert_id is not None and message.staff_id is not None:
        alert = message.alert
        who = message.staff.name
        AlertEvent.objects.create(
            alert=alert,
            type=Event.DELIVERY_FAILED,
            channel=AlertEvent.Channel.SMS,
            detail=f"Text to {who} could not be delivered (error {message.error_code or 'unknown'}).",
        )
        if alert.status == Alert.Status.OPEN:
            escalation.step(alert.pk, alert.escalation_token, why=f"The text to {who} could not be delivered.")
        return
    if message.member_id is None:
        return
    member = message.member
    Member.objects.filter(pk=member.pk, unreachable_since__isnull=True).update(unreachable_since=timezone.now())
    finding = rules.unreachable(member, message.error_code)
    if finding is not None:
        raise_alerts(member, [finding])
