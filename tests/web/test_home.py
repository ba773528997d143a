"""The home page: a supporter's open alerts, most severe and oldest first,
and their members with last check-in, status and trend. Scoped like the API."""

import datetime as dt

import time_machine
from django.utils import timezone

from alerts.acknowledgement import acknowledge
from alerts.models import AlertEvent
from checkins.models import Answer, CheckIn, Member
from tests.factories import MemberFactory
from tests.web.conftest import raise_alert


def test_a_supporter_sees_their_own_alerts_and_members_only(signed_in, supporter, member, other_member):
    mine = raise_alert(member)
    theirs = raise_alert(other_member)
    page = signed_in(supporter).get("/").content.decode()
    assert f"/alerts/{mine.pk}" in page
    assert f"/alerts/{theirs.pk}" not in page
    assert member.name in page
    assert other_member.name not in page


def test_a_supervisor_sees_the_whole_organization(signed_in, supervisor, member, other_member, outsider):
    raise_alert(member)
    raise_alert(other_member)
    page = signed_in(supervisor).get("/").content.decode()
    assert member.name in page and other_member.name in page
    assert signed_in(outsider).get("/").content.decode().count("/alerts/") == 0


def test_open_alerts_come_most_severe_first_then_oldest_first(signed_in, org, supporter):
    first, second, third = (MemberFactory(organization=org, supporter=supporter) for _ in range(3))
    start = timezone.now() - dt.timedelta(hours=3)
    with time_machine.travel(start, tick=False):
        old_warning = raise_alert(first, severity="warning", rule="mood_low", reason="Mood 2 of 5.")
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        older_urgent = raise_alert(second)
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        newer_urgent = raise_alert(third)
    page = signed_in(supporter).get("/").content.decode()
    positions = [page.index(f'id="alert-{a.pk}"') for a in (older_urgent, newer_urgent, old_warning)]
    assert positions == sorted(positions)


def test_each_alert_shows_its_reasons_and_age(signed_in, supporter, member):
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=12), tick=False):
        raise_alert(member)
    page = signed_in(supporter).get("/").content.decode()
    assert "Craving 9 of 10." in page
    assert "12 min ago" in page


def test_acknowledged_alerts_stay_in_the_queue_until_resolved(signed_in, supporter, member):
    alert = raise_alert(member)
    acknowledge(alert, by=supporter, channel=AlertEvent.Channel.WEB)
    page = signed_in(supporter).get("/").content.decode()
    assert "Acknowledged, to resolve" in page
    assert f'id="alert-{alert.pk}"' in page


def test_the_queue_fragment_is_the_queue_alone_and_scoped(signed_in, supporter, member, other_member):
    mine, theirs = raise_alert(member), raise_alert(other_member)
    fragment = signed_in(supporter).get("/queue")
    body = fragment.content.decode()
    assert fragment.status_code == 200
    assert "<html" not in body
    assert f'id="alert-{mine.pk}"' in body and f'id="alert-{theirs.pk}"' not in body


def test_members_show_last_checkin_status_and_trend(signed_in, org, supporter, member):
    paused = MemberFactory(organization=org, supporter=supporter, name="Paula Paused", status=Member.Status.PAUSED)
    unreachable = MemberFactory(organization=org, supporter=supporter, name="Uma Unreached")
    Member.objects.filter(pk=unreachable.pk).update(unreachable_since=timezone.now())
    opted_out = MemberFactory(organization=org, supporter=supporter, name="Otto Out", status=Member.Status.OPTED_OUT)
    checkin = CheckIn.objects.create(
        member=member, scheduled_for=timezone.now(), closes_at=timezone.now(), status=CheckIn.Status.COMPLETED
    )
    questions = {q.key: q for q in member.program.questions.all()}
    Answer.objects.create(checkin=checkin, question=questions["mood"], text="4", value=4)
    Answer.objects.create(checkin=checkin, question=questions["craving"], text="2", value=2)

    page = signed_in(supporter).get("/").content.decode()
    assert "Completed, " in page
    assert 'aria-label="Trend: mood 4 of 5; craving 2 of 10"' in page
    for person, label in ((paused, "Paused"), (unreachable, "Unreachable"), (opted_out, "Opted out")):
        row = page[page.index(person.name):]
        assert label in row[: row.index("</tr>")]
