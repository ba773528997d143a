import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from devtools.local_twilio import INVALID_TO, RATE_LIMITED, SERVER_ERROR, UNSUBSCRIBED
from sms import outbox
from sms.models import Message

pytestmark = pytest.mark.django_db


def queue_prompt(member, body="How is your mood today?", priority=Message.Priority.BULK):
    return outbox.queue(phone=member.phone, body=body, kind=Message.Kind.PROMPT, priority=priority, member=member)


def test_a_queued_text_goes_out_through_the_twilio_sdk(twilio, deliver, member, settings):
    message = queue_prompt(member)
    assert deliver() == 1
    sent = twilio.messages_to(member.phone)
    assert len(sent) == 1
    assert sent[0].body == "How is your mood today?"
    assert sent[0].from_ == "+15555550000"
    assert sent[0].status_callback == "https://checkins.test/sms/twilio/status"
    message.refresh_from_db()
    assert message.status == "sent" and message.provider_sid == sent[0].sid


def test_messaging_service_sid_is_used_when_set(twilio, deliver, member, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    settings.TWILIO_FROM_NUMBER = ""
    queue_prompt(member)
    deliver()
    assert twilio.messages[0].messaging_service_sid == "MG" + "1" * 32


def test_unicode_punctuation_is_made_plain(twilio, deliver, member):
    queue_prompt(member, body="It\u2019s time\u00a0\u2014 \u201cquick\u201d check-in\u2026 ¿Cómo estás?")
    deliver()
    assert twilio.messages[0].body == 'It\'s time - "quick" check-in... ¿Cómo estás?'


def test_unsubscribed_21610_opts_the_member_out_and_stops_sending(twilio, deliver, member):
    twilio.fail_for(member.phone, **UNSUBSCRIBED)
    first = queue_prompt(member)
    deliver()
    first.refresh_from_db()
    member.refresh_from_db()
    assert first.status == "failed" and first.error_code == 21610
    assert member.status == "opted_out"
    assert queue_prompt(member) is None
    assert twilio.create_attempts == 1


def test_invalid_number_fails_at_once_and_marks_unreachable(twilio, deliver, member):
    twilio.fail_for(member.phone, **INVALID_TO)
    message = queue_prompt(member)
    deliver()
    message.refresh_from_db()
    member.refresh_from_db()
    assert message.status == "failed" and message.error_code == 21211
    assert message.attempts == 1
    assert member.unreachable_since is not None
    assert member.alerts.get().severity == "info"


@pytest.mark.parametrize("failure", [RATE_LIMITED, SERVER_ERROR], ids=["429", "500"])
def test_transient_errors_retry_with_backoff(twilio, deliver, member, failure):
    twilio.fail_next(1, **failure)
    message = queue_prompt(member)
    deliver()
    message.refresh_from_db()
    assert message.status == "queued" and message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    with time_machine.travel(message.next_attempt_at + dt.timedelta(seconds=1)):
        deliver()
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 2
    assert len(twilio.messages_to(member.phone)) == 1


def test_a_timeout_retries_without_sending_twice(twilio, deliver, member, settings):
    settings.TWILIO_TIMEOUT_SECONDS = 0.2
    from sms.backends import _backend

    _backend.cache_clear()
    twilio.delay_seconds = 1  # Twilio accepts the text, but answers too late
    message = queue_prompt(member)
    deliver()
    message.refresh_from_db()
    assert message.status == "queued" and message.attempts == 1 and message.needs_provider_check
    twilio.delay_seconds = 0
    with time_machine.travel(message.next_attempt_at + dt.timedelta(seconds=1)):
        deliver()
    message.refresh_from_db()
    assert message.status == "sent"
    assert len(twilio.messages_to(member.phone)) == 1
    assert message.provider_sid == twilio.messages_to(member.phone)[0].sid


def test_retries_are_bounded(twilio, deliver, member):
    twilio.fail_next(outbox.MAX_ATTEMPTS + 5, **SERVER_ERROR)
    message = queue_prompt(member)
    for _ in range(outbox.MAX_ATTEMPTS + 2):
        Message.objects.filter(pk=message.pk, status="queued").update(next_attempt_at=timezone.now())
        deliver()
    message.refresh_from_db()
    assert message.status == "failed"
    assert twilio.create_attempts == outbox.MAX_ATTEMPTS


def test_alerts_to_staff_go_before_replies_before_prompts(twilio, deliver, member, supporter):
    queue_prompt(member, body="prompt")
    outbox.queue(phone=member.phone, body="reply", kind="reply", priority=Message.Priority.REPLY, member=member)
    outbox.queue(phone=supporter.phone, body="alert", kind="notification", priority=Message.Priority.URGENT, staff=supporter)
    deliver()
    assert [m.body for m in twilio.messages] == ["alert", "reply", "prompt"]


def test_a_text_to_a_member_who_opted_out_after_queueing_never_leaves(twilio, deliver, member):
    message = queue_prompt(member)
    member.opt_out()
    deliver()
    message.refresh_from_db()
    assert message.status == "failed"
    assert twilio.messages == []


def test_a_claim_left_by_a_dead_worker_is_taken_back_after_its_lease(twilio, deliver, member):
    message = queue_prompt(member)
    claimed = outbox.claim_next()  # the worker died right after claiming
    assert claimed.pk == message.pk
    deliver()
    assert twilio.messages == [], "still leased"
    with time_machine.travel(claimed.lease_until + dt.timedelta(seconds=1)):
        deliver()
    assert len(twilio.messages_to(member.phone)) == 1


def test_a_worker_that_died_after_twilio_accepted_does_not_cause_a_second_text(twilio, deliver, member):
    from sms.backends import get_backend

    message = queue_prompt(member)
    claimed = outbox.claim_next()
    get_backend().send(claimed.phone, claimed.body)  # accepted by Twilio; the worker dies before recording it
    with time_machine.travel(claimed.lease_until + dt.timedelta(seconds=1)):
        deliver()
    message.refresh_from_db()
    assert len(twilio.messages_to(member.phone)) == 1
    assert message.status == "sent" and message.provider_sid == twilio.messages[0].sid


def test_console_backend_sends_without_twilio(deliver, member, capsys):
    message = queue_prompt(member, body="secret health words")
    deliver()
    message.refresh_from_db()
    assert message.status == "sent"
    printed = capsys.readouterr().out
    assert "secret" not in printed and member.phone not in printed
