import pytest

from checkins.models import CheckIn
from sms.models import Message
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_start_a_checkin_now(api, supporter, member):
    response = api.as_(supporter).post(f"/members/{member.id}/checkins")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "open"
    prompt = Message.objects.get(kind="prompt")
    assert prompt.checkin_id == body["id"] and prompt.priority == Message.Priority.REPLY


def test_list_checkins_newest_first_with_answers(api, supporter, member, phone):
    as_supporter = api.as_(supporter)
    first = as_supporter.post(f"/members/{member.id}/checkins").json()["id"]
    phone.text(member.phone, "4")
    phone.text(member.phone, "nah, like 2")
    phone.text(member.phone, "nope")
    second = as_supporter.post(f"/members/{member.id}/checkins").json()["id"]
    phone.text(member.phone, "huh?")
    phone.text(member.phone, "dunno")
    items = as_supporter.get(f"/members/{member.id}/checkins").json()["items"]
    assert [c["id"] for c in items] == [second, first]
    assert items[0]["answers"] == [{"question": "mood", "text": "dunno", "value": None}]
    assert items[1]["status"] == "completed"
    assert items[1]["answers"] == [
        {"question": "mood", "text": "4", "value": 4},
        {"question": "craving", "text": "nah, like 2", "value": 2},
        {"question": "used", "text": "nope", "value": False},
    ]


def test_opted_out_member_cannot_be_sent_a_checkin(api, supervisor, member):
    member.opt_out()
    response = api.as_(supervisor).post(f"/members/{member.id}/checkins")
    assert response.status_code == 409
    assert not CheckIn.objects.exists()


def test_checkins_are_scoped(api, org, supporter):
    other = MemberFactory(organization=org)
    as_supporter = api.as_(supporter)
    assert as_supporter.post(f"/members/{other.id}/checkins").status_code == 404
    assert as_supporter.get(f"/members/{other.id}/checkins").status_code == 404
