"""What the pages show, read in a few queries. Callers pass querysets already
scoped by Member/Alert.objects.visible_to; nothing here widens them."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.utils import timezone

from alerts.models import SEVERITY_RANK, Alert
from checkins.models import Answer, CheckIn, Member
from web.charts import Reading

TREND_DAYS = 14


def member_state(member: Member) -> tuple[str, str]:
    """(key, label) of what staff most need to know about reaching the member.
    Unreachable is shown apart from risk: texts could not be delivered."""
    if member.status == Member.Status.DISCHARGED:
        return "discharged", "Discharged"
    if member.status == Member.Status.OPTED_OUT:
        return "opted_out", "Opted out"
    if member.unreachable_since is not None:
        return "unreachable", "Unreachable"
    if member.status == Member.Status.PAUSED:
        return "paused", "Paused"
    return "active", "Active"


@dataclass
class ConsentState:
    """What the member page says of consent: the newest record, or (for a
    member loaded in bulk, who has none) the consent fields set at loading."""

    granted: bool
    at: dt.datetime | None
    how: str
    staff_name: str = ""
    text_version: str = ""
    text: str = ""
    reason: str = ""
    method: str = ""


def consent_state(member: Member) -> ConsentState:
    record = member.current_consent
    if record is None:
        return ConsentState(
            granted=member.consent_at is not None, at=member.consent_at, how=member.consent_method,
            text_version=member.consent_text_version,
        )  # fmt: skip
    return ConsentState(
        granted=record.is_granted, at=record.at, how=record.get_method_display(), method=record.method,
        staff_name=record.staff.name if record.staff_id else "", text_version=record.text_version,
        text=record.text, reason=record.reason,
    )  # fmt: skip


def by_severity_then_age(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """Most severe first; within a severity, the one waiting longest first."""
    rank = Case(
        *[When(severity=severity, then=Value(value)) for severity, value in SEVERITY_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    return alerts.annotate(rank=rank).order_by("-rank", "created_at", "id")


@dataclass
class Queue:
    waiting: list[Alert]  # open: nobody has acknowledged yet
    in_hand: list[Alert]  # acknowledged, not resolved

    @property
    def count(self) -> int:
        return len(self.waiting) + len(self.in_hand)


def alert_queue(alerts: QuerySet[Alert]) -> Queue:
    unresolved = by_severity_then_age(
        alerts.exclude(status=Alert.Status.RESOLVED).select_related("member", "supporter", "acknowledged_by")
    )
    rows = list(unresolved)
    return Queue(
        waiting=[a for a in rows if a.status == Alert.Status.OPEN],
        in_hand=[a for a in rows if a.status == Alert.Status.ACKNOWLEDGED],
    )


def readings(members: list[Member] | QuerySet[Member], since: dt.datetime) -> dict[int, list[Reading]]:
    """Mood and craving per check-in since a moment, oldest first, per member id."""
    answers = (
        Answer.objects.filter(
            checkin__member__in=members, question__key__in=("mood", "craving"), checkin__started_at__gte=since
        )
        .values_list("checkin__member_id", "checkin_id", "checkin__started_at", "question__key", "value")
        .order_by("checkin__started_at", "checkin_id")
    )
    by_checkin: dict[int, dict] = {}
    for member_id, checkin_id, started_at, key, value in answers:
        row = by_checkin.setdefault(checkin_id, {"member": member_id, "at": started_at, "mood": None, "craving": None})
        row[key] = value
    result: dict[int, list[Reading]] = defaultdict(list)
    for row in by_checkin.values():
        result[row["member"]].append(Reading(at=row["at"], mood=row["mood"], craving=row["craving"]))
    return result


@dataclass
class MemberRow:
    member: Member
    state: tuple[str, str]
    last_checkin_at: dt.datetime | None
    last_checkin_status: str | None
    trend: list[Reading]
    open_alerts: int


def member_rows(members: QuerySet[Member]) -> list[MemberRow]:
    latest = CheckIn.objects.filter(member=OuterRef("pk")).exclude(status=CheckIn.Status.SKIPPED).order_by(
        "-started_at", "-id"
    )
    listed = list(
        members.select_related("supporter")
        .annotate(
            last_checkin_at=Subquery(latest.values("started_at")[:1]),
            last_checkin_status=Subquery(latest.values("status")[:1]),
        )
        .order_by("name", "id")
    )
    trends = readings(listed, timezone.now() - dt.timedelta(days=TREND_DAYS))
    open_counts: dict[int, int] = defaultdict(int)
    for member_id in Alert.objects.filter(member__in=listed).exclude(status=Alert.Status.RESOLVED).values_list(
        "member_id", flat=True
    ):
        open_counts[member_id] += 1
    labels = dict(CheckIn.Status.choices)
    return [
        MemberRow(
            member=m,
            state=member_state(m),
            last_checkin_at=m.last_checkin_at,
            last_checkin_status=labels.get(m.last_checkin_status) if m.last_checkin_status else None,
            trend=trends.get(m.pk, []),
            open_alerts=open_counts[m.pk],
        )
        for m in listed
    ]
