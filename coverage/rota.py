"""Gaps in the on-call rota, shown and warned about on the supervisors' home
page and in the API.

A gap is a stretch of the coming week when at least one supporter of the
program's active members is outside their working hours and nobody is on
call for the program (or whoever is on call is out of office or no longer
active). Alerts in a gap go straight to the supervisors (coverage.routing),
which is safe but not what anyone planned, so the gap is named in advance.
Supporters with no working hours set are always working: a program where
nobody has set hours has no gaps.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import OutOfOffice, Staff
from checkins.models import Member, Program
from coverage.models import OnCallPeriod

STEP = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Gap:
    program: Program
    starts_at: dt.datetime
    ends_at: dt.datetime
    # Who is off the clock then (names, for the warning).
    off_hours: tuple[str, ...]


def gaps(program: Program, start: dt.datetime | None = None, days: int = 7) -> list[Gap]:
    """The rota's gaps from `start` (now) over `days`, to the quarter hour."""
    start = (start or timezone.now()).replace(second=0, microsecond=0)
    start -= dt.timedelta(minutes=start.minute % 15)
    end = start + dt.timedelta(days=days)
    supporters = list(
        Staff.objects.filter(
            pk__in=Member.objects.filter(program=program)
            .exclude(status=Member.Status.DISCHARGED)
            .values("supporter_id"),
            user__is_active=True,
        ).exclude(work_starts=None)
    )
    # People with the same hours on the same clock are off at the same
    # moments: each schedule is read once per step, not once per person (the
    # supervisor's home page does this for every program on every load).
    schedules: dict[tuple, list[Staff]] = {}
    for supporter in supporters:
        if supporter.has_working_hours:
            key = (supporter.timezone, supporter.work_starts, supporter.work_ends, supporter.work_days)
            schedules.setdefault(key, []).append(supporter)
    if not schedules:
        return []
    periods = [p for p in program.on_call_periods.select_related("staff__user") if p.staff.is_active]
    absences = list(
        OutOfOffice.objects.filter(
            staff_id__in=[p.staff_id for p in periods], cancelled_at=None, starts_at__lt=end, ends_at__gt=start
        )
    )

    def covered(moment: dt.datetime) -> bool:
        for period in periods:
            if period.covers(moment) and not any(
                a.staff_id == period.staff_id and a.starts_at <= moment < a.ends_at for a in absences
            ):
                return True
        return False

    found: list[Gap] = []
    moment = start
    open_at: dt.datetime | None = None
    names: set[str] = set()
    while moment < end:
        off = [s.name for group in schedules.values() if not group[0].is_working_at(moment) for s in group]
        in_gap = bool(off) and not covered(moment)
        if in_gap:
            open_at = open_at or moment
            names.update(off)
        elif open_at is not None:
            found.append(Gap(program, open_at, moment, tuple(sorted(names))))
            open_at, names = None, set()
        moment += STEP
    if open_at is not None:
        found.append(Gap(program, open_at, end, tuple(sorted(names))))
    return found


def organization_gaps(organization_id: int, start: dt.datetime | None = None, days: int = 7) -> list[Gap]:
    found: list[Gap] = []
    for program in Program.objects.filter(organization_id=organization_id):
        found += gaps(program, start, days)
    return found


# --- Changing the rota ---------------------------------------------------------------


class RotaError(ValueError):
    def __init__(self, field: str | None, message: str, status: int = 422):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


def _clock(field: str, value) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.datetime.strptime(str(value).strip(), "%H:%M").time()
    except ValueError:
        raise RotaError(field, 'Write the time as "HH:MM", for example "17:00".') from None


def add_on_call(
    program: Program,
    *,
    staff_id: int,
    timezone_name: str,
    starts_day: int,
    starts_time: str | dt.time,
    ends_day: int,
    ends_time: str | dt.time,
    by: Staff,
    via: str = "web",
) -> OnCallPeriod:
    """Add a weekly on-call period to a program's rota (supervisors only)."""
    if not by.is_supervisor or by.organization_id != program.organization_id:
        raise RotaError(None, "Only supervisors can change the on-call rota.", status=403)
    staff = Staff.objects.filter(organization_id=program.organization_id, pk=staff_id, user__is_active=True).first()
    if staff is None:
        raise RotaError("staff_id", "No such active staff member in your organization.")
    if timezone_name not in zoneinfo.available_timezones():
        raise RotaError("timezone", "Unknown time zone; use an IANA name such as America/New_York.")
    for field, day in (("starts_day", starts_day), ("ends_day", ends_day)):
        if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 7:
            raise RotaError(field, "Days are 1 (Monday) to 7 (Sunday).")
    period = OnCallPeriod(
        program=program,
        staff=staff,
        timezone=timezone_name,
        starts_day=starts_day,
        starts_time=_clock("starts_time", starts_time),
        ends_day=ends_day,
        ends_time=_clock("ends_time", ends_time),
    )
    with transaction.atomic():
        period.save()
        audit.record(
            program.organization_id, by, "on_call.added", period,
            {"on_call": [None, period.describe()], "staff": [None, staff.name]}, via=via, label=program.name,
        )
    return period


def remove_on_call(period: OnCallPeriod, by: Staff, via: str = "web") -> None:
    if not by.is_supervisor or by.organization_id != period.program.organization_id:
        raise RotaError(None, "Only supervisors can change the on-call rota.", status=403)
    with transaction.atomic():
        audit.record(
            period.program.organization_id, by, "on_call.removed", period,
            {"on_call": [period.describe(), None], "staff": [period.staff.name, None]}, via=via,
            label=period.program.name,
        )
        period.delete()
