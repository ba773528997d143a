"""Coverage, with time travel: every alert reaches someone who is working,
within the acknowledgement timeout, and nothing is lost or doubled, while
a supporter is out of office, off the clock with someone on call (over a DST
change), or deactivated."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import ApiToken, Staff
from accounts.staffing import cancel_out_of_office, deactivate_staff, set_out_of_office, update_staff
from alerts import escalation, rerouting, routing
from alerts.models import Alert, AlertEvent
from alerts.rules import Finding
from care.caseload import needs_reassignment
from checkins.enrollment import reassign_members
from checkins.models import Member
from coverage import rota
from coverage.routing import is_available, responder_for
from sms.models import Message
from tests.conftest import replies
from tests.factories import MemberFactory, StaffFactory, SupervisorFactory, token_for

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")


def at(year, month, day, hour, minute=0, zone=NY) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


def urgent(member: Member) -> Alert:
    alerts = routing.raise_alerts(member, [Finding("used_yes", "urgent", "Said yes to a slip since the last check-in.")])
    return alerts[0]


def crisis(member: Member) -> Alert:
    return routing.raise_alerts(member, [Finding("crisis_language", "crisis", "Crisis words in a text.")])[0]


def texted(alert: Alert) -> list[str]:
    """Who was texted about this alert, in order (one row per text)."""
    return list(
        Message.objects.filter(alert=alert, direction=Message.Direction.OUTBOUND)
        .order_by("id")
        .values_list("staff__name", flat=True)
    )


def events(alert: Alert) -> list[str]:
    return list(alert.events.values_list("type", flat=True))


@pytest.fixture
def team(org):
    supervisor = SupervisorFactory(organization=org, name="Vera Lopez")
    supporter = StaffFactory(organization=org, name="Sam Rivera")
    backup = StaffFactory(organization=org, name="Bea Backup")
    on_call = StaffFactory(organization=org, name="Owen Oncall")
    supporter.backup = backup
    supporter.save()
    member = MemberFactory(organization=org, supporter=supporter, name="Dana Whitfield")
    return {"supervisor": supervisor, "supporter": supporter, "backup": backup, "on_call": on_call, "member": member}


def reached_someone_working(alert: Alert, moment: dt.datetime) -> None:
    """The invariant: whoever has the alert is available, or it is with the
    supervisors; and nobody was texted twice about the same step."""
    alert.refresh_from_db()
    if alert.escalation_level == 0:
        assert alert.responder is not None and is_available(alert.responder, moment), events(alert)
    notified = [
        (e.type, e.detail) for e in alert.events.filter(type=AlertEvent.Type.NOTIFIED).order_by("id")
    ]
    assert len(notified) == len(texted(alert))


# --- Out of office -------------------------------------------------------------------


def test_a_week_out_of_office_routes_to_the_backup_and_back(team):
    member, supporter, backup, supervisor = team["member"], team["supporter"], team["backup"], team["supervisor"]
    monday = at(2026, 12, 7, 10)
    with time_machine.travel(monday, tick=False):
        before = urgent(member)  # while the supporter is in
        assert texted(before) == ["Sam Rivera"]
        set_out_of_office(supporter, starts_at=monday, ends_at=monday + dt.timedelta(days=7), by=supporter)
        rerouting.reroute_for_staff(supporter.pk)  # what the signal does once the change commits
        before.refresh_from_db()
        # The open alert moved at once, with an event saying why, and the backup was texted.
        assert before.responder == backup
        assert texted(before) == ["Sam Rivera", "Bea Backup"]
        moved = before.events.get(type=AlertEvent.Type.REROUTED)
        assert "Sam Rivera is out of office until" in moved.detail and "Bea Backup is their backup" in moved.detail
        reached_someone_working(before, monday)

    for day in range(1, 7):
        moment = monday + dt.timedelta(days=day, hours=1)
        with time_machine.travel(moment, tick=False):
            for alert in Alert.objects.exclude(status="resolved"):
                alert.status = "resolved"
                alert.save(update_fields=["status"])
            alert = urgent(member)
            assert alert.responder == backup and texted(alert) == ["Bea Backup"]
            assert alert.events.filter(type="rerouted").count() == 1
            reached_someone_working(alert, moment)
            # The backup can see the member and the alert; the supporter still sees their own.
            assert Member.objects.visible_to(backup).filter(pk=member.pk).exists()
            assert Alert.objects.visible_to(backup).filter(pk=alert.pk).exists()
            # Not acknowledged in time: the supervisors, as for any alert.
            with time_machine.travel(moment + dt.timedelta(seconds=member.program.ack_timeout_seconds + 1), tick=False):
                assert escalation.escalate_due() == 1
            assert texted(alert) == ["Bea Backup", "Vera Lopez"]

    back = monday + dt.timedelta(days=7, hours=1)
    with time_machine.travel(back, tick=False):
        Alert.objects.update(status="resolved")
        alert = urgent(member)
        assert alert.responder == supporter and texted(alert) == ["Sam Rivera"]
        assert not Member.objects.visible_to(backup).filter(pk=member.pk).exists()
    # The supervisors heard only of what nobody acknowledged in time.
    assert Message.objects.filter(staff=supervisor).count() == 6


@pytest.mark.parametrize("change", ["out_of_office", "deactivation", "reassignment"])
def test_each_change_moves_open_alerts_once_it_commits(team, change, django_capture_on_commit_callbacks):
    member, supporter, backup, supervisor = team["member"], team["supporter"], team["backup"], team["supervisor"]
    alert = urgent(member)
    with django_capture_on_commit_callbacks(execute=True):
        if change == "out_of_office":
            now = dt.datetime.now(dt.UTC)
            set_out_of_office(supporter, starts_at=now, ends_at=now + dt.timedelta(days=1), by=supervisor)
        elif change == "deactivation":
            deactivate_staff(supporter, by=supervisor)
        else:
            reassign_members(member.organization, [member.pk], backup.pk, by=supervisor)
    alert.refresh_from_db()
    assert alert.responder == backup
    assert texted(alert) == ["Sam Rivera", "Bea Backup"]


def test_an_out_of_office_period_that_begins_later_moves_alerts_when_it_begins(team):
    member, supporter, backup = team["member"], team["supporter"], team["backup"]
    start = at(2026, 12, 7, 9)
    with time_machine.travel(start - dt.timedelta(hours=2), tick=False):
        set_out_of_office(supporter, starts_at=start, ends_at=start + dt.timedelta(days=2), by=supporter)
        rerouting.reroute_for_staff(supporter.pk)
        alert = urgent(member)
        assert alert.responder == supporter
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        assert rerouting.reroute_due() == 1
        assert rerouting.reroute_due() == 0  # once
    alert.refresh_from_db()
    assert alert.responder == backup and texted(alert) == ["Sam Rivera", "Bea Backup"]


def test_without_a_backup_an_absent_supporters_alerts_go_to_the_supervisors_at_once(team):
    member, supporter, supervisor = team["member"], team["supporter"], team["supervisor"]
    update_staff(supporter, {"backup_id": None}, by=supervisor)
    now = at(2026, 12, 8, 11)
    with time_machine.travel(now, tick=False):
        set_out_of_office(supporter, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(days=3), by=supervisor)
        alert = urgent(member)
    assert alert.responder is None and alert.escalation_level == 1
    assert texted(alert) == ["Vera Lopez"]
    body = Message.objects.get(alert=alert).body
    assert "Sent to you" in body and "Whitfield" not in body


def test_cancelling_out_of_office_brings_open_alerts_back(team):
    member, supporter, backup = team["member"], team["supporter"], team["backup"]
    now = at(2026, 12, 8, 11)
    with time_machine.travel(now, tick=False):
        absence = set_out_of_office(supporter, starts_at=now, ends_at=now + dt.timedelta(days=3), by=supporter)
        alert = urgent(member)
        assert alert.responder == backup
    with time_machine.travel(now + dt.timedelta(minutes=5), tick=False):
        cancel_out_of_office(absence, by=supporter)
        rerouting.reroute_for_staff(supporter.pk)
    alert.refresh_from_db()
    assert alert.responder == supporter
    assert texted(alert) == ["Bea Backup", "Sam Rivera"]


def test_a_crisis_reaches_the_backup_and_the_supervisors_not_the_absent_supporter(team):
    member, supporter = team["member"], team["supporter"]
    now = at(2026, 12, 8, 11)
    with time_machine.travel(now, tick=False):
        set_out_of_office(supporter, starts_at=now, ends_at=now + dt.timedelta(days=3), by=supporter)
        alert = crisis(member)
    assert sorted(texted(alert)) == ["Bea Backup", "Vera Lopez"]


def test_free_text_notices_go_to_the_backup_while_the_supporter_is_out(team, phone):
    member, supporter, backup = team["member"], team["supporter"], team["backup"]
    now = at(2026, 12, 8, 11)
    with time_machine.travel(now, tick=False):
        set_out_of_office(supporter, starts_at=now, ends_at=now + dt.timedelta(days=3), by=supporter)
        phone.text(member.phone, "had a rough night, talk later")
    notices = Message.objects.filter(kind=Message.Kind.STAFF_NOTICE)
    assert list(notices.values_list("staff__name", flat=True)) == ["Bea Backup"]


# --- After hours, on call, across a DST change ---------------------------------------------


@pytest.fixture
def weekend_rota(team):
    supporter, on_call, supervisor, member = team["supporter"], team["on_call"], team["supervisor"], team["member"]
    update_staff(supporter, {"work_starts": "09:00", "work_ends": "17:00", "work_days": "12345"}, by=supervisor)
    rota.add_on_call(
        member.program, staff_id=on_call.pk, timezone_name="America/New_York",
        starts_day=5, starts_time="17:00", ends_day=1, ends_time="09:00", by=supervisor,
    )
    return team


# DST ends in New York at 02:00 on Sunday 1 November 2026: that weekend is 73 hours long.
@pytest.mark.parametrize(
    ("moment", "who"),
    [
        (at(2026, 10, 30, 16, 59), "Sam Rivera"),  # Friday, still working
        (at(2026, 10, 30, 17, 0), "Owen Oncall"),  # Friday evening: on call
        (at(2026, 10, 31, 23, 30), "Owen Oncall"),  # Saturday night
        (at(2026, 11, 1, 1, 30).replace(fold=0), "Owen Oncall"),  # the first 01:30 (EDT)
        (at(2026, 11, 1, 1, 30).replace(fold=1), "Owen Oncall"),  # the second 01:30 (EST)
        (at(2026, 11, 2, 8, 59), "Owen Oncall"),  # Monday, just before work
        (at(2026, 11, 2, 9, 0), "Sam Rivera"),  # Monday 09:00 EST, back with the supporter
        # Tuesday evening: off the clock, nobody on call: the backup (who sets no hours).
        (at(2026, 11, 3, 20, 0), "Bea Backup"),
    ],
)
def test_an_on_call_weekend_across_the_dst_change(weekend_rota, moment, who):
    member = weekend_rota["member"]
    with time_machine.travel(moment.astimezone(dt.UTC), tick=False):
        alert = urgent(member)
        assert texted(alert) == [who]
        reached_someone_working(alert, moment)


def test_the_weekend_hands_over_at_both_ends_by_the_tick(weekend_rota):
    member, supporter, on_call = weekend_rota["member"], weekend_rota["supporter"], weekend_rota["on_call"]
    member.program.ack_timeout_seconds = 3 * 24 * 3600  # long enough to see the hand-overs, not escalation
    member.program.save()
    with time_machine.travel(at(2026, 10, 30, 16, 50), tick=False):
        alert = urgent(member)
    with time_machine.travel(at(2026, 10, 30, 17, 0) + dt.timedelta(seconds=30), tick=False):
        assert rerouting.reroute_due() == 1
    with time_machine.travel(at(2026, 11, 1, 12, 0), tick=False):
        assert rerouting.reroute_due() == 0
    with time_machine.travel(at(2026, 11, 2, 9, 0) + dt.timedelta(seconds=30), tick=False):
        assert rerouting.reroute_due() == 1
    alert.refresh_from_db()
    assert texted(alert) == ["Sam Rivera", "Owen Oncall", "Sam Rivera"]
    assert alert.responder == supporter and on_call.pk != supporter.pk


def test_off_the_clock_with_nobody_on_call_and_no_backup_goes_to_the_supervisors(weekend_rota):
    supporter, supervisor, member = weekend_rota["supporter"], weekend_rota["supervisor"], weekend_rota["member"]
    update_staff(supporter, {"backup_id": None}, by=supervisor)
    with time_machine.travel(at(2026, 11, 3, 20, 0), tick=False):
        alert = urgent(member)
    assert texted(alert) == ["Vera Lopez"] and alert.escalation_level == 1
    assert "outside working hours" in alert.events.get(type="rerouted").detail


def test_a_crisis_after_hours_reaches_on_call_supporter_and_supervisors_at_once(weekend_rota):
    member = weekend_rota["member"]
    with time_machine.travel(at(2026, 10, 31, 3, 0), tick=False):
        alert = crisis(member)
    assert sorted(texted(alert)) == ["Owen Oncall", "Sam Rivera", "Vera Lopez"]


def test_the_rota_gap_is_found_and_named(weekend_rota):
    member = weekend_rota["member"]
    found = rota.gaps(member.program, start=at(2026, 11, 2, 0, 0), days=7)
    # Weeknights Monday to Thursday after 17:00 are not covered; the weekend is.
    assert len(found) == 4
    first = found[0]
    assert first.starts_at == at(2026, 11, 2, 17, 0) and first.ends_at == at(2026, 11, 3, 9, 0)
    assert first.off_hours == ("Sam Rivera",)


# Two share hours and a clock, one shares the hours on another clock, one works
# overnight, one works weekends: each named in exactly the gaps where their own
# clock has them off, across New York's DST change.
SCHEDULES = [
    ("Ana Same", "America/New_York", "09:00", "17:00", "12345"),
    ("Ben Same", "America/New_York", "09:00", "17:00", "12345"),
    ("Cal West", "America/Los_Angeles", "09:00", "17:00", "12345"),
    ("Dee Night", "America/New_York", "22:00", "06:00", "1234"),
    ("Eve Weekend", "Europe/Madrid", "10:00", "18:00", "67"),
]


def test_every_gap_names_exactly_who_is_off_on_their_own_clock(team):
    supervisor, program = team["supervisor"], team["member"].program
    people = []
    for name, zone, starts, ends, days in SCHEDULES:
        person = StaffFactory(organization=program.organization, name=name, timezone=zone)
        update_staff(person, {"work_starts": starts, "work_ends": ends, "work_days": days}, by=supervisor)
        MemberFactory(organization=program.organization, program=program, supporter=person)
        people.append(Staff.objects.get(pk=person.pk))
    start = at(2026, 10, 29, 0, 0)
    found = rota.gaps(program, start=start, days=7)
    assert found, "nobody is on call: every moment someone is off is a gap"
    moment = start
    while moment < start + dt.timedelta(days=7):
        off = {p.name for p in people if not p.is_working_at(moment)}
        gap = next((g for g in found if g.starts_at <= moment < g.ends_at), None)
        assert (gap is not None) == bool(off), moment
        if gap is not None:
            assert off <= set(gap.off_hours), moment
        moment += dt.timedelta(minutes=15)
    assert {name for g in found for name in g.off_hours} == {p.name for p in people}


def test_no_working_hours_means_no_gaps_and_no_change(team):
    assert rota.gaps(team["member"].program) == []
    alert = urgent(team["member"])
    assert texted(alert) == ["Sam Rivera"] and not alert.events.filter(type="rerouted").exists()


# --- Deactivation ----------------------------------------------------------------------


def test_deactivation_with_open_alerts_leaves_nobody_behind(team, client):
    member, supporter, backup, supervisor = team["member"], team["supporter"], team["backup"], team["supervisor"]
    other = MemberFactory(organization=member.organization, supporter=supporter, name="Eli Other")
    token = token_for(supporter)
    first, second = urgent(member), crisis(other)
    acknowledged_by_them = second
    from alerts.acknowledgement import acknowledge

    acknowledge(acknowledged_by_them, supporter, AlertEvent.Channel.WEB)
    deactivate_staff(supporter, by=supervisor)
    rerouting.reroute_for_staff(supporter.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    # Their backup takes their members until someone reassigns them.
    assert first.responder == backup and first.escalation_level == 0
    assert "no longer active" in first.events.get(type="rerouted").detail
    assert texted(first) == ["Sam Rivera", "Bea Backup"]
    assert second.status == "acknowledged" and second.events.filter(type="rerouted").exists()
    assert texted(second)[-1] == "Bea Backup"
    # Tokens end, the members are listed for reassignment.
    assert not ApiToken.objects.filter(staff=supporter).exists()
    assert client.get("/api/v1/alerts", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert set(needs_reassignment(member.organization)) == {member, other}
    # New alerts for their members never wait on them.
    Alert.objects.update(status="resolved")
    later = urgent(member)
    assert texted(later) == ["Bea Backup"]
    # Reassigning moves members off the list, and their open alert follows them.
    reassign_members(member.organization, [member.pk, other.pk], backup.pk, by=supervisor)
    rerouting.reroute_members([member.pk, other.pk])
    assert not needs_reassignment(member.organization).exists()
    later.refresh_from_db()
    assert later.responder == backup and texted(later) == ["Bea Backup"]


def test_a_deactivated_supporter_without_a_backup_leaves_alerts_with_the_supervisors(team):
    member, supporter, supervisor = team["member"], team["supporter"], team["supervisor"]
    update_staff(supporter, {"backup_id": None}, by=supervisor)
    alert = urgent(member)
    deactivate_staff(supporter, by=supervisor)
    rerouting.reroute_for_staff(supporter.pk)
    alert.refresh_from_db()
    assert alert.responder is None and alert.escalation_level == 1
    assert texted(alert) == ["Sam Rivera", "Vera Lopez"]


def test_a_deactivated_backup_is_never_the_cover(team):
    supporter, backup, supervisor, member = team["supporter"], team["backup"], team["supervisor"], team["member"]
    deactivate_staff(backup, by=supervisor)
    supporter.refresh_from_db()
    assert supporter.backup is None
    now = at(2026, 12, 8, 11)
    with time_machine.travel(now, tick=False):
        set_out_of_office(supporter, starts_at=now, ends_at=now + dt.timedelta(days=1), by=supporter)
        assert responder_for(member).staff is None


# --- Reassignment -----------------------------------------------------------------------


def test_reassigning_a_member_moves_their_open_alert(team):
    member, backup, supervisor = team["member"], team["backup"], team["supervisor"]
    alert = urgent(member)
    reassign_members(member.organization, [member.pk], backup.pk, by=supervisor)
    rerouting.reroute_members([member.pk])
    alert.refresh_from_db()
    assert alert.responder == backup and texted(alert) == ["Sam Rivera", "Bea Backup"]
    assert Alert.objects.visible_to(backup).filter(pk=alert.pk).exists()


def test_nothing_moves_and_nobody_is_texted_when_nothing_changed(team):
    alert = urgent(team["member"])
    for _ in range(3):
        assert rerouting.reroute_due() == 0
    assert texted(alert) == ["Sam Rivera"]


def test_crisis_webhook_reply_is_unchanged_while_everyone_is_away(team, phone):
    member, supporter = team["member"], team["supporter"]
    now = at(2026, 12, 8, 11)
    with time_machine.travel(now, tick=False):
        set_out_of_office(supporter, starts_at=now, ends_at=now + dt.timedelta(days=3), by=supporter)
        set_out_of_office(team["backup"], starts_at=now, ends_at=now + dt.timedelta(days=3), by=team["backup"])
        answer = phone.text(member.phone, "i want to kill myself")
    assert any("988" in text for text in replies(answer))
    alert = Alert.objects.get(member=member)
    assert alert.severity == "crisis" and "Vera Lopez" in texted(alert)
