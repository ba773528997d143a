import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from checkins.models import CheckIn, Member
from checkins.schedule import close_expired_checkins, start_due_checkins
from sms.models import Message
from tests.factories import MemberFactory
from tests.together import run_together

UTC = dt.UTC


def at(local: str, tz: str) -> dt.datetime:
    return dt.datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(tz))


# (time zone, check-in time, "now" in local time, expected next check-in in local time)
NEXT_CHECKIN_CASES = [
    # An ordinary day: later today, or tomorrow once passed.
    ("America/New_York", "09:00", "2026-03-02 07:00", "2026-03-02 09:00"),
    ("America/New_York", "09:00", "2026-03-02 09:00", "2026-03-03 09:00"),
    # Spring forward (New York, 8 March 2026): 09:00 local stays 09:00 local, one hour earlier in UTC.
    ("America/New_York", "09:00", "2026-03-07 10:00", "2026-03-08 09:00"),
    ("America/New_York", "09:00", "2026-03-08 09:30", "2026-03-09 09:00"),
    # A time inside the gap (02:30 does not exist that day) lands after the gap.
    ("America/New_York", "02:30", "2026-03-08 00:00", "2026-03-08 03:30"),
    # Fall back (New York, 1 November 2026): 01:30 happens twice; one check-in, at the first.
    ("America/New_York", "01:30", "2026-11-01 00:00", "2026-11-01 01:30"),
    ("America/New_York", "09:00", "2026-10-31 10:00", "2026-11-01 09:00"),
    # London: spring forward 29 March 2026, fall back 25 October 2026.
    ("Europe/London", "08:30", "2026-03-28 12:00", "2026-03-29 08:30"),
    ("Europe/London", "01:30", "2026-03-29 00:00", "2026-03-29 02:30"),
    ("Europe/London", "08:30", "2026-10-24 12:00", "2026-10-25 08:30"),
    ("Europe/London", "01:30", "2026-10-25 00:00", "2026-10-25 01:30"),
    # Southern hemisphere and a half-hour zone.
    ("Australia/Adelaide", "19:45", "2026-04-05 20:00", "2026-04-06 19:45"),
    ("Asia/Kolkata", "08:00", "2026-06-01 07:59", "2026-06-01 08:00"),
]


@pytest.mark.parametrize("tz, checkin_time, now, expected", NEXT_CHECKIN_CASES)
def test_next_checkin_is_the_local_time_in_the_members_zone(tz, checkin_time, now, expected):
    member = Member(timezone=tz, checkin_time=dt.time.fromisoformat(checkin_time))
    got = member.next_checkin_after(at(now, tz))
    assert got.tzinfo is not None
    assert got == at(expected, tz).astimezone(UTC)
    # The same instant, whatever the fold: a fall-back time is its first occurrence.
    assert got.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") == expected


def test_spring_forward_checkins_are_23_hours_apart_in_new_york():
    member = Member(timezone="America/New_York", checkin_time=dt.time(9, 0))
    saturday = member.next_checkin_after(at("2026-03-07 08:00", "America/New_York"))
    sunday = member.next_checkin_after(saturday)
    assert sunday - saturday == dt.timedelta(hours=23)


pytestmark = pytest.mark.django_db


@pytest.fixture
def due_member(org):
    with time_machine.travel(at("2026-05-04 08:00", "America/New_York"), tick=False):
        return MemberFactory(organization=org, checkin_time=dt.time(9, 0))


def test_the_tick_starts_due_checkins_and_moves_the_timer(due_member):
    with time_machine.travel(at("2026-05-04 09:00:30", "America/New_York"), tick=False):
        assert start_due_checkins() == 1
        assert start_due_checkins() == 0, "a second tick finds nothing due"
    checkin = due_member.checkins.get()
    assert checkin.scheduled_for == at("2026-05-04 09:00", "America/New_York")
    assert checkin.status == "open" and checkin.current_question.key == "mood"
    prompt = Message.objects.get(kind="prompt")
    assert prompt.priority == Message.Priority.BULK and prompt.checkin == checkin
    due_member.refresh_from_db()
    assert due_member.next_checkin_at == at("2026-05-05 09:00", "America/New_York")


@pytest.mark.parametrize("status", ["paused", "opted_out", "discharged"])
def test_the_tick_skips_members_who_are_not_active(due_member, status):
    Member.objects.filter(pk=due_member.pk).update(status=status)
    with time_machine.travel(at("2026-05-04 09:01", "America/New_York"), tick=False):
        assert start_due_checkins() == 0
    assert not CheckIn.objects.exists()


def test_a_late_tick_outside_the_sending_window_skips_the_day_on_the_record(due_member):
    with time_machine.travel(at("2026-05-04 21:30", "America/New_York"), tick=False):
        assert start_due_checkins() == 0
    assert due_member.checkins.get().status == "skipped"
    assert not Message.objects.exists()
    due_member.refresh_from_db()
    assert due_member.next_checkin_at == at("2026-05-05 09:00", "America/New_York")


def test_a_checkin_unanswered_when_its_window_closes_is_missed(due_member):
    with time_machine.travel(at("2026-05-04 09:00", "America/New_York"), tick=False):
        start_due_checkins()
    with time_machine.travel(at("2026-05-04 11:59", "America/New_York"), tick=False):
        assert close_expired_checkins() == 0
    with time_machine.travel(at("2026-05-04 12:00", "America/New_York"), tick=False):
        assert close_expired_checkins() == 1
    assert due_member.checkins.get().status == "missed"


def test_a_half_answered_checkin_becomes_incomplete(due_member, phone):
    with time_machine.travel(at("2026-05-04 09:00", "America/New_York"), tick=False):
        start_due_checkins()
        phone.text(due_member.phone, "3")
    with time_machine.travel(at("2026-05-04 12:00", "America/New_York"), tick=False):
        close_expired_checkins()
    assert due_member.checkins.get().status == "incomplete"


def test_stop_means_no_checkin_later(due_member, phone):
    phone.text(due_member.phone, "STOP")
    with time_machine.travel(at("2026-05-05 09:00", "America/New_York"), tick=False):
        assert start_due_checkins() == 0
    assert not Message.objects.filter(direction="out").exclude(kind="reply").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_start_one_checkin_per_member(org):
    with time_machine.travel(at("2026-05-04 08:00", "America/New_York"), tick=False):
        MemberFactory.create_batch(30, organization=org, checkin_time=dt.time(9, 0))
    tick = at("2026-05-04 09:00", "America/New_York")
    results = run_together(lambda: start_due_checkins(now=tick), lambda: start_due_checkins(now=tick))
    assert sum(results) == 30
    assert CheckIn.objects.count() == 30
    assert Message.objects.filter(kind="prompt").count() == 30
