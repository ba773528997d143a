"""The conversation on the member and alert pages: the last texts both ways
with their time and delivery status, a reply through the outbox (the API's
rule, inbox/replies.py), the words that raised an alert, how to reach the
member, and the emergency contact and safety plan. Only the assigned
supporter and supervisors see or post any of it; anyone else gets 404."""

import datetime as dt

import pytest
from django.utils import timezone

from checkins.models import Answer, CheckIn, Member
from config import limits
from sms.models import Message
from tests.web.conftest import raise_alert


def _text(member, direction, body, minutes_ago=0, kind=None, status=None, staff=None):
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


def _set_status(member, status):
    Member.objects.filter(pk=member.pk).update(status=status)


# --- The conversation ---------------------------------------------------------------


def test_the_conversation_shows_both_ways_oldest_first_with_time_zone_and_delivery(signed_in, supporter, member):
    _text(member, "out", "How are you feeling today?", minutes_ago=30, status="delivered")
    _text(member, "in", "pretty rough honestly", minutes_ago=20)
    _text(member, "out", "Thinking of you, call me any time", minutes_ago=10, kind="staff_reply", status="queued")
    _text(member, "out", "Reminder text", minutes_ago=5, kind="staff_reply", status="failed")
    # A text to staff about the member is staff's, not the member's conversation.
    _text(member, "out", "STAFF-ONLY NOTIFICATION", kind="notification", staff=supporter)
    page = signed_in(supporter).get(f"/members/{member.pk}").content.decode()
    thread = page[page.index('id="conversation"') :]
    order = [thread.index(s) for s in ("How are you feeling", "pretty rough", "Thinking of you", "Reminder text")]
    assert order == sorted(order)  # newest at the bottom, like a phone
    assert "STAFF-ONLY NOTIFICATION" not in page
    assert ">delivered<" in thread and ">queued<" in thread and ">failed<" in thread
    assert " UTC</time>" in thread  # each text's time carries its time zone


def test_the_conversation_shows_the_last_fifty(signed_in, supporter, member):
    for n in range(55):
        _text(member, "in", f"text number {n:02d}", minutes_ago=100 - n)
    page = signed_in(supporter).get(f"/members/{member.pk}").content.decode()
    assert "text number 04" not in page
    assert "text number 05" in page and "text number 54" in page


def test_a_reply_is_queued_through_the_outbox(signed_in, supporter, member, django_capture_on_commit_callbacks):
    client = signed_in(supporter)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/members/{member.pk}/reply", {"body": "  Here if you need me.  "})
    assert response.status_code == 302
    assert response["Location"] == f"/members/{member.pk}#conversation"
    message = Message.objects.get(kind=Message.Kind.STAFF_REPLY)
    assert (message.member, message.staff, message.phone) == (member, None, member.phone)
    assert (message.body, message.status, message.priority) == ("Here if you need me.", "queued", Message.Priority.REPLY)
    assert callbacks  # delivery is asked for once the text is committed
    page = client.get(f"/members/{member.pk}").content.decode()
    assert "Text to Dana queued" in page
    assert "Here if you need me." in page and ">queued<" in page


def test_a_supervisor_can_reply_too(signed_in, supervisor, member):
    signed_in(supervisor).post(f"/members/{member.pk}/reply", {"body": "Checking in."})
    assert Message.objects.filter(kind=Message.Kind.STAFF_REPLY, member=member).count() == 1


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Member.Status.OPTED_OUT, "This member has opted out of texts: nothing can be sent until they text START."),
        (Member.Status.DISCHARGED, "This member is discharged: no texts can be sent."),
    ],
)
def test_a_reply_is_refused_while_opted_out_or_discharged_with_the_reason(signed_in, supporter, member, status, reason):
    _set_status(member, status)
    response = signed_in(supporter).post(f"/members/{member.pk}/reply", {"body": "Are you OK?"})
    assert response.status_code == 200  # the page again, with the form's error
    page = response.content.decode()
    assert f'<p class="field-error" role="alert">{reason}</p>' in page
    assert "Are you OK?" in page  # what was typed is kept
    assert not Message.objects.filter(kind=Message.Kind.STAFF_REPLY).exists()


