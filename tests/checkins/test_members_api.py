import pytest

from checkins.models import Member
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_member(org, supporter):
    return {
        "name": "Maria Gonzalez",
        "phone": "(312) 555-0142",
        "timezone": "America/Chicago",
        "language": "es",
        "program_id": org.programs.get().id,
        "supporter_id": supporter.id,
        "checkin_time": "09:30",
        "consent": True,
    }


def test_supervisor_enrolls_a_member(api, supervisor, new_member):
    response = api.as_(supervisor).post("/members", new_member)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone"] == "+13125550142"
    assert body["checkin_time"] == "09:30"
    assert body["status"] == "active"
    assert body["consent"]["text_version"]
    member = Member.objects.get(pk=body["id"])
    assert member.next_checkin_at is not None
    assert member.next_checkin_at.astimezone(member.tz).strftime("%H:%M") == "09:30"


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("phone", "555", "phone number"),
        ("phone", "not a phone", "phone number"),
        ("timezone", "Mars/Olympus", "time zone"),
        ("timezone", "EST5EDTX", "time zone"),
        ("checkin_time", "7:00pm", "HH:MM"),
        ("checkin_time", "25:00", "HH:MM"),
        ("checkin_time", "06:00", "sending window"),
        ("checkin_time", "21:30", "sending window"),
        ("consent", False, "consent"),
        ("language", "fr", ""),
        ("program_id", 999999, "program"),
        ("supporter_id", 999999, "staff member"),
        ("name", "", "name"),
    ],
)
def test_invalid_member_fields_are_422_naming_the_field(api, supervisor, new_member, field, value, words):
    response = api.as_(supervisor).post("/members", {**new_member, field: value})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["errors"][0]["field"] == field
    assert words.lower() in body["detail"].lower()


def test_duplicate_phone_in_the_organization_is_409(api, supervisor, new_member):
    as_supervisor = api.as_(supervisor)
    assert as_supervisor.post("/members", new_member).status_code == 201
    again = as_supervisor.post("/members", {**new_member, "phone": "+1 312 555 0142"})
    assert again.status_code == 409
    assert "already enrolled" in again.json()["detail"]


def test_supporter_cannot_enroll(api, supporter, new_member):
    assert api.as_(supporter).post("/members", new_member).status_code == 403


def test_supervisor_cannot_use_another_organizations_supporter(api, supervisor, new_member):
    stranger = StaffFactory(organization=OrganizationFactory())
    response = api.as_(supervisor).post("/members", {**new_member, "supporter_id": stranger.id})
    assert response.status_code == 422


def test_supporter_sees_only_assigned_members(api, org, supporter, member):
    someone_elses = MemberFactory(organization=org)
    as_supporter = api.as_(supporter)
    listing = as_supporter.get("/members").json()
    assert listing["count"] == 1
    assert listing["items"][0]["id"] == member.id
    assert as_supporter.get(f"/members/{member.id}").status_code == 200
    assert as_supporter.get(f"/members/{someone_elses.id}").status_code == 404
    assert as_supporter.patch(f"/members/{someone_elses.id}", {"status": "paused"}).status_code == 404


def test_nothing_crosses_organizations(api, supervisor):
    outsider = MemberFactory(organization=OrganizationFactory())
    as_supervisor = api.as_(supervisor)
    assert as_supervisor.get(f"/members/{outsider.id}").status_code == 404
    assert as_supervisor.patch(f"/members/{outsider.id}", {"name": "X"}).status_code == 404
    assert outsider.id not in [m["id"] for m in as_supervisor.get("/members").json()["items"]]


def test_list_is_paginated(api, org, supervisor):
    MemberFactory.create_batch(5, organization=org)
    page = api.as_(supervisor).get("/members", limit=2, offset=2).json()
    assert page["count"] == 5
    assert len(page["items"]) == 2


def test_patch_pauses_and_resumes(api, supervisor, member):
    as_supervisor = api.as_(supervisor)
    paused = as_supervisor.patch(f"/members/{member.id}", {"status": "paused"}).json()
    assert paused["status"] == "paused" and paused["next_checkin_at"] is None
    resumed = as_supervisor.patch(f"/members/{member.id}", {"status": "active"}).json()
    assert resumed["status"] == "active" and resumed["next_checkin_at"] is not None


def test_patch_cannot_set_opted_out(api, supervisor, member):
    assert api.as_(supervisor).patch(f"/members/{member.id}", {"status": "opted_out"}).status_code == 422


def test_supporter_cannot_reassign(api, supporter, member):
    other = StaffFactory(organization=member.organization)
    response = api.as_(supporter).patch(f"/members/{member.id}", {"supporter_id": other.id})
    assert response.status_code == 403


def test_patch_to_a_taken_phone_is_409(api, org, supervisor, member):
    other = MemberFactory(organization=org)
    response = api.as_(supervisor).patch(f"/members/{member.id}", {"phone": other.phone})
    assert response.status_code == 409


@pytest.mark.parametrize(
    "raw",
    [
        "[]",
        "null",
        '{"name": 5}',
        '{"name": {"$gt": ""}, "phone": ["+1"], "consent": "yes please"}',
        '{"name": "Robert\'); DROP TABLE checkins_member;--", "phone": "+13125550100", "timezone": "UTC", '
        '"language": "en", "program_id": "1 OR 1=1", "supporter_id": 1, "checkin_time": "09:00", "consent": true}',
        '{"name": "' + "😀" * 300 + '"}',
        "{" * 10000,
        '{"name": "x", "phone": "' + "9" * 100000 + '"}',
    ],
)
def test_hostile_member_bodies_get_4xx(api, supervisor, raw):
    response = api.as_(supervisor).post("/members", raw=raw)
    assert 400 <= response.status_code < 500, response.content
    assert Member.objects.count() == 0


def test_sql_looking_name_is_stored_as_text(api, supervisor, new_member):
    name = "Robert'); DROP TABLE checkins_member;--"
    response = api.as_(supervisor).post("/members", {**new_member, "name": name})
    assert response.status_code == 201
    assert Member.objects.get().name == name


def test_unicode_names_round_trip(api, supervisor, new_member):
    response = api.as_(supervisor).post("/members", {**new_member, "name": "Zoë Ñúñez 李"})
    assert response.json()["name"] == "Zoë Ñúñez 李"


def test_huge_body_is_refused(api, supervisor, new_member):
    response = api.as_(supervisor).post("/members", raw='{"name": "' + "a" * 400_000 + '"}')
    assert response.status_code in (400, 413)
