"""Across processes: gunicorn serving the webhooks and API, a real Celery
worker on Redis sending through the Twilio SDK to a local Twilio."""

import datetime as dt

import pytest
import redis
import requests
from django.utils import timezone

from accounts.models import ApiToken
from alerts.models import Alert
from devtools.local_twilio import LocalTwilio
from devtools.processes import IntegrationStack, wait_until
from devtools.twilio_signing import signature_for
from sms.models import Message
from tests.conftest import new_sid

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def twilio_server():
    server = LocalTwilio(auth_token="test-auth-token").start()
    yield server
    server.stop()


@pytest.fixture
def stack_factory(redis_url, twilio_server):
    redis.Redis.from_url(redis_url).flushdb()
    stacks = []

    def make(**kwargs) -> IntegrationStack:
        stack = IntegrationStack(redis_url, twilio_server.base_url, **kwargs)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop()


def text(stack: IntegrationStack, phone: str, body: str) -> requests.Response:
    params = {"MessageSid": new_sid(), "From": phone, "To": "+15555550000", "Body": body}
    return requests.post(
        f"{stack.url}/sms/twilio/inbound",
        data=params,
        headers={"X-Twilio-Signature": signature_for("/sms/twilio/inbound", params)},
        timeout=5,
    )


def test_checkin_started_through_the_api_is_sent_and_replies_raise_an_alert(
    stack_factory, twilio_server, member, supporter
):
    stack = stack_factory()
    stack.start_web()
    stack.start_worker()
    token = ApiToken.issue(supporter)

    response = requests.post(
        f"{stack.url}/api/v1/members/{member.id}/checkins", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert response.status_code == 201
    wait_until(lambda: twilio_server.messages_to(member.phone), what="the first question at Twilio")
    assert "mood" in twilio_server.messages_to(member.phone)[0].body

    assert "urges" in text(stack, member.phone, "4").text
    assert "slip" in text(stack, member.phone, "9").text
    wait_until(lambda: twilio_server.messages_to(supporter.phone), what="the supporter's alert text")
    alert = Alert.objects.get()
    assert alert.severity == "urgent" and alert.topic == "craving"
    assert f"alert {alert.pk}" in twilio_server.messages_to(supporter.phone)[0].body


def test_a_worker_killed_mid_send_neither_loses_nor_doubles(stack_factory, twilio_server, org, member, supporter):
    from sms import outbox

    # One text every 4 seconds: the worker sends the first, then waits for a
    # token for the second, and is killed while it waits.
    stack = stack_factory(messages_per_second=0.25)
    first = outbox.queue(phone=member.phone, body="first", kind="prompt", priority=2, member=member)
    second = outbox.queue(phone=supporter.phone, body="second", kind="system", priority=2, staff=supporter)
    stack.start_worker()
    stack.send_task("sms.tasks.deliver_outbox")
    wait_until(lambda: len(twilio_server.messages) >= 1, what="the first text")
    stack.kill_worker()

    stack.start_worker()
    stack.send_task("sms.tasks.deliver_outbox")
    wait_until(lambda: len(twilio_server.messages) >= 2, timeout=30, what="the second text")
    stack.send_task("sms.tasks.deliver_outbox")
    wait_until(
        lambda: Message.objects.filter(pk__in=[first.pk, second.pk], status="sent").count() == 2, what="both sent"
    )
    assert sorted(m.body for m in twilio_server.messages) == ["first", "second"]


def test_a_worker_killed_while_twilio_holds_the_request_does_not_double(stack_factory, twilio_server, member):
    """The worst moment: Twilio has accepted the text, the worker dies before
    it learns the sid. The next worker asks Twilio before sending again."""
    from sms import outbox

    stack = stack_factory(lease_seconds=3)
    message = outbox.queue(phone=member.phone, body="only once", kind="prompt", priority=2, member=member)
    twilio_server.hold()
    stack.start_worker()
    stack.send_task("sms.tasks.deliver_outbox")
    wait_until(lambda: twilio_server.messages, what="Twilio to accept the text")
    stack.kill_worker()
    twilio_server.release()

    stack.start_worker()

    def sent() -> bool:
        stack.send_task("sms.tasks.deliver_outbox")
        return Message.objects.filter(pk=message.pk, status="sent").exists()

    wait_until(sent, timeout=30, what="the text to be recorded as sent")
    assert len(twilio_server.messages_to(member.phone)) == 1
    message.refresh_from_db()
    assert message.provider_sid == twilio_server.messages[0].sid


def test_an_escalation_pending_while_everything_was_down_happens_exactly_once(
    stack_factory, twilio_server, org, supervisor, member
):
    from alerts.routing import raise_alerts
    from alerts.rules import Finding

    alert = raise_alerts(member, [Finding("used_yes", "urgent", "Said yes to a slip since the last check-in.")])[0]
    # Every process was down when the step fell due, a while ago.
    Alert.objects.filter(pk=alert.pk).update(next_escalation_at=timezone.now() - dt.timedelta(minutes=5))

    stack = stack_factory()
    stack.start_worker()
    # Two ticks at once, as from two beats started by accident, plus a stale duplicate step.
    stack.send_task("alerts.tasks.escalate_due_alerts")
    stack.send_task("alerts.tasks.escalate_due_alerts")
    stack.send_task("alerts.tasks.escalate_alert", alert.pk, alert.escalation_token)
    wait_until(lambda: twilio_server.messages_to(supervisor.phone), what="the supervisor's text")
    stack.send_task("alerts.tasks.escalate_due_alerts")
    stack.send_task("sms.tasks.deliver_outbox")
    wait_until(lambda: not Message.objects.filter(status__in=["queued", "sending"]).exists(), what="an idle outbox")

    alert.refresh_from_db()
    assert alert.escalation_level == 1
    assert list(alert.events.values_list("type", flat=True)) == ["created", "notified", "escalated", "notified"]
    assert len(twilio_server.messages_to(supervisor.phone)) == 1
