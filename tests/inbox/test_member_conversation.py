"""A member's conversation: GET and POST /members/{id}/messages (CONTRACT §5),
and a request to be contacted raising an urgent alert (CONTRACT §6)."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Alert, RuleSetting
from checkins.models import Member
from checkins.texts import say
from config import limits
from sms.models import Message
from tests.conftest import replies
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(org, supporter, supervisor):
    # The supervisor exists so that alerts have someone to escalate to.
    return MemberFactory(organization=org, supporter=supporter, name="Dana Whitfield")


def _text(member, direction, body, minutes_ago, kind=None, staff=None, status=None):
    outbound = direction == Message.Direction.OUTBOUND
    return Message.objects.create(
        direction=direction,
        kind=kind or (Message.Kind.PROMPT if outbound else Message.Kind.TEXT),
        organization_id=member.organization_id,
        member=member,
        staff=staff,
        phone=staff.phone if staff else member.phone,
        body=body,
        status=status or (Message.Status.DELIVERED if outbound else Message.Status.RECEIVED),
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )


@pytest.fixture
def thread(member, supporter):
    """Three texts of the member's conversation, oldest first, and two that are not."""
    prompt = _text(member, Message.Direction.OUTBOUND, "How is your mood today, 1 to 5?", 30)
    answer = _text(member, Message.Direction.INBOUND, "4", 20)
    staff_reply = _text(member, Message.Direction.OUTBOUND, "Glad to hear it", 10, kind=Message.Kind.STAFF_REPLY)
    # Not the member's conversation: a text to staff about them, another member's text.
    _text(
        member, Message.Direction.OUTBOUND, "URGENT check-in alert", 5, kind=Message.Kind.NOTIFICATION, staff=supporter
    )
    other = MemberFactory(organization=member.organization, supporter=supporter)
    _text(other, Message.Direction.INBOUND, "someone else's text", 1)
    return [prompt, answer, staff_reply]


# --- GET ------------------------------------------------------------------------


def test_conversation_is_newest_first_both_ways_without_staff_texts(api, supervisor, member, thread):
    response = api.as_(supervisor).get(f"/members/{member.id}/messages")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 3
    assert [item["id"] for item in body["items"]] == [m.id for m in reversed(thread)]
    newest = body["items"][0]
    assert set(newest) == {"id", "direction", "body", "at", "status"}
    assert [item["direction"] for item in body["items"]] == ["out", "in", "out"]
    assert newest["body"] == "Glad to hear it"
    assert newest["status"] == "delivered"
    # JSON carries milliseconds.
    assert abs(dt.datetime.fromisoformat(newest["at"]) - thread[2].created_at) < dt.timedelta(milliseconds=1)
    assert response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_conversation_is_paginated(api, supervisor, member, thread):
    as_supervisor = api.as_(supervisor)
    first = as_supervisor.get(f"/members/{member.id}/messages", limit=2).json()
    rest = as_supervisor.get(f"/members/{member.id}/messages", limit=2, offset=2).json()
    assert first["count"] == rest["count"] == 3
    assert [i["id"] for i in first["items"] + rest["items"]] == [m.id for m in reversed(thread)]
    assert as_supervisor.get(f"/members/{member.id}/messages", limit=0).status_code == 422
    assert as_supervisor.get(f"/members/{member.id}/messages", limit=100_000).status_code == 422


def test_assigned_supporter_sees_the_conversation(api, supporter, member, thread):
    response = api.as_(supporter).get(f"/members/{member.id}/messages")
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_another_supporter_and_another_organization_get_404(api, org, supervisor, member, thread):
    someone_else = StaffFactory(organization=org)
    as_other = api.as_(someone_else)
    assert as_other.get(f"/members/{member.id}/messages").status_code == 404
    assert as_other.post(f"/members/{member.id}/messages", {"body": "hi"}).status_code == 404

    outsider = MemberFactory(organization=OrganizationFactory())
    as_supervisor = api.as_(supervisor)
    assert as_supervisor.get(f"/members/{outsider.id}/messages").status_code == 404
    assert as_supervisor.post(f"/members/{outsider.id}/messages", {"body": "hi"}).status_code == 404
    assert not Message.objects.filter(status=Message.Status.QUEUED).exists(), "nothing was queued"


def test_no_token_is_401(api, member):
    assert api.get(f"/members/{member.id}/messages").status_code == 401


# --- POST -----------------------------------------------------------------------


