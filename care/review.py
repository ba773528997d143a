"""The review's figures that come from contact work: how long from an alert
to the first contact with the member, and follow-ups left overdue. They sit
here, not in alerts.review, because care is above alerts in the layers
(pyproject's [tool.importlinter]); the web view asks here, and this module
adds its figures to alerts.review.engagement's rows."""

import datetime as dt
import statistics

from accounts.models import Staff
from alerts import review
from alerts.models import Alert
from care.models import ContactNote, FollowUp
from care.notes import overdue_at
from checkins.models import Member
from sms.models import Message


def first_contact_seconds(alerts: list[Alert]) -> dict[int, float]:
    """Seconds from each alert's creation to the first contact for it: the
    earliest of a contact note written for the alert (at its start time when
    given, else when it was written) and a staff text to the member sent
    after the alert and before it was resolved. Alerts nobody has contacted
    yet are absent. A contact given as starting before the alert counts as 0."""
    if not alerts:
        return {}
    firsts: dict[int, dt.datetime] = {}

    def seen(alert_id: int, at: dt.datetime) -> None:
        if alert_id not in firsts or at < firsts[alert_id]:
            firsts[alert_id] = at

    by_id = {a.pk: a for a in alerts}
    notes = ContactNote.objects.filter(alert_id__in=by_id).values_list("alert_id", "started_at", "created_at")
    for alert_id, started_at, created_at in notes:
        seen(alert_id, started_at or created_at)
    by_member: dict[int, list[Alert]] = {}
    for alert in alerts:
        by_member.setdefault(alert.member_id, []).append(alert)
    earliest = min(a.created_at for a in alerts)
    texts = Message.objects.filter(
        kind=Message.Kind.STAFF_REPLY,
        direction=Message.Direction.OUTBOUND,
        member_id__in=by_member,
        created_at__gte=earliest,
    ).values_list("member_id", "created_at")
    for member_id, at in texts:
        for alert in by_member[member_id]:
            if at >= alert.created_at and (alert.resolved_at is None or at <= alert.resolved_at):
                seen(alert.pk, at)
    return {
        alert_id: max(0.0, (at - by_id[alert_id].created_at).total_seconds()) for alert_id, at in firsts.items()
    }


def overdue_follow_ups(staff: Staff, filters: review.LogFilter, now: dt.datetime) -> list[FollowUp]:
    """Open follow-ups past overdue (care.notes.overdue_at: 09:00 member's time
    the day after the due date) for members `staff` may see, not discharged."""
    members = Member.objects.visible_to(staff).exclude(status=Member.Status.DISCHARGED)
    if filters.supporter_id:
        members = members.filter(supporter_id=filters.supporter_id)
    candidates = (
        FollowUp.objects.filter(done_at__isnull=True, due_on__lte=now.astimezone(dt.UTC).date(), member__in=members)
        .select_related("member")
        .order_by("due_on", "id")
    )
    return [f for f in candidates if now >= overdue_at(f)]


def _follow_ups_of(row: dict, follow_ups: list[FollowUp]) -> list[FollowUp]:
    # A follow-up is owed by the staff member who set it (as on their home page).
    if "supporter_id" in row:
        return [f for f in follow_ups if f.staff_id == row["supporter_id"]]
    if "program_id" in row:
        return [f for f in follow_ups if f.member.program_id == row["program_id"]]
    return follow_ups


def _has_figures(row: dict) -> bool:
    return bool(
        row["members"] or row["checkins_ended"] or row["alerts"] or row["overdue_follow_ups"]
    )


def engagement(staff: Staff, filters: review.LogFilter, now: dt.datetime | None = None) -> review.Engagement:
    """alerts.review.engagement with, on every row, the alerts contacted, the
    median time to first contact, and the overdue follow-ups (today's). Rows
    with nothing to show are left out."""
    figures = review.engagement(staff, filters, now)
    contact = first_contact_seconds(figures.alerts)
    follow_ups = overdue_follow_ups(staff, filters, figures.now)
    for row in figures.rows():
        times = [contact[a.pk] for a in figures.alerts_of(row, figures.alerts) if a.pk in contact]
        row["contacted"] = len(times)
        row["median_contact_seconds"] = statistics.median(times) if times else None
        row["overdue_follow_ups"] = len(_follow_ups_of(row, follow_ups))
    figures.per_supporter = [r for r in figures.per_supporter if _has_figures(r)]
    figures.per_program = [r for r in figures.per_program if _has_figures(r)]
    return figures
