"""The on-call rota in the API: reading it (any staff of the organization),
changing it (supervisors), and the gaps it leaves (coverage.rota)."""

import datetime as dt

import pytest

from accounts.models import AuditEntry
from coverage.models import OnCallPeriod
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

WEEKEND = {"timezone": "America/New_York", "starts_day": 5, "starts_time": "17:00", "ends_day": 1, "ends_time": "09:00"}


def delete(api, path: str):
    """The tests' Api client has no DELETE (tests/conftest.py)."""
    return api.client.delete(f"/api/v1{path}", **api._headers())


@pytest.fixture
def program(org):
    return org.programs.get()


@pytest.fixture
def elsewhere(db):
    org = OrganizationFactory(name="Elsewhere Recovery")
    boss = SupervisorFactory(organization=org)
    worker = StaffFactory(organization=org)
    period = OnCallPeriod.objects.create(
        program=org.programs.get(), staff=worker, starts_day=1, starts_time=dt.time(0), ends_day=1, ends_time=dt.time(0)
    )
    return {"supervisor": boss, "supporter": worker, "program": org.programs.get(), "period": period}


def test_supervisor_adds_reads_and_removes_an_on_call_period(api, supervisor, supporter, program):
    as_supervisor = api.as_(supervisor)
    created = as_supervisor.post(f"/programs/{program.id}/on-call", {"staff_id": supporter.id, **WEEKEND})
    assert created.status_code == 201, created.content
    body = created.json()
    assert {k: body[k] for k in WEEKEND} == WEEKEND
    assert (body["staff_id"], body["staff_name"], body["program_id"]) == (supporter.id, "Sam Rivera", program.id)
    assert body["description"] == "Friday 17:00 to Monday 09:00 (America/New_York)"
    entry = AuditEntry.objects.get(action="on_call.added")
    assert (entry.via, entry.actor, entry.target_id) == ("api", supervisor, body["id"])

    rota = api.as_(supporter).get(f"/programs/{program.id}/on-call").json()
    assert rota["count"] == 1 and rota["items"][0]["id"] == body["id"], "every staff member may read the rota"

    removed = delete(as_supervisor, f"/on-call/{body['id']}")
    assert removed.status_code == 204
    assert not OnCallPeriod.objects.exists()
    assert AuditEntry.objects.get(action="on_call.removed").via == "api"
    assert delete(as_supervisor, f"/on-call/{body['id']}").status_code == 404


def test_supporters_cannot_change_the_rota(api, supervisor, supporter, program):
    period = OnCallPeriod.objects.create(
        program=program, staff=supporter, starts_day=1, starts_time=dt.time(0), ends_day=1, ends_time=dt.time(0)
    )
    as_supporter = api.as_(supporter)
    period_in = {"staff_id": supporter.id, **WEEKEND}
    assert as_supporter.post(f"/programs/{program.id}/on-call", period_in).status_code == 403
    assert delete(as_supporter, f"/on-call/{period.id}").status_code == 403
    assert OnCallPeriod.objects.count() == 1 and not AuditEntry.objects.exists()