@pytest.mark.parametrize("body", ["", "   ", "x" * (limits.STAFF_TEXT_MAX + 1)])
def test_an_empty_or_too_long_reply_is_a_form_error(signed_in, supporter, member, body):
    response = signed_in(supporter).post(f"/members/{member.pk}/reply", {"body": body})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not Message.objects.filter(kind=Message.Kind.STAFF_REPLY).exists()


@pytest.mark.parametrize("who", ["other_supporter", "outsider"])
def test_anyone_else_can_neither_see_nor_post(signed_in, request, member, who):
    _text(member, "in", "private words")
    alert = raise_alert(member)
    client = signed_in(request.getfixturevalue(who))
    for response in (
        client.get(f"/members/{member.pk}"),
        client.get(f"/alerts/{alert.pk}"),
        client.post(f"/members/{member.pk}/reply", {"body": "hello"}),
        client.post(f"/alerts/{alert.pk}/reply", {"body": "hello"}),
        client.post(f"/members/{member.pk}/safety", {"emergency_contact_name": "X", "safety_plan": "changed"}),
    ):
        assert response.status_code == 404
        assert b"private words" not in response.content
    assert not Message.objects.filter(kind=Message.Kind.STAFF_REPLY).exists()
    member.refresh_from_db()
    assert member.safety_plan == ""


def test_signed_out_posts_go_to_sign_in(client, member):
    response = client.post(f"/members/{member.pk}/reply", {"body": "hello"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not Message.objects.filter(kind=Message.Kind.STAFF_REPLY).exists()


# --- Emergency contact and safety plan ------------------------------------------------


def test_emergency_contact_and_safety_plan_are_saved_and_shown(signed_in, supporter, member):
    client = signed_in(supporter)
    response = client.post(
        f"/members/{member.pk}/safety",
        {
            "emergency_contact_name": "Rosa Whitfield (sister)",
            "emergency_contact_phone": "(202) 555-0199",
            "safety_plan": "Call Rosa. Walk to the park. 988 any time.",
        },
    )
    assert response["Location"] == f"/members/{member.pk}#safety"
    member.refresh_from_db()
    assert member.emergency_contact_name == "Rosa Whitfield (sister)"
    assert member.emergency_contact_phone == "+12025550199"  # stored as E.164
    assert member.safety_plan == "Call Rosa. Walk to the park. 988 any time."
    page = client.get(f"/members/{member.pk}").content.decode()
    assert 'href="tel:+12025550199"' in page and "Walk to the park." in page
    alert = raise_alert(member)
    page = client.get(f"/alerts/{alert.pk}").content.decode()
    assert "Rosa Whitfield (sister)" in page and 'href="tel:+12025550199"' in page
    assert "Walk to the park." in page


def test_a_supervisor_can_edit_and_clear_them(signed_in, supervisor, member):
    Member.objects.filter(pk=member.pk).update(emergency_contact_name="Rosa", emergency_contact_phone="+12025550199")
    signed_in(supervisor).post(
        f"/members/{member.pk}/safety", {"emergency_contact_name": "", "emergency_contact_phone": "", "safety_plan": ""}
    )
    member.refresh_from_db()
    assert (member.emergency_contact_name, member.emergency_contact_phone, member.safety_plan) == ("", "", "")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"emergency_contact_name": "Rosa", "emergency_contact_phone": "not a phone"}, "This is not a phone number we can read"),
        ({"emergency_contact_name": "Rosa", "emergency_contact_phone": "+1 202 555"}, "This phone number is not valid"),
        ({"emergency_contact_phone": "+1 202 555 0199"}, "Write whose number this is."),
        ({"emergency_contact_name": "R" * (limits.EMERGENCY_CONTACT_NAME_MAX + 1)}, "Keep the name to"),
        ({"safety_plan": "x" * (limits.SAFETY_PLAN_MAX + 1)}, "Keep the safety plan to 1,000 characters or fewer."),
    ],
)
def test_invalid_emergency_contact_or_safety_plan_is_a_form_error(signed_in, supporter, member, data, error):
    response = signed_in(supporter).post(f"/members/{member.pk}/safety", {"safety_plan": "Old plan", **data})
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert "<details open>" in page  # the form is open, with what was typed
    member.refresh_from_db()
    assert (member.emergency_contact_name, member.emergency_contact_phone, member.safety_plan) == ("", "", "")


