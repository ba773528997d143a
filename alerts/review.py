"""What supervisors review: the escalation log across the organization, and
how fast alerts are acknowledged. The API and the web pages share this."""

import datetime as dt
import math
import statistics
from dataclasses import dataclass

from django.db.models import Max, QuerySet
from django.utils import timezone

from accounts.models import Staff
from alerts.escalation import CRISIS_WHY
from alerts.models import Alert, AlertEvent, Severity
from checkins.models import CheckIn, Member, Program
from sms.models import Message


@dataclass
class LogFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    supporter_id: int | None = None
    severity: str | None = None
    outcome: str | None = None  # an alert status: open, acknowledged, resolved
    escalated: bool | None = None


def alert_log(staff: Staff, filters: LogFilter) -> QuerySet[Alert]:
    """The alerts `staff` may see (for a supervisor, the organization's), filtered."""
    alerts = Alert.objects.visible_to(staff).select_related("member", "supporter")
    if filters.date_from:
        alerts = alerts.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        alerts = alerts.filter(created_at__date__lte=filters.date_to)
    if filters.supporter_id:
        alerts = alerts.filter(supporter_id=filters.supporter_id)
    if filters.severity:
        alerts = alerts.filter(severity=filters.severity)
    if filters.outcome:
        alerts = alerts.filter(status=filters.outcome)
    if filters.escalated is True:
        alerts = alerts.filter(escalation_level__gt=0)
    elif filters.escalated is False:
        alerts = alerts.filter(escalation_level=0)
    return alerts.order_by("-created_at", "-id")


# --- Why alerts escalated ----------------------------------------------------------------

CRISIS = "crisis"  # a crisis: supervisors texted at once, by design
NO_ACK = "no_ack"  # waited: nobody acknowledged in time (or the supporter's text failed)


def escalation_kinds(alerts: list[Alert]) -> dict[int, str]:
    """For each escalated alert, why it first escalated: CRISIS when its first
    ESCALATED event carries escalation.CRISIS_WHY, else NO_ACK. An escalated
    alert without that event (none should exist) is read by its severity."""
    escalated = [a for a in alerts if a.escalation_level > 0]
    first: dict[int, str] = {}
    events = (
        AlertEvent.objects.filter(alert_id__in=[a.pk for a in escalated], type=AlertEvent.Type.ESCALATED)
        .order_by("alert_id", "at", "id")
        .values_list("alert_id", "detail")
    )
    for alert_id, detail in events:
        first.setdefault(alert_id, detail)
    kinds = {}
    for alert in escalated:
        detail = first.get(alert.pk)
        crisis = detail == CRISIS_WHY if detail is not None else alert.severity == Severity.CRISIS
        kinds[alert.pk] = CRISIS if crisis else NO_ACK
    return kinds


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with `share` of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass
class ResponseTimes:
    alerts: int
    acknowledged: int
    median_seconds: float | None
    p90_seconds: float | None
    escalated_share: float | None  # every escalation, crisis ones included (the API's figure)
    crisis_escalated: int = 0  # crises, sent to supervisors at once by design
    no_ack_escalated: int = 0  # escalated because nobody acknowledged in time
    # no_ack_escalated among the alerts that had to wait for an acknowledgement
    # (all but the crises sent on at once).
    no_ack_share: float | None = None

    @classmethod
    def of(cls, alerts: list[Alert], kinds: dict[int, str] | None = None) -> "ResponseTimes":
        kinds = escalation_kinds(alerts) if kinds is None else kinds
        times = [a.time_to_acknowledge for a in alerts if a.time_to_acknowledge is not None]
        escalated = sum(1 for a in alerts if a.escalation_level > 0)
        crisis = sum(1 for a in alerts if kinds.get(a.pk) == CRISIS)
        no_ack = sum(1 for a in alerts if kinds.get(a.pk) == NO_ACK)
        waited = len(alerts) - crisis
        return cls(
            alerts=len(alerts),
            acknowledged=len(times),
            median_seconds=statistics.median(times) if times else None,
            p90_seconds=percentile(times, 0.9),
            escalated_share=round(escalated / len(alerts), 3) if alerts else None,
            crisis_escalated=crisis,
            no_ack_escalated=no_ack,
            no_ack_share=round(no_ack / waited, 3) if waited else None,
        )


def response_times(staff: Staff, filters: LogFilter) -> dict:
    """Time to acknowledge (median, 90th percentile) and share escalated, overall
    and per supporter, with each supporter's current caseload. Info alerts
    (unreachable) ask for no acknowledgement and are left out."""
    alerts = list(alert_log(staff, filters).exclude(severity="info"))
    kinds = escalation_kinds(alerts)
    supporters = Staff.objects.filter(organization_id=staff.organization_id).order_by("name")
    per_supporter = []
    for supporter in supporters:
        theirs = [a for a in alerts if a.supporter_id == supporter.pk]
        caseload = supporter.members.exclude(status="discharged").count()
        if not theirs and not caseload:
            continue
        per_supporter.append(
            {"supporter_id": supporter.pk, "name": supporter.name, "caseload": caseload, **vars(ResponseTimes.of(theirs, kinds))}
        )
    return {"overall": vars(ResponseTimes.of(alerts, kinds)), "per_supporter": per_supporter}


# --- Engagement: are members answering, and are they reached? ---------------------------

