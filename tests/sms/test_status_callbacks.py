import pytest

from sms import outbox
from sms.models import Message
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_message(member):
    message = outbox.queue(phone=member.phone, body="hi", kind="prompt", priority=2, member=member)
    Message.objects.filter(pk=message.pk).update(status="sent", provider_sid="SM" + "a" * 32)
    return Message.objects.get(pk=message.pk)


@pytest.mark.parametrize(
    "sequence, final",
    [
        (["sent", "delivered"], "delivered"),
        (["delivered", "sent"], "delivered"),
        (["delivered", "sending", "queued"], "delivered"),
        (["undelivered", "sent", "delivered"], "undelivered"),
        (["sent", "sent", "sent"], "sent"),
        (["sending", "sent"], "sent"),
        (["failed", "delivered"], "failed"),
        (["made-up-status"], "sent"),
    ],
)
def test_status_only_moves_forward(phone, sent_message, sequence, final):
    for status in sequence:
        assert phone.status(sent_message.provider_sid, status).status_code == 204
    sent_message.refresh_from_db()
    assert sent_message.status == final


def test_bad_signature_changes_nothing(phone, sent_message):
    response = phone.client.post(
        "/sms/twilio/status",
        {"MessageSid": sent_message.provider_sid, "MessageStatus": "delivered"},
        HTTP_X_TWILIO_SIGNATURE="wrong",
    )
    assert response.status_code == 403
    sent_message.refresh_from_db()
    assert sent_message.status == "sent"


def test_unknown_sid_is_harmless(phone, db):
    assert phone.status("SM" + "f" * 32, "delivered").status_code == 204


def test_undelivered_marks_the_member_unreachable_with_an_info_alert(phone, sent_message):
    phone.status(sent_message.provider_sid, "undelivered", error_code="30003")
    member = sent_message.member
    member.refresh_from_db()
    assert member.unreachable_since is not None
    alert = member.alerts.get()
    assert alert.severity == "info" and alert.topic == "unreachable"
    assert "phone is off" in alert.reasons[0]
    assert not Message.objects.filter(kind="notification").exists(), "unreachable is not texted as risk"


def test_delivered_clears_unreachable(phone, org):
    member = MemberFactory(organization=org)
    member.unreachable_since = member.created_at
    member.save()
    message = outbox.queue(phone=member.phone, body="hi", kind="prompt", priority=2, member=member)
    Message.objects.filter(pk=message.pk).update(status="sent", provider_sid="SM" + "b" * 32)
    phone.status("SM" + "b" * 32, "delivered")
    member.refresh_from_db()
    assert member.unreachable_since is None


def test_carrier_opt_out_error_opts_the_member_out(phone, sent_message):
    phone.status(sent_message.provider_sid, "failed", error_code="21610")
    sent_message.member.refresh_from_db()
    assert sent_message.member.status == "opted_out"
