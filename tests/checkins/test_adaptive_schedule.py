"""Risk-adaptive schedules over weeks of time travel (docs/adaptive.md): the
real ticks (start_due_checkins, close_expired_checkins), answers through the
signed webhook, and the rules' tasks run eagerly on commit."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from alerts import rules
from alerts.models import Alert
from alerts.routing import raise_alerts
from checkins import adaptive, pausing
from checkins.models import CheckIn, Member, Program, ScheduleChange
from checkins.schedule import close_expired_checkins, start_due_checkins
from sms.models import Message
from tests.conftest import replies
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
CLEAR = ("4", "1", "no")  # mood 4 of 5, craving 1 of 10, no slip


def local(day: dt.date, hour: int = 9, minute: int = 0, tz: ZoneInfo = NY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


@pytest.fixture
def program(org):
    program = org.programs.get()
    program.adaptive_schedule = True
    program.step_down_after = 3
    program.save()
    return program


@pytest.fixture
def dana(org, supporter, program):
    # Enrolled on Sunday 3 May 2026: the first check-in is Monday at 09:00 New York time.
    with time_machine.travel(local(dt.date(2026, 5, 3), 12), tick=False):
        return MemberFactory(organization=org, supporter=supporter, name="Dana Whitfield", checkin_time=dt.time(9, 0))


class Drive:
    """Days go by: each due check-in is started by the tick, answered (or not)
    through the signed webhook, and closed by the closing tick four hours on."""

    def __init__(self, phone, capture):
        self.phone = phone
        self.capture = capture

    def until(self, member: Member, last_day: dt.date, answers=lambda day: CLEAR) -> list[dt.datetime]:
        """Every check-in scheduled up to `last_day` (member's local date), as local times.
        `answers(day)`: the replies that day, None for silence."""
        scheduled = []
        while True:
            member.refresh_from_db()
            due = member.next_checkin_at
            if due is None or due.astimezone(member.tz).date() > last_day:
                return scheduled
            with time_machine.travel(due + dt.timedelta(seconds=30), tick=False):
                start_due_checkins()
            checkin = member.checkins.get(scheduled_for=due)
            scheduled.append(due.astimezone(member.tz))
            bodies = answers(due.astimezone(member.tz).date())
            if checkin.status == CheckIn.Status.OPEN and bodies:
                with time_machine.travel(due + dt.timedelta(minutes=5), tick=False):
                    for body in bodies:
                        assert self.phone.text(member.phone, body).status_code == 200
            with time_machine.travel(due + dt.timedelta(hours=4), tick=False), self.capture(execute=True):
                close_expired_checkins()


@pytest.fixture
def drive(phone, django_capture_on_commit_callbacks) -> Drive:
    return Drive(phone, django_capture_on_commit_callbacks)


def days_of(times: list[dt.datetime]) -> list[int]:
    return [t.day for t in times]


def changes(member) -> list[tuple[int, int, str]]:
    return [(c.from_level, c.to_level, c.reason) for c in member.schedule_changes.order_by("at", "id")]


# --- Stepping down ------------------------------------------------------------------------


def test_clear_checkins_step_a_member_down_one_level_at_a_time(drive, dana):
    # May 2026: three clear check-ins at each level, then one level less often.
    times = drive.until(dana, dt.date(2026, 6, 12))
    assert days_of(times) == [4, 5, 6, 7, 9, 11, 13, 16, 19, 22, 29, 5, 12]
    assert [t.month for t in times][-2:] == [6, 6]
    assert {(t.hour, t.minute) for t in times} == {(9, 0)}
    assert changes(dana) == [
        (0, 1, "3 clear check-ins in a row"),
        (1, 2, "3 clear check-ins in a row"),
        (2, 3, "3 clear check-ins in a row"),
    ]
    dana.refresh_from_db()
    # Weekly is the last level: it stays there, however many clear check-ins follow.
    assert dana.schedule_level == 3 and dana.schedule_reason == "3 clear check-ins in a row"
    assert adaptive.interval_days(dana, dana.program) == 7
    assert dana.next_checkin_at == local(dt.date(2026, 6, 19))
    assert CheckIn.objects.filter(member=dana, status=CheckIn.Status.COMPLETED).count() == 13
    assert not Alert.objects.exists()


def test_a_clear_checkin_counts_once_even_if_its_task_is_delivered_again(drive, dana):
    # The count task is acks_late: a worker that dies after counting gets it again.
    from alerts.tasks import count_if_clear

    drive.until(dana, dt.date(2026, 5, 4))
    dana.refresh_from_db()
    assert dana.clear_in_a_row == 1
    checkin = dana.checkins.get()
    assert checkin.counted_clear
    assert count_if_clear(checkin.pk) is False
    dana.refresh_from_db()
    assert dana.clear_in_a_row == 1


def test_the_default_fourteen_clear_checkins_step_down_to_every_other_day(drive, dana, program):
    program.step_down_after = 14
    program.save()
    times = drive.until(dana, dt.date(2026, 5, 24))
    # 14 clear (4–17 May); the tick of the 18th steps down: 18, 20, 22, 24.
    assert days_of(times) == list(range(4, 19)) + [20, 22, 24]
    assert changes(dana) == [(0, 1, "14 clear check-ins in a row")]


def test_the_default_program_stays_daily_over_30_days(drive, org, supporter):
    program = org.programs.get()
    assert program.adaptive_schedule is False
    with time_machine.travel(local(dt.date(2026, 5, 3), 12), tick=False):
        member = MemberFactory(organization=org, supporter=supporter)
    times = drive.until(member, dt.date(2026, 6, 2))
    assert days_of(times) == list(range(4, 32)) + [1, 2]
    member.refresh_from_db()
    assert (member.schedule_level, member.clear_in_a_row, member.schedule_reason) == (0, 0, "")
    assert not ScheduleChange.objects.exists()


def test_a_missed_or_unfinished_checkin_breaks_the_row(drive, dana):
    # Clear, clear, silence, clear, half an answer, clear, clear, clear: the step comes only after the last three.
    pattern = {4: CLEAR, 5: CLEAR, 6: None, 7: CLEAR, 8: ("4",), 9: CLEAR, 10: CLEAR, 11: CLEAR}
    times = drive.until(dana, dt.date(2026, 5, 14), answers=lambda day: pattern.get(day.day, CLEAR))
    assert days_of(times) == [4, 5, 6, 7, 8, 9, 10, 11, 12, 14]
    assert changes(dana) == [(0, 1, "3 clear check-ins in a row")]
    assert dana.schedule_changes.get().at.astimezone(NY).date() == dt.date(2026, 5, 12)


# --- Stepping straight back up -----------------------------------------------------------


def test_an_alert_steps_the_member_straight_back_to_daily(drive, dana):
    # Clear 4–6 May, stepped down on the 7th; on the 9th a slip: urgent alert.
    answers = {9: ("4", "1", "yes")}
    times = drive.until(dana, dt.date(2026, 5, 12), answers=lambda day: answers.get(day.day, CLEAR))
    assert days_of(times) == [4, 5, 6, 7, 9, 10, 11, 12]
    assert changes(dana) == [
        (0, 1, "3 clear check-ins in a row"),
        (1, 0, "Alert: Said yes to a slip since the last check-in."),
    ]
    assert Alert.objects.get(member=dana).severity == "urgent"
    dana.refresh_from_db()
    assert dana.schedule_level == 0
    # The check-in with the slip was completed but is not clear: 10, 11, 12 are.
    assert dana.clear_in_a_row == 3


def test_an_alert_on_an_early_answer_still_makes_the_checkin_not_clear(drive, dana, phone):
    # The craving answer's rules run (and alert) before the check-in completes.
    answers = {6: ("4", "9", "no")}
    drive.until(dana, dt.date(2026, 5, 6), answers=lambda day: answers.get(day.day, CLEAR))
    dana.refresh_from_db()
    assert Alert.objects.get(member=dana).reasons == ["Craving 9 of 10."]
    assert dana.checkins.get(scheduled_for=local(dt.date(2026, 5, 6))).status == CheckIn.Status.COMPLETED
    assert dana.clear_in_a_row == 0 and dana.schedule_level == 0
    assert not ScheduleChange.objects.exists(), "already at the first level: nothing to record"


def test_a_late_alert_still_wins_over_the_step_down(drive, dana, program):
    drive.until(dana, dt.date(2026, 5, 6))
    dana.refresh_from_db()
    assert dana.clear_in_a_row == 3
    # A request to be called, texted in the evening before the tick that would step down.
    with time_machine.travel(local(dt.date(2026, 5, 6), 21), tick=False):
        drive.phone.text(dana.phone, "can you call me")
    dana.refresh_from_db()
    assert dana.clear_in_a_row == 0
    # Still daily: 7, 8 and 9 are the three clear check-ins; the tick of the 10th steps down.
    times = drive.until(dana, dt.date(2026, 5, 12))
    assert days_of(times) == [7, 8, 9, 10, 12]
    assert changes(dana) == [(0, 1, "3 clear check-ins in a row")]
    assert dana.schedule_changes.get().at.astimezone(NY).date() == dt.date(2026, 5, 10)


def test_a_missed_streak_steps_the_member_back_up(drive, dana, program):
    program.step_up_on_alert = False  # the missed streak alone moves them
    program.save()
    # Down to every other day on the 7th, to every 3 days on the 13th; then silence on the 16th and 19th.
    silent = {16, 19}
    times = drive.until(dana, dt.date(2026, 5, 22), answers=lambda day: None if day.day in silent else CLEAR)
    assert days_of(times) == [4, 5, 6, 7, 9, 11, 13, 16, 19, 20, 21, 22]
    assert changes(dana)[-1] == (2, 0, "2 check-ins missed in a row")
    # The silence rule alerted as well (its own setting), with no second change.
    assert Alert.objects.get(member=dana).topic == "silence"
    assert len(changes(dana)) == 3


def test_no_step_up_on_missed_when_the_program_says_never(drive, dana, program):
    program.step_up_after_missed = 0
    program.step_up_on_alert = False
    program.save()
    silent = {9, 11, 13}
    times = drive.until(dana, dt.date(2026, 5, 15), answers=lambda day: None if day.day in silent else CLEAR)
    assert days_of(times) == [4, 5, 6, 7, 9, 11, 13, 15]
    dana.refresh_from_db()
    # Still every other day; the silence broke the row, and the 15th starts a new one.
    assert (dana.schedule_level, dana.clear_in_a_row) == (1, 1)
    assert Alert.objects.get(member=dana).topic == "silence"


def test_a_worsening_trend_steps_the_member_back_up(drive, dana, program):
    program.step_up_on_alert = False  # only the trend moves them
    program.save()
    # Craving 1 on 4–7 May (stepped down on the 7th), then 5 on the 9th: 4 above their usual.
    answers = {9: ("4", "5", "no")}
    times = drive.until(dana, dt.date(2026, 5, 11), answers=lambda day: answers.get(day.day, CLEAR))
    assert days_of(times) == [4, 5, 6, 7, 9, 10, 11]
    assert changes(dana)[-1] == (1, 0, "Worsening trend: Craving 5 of 10, 4 above their usual (1).")


def test_with_stepping_up_switched_off_an_alert_only_restarts_the_count(drive, dana, program):
    program.step_up_on_alert = False
    program.step_up_on_worsening = False
    program.save()
    answers = {9: ("4", "1", "yes")}
    times = drive.until(dana, dt.date(2026, 5, 15), answers=lambda day: answers.get(day.day, CLEAR))
    # Every other day from the 7th; the slip on the 9th restarts the count: 11, 13, 15 are clear.
    assert days_of(times) == [4, 5, 6, 7, 9, 11, 13, 15]
    dana.refresh_from_db()
    assert (dana.schedule_level, dana.clear_in_a_row) == (1, 3)
    assert Alert.objects.get(member=dana).severity == "urgent"


def test_stepping_up_pulls_the_next_checkin_in_to_the_next_daily_slot(dana, program):
    Member.objects.filter(pk=dana.pk).update(
        schedule_level=3, schedule_reason="14 clear check-ins in a row", next_checkin_at=local(dt.date(2026, 5, 11))
    )
    dana.refresh_from_db()
    with time_machine.travel(local(dt.date(2026, 5, 5), 15), tick=False):
        change = adaptive.step_up(dana, "Alert: Craving 9 of 10.")
    assert (change.from_level, change.to_level, change.reason) == (3, 0, "Alert: Craving 9 of 10.")
    dana.refresh_from_db()
    assert dana.next_checkin_at == local(dt.date(2026, 5, 6))
    assert dana.schedule_reason == "Alert: Craving 9 of 10."


# --- Turning it off ------------------------------------------------------------------------


def test_turning_adaptation_off_puts_members_back_to_daily_at_their_next_checkin(drive, dana, program):
    drive.until(dana, dt.date(2026, 5, 7))
    dana.refresh_from_db()
    assert dana.schedule_level == 1 and dana.next_checkin_at == local(dt.date(2026, 5, 9))
    program.adaptive_schedule = False
    program.save()
    # The check-in already set for the 9th stands; from it on, daily.
    times = drive.until(dana, dt.date(2026, 5, 12))
    assert days_of(times) == [9, 10, 11, 12]
    assert changes(dana)[-1] == (1, 0, adaptive.TURNED_OFF)
    dana.refresh_from_db()
    assert (dana.schedule_level, dana.clear_in_a_row) == (0, 0)
    # Off, nothing moves any more.
    assert len(changes(dana)) == 2


# --- Time zones, DST, the sending window ---------------------------------------------------


def test_every_other_day_across_the_end_of_dst_keeps_the_local_time(drive, org, supporter, program):
    program.step_down_after = 365
    program.save()
    with time_machine.travel(local(dt.date(2026, 10, 27), 12), tick=False):
        member = MemberFactory(organization=org, supporter=supporter, checkin_time=dt.time(9, 0))
    Member.objects.filter(pk=member.pk).update(schedule_level=1, next_checkin_at=local(dt.date(2026, 10, 28)))
    times = drive.until(member, dt.date(2026, 11, 7))
    assert [t.strftime("%m-%d %H:%M") for t in times] == [
        "10-28 09:00", "10-30 09:00", "11-01 09:00", "11-03 09:00", "11-05 09:00", "11-07 09:00"
    ]
    # 09:00 EDT is 13:00 UTC, 09:00 EST 14:00 UTC: 49 hours across the change.
    utc = [t.astimezone(dt.UTC) for t in times]
    assert utc[2] - utc[1] == dt.timedelta(hours=49) and utc[3] - utc[2] == dt.timedelta(hours=48)
    assert Message.objects.filter(kind="prompt", member=member).count() == 6


def test_a_checkin_time_inside_the_fall_back_hour_is_sent_once(drive, org, supporter, program):
    program.step_down_after = 365
    program.send_window_start = dt.time(0, 0)
    program.save()
    with time_machine.travel(local(dt.date(2026, 10, 27), 12), tick=False):
        member = MemberFactory(organization=org, supporter=supporter, checkin_time=dt.time(1, 30))
    Member.objects.filter(pk=member.pk).update(schedule_level=1, next_checkin_at=local(dt.date(2026, 10, 30), 1, 30))
    times = drive.until(member, dt.date(2026, 11, 3))
    assert [t.strftime("%m-%d %H:%M") for t in times] == ["10-30 01:30", "11-01 01:30", "11-03 01:30"]
    assert Message.objects.filter(kind="prompt", member=member).count() == 3
    assert times[1].utcoffset() == dt.timedelta(hours=-4), "the first 01:30, still on daylight time"


def test_weekly_across_spring_forward_keeps_the_local_time(drive, org, supporter, program):
    program.step_down_after = 365
    program.save()
    with time_machine.travel(local(dt.date(2026, 2, 26), 12), tick=False):
        member = MemberFactory(organization=org, supporter=supporter, checkin_time=dt.time(9, 0))
    Member.objects.filter(pk=member.pk).update(schedule_level=3, next_checkin_at=local(dt.date(2026, 3, 2)))
    times = drive.until(member, dt.date(2026, 3, 16))
    assert [t.strftime("%m-%d %H:%M") for t in times] == ["03-02 09:00", "03-09 09:00", "03-16 09:00"]
    assert times[1].astimezone(dt.UTC) - times[0].astimezone(dt.UTC) == dt.timedelta(days=7, hours=-1)


def test_a_member_in_another_zone_steps_on_their_own_clock(drive, org, supporter, program):
    adelaide = ZoneInfo("Australia/Adelaide")
    with time_machine.travel(local(dt.date(2026, 5, 3), 12, tz=adelaide), tick=False):
        member = MemberFactory(organization=org, supporter=supporter, timezone="Australia/Adelaide",
                               checkin_time=dt.time(19, 45))  # fmt: skip
    times = drive.until(member, dt.date(2026, 5, 11))
    assert days_of(times) == [3, 4, 5, 6, 8, 10]
    assert {t.strftime("%H:%M") for t in times} == {"19:45"}


def test_the_sending_window_still_holds_at_every_level(drive, org, supporter, program):
    # 07:00 is before the program's window (08:00–20:00): nothing is sent, on the
    # record, and the schedule moves on at the member's level all the same.
    with time_machine.travel(local(dt.date(2026, 5, 3), 12), tick=False):
        member = MemberFactory(organization=org, supporter=supporter, checkin_time=dt.time(7, 0))
    Member.objects.filter(pk=member.pk).update(schedule_level=2, next_checkin_at=local(dt.date(2026, 5, 4), 7))
    times = drive.until(member, dt.date(2026, 5, 13))
    assert days_of(times) == [4, 7, 10, 13]
    assert set(member.checkins.values_list("status", flat=True)) == {CheckIn.Status.SKIPPED}
    assert not Message.objects.filter(kind="prompt", member=member).exists()
    member.refresh_from_db()
    # Not sent is neither clear nor missed: no step either way.
    assert (member.schedule_level, member.clear_in_a_row) == (2, 0)
    assert not ScheduleChange.objects.exists() and not Alert.objects.exists()


# --- Paused members, texting at any time ---------------------------------------------------


def test_nothing_changes_while_paused_and_the_level_is_kept(drive, dana, supervisor, program):
    drive.until(dana, dt.date(2026, 5, 9))  # down on the 7th; 7 and 9 clear: 2 in a row
    dana.refresh_from_db()
    assert (dana.schedule_level, dana.clear_in_a_row) == (1, 2)
    with time_machine.travel(local(dt.date(2026, 5, 9), 15), tick=False):
        pausing.pause(dana, until=dt.date(2026, 5, 20), reason="inpatient", by=supervisor)
    for day in range(10, 20):
        moment = local(dt.date(2026, 5, day), 9, 1)
        with time_machine.travel(moment, tick=False):
            assert start_due_checkins() == 0
            close_expired_checkins()
            assert pausing.resume_due() == 0
    # An alert while paused (a request to be called) changes nothing on the schedule.
    with time_machine.travel(local(dt.date(2026, 5, 12), 10), tick=False):
        raise_alerts(dana, [rules.contact_request(dana)])
    dana.refresh_from_db()
    assert (dana.status, dana.schedule_level, dana.clear_in_a_row) == ("paused", 1, 2)
    assert len(changes(dana)) == 1
    assert not dana.checkins.filter(started_at__gt=local(dt.date(2026, 5, 9), 15)).exists()

    # Back on the morning of the 20th: the level and the count are kept; the
    # first check-in is the next daily slot, then every other day. The 20th is
    # the third clear one in a row, so the tick of the 22nd steps down.
    with time_machine.travel(local(dt.date(2026, 5, 20), 8, 1), tick=False):
        assert pausing.resume_due() == 1
    times = drive.until(dana, dt.date(2026, 5, 25))
    assert days_of(times) == [20, 22, 25]
    assert changes(dana)[-1] == (1, 2, "3 clear check-ins in a row")


def test_a_pause_is_not_silence_for_the_missed_streak(drive, dana, supervisor, program):
    program.step_up_on_alert = False
    program.save()
    silent = {9}
    drive.until(dana, dt.date(2026, 5, 9), answers=lambda day: None if day.day in silent else CLEAR)
    with time_machine.travel(local(dt.date(2026, 5, 9), 15), tick=False):
        pausing.pause(dana, until=dt.date(2026, 5, 12), reason="travel", by=supervisor)
    with time_machine.travel(local(dt.date(2026, 5, 12), 8, 1), tick=False):
        pausing.resume_due()
    # One missed before the pause and one after: not two in a row.
    times = drive.until(dana, dt.date(2026, 5, 14), answers=lambda day: None if day.day == 12 else CLEAR)
    assert days_of(times)[-2:] == [12, 14]
    dana.refresh_from_db()
    assert dana.schedule_level == 1 and len(changes(dana)) == 1


def test_a_member_can_still_text_on_a_day_without_a_checkin(drive, dana, phone):
    drive.until(dana, dt.date(2026, 5, 7))  # every other day from the 7th: nothing on the 8th
    with time_machine.travel(local(dt.date(2026, 5, 8), 14), tick=False):
        response = phone.text(dana.phone, "rough afternoon but ok")
    assert replies(response) and replies(response)[0].startswith("Thanks")
    inbound = Message.objects.filter(member=dana, direction=Message.Direction.INBOUND)
    assert inbound.filter(body="rough afternoon but ok").exists()
    assert not dana.checkins.filter(scheduled_for__date=dt.date(2026, 5, 8)).exists()


# --- The next time at a level is the day-by-day hop, done in one ------------------------


def _hop_by_day(member, after, days):
    moment = member.next_checkin_after(after)
    for _ in range(days - 1):
        moment = member.next_checkin_after(moment)
    return moment


@pytest.mark.parametrize("zone", ["America/New_York", "Australia/Adelaide", "Australia/Lord_Howe", "Europe/London"])
@pytest.mark.parametrize("clock", ["00:30", "01:30", "02:30", "09:00", "23:30"])
def test_the_next_time_at_any_level_is_the_day_by_day_hop_across_dst(zone, clock):
    program = Program(adaptive_schedule=True, schedule_levels=[1, 2, 3, 7])
    member = Member(timezone=zone, checkin_time=dt.time.fromisoformat(clock))
    # Every six hours across the spring and autumn changes of both hemispheres.
    for start in (dt.datetime(2026, 3, 25, tzinfo=dt.UTC), dt.datetime(2026, 10, 1, tzinfo=dt.UTC)):
        for step in range(0, 45 * 4):
            after = start + dt.timedelta(hours=6 * step)
            for level, days in enumerate(program.schedule_levels):
                member.schedule_level = level
                assert adaptive.next_checkin(member, program, after) == _hop_by_day(member, after, days), (
                    zone, clock, after, days
                )
