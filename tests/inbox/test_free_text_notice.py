"""A free text from a member gets their supporter a privacy-safe notice
("New message from Dana W. Read it at <link>"), at most once an hour per
member, through the signed webhook as Twilio delivers texts. Answers,
keywords, crisis texts and requests to be contacted (which raise an alert
instead) send none."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from checkins.schedule import start_checkin
from sms.models import Message
from tests.factories import MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db

WORDS = "had a rough shift at the warehouse today"


@pytest.fixture
def member(org, supporter, supervisor):
    return MemberFactory(organization=org, supporter=supporter, name="Dana Whitfield")


def notices():
    return list(Message.objects.filter(kind=Message.Kind.STAFF_NOTICE).order_by("id"))


def text(phone, member, body):
    response = phone.text(member.phone, body)
    assert response.status_code == 200


def test_a_free_text_queues_one_privacy_safe_notice_to_the_supporter(phone, member, supporter):
    text(phone, member, WORDS)
    (notice,) = notices()
    assert notice.body == f"New message from Dana W. Read it at {settings.PUBLIC_BASE_URL}/members/{member.pk}"
    assert (notice.direction, notice.status, notice.phone) == ("out", "queued", supporter.phone)
    assert (notice.staff, notice.member, notice.alert) == (supporter, None, None)
    # After alerts to staff, never ahead of them.
    assert notice.priority == Message.Priority.REPLY
    # Never the member's words, surname or phone number.
    for private in ("rough", "warehouse", "Whitfield", member.phone, member.phone[-4:]):
        assert private not in notice.body
    # The notice is staff's, not part of the member's conversation.
    assert notice not in member.messages.all()


def test_at_most_one_notice_an_hour_per_member(phone, member, org, supporter):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        text(phone, member, WORDS)
    with time_machine.travel(start + dt.timedelta(minutes=59), tick=False):
        text(phone, member, "and another thing")
    assert len(notices()) == 1
    # Another member of the same supporter gets their own notice.
    other = MemberFactory(organization=org, supporter=supporter, name="Lee Park")
    with time_machine.travel(start + dt.timedelta(minutes=59, seconds=30), tick=False):
        text(phone, other, "hello there")
    assert [n.body.rsplit("/", 1)[1] for n in notices()] == [str(member.pk), str(other.pk)]
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        text(phone, member, "still here")
    assert [n.body.rsplit("/", 1)[1] for n in notices()] == [str(member.pk), str(other.pk), str(member.pk)]


def test_a_new_supporter_is_told_even_within_the_hour(phone, member, org, supporter):
    text(phone, member, WORDS)
    newcomer = StaffFactory(organization=org, name="Kim Osei")
    member.supporter = newcomer
    member.save(update_fields=["supporter"])
    text(phone, member, "hi again")
    assert [n.staff for n in notices()] == [supporter, newcomer]


def test_answers_send_no_notice(phone, member):
    start_checkin(member)
    text(phone, member, "4")
    text(phone, member, "2")
    assert notices() == []


@pytest.mark.parametrize("body", ["HELP", "STOP", "START"])
def test_keywords_send_no_notice(phone, member, body):
    text(phone, member, body)
    assert notices() == []


@pytest.mark.parametrize("body", ["i dont want to wake up tomorrow", "my roommate is not breathing"])
def test_crisis_texts_send_no_notice(phone, member, body):
    text(phone, member, body)
    assert member.alerts.exists()  # the alert's own texts tell staff
    assert notices() == []


def test_a_request_to_be_contacted_raises_an_alert_instead(phone, member):
    text(phone, member, "can you call me")
    assert member.alerts.get().severity == "urgent"
    assert notices() == []


def test_a_staff_ack_sends_no_notice(phone, member, supporter):
    from tests.web.conftest import raise_alert

    alert = raise_alert(member)
    response = phone.text(supporter.phone, f"ACK {alert.pk}")
    assert response.status_code == 200
    assert notices() == []
