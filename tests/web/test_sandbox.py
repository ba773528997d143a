"""The SMS sandbox: only with the console backend and SMS_SANDBOX on (by
default only with DEBUG on), only for signed-in staff, only their own phone
and the phones of members they may see; typed replies go through the real,
signed inbound webhook."""

from unittest import mock

import pytest

from alerts.models import Alert
from checkins.models import CheckIn
from sms import webhooks
from sms.models import Message


def test_the_sandbox_does_not_exist_without_the_console_backend(signed_in, settings, supervisor, member):
    settings.SMS_BACKEND = "twilio"
    client = signed_in(supervisor)
    assert client.get("/sandbox/").status_code == 404
    assert client.get("/sandbox/threads").status_code == 404
    assert client.post(f"/sandbox/m{member.pk}/send", {"body": "hi"}).status_code == 404
    assert client.post(f"/sandbox/members/{member.pk}/start").status_code == 404
    assert not Message.objects.exists()


def test_the_sandbox_is_for_signed_in_staff(client, member):
    assert client.get("/sandbox/").status_code == 302
    assert client.post(f"/sandbox/m{member.pk}/send", {"body": "hi"}).status_code == 302
    assert not Message.objects.exists()


def test_the_sandbox_is_off_unless_switched_on(signed_in, settings, supervisor, member):
    """With DEBUG off SMS_SANDBOX defaults to off (tests/deploy/test_settings.py)."""
    settings.SMS_SANDBOX = False
    client = signed_in(supervisor)
    assert client.get("/sandbox/").status_code == 404
    assert client.post(f"/sandbox/m{member.pk}/send", {"body": "hi"}).status_code == 404
    assert "SMS sandbox" not in client.get("/").content.decode()
    assert not Message.objects.exists()


def test_a_supervisor_sees_the_organizations_members_and_only_their_own_staff_phone(
    signed_in, supervisor, supporter, member, other_member, outsider
):
    from tests.factories import MemberFactory

    stranger = MemberFactory(organization=outsider.organization, supporter__organization=outsider.organization)
    page = signed_in(supervisor).get("/sandbox/").content.decode()
    for phone in (supervisor.phone, member.phone, other_member.phone):
        assert phone in page
    assert supporter.phone not in page, "another staff member's phone is not the supervisor's to text from"
    assert stranger.phone not in page and outsider.phone not in page


def test_a_supervisor_cannot_acknowledge_as_another_staff_member(
    signed_in, supervisor, supporter, member, django_capture_on_commit_callbacks
):
    from tests.web.conftest import raise_alert

    alert = raise_alert(member)
    client = signed_in(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        for body in ("ACK", f"ACK {alert.pk}"):
            assert client.post(f"/sandbox/s{supporter.pk}/send", {"body": body}).status_code == 404
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN
    assert not Message.objects.filter(direction=Message.Direction.INBOUND).exists()


def test_a_supporter_sees_their_members_and_their_own_phone(signed_in, supporter, supervisor, member, other_member):
    page = signed_in(supporter).get("/sandbox/").content.decode()
    assert member.phone in page and supporter.phone in page
    assert other_member.phone not in page and supervisor.phone not in page


def test_a_supporter_cannot_text_as_someone_elses_phone(signed_in, supporter, supervisor, other_member):
    client = signed_in(supporter)
    assert client.post(f"/sandbox/m{other_member.pk}/send", {"body": "STOP"}).status_code == 404
    assert client.post(f"/sandbox/s{supervisor.pk}/send", {"body": "ACK"}).status_code == 404
    assert client.post("/sandbox/x1/send", {"body": "hi"}).status_code == 404
    assert not Message.objects.exists()


def test_a_typed_reply_goes_through_the_signed_inbound_webhook(
    signed_in, supporter, member, django_capture_on_commit_callbacks
):
    client = signed_in(supporter)
    client.post(f"/sandbox/members/{member.pk}/start")
    verdicts = []
    real_check = webhooks.signature_is_valid

    def spy(request):
        verdicts.append(real_check(request))
        return verdicts[-1]

    with mock.patch.object(webhooks, "signature_is_valid", spy):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/sandbox/m{member.pk}/send", {"body": "4"})
    assert verdicts == [True]
    inbound = Message.objects.get(direction=Message.Direction.INBOUND)
    assert inbound.member == member and inbound.body == "4"
    assert inbound.provider_sid.startswith("SM") and len(inbound.provider_sid) == 34
    assert member.checkins.get().answers.get().value == 4


def test_a_reply_with_a_bad_signature_is_refused_like_twilios(signed_in, settings, supporter, member):
    """The sandbox signs with the configured token; the webhook checks it. If
    they disagreed, the text would be refused, not let through."""
    with mock.patch.object(webhooks, "signature_for", return_value="forged"):
        response = signed_in(supporter).post(
            f"/sandbox/m{member.pk}/send", {"body": "hello"}, HTTP_X_REQUESTED_WITH="fetch"
        )
    assert response.status_code == 400
    assert "403" in response.content.decode()
    assert not Message.objects.filter(direction=Message.Direction.INBOUND).exists()


def test_the_whole_loop_from_checkin_to_escalation(
    signed_in, supervisor, supporter, member, django_capture_on_commit_callbacks
):
    client = signed_in(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/sandbox/members/{member.pk}/start", HTTP_X_REQUESTED_WITH="fetch")
        for reply in ("3", "craving 9", "no"):
            assert client.post(
                f"/sandbox/m{member.pk}/send", {"body": reply}, HTTP_X_REQUESTED_WITH="fetch"
            ).status_code == 204
    alert = Alert.objects.get(member=member)
    assert alert.severity == "urgent"
    threads = signed_in(supporter).get("/sandbox/threads").content.decode()
    assert f"URGENT check-in alert for Dana W. (alert {alert.pk})" in threads
    assert member.checkins.get().status == CheckIn.Status.COMPLETED


@pytest.mark.parametrize("body", ["", "x" * 1601])
def test_empty_or_overlong_replies_are_not_sent(signed_in, supporter, member, body):
    response = signed_in(supporter).post(f"/sandbox/m{member.pk}/send", {"body": body}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 400
    assert not Message.objects.exists()
