"""Risk-adaptive schedules (docs/adaptive.md): how often a member is checked
in on, per program, set by a supervisor.

A program with `adaptive_schedule` on has levels (`schedule_levels`, days
between check-ins, most frequent first). A member starts at level 0. After
`step_down_after` clear check-ins in a row the tick moves them one level less
frequent; a risk alert, a worsening trend or a missed streak moves them
straight back to level 0. A program with it off checks in daily, exactly as
before, and nothing here writes anything for its members.

Who calls what:
- the check-in tick (checkins.schedule._start_batch): `step_down_due` and
  `next_checkin` for each due member, in memory; the tick writes them in bulk;
- the closing tick (checkins.schedule.close_expired_checkins): `break_streaks`
  for members whose check-in closed missed or incomplete;
- alerts (it sits above checkins): `record_clear` once a completed check-in's
  answers are found clear, `step_up` for a risk alert or a worsening trend,
  `after_missed` with the member's missed check-ins in a row.

Nothing changes for a member who is not active (paused, opted out,
discharged): a pause is not silence, and no step is taken while paused.
"""

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from checkins.models import CheckIn, Member, Program, ScheduleChange, schedule_levels_problem
from config import limits

REASON_MAX = ScheduleChange._meta.get_field("reason").max_length

TURNED_OFF = "Adaptive schedule turned off for the program: back to daily check-ins"


# --- Settings (checked by Program.clean, with config.limits) -----------------------


def parse_levels(text: str) -> list[int] | str:
    """"1, 2, 3, 7" as typed on the settings page: the list, or what is wrong
    with it (the same words as Program.clean and the API)."""
    parts = [part.strip() for part in str(text or "").replace(";", ",").split(",")]
    parts = [part for part in parts if part]
    if not all(part.isdigit() and len(part) <= 4 for part in parts):
        days = limits.SCHEDULE_LEVEL_DAYS
        return f"Each level must be a whole number of days from {days.min} to {days.max}."
    levels = [int(part) for part in parts]
    return schedule_levels_problem(levels) or levels


def show_levels(levels) -> str:
    return ", ".join(str(days) for days in levels or [])


# --- Where a member is --------------------------------------------------------------


def levels_of(program: Program) -> list[int]:
    """The program's levels in force: daily alone while adaptation is off."""
    if not program.adaptive_schedule or not program.schedule_levels:
        return [1]
    return list(program.schedule_levels)


def level_of(member: Member, program: Program) -> int:
    """The member's level in force (a level beyond a shortened list is its last)."""
    return min(member.schedule_level, len(levels_of(program)) - 1)


def interval_days(member: Member, program: Program) -> int:
    """Days between the member's check-ins now: 1 while adaptation is off."""
    return levels_of(program)[level_of(member, program)]


def next_checkin(member: Member, program: Program, after: dt.datetime) -> dt.datetime:
    """The member's check-in time `interval_days` local days after `after`,
    at their local check-in time, read on the member's wall clock, so a DST
    change on the way moves nothing (the same as hopping day by day with
    Member.next_checkin_after; tests/checkins/test_adaptive_schedule.py
    compares the two). At 1 day (level 0, adaptation off) it is exactly
    next_checkin_after(after)."""
    moment = member.next_checkin_after(after)
    days = interval_days(member, program)
    if days == 1:
        return moment
    # Whole days on from the first, less two hours: a DST change on the way
    # moves the wall clock by at most an hour, so the first check-in time
    # after that is the one `days - 1` local days on (one hop, not days - 1:
    # the tick does this for every member at every level).
    return member.next_checkin_after(moment + dt.timedelta(days=days - 1) - dt.timedelta(hours=2))


def describe_interval(days: int) -> str:
    return "every day" if days == 1 else "every other day" if days == 2 else f"every {days} days"


def summary(member: Member, program: Program) -> dict:
    """What the member page and the API say about the member's schedule."""
    levels = levels_of(program)
    level = level_of(member, program)
    days = levels[level]
    toward = None
    if program.adaptive_schedule and level < len(levels) - 1:
        toward = {
            "clear": member.clear_in_a_row,
            "needed": program.step_down_after,
            "next": describe_interval(levels[level + 1]),
        }
    return {
        "adaptive": program.adaptive_schedule,
        "level": level,
        "level_shown": level + 1,
        "levels": len(levels),
        "interval_days": days,
        "every": describe_interval(days),
        "reason": member.schedule_reason.rstrip(".") if program.adaptive_schedule else "",
        "toward": toward,
    }


# --- Moving -------------------------------------------------------------------------


def _move(member: Member, to_level: int, reason: str, now: dt.datetime) -> ScheduleChange:
    """Move the member in memory and return the change, unsaved."""
    reason = reason[:REASON_MAX]
    change = ScheduleChange(member=member, at=now, from_level=member.schedule_level, to_level=to_level, reason=reason)
    member.schedule_level = to_level
    member.clear_in_a_row = 0
    member.schedule_reason = reason
    return change


