"""Pausing, resuming, discharging and reassigning members through the API
(checkins.pausing, checkins.enrollment), with the audit log written as
via="api", and the list of members whose supporter has gone."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from checkins.models import Member
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory

pytestmark = pytest.mark.django_db


def in_days(member: Member, days: int) -> str:
    return (timezone.now().astimezone(member.tz).date() + dt.timedelta(days=days)).isoformat()


def audited(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action, via="api")


@pytest.fixture
def stranger(db):
    return MemberFactory(organization=OrganizationFactory(name="Elsewhere Recovery"))


@pytest.mark.parametrize("who", ["supervisor", "supporter"])
def test_pause_and_resume(api, supervisor, supporter, member, who):
    actor = supervisor if who == "supervisor" else supporter
    client = api.as_(actor)
    until = in_days(member, 10)
    paused = client.post(f"/members/{member.id}/pause", {"until": until, "reason": "inpatient"})
    assert paused.status_code == 200, paused.content
    body = paused.json()
    assert (body["status"], body["paused_until"], body["pause_reason"]) == ("paused", until, "inpatient")
    assert body["next_checkin_at"] is None and body["discharged_at"] is None
    entry = audited("member.paused")
    assert entry.actor == actor and entry.target_id == member.id

    resumed = client.post(f"/members/{member.id}/resume")
    assert resumed.status_code == 200, resumed.content
    back = resumed.json()
    assert (back["status"], back["paused_until"], back["pause_reason"]) == ("active", None, "")
    assert resumed.json()["next_checkin_at"] is not None
    assert audited("member.resumed").actor == actor
    assert client.post(f"/members/{member.id}/resume").status_code == 409


def test_pause_without_an_end_date(api, supervisor, member):
    body = api.as_(supervisor).post(f"/members/{member.id}/pause", {"until": None, "reason": "break"}).json()
    assert (body["status"], body["paused_until"], body["pause_reason"]) == ("paused", None, "break")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"until": "yesterday", "reason": "travel"}, "until"),
        ({"until": "2020-01-01", "reason": "travel"}, "until"),
        ({"until": "today", "reason": "travel"}, "until"),
        ({"until": "+400", "reason": "travel"}, "until"),
        ({"until": "2026-02-30", "reason": "travel"}, "until"),
        ({"until": 20260301, "reason": "travel"}, "until"),
        ({"until": "+10", "reason": "relapse"}, "reason"),
        ({"until": "+10", "reason": None}, "reason"),
        ({"until": "+10"}, "reason"),
        ({"until": "+10", "reason": "travel", "note": "detox"}, "note"),
    ],
)
def test_invalid_pauses_are_422_naming_the_field(api, supervisor, member, body, field):
    relative = {"today": 0, "+10": 10, "+400": 400}
    if body.get("until") in relative:
        body = {**body, "until": in_days(member, relative[body["until"]])}
    response = api.as_(supervisor).post(f"/members/{member.id}/pause", body)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    member.refresh_from_db()
    assert member.status == "active" and not AuditEntry.objects.exists()


def test_discharge(api, supervisor, member):
    response = api.as_(supervisor).post(f"/members/{member.id}/discharge")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "discharged" and body["discharged_at"] is not None and body["next_checkin_at"] is None
    assert audited("member.discharged").actor == supervisor
    assert api.as_(supervisor).post(f"/members/{member.id}/discharge").status_code == 409
    assert api.as_(supervisor).post(f"/members/{member.id}/pause", {"reason": "travel"}).status_code == 409


@pytest.mark.parametrize("action", ["pause", "resume", "discharge"])
def test_out_of_scope_members_are_404_and_unchanged(api, org, supervisor, supporter, stranger, action):
    someone_elses = MemberFactory(organization=org)
    body = {"reason": "travel"} if action == "pause" else None
    for client, target in ((api.as_(supporter), someone_elses), (api.as_(supervisor), stranger)):
        assert client.post(f"/members/{target.id}/{action}", body).status_code == 404
    assert api.as_(supervisor).post(f"/members/99999999999999999999/{action}", body).status_code == 404
    assert set(Member.objects.values_list("status", flat=True)) == {"active"}
    assert not AuditEntry.objects.exists()


def test_enrolling_and_patching_are_audited_as_api(api, org, supervisor, supporter, member):
    new = {
        "name": "Maria Gonzalez", "phone": "(312) 555-0142", "timezone": "America/Chicago", "language": "es",
        "program_id": org.programs.get().id, "supporter_id": supporter.id, "checkin_time": "09:30", "consent": True,
    }  # fmt: skip
    created = api.as_(supervisor).post("/members", new)
    assert created.status_code == 201
    assert created.json()["pause_reason"] == "" and created.json()["paused_until"] is None
    assert audited("member.enrolled").actor == supervisor
    api.as_(supporter).patch(f"/members/{member.id}", {"name": "Dana W."})
    entry = audited("member.updated")
    assert entry.actor == supporter and entry.changes == {"name": ["Dana Whitfield", "Dana W."]}


# --- Reassigning ----------------------------------------------------------------------


def test_reassign_moves_every_member_and_audits_each(api, org, supervisor, supporter):
    members = MemberFactory.create_batch(3, organization=org, supporter=supporter)
    newcomer = StaffFactory(organization=org, name="Nia Newcomer")
    response = api.as_(supervisor).post(
        "/members/reassign", {"member_ids": [m.id for m in members], "supporter_id": newcomer.id}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 3 and {m["supporter_id"] for m in body["items"]} == {newcomer.id}
    assert set(Member.objects.values_list("supporter_id", flat=True)) == {newcomer.id}
    entries = AuditEntry.objects.filter(action="member.reassigned")
    assert entries.count() == 3 and {e.via for e in entries} == {"api"}
    assert entries.first().changes == {"supporter": ["Sam Rivera", "Nia Newcomer"]}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"member_ids": ["mine", "stranger"], "supporter_id": "newcomer"}, "member_ids"),
        ({"member_ids": ["mine", 99999999999999999999], "supporter_id": "newcomer"}, "member_ids"),
        ({"member_ids": ["mine"], "supporter_id": "outsider"}, "supporter_id"),
        ({"member_ids": ["mine"], "supporter_id": "gone"}, "supporter_id"),
        ({"member_ids": ["mine"], "supporter_id": 99999999999999999999}, "supporter_id"),
        ({"member_ids": [], "supporter_id": "newcomer"}, "member_ids"),
        ({"member_ids": list(range(1, 502)), "supporter_id": "newcomer"}, "member_ids"),
        ({"member_ids": "mine", "supporter_id": "newcomer"}, "member_ids"),
        ({"member_ids": ["abc"], "supporter_id": "newcomer"}, "member_ids.0"),
        ({"member_ids": None, "supporter_id": "newcomer"}, "member_ids"),
        ({"member_ids": ["mine"], "supporter_id": None}, "supporter_id"),
        ({"member_ids": ["mine"]}, "supporter_id"),
        ({"member_ids": ["mine"], "supporter_id": "newcomer", "force": True}, "force"),
    ],
)
def test_reassign_is_all_or_nothing(api, org, supervisor, supporter, member, stranger, body, field):
    gone = StaffFactory(organization=org)
    gone.user.is_active = False
    gone.user.save()
    names = {
        "mine": member.id, "stranger": stranger.id, "newcomer": StaffFactory(organization=org).id,
        "outsider": stranger.supporter_id, "gone": gone.id,
    }  # fmt: skip

    def real(value):
        return names.get(value, value) if isinstance(value, str) and value in names else value

    body = {k: ([real(v) for v in value] if isinstance(value, list) else real(value)) for k, value in body.items()}
    response = api.as_(supervisor).post("/members/reassign", body)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    member.refresh_from_db()
    stranger.refresh_from_db()
    assert member.supporter == supporter and stranger.supporter_id == names["outsider"]
    assert not AuditEntry.objects.exists()


def test_supporters_cannot_reassign(api, org, supporter, member):
    other = StaffFactory(organization=org)
    response = api.as_(supporter).post("/members/reassign", {"member_ids": [member.id], "supporter_id": other.id})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.supporter == supporter


def test_needs_reassignment_lists_members_of_deactivated_supporters(api, org, supervisor, supporter, member, stranger):
    leaving = StaffFactory(organization=org)
    left_behind = MemberFactory(organization=org, supporter=leaving, name="Lee Left")
    MemberFactory(organization=org, supporter=leaving, status=Member.Status.DISCHARGED)
    stranger.supporter.user.is_active = False
    stranger.supporter.user.save()
    as_supervisor = api.as_(supervisor)
    assert as_supervisor.get("/members", needs_reassignment="true").json()["count"] == 0
    assert as_supervisor.post(f"/staff/{leaving.id}/deactivate").status_code == 200
    waiting = as_supervisor.get("/members", needs_reassignment="true").json()
    assert [m["id"] for m in waiting["items"]] == [left_behind.id]
    others = as_supervisor.get("/members", needs_reassignment="false").json()
    assert [m["id"] for m in others["items"]] == [member.id]
    assert api.as_(supporter).get("/members", needs_reassignment="true").status_code == 403
    assert as_supervisor.get("/members", needs_reassignment="perhaps").status_code == 422

    moved = as_supervisor.post("/members/reassign", {"member_ids": [left_behind.id], "supporter_id": supporter.id})
    assert moved.status_code == 200
    assert as_supervisor.get("/members", needs_reassignment="true").json()["count"] == 0
