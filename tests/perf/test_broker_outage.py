"""A broker outage must neither fail a webhook nor lose the work it causes
(drill: `make drills`, redis-outage)."""

import time

import kombu.exceptions
import pytest
from celery import Celery
from django.conf import settings as django_settings

from alerts.models import Alert
from checkins.schedule import start_checkin
from sms.models import Message


@pytest.fixture
def broker_down(settings, monkeypatch):
    from alerts.tasks import evaluate_answer, handle_delivery_failure
    from sms.tasks import deliver_outbox

    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []

    def unreachable(*args, **kwargs):
        sent.append(args)
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for task in (evaluate_answer, handle_delivery_failure, deliver_outbox):
        monkeypatch.setattr(task, "apply_async", unreachable)
    return sent


def test_an_answer_while_the_broker_is_down_is_answered_and_its_rules_run_here(member, phone, broker_down):
    start_checkin(member)
    response = phone.text(member.phone, "1")  # mood 1: a warning
    assert response.status_code == 200
    assert b"<Message>" in response.content  # the next question, in the same answer
    assert broker_down  # it did try the broker first
    alert = Alert.objects.get(member=member)
    assert alert.severity == "warning"
    # The supporter's text waits in the outbox for the periodic sweep.
    assert Message.objects.filter(alert=alert, status=Message.Status.QUEUED).exists()


def test_sending_to_an_unreachable_broker_fails_fast():
    app = Celery(broker="redis://127.0.0.1:9/0")
    app.conf.broker_transport_options = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS

    @app.task
    def nothing():
        pass

    started = time.monotonic()
    with pytest.raises(kombu.exceptions.OperationalError):
        nothing.apply_async(retry=False)
    assert time.monotonic() - started < 2  # was ~6 s with kombu's default connection retries