SILENT_DAYS = 7
DEFAULT_PERIOD_DAYS = 30
ENDED = (CheckIn.Status.COMPLETED, CheckIn.Status.INCOMPLETE, CheckIn.Status.MISSED)
ANSWERED = (CheckIn.Status.COMPLETED, CheckIn.Status.INCOMPLETE)


def review_period(filters: LogFilter, today: dt.date) -> tuple[dt.date, dt.date]:
    """The filter's dates; without them, the last DEFAULT_PERIOD_DAYS days to today."""
    date_to = filters.date_to or today
    date_from = filters.date_from or date_to - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    return date_from, date_to


@dataclass
class Engagement:
    """Engagement figures per supporter and per program, and for everyone.
    Each row is a dict: name, and `supporter_id` or `program_id` (neither for
    the overall row), with the figures of `row_figures`. `alerts` are the
    period's alerts asking for an acknowledgement (not info), for the
    figures other apps add (care.review: first contact, follow-ups)."""

    date_from: dt.date
    date_to: dt.date
    now: dt.datetime
    alerts: list[Alert]
    overall: dict
    per_supporter: list[dict]
    per_program: list[dict]

    def rows(self) -> list[dict]:
        return [*self.per_supporter, *self.per_program, self.overall]

    @staticmethod
    def alerts_of(row: dict, alerts: list[Alert]) -> list[Alert]:
        if "supporter_id" in row:
            return [a for a in alerts if a.supporter_id == row["supporter_id"]]
        if "program_id" in row:
            return [a for a in alerts if a.member.program_id == row["program_id"]]
        return alerts


def _figures(checkins: list[tuple], members: list[Member], silent: set[int], alerts: list[Alert]) -> dict:
    ended = len(checkins)
    answered = sum(1 for _, status in checkins if status in ANSWERED)
    times = [a.time_to_acknowledge for a in alerts if a.time_to_acknowledge is not None]
    return {
        "members": len(members),
        "checkins_ended": ended,
        "checkins_answered": answered,
        "response_rate": round(answered / ended, 3) if ended else None,
        "silent_members": sum(1 for m in members if m.pk in silent),
        "alerts": len(alerts),
        "acknowledged": len(times),
        "median_ack_seconds": statistics.median(times) if times else None,
    }


def silent_member_ids(members: list[Member], now: dt.datetime, days: int = SILENT_DAYS) -> set[int]:
    """Members with no inbound text for `days` days (counted from enrolment
    for a member who never texted). The caller leaves out the discharged."""
    since = now - dt.timedelta(days=days)
    last_in = dict(
        Message.objects.filter(direction=Message.Direction.INBOUND, member_id__in=[m.pk for m in members])
        .values("member_id")
        .annotate(last=Max("created_at"))
        .values_list("member_id", "last")
    )
    return {m.pk for m in members if (last_in.get(m.pk) or m.created_at) <= since}


def engagement(staff: Staff, filters: LogFilter, now: dt.datetime | None = None) -> Engagement:
    """Per supporter and per program: the check-in response rate in the
    period (answered or incomplete, of all ended check-ins: completed,
    incomplete, missed; by the day each ended), members silent SILENT_DAYS or
    more (today, not discharged), and the median time to acknowledge the
    period's alerts (info alerts ask for none). A member counts for their
    current supporter and program; an alert for the supporter it was raised to.
    The filter's supporter narrows everything; its other fields are the log's."""
    now = now or timezone.now()
    date_from, date_to = review_period(filters, timezone.localdate(now))
    visible = Member.objects.visible_to(staff)
    if filters.supporter_id:
        visible = visible.filter(supporter_id=filters.supporter_id)
    members = list(visible.exclude(status=Member.Status.DISCHARGED))
    silent = silent_member_ids(members, now)
    checkins = list(
        CheckIn.objects.filter(
            member__in=visible, status__in=ENDED, ended_at__date__gte=date_from, ended_at__date__lte=date_to
        ).values_list("member__supporter_id", "member__program_id", "status")
    )
    alerts = list(
        alert_log(staff, LogFilter(date_from=date_from, date_to=date_to, supporter_id=filters.supporter_id))
        .exclude(severity=Severity.INFO)
        .select_related("member")
    )

    supporters = Staff.objects.filter(organization_id=staff.organization_id).order_by("name", "id")
    if not staff.is_supervisor:
        supporters = supporters.filter(pk=staff.pk)
    if filters.supporter_id:
        supporters = supporters.filter(pk=filters.supporter_id)
    per_supporter = [
        {
            "supporter_id": s.pk,
            "name": s.name,
            **_figures(
                [(p, st) for sid, p, st in checkins if sid == s.pk],
                [m for m in members if m.supporter_id == s.pk],
                silent,
                [a for a in alerts if a.supporter_id == s.pk],
            ),
        }
        for s in supporters
    ]
    per_program = [
        {
            "program_id": p.pk,
            "name": p.name,
            **_figures(
                [(p.pk, st) for _, pid, st in checkins if pid == p.pk],
                [m for m in members if m.program_id == p.pk],
                silent,
                [a for a in alerts if a.member.program_id == p.pk],
            ),
        }
        for p in Program.objects.filter(organization_id=staff.organization_id).order_by("name", "id")
    ]
    overall = {"name": "Everyone", **_figures([(p, st) for _, p, st in checkins], members, silent, alerts)}
    return Engagement(date_from, date_to, now, alerts, overall, per_supporter, per_program)
