import pytest

from checkins.models import Answer
from devtools.twilio_signing import signature_for
from sms.models import Message
from tests.conftest import new_sid, replies

pytestmark = pytest.mark.django_db


def test_bad_signature_is_403_and_stores_nothing(phone, member):
    response = phone.text(member.phone, "4", signature="bm90IGEgc2lnbmF0dXJl")
    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_missing_signature_is_403(client, member):
    response = client.post("/sms/twilio/inbound", {"MessageSid": new_sid(), "From": member.phone, "Body": "hi"})
    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_signature_is_checked_against_public_base_url_not_host(phone, member, settings):
    settings.PUBLIC_BASE_URL = "https://somewhere-else.example"
    # Signed for https://checkins.test (the test environment's PUBLIC_BASE_URL) → refused here.
    params = {"MessageSid": new_sid(), "From": member.phone, "To": "+15555550000", "Body": "hi"}
    settings.PUBLIC_BASE_URL = "https://checkins.test"
    signature = signature_for("/sms/twilio/inbound", params)
    settings.PUBLIC_BASE_URL = "https://somewhere-else.example"
    response = phone.client.post(
        "/sms/twilio/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == 403


def test_get_is_not_allowed(client):
    assert client.get("/sms/twilio/inbound").status_code == 405


def test_answer_is_twiml(phone, member):
    response = phone.text(member.phone, "HELP")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?><Response>')


def test_duplicate_message_sid_three_times_is_one_message_one_answer(phone, member):
    from checkins.schedule import start_checkin

    start_checkin(member)
    sid = new_sid()
    first = phone.text(member.phone, "4", sid=sid)
    second = phone.text(member.phone, "4", sid=sid)
    third = phone.text(member.phone, "4", sid=sid)
    assert Message.objects.filter(provider_sid=sid).count() == 1
    assert Answer.objects.count() == 1
    assert len(replies(first)) == 1
    assert replies(second) == [] and replies(third) == []


@pytest.mark.parametrize(
    "params",
    [
        {"From": "+13125550000", "Body": "hi"},  # no MessageSid
        {"MessageSid": "SM1", "Body": "hi"},  # no From
        {"MessageSid": "SM1", "From": "not a number", "Body": "hi"},
        {"MessageSid": "SM" + "x" * 500, "From": "+13125550000", "Body": "hi"},
        {"MessageSid": "SM1", "From": "+1" + "3" * 40, "Body": "hi"},
        # Signed but re-shaped: not a Twilio message id, so never a new message.
        {"MessageSid": "SM" + "a" * 31, "From": "+13125550000", "Body": "hi"},  # short
        {"MessageSid": "SM" + "a" * 33, "From": "+13125550000", "Body": "hi"},  # long
        {"MessageSid": "SM" + "A" * 32, "From": "+13125550000", "Body": "hi"},  # upper-case hex
        {"MessageSid": "sm" + "a" * 32, "From": "+13125550000", "Body": "hi"},  # lower-case prefix
        {"MessageSid": "XX" + "a" * 32, "From": "+13125550000", "Body": "hi"},  # not SM/MM
        {"MessageSid": "SM" + "g" * 32, "From": "+13125550000", "Body": "hi"},  # not hex
        {"MessageSid": "SM" + "a" * 32 + "\n", "From": "+13125550000", "Body": "hi"},  # trailing newline
        {"MessageSid": "SM" + "a" * 32, "SmsSid": "SM" + "b" * 32, "From": "+13125550000", "Body": "hi"},  # disagree
        {"SmsSid": "SM" + "a" * 30, "From": "+13125550000", "Body": "hi"},  # only a malformed SmsSid
    ],
)
def test_malformed_inbound_is_400_and_stores_nothing(phone, db, params):
    response = phone.client.post(
        "/sms/twilio/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature_for("/sms/twilio/inbound", params)
    )
    assert response.status_code == 400
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    ["", "\x00\x00nul bytes\x00", "😀" * 500, "x" * 5000, "<Response><Message>inject</Message></Response>", "' OR 1=1;--"],
)
def test_odd_bodies_are_stored_and_answered_safely(phone, member, body):
    response = phone.text(member.phone, body)
    assert response.status_code == 200
    stored = Message.objects.get(direction="in")
    assert "\x00" not in stored.body
    assert b"<Message>inject" not in response.content


def test_unknown_number_gets_one_polite_reply_a_day(phone, db):
    first = phone.text("+13125559999", "hello?")
    second = phone.text("+13125559999", "hello??")
    assert len(replies(first)) == 1 and "988" in replies(first)[0]
    assert replies(second) == []
    assert Message.objects.filter(direction="in", phone="+13125559999").count() == 2


def test_a_flood_from_one_number_is_stored_but_replies_are_capped(phone, member):
    answered = [replies(phone.text(member.phone, "HELP")) for _ in range(15)]
    assert Message.objects.filter(direction="in").count() == 15
    assert sum(1 for r in answered if r) == 10


def test_crisis_reply_gets_through_a_flood(phone, member):
    for _ in range(12):
        phone.text(member.phone, "HELP")
    assert any("988" in r for r in replies(phone.text(member.phone, "i want to kill myself")))


@pytest.mark.parametrize("path", ["/sms/twilio/inbound", "/sms/twilio/status"])
def test_a_message_sid_that_is_not_an_id_is_400(phone, db, path):
    params = {"MessageSid": "SM\x00; DROP", "From": "+13125550000", "MessageStatus": "delivered", "Body": "hi"}
    response = phone.client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature_for(path, params))
    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_a_message_sid_given_twice_is_400_and_stores_nothing(phone, db):
    from django.http import QueryDict

    params = {"MessageSid": ["SM" + "a" * 32, "SM" + "b" * 32], "From": "+13125550000", "Body": "hi"}
    signed = QueryDict(mutable=True)
    for name, value in params.items():
        signed.setlist(name, value if isinstance(value, list) else [value])
    response = phone.client.post(
        "/sms/twilio/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature_for("/sms/twilio/inbound", signed)
    )
    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_an_mms_id_is_a_message_id(phone, member):
    response = phone.text(member.phone, "hi", sid="MM" + "c" * 32)
    assert response.status_code == 200
    assert Message.objects.filter(provider_sid="MM" + "c" * 32).count() == 1
