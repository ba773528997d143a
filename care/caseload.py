"""Each supporter's load, for supervisors: who carries how much, and where
members may be slipping. The web page and the API show the same rows.

Per staff member with members (supporters, and supervisors who carry some):
- active members (and how many of them are paused);
- open alerts of their members, by severity (open or acknowledged);
- overdue follow-ups they own (due before today, not done);
- members silent for SILENT_DAYS or more: active members who have sent no
  text in that time (enrolled at least that long ago);
- last contact: the newest contact note they wrote, and whether they are out
  of office now.

A handful of grouped queries, whatever the organization's size.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils import timezone

from accounts.models import Organization, OutOfOffice, Staff
from alerts.models import Alert, Severity
from care.models import ContactNote, FollowUp
from checkins.models import Member
from sms.models import Message

SILENT_DAYS = 7
SORTS = ("name", "members", "alerts", "overdue", "silent", "last_contact")


@dataclass
class Load:
    staff: Staff
    members: int = 0
    paused: int = 0
    alerts: dict[str, int] = field(default_factory=lambda: {s: 0 for s in Severity.values})
    overdue_follow_ups: int = 0
    silent: int = 0
    last_contact: dt.date | None = None
    away: bool = False

    @property
    def open_alerts(self) -> int:
        return sum(self.alerts.values())

    @property
    def active(self) -> bool:
        return self.staff.user.is_active


def caseload(organization: Organization, sort: str = "name", now: dt.datetime | None = None) -> list[Load]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    live = Member.objects.filter(organization=organization).exclude(
        status__in=(Member.Status.DISCHARGED, Member.Status.OPTED_OUT)
    )
    counts = {
        row["supporter_id"]: row
        for row in live.values("supporter_id").annotate(
            n=Count("id"), paused=Count("id", filter=Q(status=Member.Status.PAUSED))
        )
    }
    staff = {
        s.pk: s
        for s in Staff.objects.filter(organization=organization)
        .select_related("user")
        .filter(Q(pk__in=counts.keys()) | Q(role=Staff.Role.SUPPORTER, user__is_active=True))
    }
    loads = {pk: Load(staff=s) for pk, s in staff.items()}
    for pk, row in counts.items():
        if pk in loads:
            loads[pk].members, loads[pk].paused = row["n"], row["paused"]
    alerts = (
        Alert.objects.filter(organization=organization, status__in=(Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED))
        .values("member__supporter_id", "severity")
        .annotate(n=Count("id"))
    )
    for row in alerts:
        load = loads.get(row["member__supporter_id"])
        if load is not None:
            load.alerts[row["severity"]] += row["n"]
    overdue = (
        FollowUp.objects.filter(member__organization=organization, done_at__isnull=True, due_on__lt=today)
        .exclude(member__status=Member.Status.DISCHARGED)
        .values("staff_id")
        .annotate(n=Count("id"))
    )
    for row in overdue:
        if row["staff_id"] in loads:
            loads[row["staff_id"]].overdue_follow_ups = row["n"]
    since = now - dt.timedelta(days=SILENT_DAYS)
    heard = Message.objects.filter(
        direction=Message.Direction.INBOUND, member__organization=organization, created_at__gte=since
    ).values("member_id")
    silent = (
        live.filter(status=Member.Status.ACTIVE, created_at__lte=since)
        .exclude(pk__in=heard)
        .values("supporter_id")
        .annotate(n=Count("id"))
    )
    for row in silent:
        if row["supporter_id"] in loads:
            loads[row["supporter_id"]].silent = row["n"]
    notes = (
        ContactNote.objects.filter(organization=organization).values("staff_id").annotate(last=Max("contact_date"))
    )
    for row in notes:
        if row["staff_id"] in loads:
            loads[row["staff_id"]].last_contact = row["last"]
    for staff_id in OutOfOffice.objects.covering(now).filter(staff_id__in=loads.keys()).values_list("staff_id", flat=True):
        loads[staff_id].away = True
    return sort_loads(list(loads.values()), sort)


def sort_loads(loads: list[Load], sort: str) -> list[Load]:
    """Sorted by `sort` (one of SORTS; "-" first for descending). Numbers sort
    largest first by default, names A to Z; ties by name."""
    descending = sort.startswith("-")
    key = sort.lstrip("-") if sort.lstrip("-") in SORTS else "name"
    by_name = sorted(loads, key=lambda load: (load.staff.name.lower(), load.staff.pk))
    if key == "name":
        return list(reversed(by_name)) if descending else by_name
    value = {
        "members": lambda load: load.members,
        "alerts": lambda load: (load.alerts[Severity.CRISIS], load.alerts[Severity.URGENT], load.open_alerts),
        "overdue": lambda load: load.overdue_follow_ups,
        "silent": lambda load: load.silent,
        # Longest without a contact first: never is longest.
        "last_contact": lambda load: -(load.last_contact or dt.date.min).toordinal(),
    }[key]
    ordered = sorted(by_name, key=value, reverse=True)
    return list(reversed(ordered)) if descending else ordered


def needs_reassignment(organization: Organization):
    """Members whose supporter was deactivated: the supervisors' home page lists them."""
    return (
        Member.objects.filter(organization=organization, supporter__user__is_active=False)
        .exclude(status=Member.Status.DISCHARGED)
        .select_related("supporter")
        .order_by("name", "id")
    )
