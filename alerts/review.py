"""What supervisors review: the escalation log across the organization, and
how fast alerts are acknowledged. The API and the web pages share this."""

import datetime as dt
import math
import statistics
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Staff
from alerts.models import Alert


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
    escalated_share: float | None

    @classmethod
    def of(cls, alerts: list[Alert]) -> "ResponseTimes":
        times = [a.time_to_acknowledge for a in alerts if a.time_to_acknowledge is not None]
        escalated = sum(1 for a in alerts if a.escalation_level > 0)
        return cls(
            alerts=len(alerts),
            acknowledged=len(times),
            median_seconds=statistics.median(times) if times else None,
            p90_seconds=percentile(times, 0.9),
            escalated_share=round(escalated / len(alerts), 3) if alerts else None,
        )


def response_times(staff: Staff, filters: LogFilter) -> dict:
    """Time to acknowledge (median, 90th percentile) and share escalated, overall
    and per supporter, with each supporter's current caseload. Info alerts
    (unreachable) ask for no acknowledgement and are left out."""
    alerts = list(alert_log(staff, filters).exclude(severity="info"))
    supporters = Staff.objects.filter(organization_id=staff.organization_id).order_by("name")
    per_supporter = []
    for supporter in supporters:
        theirs = [a for a in alerts if a.supporter_id == supporter.pk]
        caseload = supporter.members.exclude(status="discharged").count()
        if not theirs and not caseload:
            continue
        per_supporter.append(
            {"supporter_id": supporter.pk, "name": supporter.name, "caseload": caseload, **vars(ResponseTimes.of(theirs))}
        )
    return {"overall": vars(ResponseTimes.of(alerts)), "per_supporter": per_supporter}
