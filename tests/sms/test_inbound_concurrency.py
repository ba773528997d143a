"""Twilio retries arrive at the same moment on different web threads: the
unique MessageSid constraint on PostgreSQL lets exactly one through."""

import pytest
from django.test import Client

from checkins.models import Answer
from checkins.schedule import start_checkin
from devtools.twilio_signing import signature_for
from sms.models import Message
from tests.conftest import new_sid
from tests.together import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_three_simultaneous_deliveries_of_one_text_store_one_answer(member):
    start_checkin(member)
    params = {"MessageSid": new_sid(), "From": member.phone, "To": "+15555550000", "Body": "4"}
    signature = signature_for("/sms/twilio/inbound", params)
    statuses = run_together(
        *[lambda: Client().post("/sms/twilio/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature).status_code] * 3
    )
    assert statuses == [200, 200, 200]
    assert Message.objects.filter(provider_sid=params["MessageSid"]).count() == 1
    assert Answer.objects.count() == 1
    assert Message.objects.filter(direction="out", kind="reply").count() == 1