def test_the_longest_safety_plan_is_accepted(signed_in, supporter, member):
    plan = "x" * limits.SAFETY_PLAN_MAX
    signed_in(supporter).post(f"/members/{member.pk}/safety", {"safety_plan": plan})
    member.refresh_from_db()
    assert member.safety_plan == plan


# --- The alert page -----------------------------------------------------------------


def test_the_alert_page_shows_the_text_that_raised_it_the_phone_and_the_last_contact(signed_in, supporter, member):
    _text(member, "in", "an older text", minutes_ago=60 * 24)
    _text(member, "out", "Hi Dana", minutes_ago=60 * 23, kind="staff_reply")
    _text(member, "in", "can someone call me tonight", minutes_ago=1)
    alert = raise_alert(member, rule="contact_request", reason="Asked to be contacted.")
    alert.topic = "contact"
    alert.save(update_fields=["topic"])
    page = signed_in(supporter).get(f"/alerts/{alert.pk}").content.decode()
    words = page[page.index('id="words-title"') :]
    assert "can someone call me tonight" in words[: words.index("</section>")]
    assert "an older text" not in page
    assert f'href="tel:{member.phone}"' in page
    reach = page[page.index('id="reach-title"') :]
    assert "Dana texted" in reach  # the last contact: their text a minute ago
    assert f'action="/alerts/{alert.pk}/reply"' in page


def test_the_alert_page_shows_the_checkin_answers_that_raised_it(signed_in, supporter, member):
    checkin = CheckIn.objects.create(member=member, scheduled_for=timezone.now(), closes_at=timezone.now())
    questions = {q.key: q for q in member.program.questions.all()}
    Answer.objects.create(checkin=checkin, question=questions["mood"], text="4ish", value=4)
    Answer.objects.create(checkin=checkin, question=questions["craving"], text="nine, bad", value=9)
    alert = raise_alert(member)  # a craving alert
    page = signed_in(supporter).get(f"/alerts/{alert.pk}").content.decode()
    words = page[page.index('id="words-title"') :]
    words = words[: words.index("</section>")]
    for key, answer in (("mood", "4ish"), ("craving", "nine, bad")):
        assert questions[key].text_en in words
        assert answer in words


def test_the_last_contact_is_a_staff_reply_when_that_came_last(signed_in, supporter, member):
    _text(member, "in", "ok", minutes_ago=30)
    _text(member, "out", "Call you at 5", minutes_ago=10, kind="staff_reply")
    _text(member, "out", "How are you feeling today?", minutes_ago=5)  # a prompt is not contact
    alert = raise_alert(member)
    page = signed_in(supporter).get(f"/alerts/{alert.pk}").content.decode()
    reach = page[page.index('id="reach-title"') :]
    assert "Staff texted Dana" in reach


def test_a_reply_from_the_alert_page_is_queued_and_comes_back_to_the_alert(signed_in, supporter, member):
    alert = raise_alert(member)
    response = signed_in(supporter).post(f"/alerts/{alert.pk}/reply", {"body": "I'll call in 10 minutes."})
    assert response["Location"] == f"/alerts/{alert.pk}#reply"
    message = Message.objects.get(kind=Message.Kind.STAFF_REPLY)
    assert (message.member, message.body, message.status) == (member, "I'll call in 10 minutes.", "queued")


def test_a_reply_from_the_alert_page_while_opted_out_shows_the_reason(signed_in, supporter, member):
    alert = raise_alert(member)
    _set_status(member, Member.Status.OPTED_OUT)
    response = signed_in(supporter).post(f"/alerts/{alert.pk}/reply", {"body": "Are you OK?"})
    assert response.status_code == 200
    assert "This member has opted out of texts" in response.content.decode()
    assert not Message.objects.filter(kind=Message.Kind.STAFF_REPLY).exists()
