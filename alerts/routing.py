"""Turning findings into alerts, and deciding who hears of them.

One unresolved alert per member, whatever the topic: every finding about a
member's risk (all the answers of one check-in, a crisis text, missed
check-ins, a request to be contacted) goes into the member's open or
acknowledged alert while there is one, with its reason appended and an
`updated` event, and raises its severity if it is higher. Only a new alert,
or a rise in severity, texts anyone: the member's supporter for a new alert,
the supporter and every supervisor at once for a crisis. The alert's `topic`
is the topic of its most severe finding (the first one, among equals).

Info findings (unreachable) are not risk: they keep alerts of their own, one
unresolved per member and topic, shown in the supporter's queue and never
texted, and never join the member's risk alert.

The texts, timers and steps themselves are alerts.escalation's.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts import escalation, rules
from alerts.models import SEVERITY_RANK, Alert, AlertEvent, Severity
from alerts.rules import Finding
from checkins import adaptive
from checkins.models import CheckIn, Member
from coverage.routing import responder_for
from sms.models import Message

Event = AlertEvent.Type


def raise_alerts(member: Member, findings: list[Finding]) -> list[Alert]:
    """The alerts these findings went into: the member's one risk alert first
    (if any finding is above info), then any info alerts, one per topic."""
    risk = [f for f in findings if f.severity != Severity.INFO]
    # Member row first, then the alert (the lock order): the schedule steps up.
    step_up_for(member, findings)
    info: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.severity == Severity.INFO:
            info.setdefault(finding.topic, []).append(finding)
    alerts = [_raise(member, risk, topic=None)] if risk else []
    return alerts + [_raise(member, group, topic=topic) for topic, group in info.items()]


# --- The adaptive schedule (checkins.adaptive, docs/adaptive.md) ----------------------

# Findings that tell of a worsening trend.
WORSENING = {rules.Kind.MOOD_FALLING, rules.Kind.CRAVING_ABOVE_BASELINE}
# Findings that are not about the member's risk: staff's own lapse.
NOT_THE_MEMBERS_RISK = {rules.Kind.FOLLOW_UP_OVERDUE}


def _counts_against(findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(worsening-trend findings, risk findings): what makes a check-in not clear."""
    worsening = [f for f in findings if f.rule in WORSENING]
    risk = [f for f in findings if f.severity != Severity.INFO and f.rule not in NOT_THE_MEMBERS_RISK]
    return worsening, risk


def step_up_for(member: Member, findings: list[Finding]) -> None:
    """A worsening trend, or any risk alert, moves the member straight back to
    the most frequent level, as far as the program says so; either way the
    row of clear check-ins is broken. Nothing without adaptation."""
    if not findings or not member.program.adaptive_schedule:
        return
    program = member.program
    worsening, risk = _counts_against(findings)
    if worsening and program.step_up_on_worsening:
        adaptive.step_up(member, f"Worsening trend: {worsening[0].reason}")
    elif risk and program.step_up_on_alert:
        adaptive.step_up(member, f"Alert: {_most_severe(risk).reason}")
    elif worsening or risk:
        adaptive.not_clear(member)


def count_if_clear(checkin: CheckIn) -> bool:
    """A completed scheduled check-in whose answers have no risk finding
    counts as clear. The rules are run again here (they only read), so the
    answer is the same whichever order the answers' own tasks ran in."""
    member = checkin.member
    if not member.program.adaptive_schedule or checkin.status != CheckIn.Status.COMPLETED:
        return False
    if checkin.series_id is not None or checkin.source != CheckIn.Source.SCHEDULE:
        return False
    for answer in checkin.answers.select_related("question"):
        answer.checkin = checkin
        worsening, risk = _counts_against(rules.after_answer(answer))
        if worsening or risk:
            return False
    return adaptive.record_clear(checkin)


def _most_severe(findings: list[Finding]) -> Finding:
    # max() keeps the first of equals: the rules' own order decides a tie.
    return max(findings, key=lambda f: SEVERITY_RANK[f.severity])


