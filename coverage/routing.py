"""Who answers for a member right now: the one place that decides.

Alerts (alerts.routing, alerts.rerouting) and the notices of members' texts
(inbox.notices) ask `responder_for`. The order:

1. the member's supporter, if they are active, not out of office and within
   their working hours (no hours set means always working);
2. if the supporter is out of office or deactivated: their backup, if the
   backup is available; then whoever is on call for the member's program;
3. if the supporter is only outside their working hours: whoever is on call
   for the program; then their backup, if working;
4. nobody available: the organization's supervisors (`staff` None), and the
   caller sends the alert straight to them.

"Available" always means: active, not out of office, within working hours.
Routing is computed at the moment it is asked, so it returns to normal by
itself when an out-of-office period or an on-call period ends.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import OutOfOffice, Staff
from checkins.models import Member, Program


@dataclass(frozen=True)
class Cover:
    """Who has the member now, and, when it is not the supporter, why."""

    staff: Staff | None
    why: str = ""

    @property
    def is_supporter(self) -> bool:
        return not self.why


def is_away(staff: Staff, moment: dt.datetime) -> bool:
    return OutOfOffice.objects.covering(moment).filter(staff=staff).exists()


def is_available(staff: Staff | None, moment: dt.datetime) -> bool:
    return (
        staff is not None
        and staff.is_active
        and staff.is_working_at(moment)
        and not is_away(staff, moment)
    )


def on_call(program: Program, moment: dt.datetime) -> Staff | None:
    """The first available person whose on-call period covers `moment`."""
    for period in program.on_call_periods.select_related("staff__user").order_by("starts_day", "starts_time", "id"):
        if period.covers(moment) and period.staff.is_active and not is_away(period.staff, moment):
            return period.staff
    return None


def responder_for(member: Member, moment: dt.datetime | None = None) -> Cover:
    moment = moment or timezone.now()
    supporter = member.supporter
    if is_available(supporter, moment):
        return Cover(supporter)
    name = supporter.name
    backup = supporter.backup if supporter.backup_id else None
    if not backup or backup.organization_id != member.organization_id or not is_available(backup, moment):
        backup = None
    # Read once: an out-of-office period cancelled between two reads must
    # not leave a half-made decision.
    absence = supporter.absence_at(moment) if supporter.is_active else None
    if not supporter.is_active:
        gone = f"{name} is no longer active"
        first, second = (backup, "their backup"), (on_call(member.program, moment), "on call")
    elif absence is not None:
        until = timezone.localtime(absence.ends_at, ZoneInfo(supporter.timezone)).strftime("%a %d %b %H:%M")
        gone = f"{name} is out of office until {until}"
        first, second = (backup, "their backup"), (on_call(member.program, moment), "on call")
    else:
        gone = f"{name} is outside working hours"
        first, second = (on_call(member.program, moment), "on call"), (backup, "their backup")
    for staff, role in (first, second):
        if staff is not None:
            return Cover(staff, f"{gone}: {staff.name} is {role}.")
    return Cover(None, f"{gone} and nobody else is available: sent to the supervisors.")


def supporters_covered_by(staff: Staff, moment: dt.datetime | None = None) -> QuerySet[Staff]:
    """Supporters who are out of office now with `staff` as their backup."""
    moment = moment or timezone.now()
    away = OutOfOffice.objects.covering(moment).values("staff_id")
    return Staff.objects.filter(backup=staff, pk__in=away)
