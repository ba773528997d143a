"""Reminders never burst: with a short acknowledgement timeout (the demo's 60
seconds), supervisors are reminded at most every REMINDER_MIN_SECONDS, while
the first escalation still comes after the timeout (CONTRACT §7)."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from alerts import escalation
from alerts.models import Alert
from checkins.schedule import start_checkin

pytestmark = pytest.mark.django_db


def test_a_short_timeout_escalates_on_time_then_reminds_no_faster_than_the_floor(phone, supervisor, member):
    member.program.ack_timeout_seconds = 60
    member.program.max_reminders = 3
    member.program.save()
    start_checkin(member)
    for answer in ("4", "2", "yes"):
        phone.text(member.phone, answer)
    start = timezone.now()
    floor = settings.REMINDER_MIN_SECONDS
    assert floor >= 600

    def at(seconds: int) -> int:
        with time_machine.travel(start + dt.timedelta(seconds=seconds), tick=False):
            return escalation.escalate_due()

    assert at(61) == 1  # escalated to supervisors after the timeout
    assert Alert.objects.get().escalation_level == 1
    assert at(61 + 60) == 0  # a minute later: no reminder yet
    assert at(61 + floor - 5) == 0
    assert at(61 + floor + 1) == 1  # the first reminder, after the floor
    assert Alert.objects.get().reminders_sent == 1