def _raise(member: Member, findings: list[Finding], topic: str | None) -> Alert:
    """Add the findings to the member's unresolved alert, or create it. `topic`
    None is the member's risk alert (any topic); an info topic its own."""
    for _ in range(3):
        try:
            with transaction.atomic():
                unresolved = (
                    Alert.objects.select_for_update(of=("self",), no_key=True)
                    .filter(member=member)
                    .exclude(status=Alert.Status.RESOLVED)
                    .order_by("created_at", "id")
                )
                if topic is None:
                    unresolved = unresolved.exclude(severity=Severity.INFO)
                else:
                    unresolved = unresolved.filter(severity=Severity.INFO, topic=topic)
                # Usually one. Several only for a member who had unresolved
                # alerts on several topics before alerts became one per member
                # (migration 0005): the most severe, then the oldest, takes
                # the new findings.
                existing = sorted(unresolved, key=lambda a: -a.severity_rank)
                if existing:
                    return _add_to(existing[0], findings)
                return _create(member, findings)
        except IntegrityError:
            # Another process created the member's alert a moment ago: add to it.
            continue
    raise RuntimeError("could not raise the alert")


def _create(member: Member, findings: list[Finding]) -> Alert:
    top = _most_severe(findings)
    reasons = list(dict.fromkeys(f.reason for f in findings))
    # Who has it: the supporter, or whoever covers for them now.
    cover = responder_for(member)
    alert = Alert.objects.create(
        organization_id=member.organization_id,
        member=member,
        supporter_id=member.supporter_id,
        responder=cover.staff,
        topic=top.topic,
        severity=top.severity,
        reasons=reasons,
    )
    AlertEvent.objects.create(alert=alert, type=Event.CREATED, detail=" ".join(reasons))
    if not cover.is_supporter:
        AlertEvent.objects.create(alert=alert, type=Event.REROUTED, detail=cover.why)
    # Info alerts (unreachable) wait in the supporter's queue, untexted.
    if alert.severity == Severity.CRISIS:
        escalation.crisis(alert)
    elif alert.severity != Severity.INFO:
        escalation.to_responder(alert, why=cover.why)
    return alert


# A member who keeps texting crisis words re-alerts everyone, but not more
# often than this.
CRISIS_RENOTIFY_AFTER = dt.timedelta(minutes=10)


def _add_to(alert: Alert, findings: list[Finding]) -> Alert:
    """New reasons are appended with an `updated` event; nobody is texted
    unless the severity rises (or crisis words come again, see above)."""
    top = _most_severe(findings)
    severity = top.severity
    new_reasons = list(dict.fromkeys(f.reason for f in findings if f.reason not in alert.reasons))
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
        alert.topic = top.topic
    alert.save(update_fields=["reasons", "severity", "topic"])
    AlertEvent.objects.create(alert=alert, type=Event.UPDATED, detail=detail)
    if severity == Severity.CRISIS and (raised or crisis_again):
        escalation.crisis(alert)
    elif raised:
        _tell_it_got_worse(alert)
    return alert


def _tell_it_got_worse(alert: Alert) -> None:
    """A non-crisis rise in severity reaches whoever has the alert now."""
    if alert.status == Alert.Status.OPEN and alert.escalation_level == 0:
        # Still with the supporter (or whoever covers): tell them, and restart their timer.
        escalation.to_responder(alert)
        return
    supporter = alert.responder or alert.member.supporter
    people = [supporter]
    if alert.status == Alert.Status.OPEN:
        # Escalated and not yet acknowledged: the supervisors have it too. Their
        # timer runs on as it was.
        people += [s for s in alert.organization.supervisors() if s.pk != supporter.pk]
    elif alert.acknowledged_by is not None and alert.acknowledged_by_id != supporter.pk:
        # Acknowledged: the supporter and whoever acknowledged it; no timer.
        people.append(alert.acknowledged_by)
    escalation.notify(alert, people, Event.NOTIFIED)


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