def step_down_due(member: Member, program: Program, now: dt.datetime) -> ScheduleChange | None:
    """The tick's part, for one due member, in memory: back to daily if the
    program turned adaptation off; onto the program's last level if its list
    got shorter; one level less frequent after `step_down_after` clear
    check-ins in a row. Returns the change to write (unsaved), if any; the
    caller writes the member's fields when they differ from what it read."""
    if not program.adaptive_schedule:
        member.clear_in_a_row = 0
        if member.schedule_level == 0:
            return None
        return _move(member, 0, TURNED_OFF, now)
    last = len(levels_of(program)) - 1
    if member.schedule_level > last:
        days = describe_interval(levels_of(program)[last])
        return _move(member, last, f"The program's levels changed: {days} is its least frequent level now", now)
    if member.schedule_level < last and member.clear_in_a_row >= program.step_down_after:
        return _move(member, member.schedule_level + 1, f"{member.clear_in_a_row} clear check-ins in a row", now)
    return None


def record_clear(checkin: CheckIn) -> bool:
    """A completed check-in with no risk finding: one more clear check-in in
    a row. Only for an active member of a program with adaptation on, and
    once per check-in: its task is acks_late, and a worker that dies after
    counting gets it delivered again."""
    member = checkin.member
    if not member.program.adaptive_schedule:
        return False
    with transaction.atomic():
        # The member row first, then the check-in (the documented lock order).
        active = Member.objects.select_for_update(of=("self",), no_key=True).filter(
            pk=member.pk, status=Member.Status.ACTIVE
        )
        if not list(active.values_list("pk", flat=True)):
            return False
        if not CheckIn.objects.filter(pk=checkin.pk, counted_clear=False).update(counted_clear=True):
            return False  # counted already
        Member.objects.filter(pk=member.pk).update(clear_in_a_row=F("clear_in_a_row") + 1)
    return True


def break_streaks(checkin_ids) -> int:
    """Scheduled daily check-ins that closed missed or incomplete: their
    members' row of clear check-ins is broken. One UPDATE that touches (and
    locks) only members of adaptive programs with a count to reset, so a
    program without adaptation writes nothing. Called by the closing tick
    after its transaction, holding no check-in lock (member locks come first)."""
    if not checkin_ids:
        return 0
    closed = CheckIn.objects.filter(pk__in=list(checkin_ids), source=CheckIn.Source.SCHEDULE, series__isnull=True)
    return Member.objects.filter(
        pk__in=closed.values("member_id"), clear_in_a_row__gt=0, program__adaptive_schedule=True
    ).update(clear_in_a_row=0)


def not_clear(member: Member) -> None:
    """A risk finding that does not step the member up (the program turned
    that off): the row of clear check-ins is broken all the same."""
    if member.program.adaptive_schedule:
        Member.objects.filter(pk=member.pk, clear_in_a_row__gt=0).update(clear_in_a_row=0)
        member.clear_in_a_row = 0


def step_up(member: Member, reason: str, now: dt.datetime | None = None) -> ScheduleChange | None:
    """Straight back to level 0 (most frequent), with the count of clear
    check-ins reset and a ScheduleChange with the reason; the next check-in
    is pulled in to the next daily slot if that is sooner. A member already
    at level 0 only has the count reset (nothing to record). Nothing for a
    program without adaptation or a member who is not active (paused: no
    step is taken while paused).

    Locks the member row (`NO KEY UPDATE`): callers hold no alert or message
    lock (alerts.routing calls it before raising the alert)."""
    if not member.program.adaptive_schedule:
        return None
    now = now or timezone.now()
    with transaction.atomic():
        locked = Member.objects.select_for_update(of=("self",), no_key=True).filter(pk=member.pk).first()
        if locked is None or locked.status != Member.Status.ACTIVE:
            return None
        if locked.schedule_level == 0:
            if locked.clear_in_a_row:
                Member.objects.filter(pk=locked.pk).update(clear_in_a_row=0)
            member.clear_in_a_row = 0
            return None
        change = _move(locked, 0, reason, now)
        sooner = locked.next_checkin_after(now)
        if locked.next_checkin_at is None or sooner < locked.next_checkin_at:
            locked.next_checkin_at = sooner
        locked.save(update_fields=["schedule_level", "clear_in_a_row", "schedule_reason", "next_checkin_at"])
        change.save()
    for field in ("schedule_level", "clear_in_a_row", "schedule_reason", "next_checkin_at"):
        setattr(member, field, getattr(locked, field))
    return change


def after_missed(member: Member, missed_in_a_row: int) -> ScheduleChange | None:
    """`missed_in_a_row` (counted since the last pause ended, as
    alerts.rules.missed_in_a_row does): step up once it reaches the
    program's `step_up_after_missed` (0: never)."""
    program = member.program
    if not program.adaptive_schedule or not program.step_up_after_missed:
        return None
    if missed_in_a_row < program.step_up_after_missed:
        return None
    return step_up(member, f"{missed_in_a_row} check-ins missed in a row")
