"""A text to staff says what it is: the first alert, an escalation (and whose
acknowledgement is missing), a crisis sent to supervisors at once, or a
reminder. None carries the member's words, surname or number."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from alerts import escalation
from alerts.models import Alert
from checkins.schedule import start_checkin
from sms.models import Message

pytestmark = pytest.mark.django_db


def texts_to(staff) -> list[str]:
    return list(Message.objects.filter(staff=staff, kind="notification").order_by("id").values_list("body", flat=True))


def used_yes(phone, member):
    start_checkin(member)
    for answer in ("4", "2", "yes"):
        phone.text(member.phone, answer)


def assert_private(body, member):
    for secret in ("Whitfield", "slip", member.phone, "kill"):
        assert secret not in body


def test_escalation_and_reminder_texts_say_so(phone, supporter, supervisor, member):
    member.program.max_reminders = 1
    member.program.save()
    used_yes(phone, member)
    alert = Alert.objects.get()
    (first,) = texts_to(supporter)
    assert first.startswith(f"URGENT check-in alert for Dana W. (alert {alert.pk}).")

    timeout = member.program.ack_timeout_seconds
    for step in (1, 2):
        with time_machine.travel(timezone.now() + dt.timedelta(seconds=step * (timeout + 1))):
            escalation.escalate_due()
    escalated, reminder = texts_to(supervisor)
    assert escalated.startswith(f"Escalated to you: URGENT check-in alert for Dana W. (alert {alert.pk})")
    assert f"not acknowledged by {supporter.name} in time" in escalated
    assert reminder.startswith("Reminder: ") and "still not acknowledged" in reminder
    for body in (first, escalated, reminder):
        assert f"Reply ACK {alert.pk}" in body
        assert_private(body, member)


def test_a_crisis_tells_supervisors_it_went_to_everyone_at_once(phone, supporter, supervisor, member):
    phone.text(member.phone, "i want to kill myself")
    alert = Alert.objects.get()
    (to_supervisor,) = texts_to(supervisor)
    assert to_supervisor.startswith(f"CRISIS check-in alert for Dana W. (alert {alert.pk}), sent to you and to")
    assert supporter.name in to_supervisor
    assert_private(to_supervisor, member)
