"""A paused member, with time travel: no check-ins and no missed-check-in
alerts while paused, crisis texts still work, and check-ins resume by
themselves on the date, with a welcome-back text."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Q

from accounts.models import AuditEntry
from alerts.models import Alert
from checkins import pausing
from checkins.enrollment import EnrollmentError, update_member
from checkins.models import CheckIn, Member
from checkins.schedule import close_expired_checkins, start_checkin, start_due_checkins
from sms.models import Message
from tests.conftest import replies
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")


def local(year, month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=NY)


def run_days(start: dt.datetime, days: int, dispatch_missed) -> None:
    """Every tick, every quarter hour, for `days` days."""
    moment = start
    while moment < start + dt.timedelta(days=days):
        with time_machine.travel(moment, tick=False):
            start_due_checkins()
            with dispatch_missed(execute=True):
                close_expired_checkins()
            pausing.resume_due()
        moment += dt.timedelta(minutes=15)


def welcome_backs(member: Member) -> list[str]:
    return list(
        Message.objects.filter(member=member, kind=Message.Kind.SYSTEM)
        .filter(Q(body__startswith="Welcome back") | Q(body__startswith="Bienvenido de nuevo"))
        .values_list("body", flat=True)
    )


def test_a_week_paused_sends_nothing_raises_nothing_and_resumes_on_the_date(
    member, supervisor, django_capture_on_commit_callbacks
):
    with time_machine.travel(local(2026, 12, 7, 7, 0), tick=False):
        pausing.pause(member, until="2026-12-14", reason="inpatient", by=supervisor)
    member.refresh_from_db()
    assert (member.status, member.paused_until, member.pause_reason) == ("paused", dt.date(2026, 12, 14), "inpatient")
    assert member.next_checkin_at is None

    run_days(local(2026, 12, 7, 7, 0), 7, django_capture_on_commit_callbacks)
    member.refresh_from_db()
    assert member.status == "paused"
    assert not member.checkins.exists()
    assert not Alert.objects.filter(member=member).exists()

    # 08:00 on the 14th, the member's time: back, welcomed once, next check-in at 09:00.
    run_days(local(2026, 12, 14, 7, 0), 1, django_capture_on_commit_callbacks)
    member.refresh_from_db()
    assert member.status == "active" and member.paused_until is None and member.pause_reason == ""
    assert welcome_backs(member) == [
        "Welcome back, Dana. Your check-ins start again on 12/14. Text anytime; in a crisis call or text 988. "
        "Reply STOP to stop."
    ]
    prompts = member.checkins.filter(status__in=["open", "missed", "completed", "incomplete"])
    assert prompts.count() == 1
    assert prompts.get().scheduled_for == local(2026, 12, 14, 9, 0)
    actions = list(AuditEntry.objects.filter(target_id=member.pk).values_list("action", flat=True))
    assert set(actions) == {"member.paused", "member.resumed_by_schedule"}


def test_crisis_words_still_work_while_paused(member, supervisor, phone):
    pausing.pause(member, until=dt.date.today() + dt.timedelta(days=10), reason="travel", by=supervisor)
    answer = phone.text(member.phone, "i cant do this anymore i want to die")
    assert any("988" in text for text in replies(answer))
    assert Alert.objects.get(member=member).severity == "crisis"


def test_a_check_in_already_sent_ends_unanswered_not_missed(member, supervisor, django_capture_on_commit_callbacks):
    checkin = start_checkin(member)
    pausing.pause(member, until=None, reason="break", by=supervisor)
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.INCOMPLETE
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=2)):
        with django_capture_on_commit_callbacks(execute=True):
            close_expired_checkins()
    assert not Alert.objects.filter(member=member).exists()


def test_silence_before_a_pause_never_counts_after_it(member, supervisor, django_capture_on_commit_callbacks):
    """Missed check-ins in a row (two make a warning) count from the end of the pause."""
    with time_machine.travel(local(2026, 12, 7, 9, 0), tick=False):
        start_checkin(member)  # sent, never answered
    with time_machine.travel(local(2026, 12, 7, 10, 0), tick=False):
        pausing.pause(member, until="2026-12-10", reason="travel", by=supervisor)
    run_days(local(2026, 12, 10, 7, 0), 1, django_capture_on_commit_callbacks)  # back; the first check-in unanswered
    assert member.checkins.filter(status="missed").count() == 1
    assert not Alert.objects.filter(member=member).exists()
    run_days(local(2026, 12, 11, 7, 0), 1, django_capture_on_commit_callbacks)  # and the second: now it is silence
    assert Alert.objects.get(member=member).topic == "silence"


def test_a_pause_without_an_end_waits_for_staff(member, supervisor):
    pausing.pause(member, until=None, reason="break", by=supervisor)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=400)):
        assert pausing.resume_due() == 0
    pausing.resume(member, by=supervisor)
    member.refresh_from_db()
    assert member.status == "active" and member.next_checkin_at is not None
    assert len(welcome_backs(member)) == 1


def test_the_welcome_back_is_in_the_members_language(org, supervisor):
    member = MemberFactory(organization=org, language="es", name="Lucía Gómez")
    with time_machine.travel(local(2026, 12, 7, 12, 0), tick=False):
        pausing.pause(member, until="2026-12-09", reason="travel", by=supervisor)
    with time_machine.travel(local(2026, 12, 9, 8, 1), tick=False):
        assert pausing.resume_due() == 1
        assert pausing.resume_due() == 0
    assert welcome_backs(member) == [
        "Bienvenido de nuevo, Lucía. Tus seguimientos empiezan otra vez el 09/12. Escribe cuando quieras; en una "
        "crisis llama o envía un texto al 988. Responde STOP para parar."
    ]


def test_an_opted_out_member_is_never_welcomed_back(member, supervisor, phone):
    pausing.pause(member, until=dt.date.today() + dt.timedelta(days=3), reason="travel", by=supervisor)
    phone.text(member.phone, "STOP")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=5)):
        assert pausing.resume_due() == 0
    member.refresh_from_db()
    assert member.status == "opted_out" and welcome_backs(member) == []


@pytest.mark.parametrize(
    ("until", "reason", "field"),
    [
        ("yesterday", "travel", "until"),
        ("2020-01-01", "travel", "until"),
        (dt.date.today().isoformat(), "travel", "until"),
        ((dt.date.today() + dt.timedelta(days=400)).isoformat(), "travel", "until"),
        (None, "rehab", "reason"),
        (None, "", "reason"),
        (None, None, "reason"),
    ],
)
def test_a_pause_that_cannot_be_is_refused_naming_the_field(member, supervisor, until, reason, field):
    with pytest.raises(EnrollmentError) as refused:
        pausing.pause(member, until=until, reason=reason, by=supervisor)
    assert refused.value.field == field
    member.refresh_from_db()
    assert member.status == "active"


def test_only_an_active_member_can_be_paused(member, supervisor):
    update_member(member, {"status": "discharged"}, by=supervisor)
    with pytest.raises(EnrollmentError) as refused:
        pausing.pause(member, until=None, reason="travel", by=supervisor)
    assert refused.value.status == 409