def test_another_organizations_rota_is_404_and_unchanged(api, supervisor, supporter, elsewhere):
    as_supervisor = api.as_(supervisor)
    their_program, their_period = elsewhere["program"], elsewhere["period"]
    assert as_supervisor.get(f"/programs/{their_program.id}/on-call").status_code == 404
    assert as_supervisor.get(f"/programs/{their_program.id}/on-call/gaps").status_code == 404
    period_in = {"staff_id": supporter.id, **WEEKEND}
    assert as_supervisor.post(f"/programs/{their_program.id}/on-call", period_in).status_code == 404
    assert delete(as_supervisor, f"/on-call/{their_period.id}").status_code == 404
    assert delete(as_supervisor, "/on-call/99999999999999999999").status_code == 404
    assert as_supervisor.get("/programs/99999999999999999999/on-call").status_code == 404
    assert list(OnCallPeriod.objects.all()) == [their_period]
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"staff_id": "outsider"}, "staff_id"),
        ({"staff_id": 99999999999999999999}, "staff_id"),
        ({"staff_id": "abc"}, "staff_id"),
        ({"staff_id": None}, "staff_id"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": 5}, "timezone"),
        ({"starts_day": 0}, "starts_day"),
        ({"starts_day": 8}, "starts_day"),
        ({"ends_day": -1}, "ends_day"),
        ({"ends_day": 99999999999999999999}, "ends_day"),
        ({"starts_day": "Monday"}, "starts_day"),
        ({"starts_day": 1.5}, "starts_day"),
        ({"starts_time": "5pm"}, "starts_time"),
        ({"ends_time": "24:00"}, "ends_time"),
        ({"ends_time": None}, "ends_time"),
        ({"ends_time": "9" * 100}, "ends_time"),
        ({"note": "extra"}, "note"),
    ],
)
def test_invalid_on_call_periods_are_422_naming_the_field(
    api, supervisor, program, supporter, elsewhere, change, field
):
    if change.get("staff_id") == "outsider":
        change = {"staff_id": elsewhere["supporter"].id}
    period_in = {"staff_id": supporter.id, **WEEKEND, **change}
    response = api.as_(supervisor).post(f"/programs/{program.id}/on-call", period_in)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    assert not OnCallPeriod.objects.filter(program=program).exists()


def test_missing_fields_are_named(api, supervisor, program):
    response = api.as_(supervisor).post(f"/programs/{program.id}/on-call", {"timezone": "UTC"})
    assert response.status_code == 422
    named = {e["field"] for e in response.json()["errors"]}
    assert named == {"staff_id", "starts_day", "starts_time", "ends_day", "ends_time"}


@pytest.mark.parametrize("raw", ["[]", "null", "{", '{"staff_id": {"$gt": 0}}'])
def test_hostile_on_call_bodies_get_4xx(api, supervisor, program, raw):
    response = api.as_(supervisor).post(f"/programs/{program.id}/on-call", raw=raw)
    assert 400 <= response.status_code < 500, response.content


def test_gaps_show_when_nobody_covers_and_close_when_someone_is_on_call(api, org, supervisor, supporter, program):
    supporter.work_starts, supporter.work_ends, supporter.work_days = dt.time(9), dt.time(17), "12345"
    supporter.save()
    MemberFactory(organization=org, supporter=supporter)
    as_supporter = api.as_(supporter)
    found = as_supporter.get(f"/programs/{program.id}/on-call/gaps").json()
    assert found["count"] >= 1
    gap = found["items"][0]
    assert gap["off_hours"] == ["Sam Rivera"]
    assert dt.datetime.fromisoformat(gap["ends_at"]) > dt.datetime.fromisoformat(gap["starts_at"])
    short = as_supporter.get(f"/programs/{program.id}/on-call/gaps", days=1).json()
    assert short["count"] <= found["count"]

    night = StaffFactory(organization=org, name="Nia Night")
    whole_week = {"timezone": "UTC", "starts_day": 1, "starts_time": "00:00", "ends_day": 1, "ends_time": "00:00"}
    added = api.as_(supervisor).post(f"/programs/{program.id}/on-call", {"staff_id": night.id, **whole_week})
    assert added.status_code == 201
    assert as_supporter.get(f"/programs/{program.id}/on-call/gaps").json() == {"items": [], "count": 0}


def test_no_working_hours_means_no_gaps(api, supervisor, member, program):
    assert api.as_(supervisor).get(f"/programs/{program.id}/on-call/gaps").json()["count"] == 0


@pytest.mark.parametrize("days", ["0", "29", "-1", "abc", "99999999999999999999", "1.5"])
def test_gap_days_out_of_range_are_422(api, supervisor, program, days):
    response = api.as_(supervisor).get(f"/programs/{program.id}/on-call/gaps", days=days)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "days"


def test_the_schema_lists_the_new_operations(api, supervisor):
    paths = api.as_(supervisor).client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/programs/{program_id}/on-call", "/api/v1/on-call/{period_id}",
                 "/api/v1/programs/{program_id}/on-call/gaps", "/api/v1/caseload", "/api/v1/audit",
                 "/api/v1/staff/{staff_id}/out-of-office", "/api/v1/members/reassign"):  # fmt: skip
        assert path in paths
