"""Message retention (checkins.retention, `manage.py redactmessages`): past
MESSAGE_RETENTION_DAYS the words go and the rows stay. Time travels: the
history is made long ago, then redacted today."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from alerts.models import Alert, AlertEvent
from checkins.models import Answer
from checkins.retention import redact_past_retention
from records import consent
from records.models import ConsentRecord, Disclosure
from records.disclosure import record_disclosure
from sms.models import Message
from tests.records.conftest import answered_checkin, text

pytestmark = pytest.mark.django_db

DAYS = 30


@pytest.fixture
def past(member, supervisor, phone):
    """An old crisis text (an alert and its events), an old check-in, an old
    text still queued, and a recent check-in; consent and a disclosure."""
    consent.grant(member, method="written", staff=supervisor)
    long_ago = timezone.now() - dt.timedelta(days=DAYS + 10)
    with time_machine.travel(long_ago, tick=False):
        phone.text(member.phone, "I don't want to be alive anymore")
    old = answered_checkin(member, days_ago=DAYS + 5, mood=2, words="honestly a 2")
    stuck = text(member, Message.Direction.OUTBOUND, "still waiting to go", long_ago, status=Message.Status.QUEUED)
    recent = answered_checkin(member, days_ago=DAYS - 1, mood=4, words="a solid 4")
    record_disclosure(
        organization=member.organization, staff=supervisor, channel="export", data="answers",
        purpose="treatment", recipient="clinic", member_ids=[member.id],
    )
    return {"old": old, "recent": recent, "stuck": stuck, "long_ago": long_ago}


def test_bodies_older_than_the_period_are_emptied_and_the_rest_kept(member, past):
    alerts = list(Alert.objects.values_list("id", "severity", "status"))
    events = AlertEvent.objects.count()
    assert alerts and events, "the crisis text raised an alert"
    old_messages = Message.objects.filter(created_at__lt=timezone.now() - dt.timedelta(days=DAYS))
    to_redact = set(old_messages.exclude(status=Message.Status.QUEUED).values_list("id", flat=True))
    assert len(to_redact) >= 4

    now = timezone.now()
    assert redact_past_retention(now=now, days=DAYS) == len(to_redact)

    for message in Message.objects.filter(pk__in=to_redact):
        assert (message.body, message.redacted_at) == ("", now)
        assert message.phone and message.direction and message.created_at, "who, whom and when stay"
    old_answer = Answer.objects.get(pk=past["old"]["answer"].pk)
    assert (old_answer.text, old_answer.value) == ("", 2), "the words go, the value stays"
    recent = Answer.objects.get(pk=past["recent"]["answer"].pk)
    assert (recent.text, recent.value) == ("a solid 4", 4)
    assert Message.objects.get(pk=past["recent"]["reply"].pk).body == "a solid 4"
    stuck = Message.objects.get(pk=past["stuck"].pk)
    assert (stuck.body, stuck.redacted_at) == ("still waiting to go", None), "a queued text is never touched"
    assert list(Alert.objects.values_list("id", "severity", "status")) == alerts
    assert AlertEvent.objects.count() == events
    assert ConsentRecord.objects.filter(member=member).count() == 1
    assert Disclosure.objects.count() == 1


def test_an_answer_without_its_message_goes_by_its_own_date(member, past):
    Message.objects.filter(pk=past["old"]["reply"].pk).delete()
    redact_past_retention(days=DAYS)
    assert Answer.objects.get(pk=past["old"]["answer"].pk).text == ""


def test_zero_days_keeps_everything(settings, member, past):
    settings.MESSAGE_RETENTION_DAYS = 0
    assert redact_past_retention() == 0
    assert redact_past_retention(days=0) == 0
    assert not Message.objects.filter(redacted_at__isnull=False).exists()
    assert Answer.objects.get(pk=past["old"]["answer"].pk).text == "honestly a 2"


def test_the_setting_is_the_default(settings, member, past):
    settings.MESSAGE_RETENTION_DAYS = DAYS + 7
    assert redact_past_retention() == 2, "only the crisis text and its reply are older than 37 days"
    assert Answer.objects.get(pk=past["old"]["answer"].pk).text == "honestly a 2"


def test_the_command_prints_the_count_and_a_second_run_redacts_nothing(settings, member, past):
    settings.MESSAGE_RETENTION_DAYS = 0
    expected = Message.objects.filter(
        created_at__lt=timezone.now() - dt.timedelta(days=DAYS)
    ).exclude(status=Message.Status.QUEUED).count()
    out = io.StringIO()
    call_command("redactmessages", "--days", str(DAYS), stdout=out)
    assert out.getvalue().strip() == f"Removed the bodies of {expected} messages older than {DAYS} days."
    redacted = dict(Message.objects.filter(redacted_at__isnull=False).values_list("id", "redacted_at"))

    out = io.StringIO()
    call_command("redactmessages", "--days", str(DAYS), stdout=out)
    assert out.getvalue().strip() == f"Removed the bodies of 0 messages older than {DAYS} days."
    assert dict(Message.objects.filter(redacted_at__isnull=False).values_list("id", "redacted_at")) == redacted

    out = io.StringIO()
    call_command("redactmessages", stdout=out)
    assert "Retention is off" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("redactmessages", "--days", "0")


def test_beat_runs_it_daily():
    from config.celery import app

    entry = next(e for e in app.conf.beat_schedule.values() if e["task"] == "checkins.tasks.redact_past_retention")
    assert entry["schedule"] == 24 * 3600.0