def test_staff_text_is_queued_through_the_outbox(api, supporter, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.as_(supporter).post(f"/members/{member.id}/messages", {"body": "  Call you at 5?  "})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["direction"] == "out"
    assert body["body"] == "Call you at 5?"
    assert body["status"] == "queued"
    message = Message.objects.get(pk=body["id"])
    assert message.member == member
    assert message.staff is None
    assert message.phone == member.phone
    assert message.kind == Message.Kind.STAFF_REPLY
    assert message.status == Message.Status.QUEUED
    assert message.next_attempt_at is not None, "due for the delivery loop"
    assert callbacks, "delivery is requested once the request commits"
    # It is part of the conversation right away.
    listed = api.as_(supporter).get(f"/members/{member.id}/messages").json()
    assert listed["items"][0]["id"] == message.id


def test_staff_text_is_sent_by_the_delivery_loop(api, supervisor, member, twilio, deliver):
    response = api.as_(supervisor).post(f"/members/{member.id}/messages", {"body": "Thinking of you today."})
    assert response.status_code == 201
    assert deliver() == 1
    message = Message.objects.get(pk=response.json()["id"])
    assert message.status == Message.Status.SENT
    assert message.provider_sid


@pytest.mark.parametrize("status", [Member.Status.OPTED_OUT, Member.Status.DISCHARGED])
def test_no_text_to_a_member_who_cannot_be_texted(api, supervisor, member, status):
    member.status = status
    member.save(update_fields=["status"])
    response = api.as_(supervisor).post(f"/members/{member.id}/messages", {"body": "hello"})
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert ("opted out" if status == Member.Status.OPTED_OUT else "discharged") in detail
    assert not Message.objects.filter(member=member, direction=Message.Direction.OUTBOUND).exists()


@pytest.mark.parametrize("text", ["", "   \n ", "x" * (limits.STAFF_TEXT_MAX + 1)])
def test_empty_or_too_long_is_422_naming_body(api, supervisor, member, text):
    response = api.as_(supervisor).post(f"/members/{member.id}/messages", {"body": text})
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "body"
    assert not Message.objects.filter(member=member).exists()


def test_missing_body_is_422_naming_body(api, supervisor, member):
    response = api.as_(supervisor).post(f"/members/{member.id}/messages", {})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"


def test_longest_text_is_accepted(api, supervisor, member):
    text = "x" * limits.STAFF_TEXT_MAX
    response = api.as_(supervisor).post(f"/members/{member.id}/messages", {"body": text + "  "})
    assert response.status_code == 201
    assert response.json()["body"] == text


# --- Asking to be contacted, through the webhook ----------------------------------


@pytest.mark.parametrize(
    ("language", "body"), [("en", "rough night, can someone call me?"), ("es", "necesito hablar con alguien")]
)
def test_a_request_to_be_contacted_raises_an_urgent_alert(phone, member, supporter, language, body):
    member.language = language
    member.save(update_fields=["language"])
    response = phone.text(member.phone, body)
    assert response.status_code == 200
    # The member still hears the usual free-text acknowledgement.
    assert replies(response) == [say("free_text", language, supporter=supporter.name.split()[0])]
    alert = member.alerts.get()
    assert alert.severity == "urgent"
    assert alert.topic == Alert.Topic.CONTACT
    assert alert.reasons == ["Asked to be contacted."]
    # The supporter is texted, without the member's words.
    (notification,) = Message.objects.filter(alert=alert, staff=supporter)
    assert body not in notification.body
    assert "call" not in notification.body.lower() and "hablar" not in notification.body.lower()


def test_asking_again_adds_to_the_open_alert(phone, member):
    phone.text(member.phone, "can someone call me")
    phone.text(member.phone, "please call me when you can")
    assert member.alerts.count() == 1
    assert member.alerts.get().reasons == ["Asked to be contacted."]


def test_other_free_text_raises_no_alert(phone, member, supporter):
    response = phone.text(member.phone, "had a good day at work, went to a meeting")
    assert replies(response) == [say("free_text", "en", supporter=supporter.name.split()[0])]
    assert not member.alerts.exists()


def test_crisis_words_take_the_crisis_path_not_a_contact_alert(phone, member):
    response = phone.text(member.phone, "i want to kill myself, can someone call me")
    assert replies(response) == [member.program.crisis_text("en")]
    alert = member.alerts.get()
    assert alert.topic == Alert.Topic.CRISIS
    assert alert.severity == "crisis"


def test_a_program_can_switch_the_rule_off(phone, member):
    RuleSetting.objects.filter(program=member.program, kind=RuleSetting.Kind.CONTACT_REQUEST).update(enabled=False)
    phone.text(member.phone, "can someone call me")
    assert not member.alerts.exists()


def test_new_programs_have_the_rule_at_urgent(member):
    rule = member.program.rules.get(kind=RuleSetting.Kind.CONTACT_REQUEST)
    assert (rule.enabled, rule.severity, rule.threshold) == (True, "urgent", None)


def test_the_migration_installs_the_rule_in_existing_programs(member):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("alerts.migrations.0004_contact_request_rule")
    member.program.rules.filter(kind=RuleSetting.Kind.CONTACT_REQUEST).delete()
    migration.forward(apps, None)
    migration.forward(apps, None)  # twice: still one row
    rule = member.program.rules.get(kind=RuleSetting.Kind.CONTACT_REQUEST)
    assert (rule.enabled, rule.severity, rule.threshold) == (True, "urgent", None)
