"""Crisis words get the 988 reply and reach staff also from a member who
opted out or was discharged (CONTRACT §6). The reply answers the member's own
text in the webhook's answer; nothing else is sent to them."""

import pytest

from alerts.models import Alert
from sms.models import Message
from tests.conftest import replies
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(org, supporter, supervisor):
    return MemberFactory(organization=org, supporter=supporter, name="Dana Whitfield")


def opted_out(phone, member):
    assert phone.text(member.phone, "STOP").status_code == 200
    member.refresh_from_db()
    assert member.status == "opted_out"


def discharged(phone, member):
    member.status = "discharged"
    member.next_checkin_at = None
    member.save()


STATES = [pytest.param(opted_out, id="opted-out"), pytest.param(discharged, id="discharged")]


@pytest.mark.parametrize("leave", STATES)
@pytest.mark.parametrize(
    "body, language",
    [("i want to kill myself", "en"), ("going to overdose tonight", "en"), ("me quiero matar", "es")],
    ids=["suicide-en", "overdose-en", "suicide-es"],
)
def test_crisis_words_still_get_988_and_reach_staff(phone, member, supporter, supervisor, leave, body, language):
    member.language = language
    member.save(update_fields=["language"])
    leave(phone, member)

    response = phone.text(member.phone, body)

    assert response.status_code == 200
    (reply,) = replies(response)
    assert "988" in reply
    assert reply == member.program.crisis_text(language)
    alert = member.alerts.get(topic=Alert.Topic.CRISIS)
    assert alert.severity == "crisis"
    texted = set(Message.objects.filter(alert=alert, kind="notification").values_list("phone", flat=True))
    assert texted == {supporter.phone, supervisor.phone}


@pytest.mark.parametrize("leave", STATES)
def test_other_texts_still_get_nothing_back(phone, member, leave):
    leave(phone, member)
    response = phone.text(member.phone, "hello, how are you")
    assert response.status_code == 200
    assert replies(response) == []
    assert not member.alerts.exists()


def test_an_opted_out_member_stays_opted_out_after_a_crisis_reply(phone, member):
    opted_out(phone, member)
    phone.text(member.phone, "i want to die")
    member.refresh_from_db()
    assert member.status == "opted_out"
    assert member.next_checkin_at is None
