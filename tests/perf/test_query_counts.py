"""Regression tests for the performance fixes the benchmarks led to
(docs/performance.md): the work per tick and per webhook must not grow with
the number of members."""

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from checkins.models import CheckIn, Member
from checkins.schedule import start_due_checkins
from devtools.twilio_signing import signature_for
from sms.models import Message
from tests.factories import MemberFactory

MORNING = dt.datetime(2026, 3, 4, 14, 0, tzinfo=dt.UTC)  # 09:00 in New York


def _due_members(org, supporter, count):
    with time_machine.travel(MORNING - dt.timedelta(days=1), tick=False):
        members = [MemberFactory(organization=org, supporter=supporter) for _ in range(count)]
    Member.objects.filter(pk__in=[m.pk for m in members]).update(next_checkin_at=MORNING - dt.timedelta(minutes=1))
    return members


def _tick_queries(org, supporter, count) -> int:
    _due_members(org, supporter, count)
    with time_machine.travel(MORNING, tick=False), CaptureQueriesContext(connection) as queries:
        started = start_due_checkins(MORNING)
    assert started == count
    return len(queries)


def test_a_tick_runs_the_same_queries_for_5_or_40_due_members(org, supporter):
    # It used to load the program's questions once per member (N+1) and
    # update every member's timer through one CASE per row.
    few = _tick_queries(org, supporter, 5)
    CheckIn.objects.all().delete()
    Message.objects.all().delete()
    many = _tick_queries(org, supporter, 40)
    assert many == few
    assert CheckIn.objects.filter(status=CheckIn.Status.OPEN).count() == 40


def test_the_tick_still_moves_each_members_timer_to_their_own_next_time(org, supporter):
    members = _due_members(org, supporter, 3)
    Member.objects.filter(pk=members[0].pk).update(timezone="America/Los_Angeles")
    start_due_checkins(MORNING)
    timers = dict(Member.objects.filter(pk__in=[m.pk for m in members]).values_list("pk", "next_checkin_at"))
    assert timers[members[1].pk] == timers[members[2].pk] == dt.datetime(2026, 3, 5, 14, 0, tzinfo=dt.UTC)
    # 09:00 in Los Angeles, the next time after the tick (17:00 UTC today).
    assert timers[members[0].pk] == dt.datetime(2026, 3, 4, 17, 0, tzinfo=dt.UTC)


def test_members_are_found_by_phone_through_an_index():
    # Every inbound text looks its sender up by number alone; the unique
    # (organization, phone) index cannot serve that lookup.
    assert any(index.fields == ["phone"] for index in Member._meta.indexes)


def test_an_answer_webhook_does_not_load_the_organization(member, phone):
    from checkins.schedule import start_checkin

    start_checkin(member)
    with CaptureQueriesContext(connection) as queries:
        response = phone.text(member.phone, "4")
    assert response.status_code == 200
    assert not [q for q in queries if 'FROM "accounts_organization"' in q["sql"]]


def test_an_answer_webhook_runs_eleven_statements_at_most(member, client, django_capture_on_commit_callbacks):
    # Begin, find the member (locked), store the text with its sender, find the
    # open check-in with its question (locked), store the answer, the program's
    # questions, the answers a conditional question needs, move the check-in on,
    # the flood limit's count, log the reply, commit. The rules run in a task.
    from checkins.schedule import start_checkin

    start_checkin(member)
    params = {"MessageSid": "SM" + "e" * 32, "From": member.phone, "To": "+15555550000", "Body": "4"}
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            "/sms/twilio/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature_for("/sms/twilio/inbound", params)
        )
    assert response.status_code == 200
    assert len(queries) <= 11, "\n".join(q["sql"][:100] for q in queries)
