"""Staff administration in the API: the staff list and record, changes to
details, backups and working hours, deactivation, out-of-office periods and
the audit log. Every change goes through accounts.staffing with via="api"."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import AuditEntry, OutOfOffice, Staff
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def soon(hours: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


@pytest.fixture
def outsider(db):
    """A supervisor, a supporter and an absence in another organization."""
    org = OrganizationFactory(name="Elsewhere Recovery")
    boss = SupervisorFactory(organization=org)
    worker = StaffFactory(organization=org)
    absence = OutOfOffice.objects.create(staff=worker, starts_at=soon(1), ends_at=soon(5), set_by=boss)
    return {"supervisor": boss, "supporter": worker, "absence": absence}


def delete(api, path: str):
    """The tests' Api client has no DELETE (tests/conftest.py)."""
    return api.client.delete(f"/api/v1{path}", **api._headers())


def api_audit(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action, via="api")


# --- Reading staff -----------------------------------------------------------------


def test_supervisor_lists_the_organizations_staff_with_their_coverage_settings(api, supervisor, supporter, outsider):
    OutOfOffice.objects.create(staff=supporter, starts_at=soon(-1), ends_at=soon(3), set_by=supervisor)
    listing = api.as_(supervisor).get("/staff").json()
    assert listing["count"] == 2
    by_id = {s["id"]: s for s in listing["items"]}
    assert set(by_id) == {supervisor.id, supporter.id}
    assert by_id[supporter.id]["out_of_office_now"] is True
    assert by_id[supervisor.id]["out_of_office_now"] is False
    assert set(by_id[supporter.id]) == {
        "id", "name", "email", "phone", "role", "active", "backup_id", "timezone",
        "work_starts", "work_ends", "work_days", "out_of_office_now",
    }
    assert by_id[supporter.id]["work_days"] == "12345" and by_id[supporter.id]["work_starts"] is None


def test_anyone_can_list_active_colleagues_to_choose_a_backup_by_name_and_role_only(
    api, org, supervisor, supporter, outsider
):
    colleague = StaffFactory(organization=org, name="Kim Osei")
    gone = StaffFactory(organization=org, name="Gone Away")
    gone.user.is_active = False
    gone.user.save()
    listing = api.as_(supporter).get("/staff/colleagues").json()
    by_name = sorted([colleague, supervisor], key=lambda s: (s.name, s.id))
    assert [s["id"] for s in listing["items"]] == [s.id for s in by_name]
    assert all(set(s) == {"id", "name", "role"} for s in listing["items"])
    assert outsider["supporter"].id not in {s["id"] for s in listing["items"]}
    # Then a supporter can set their own backup from it.
    assert api.as_(supporter).patch(f"/staff/{supporter.id}", {"backup_id": colleague.id}).status_code == 200
    supporter.refresh_from_db()
    assert supporter.backup_id == colleague.id


@pytest.mark.parametrize(
    "active, expected",
    [("true", {"supervisor", "supporter"}), ("false", {"gone"}), (None, {"supervisor", "supporter", "gone"})],
)
def test_staff_list_filters_on_active(api, org, supervisor, supporter, active, expected):
    gone = StaffFactory(organization=org)
    gone.user.is_active = False
    gone.user.save()
    names = {supervisor.id: "supervisor", supporter.id: "supporter", gone.id: "gone"}
    params = {"active": active} if active is not None else {}
    response = api.as_(supervisor).get("/staff", **params)
    assert "no-store" in response["Cache-Control"]
    assert {names[s["id"]] for s in response.json()["items"]} == expected


@pytest.mark.parametrize("params, field", [({"active": "perhaps"}, "active"), ({"offset": "-1"}, "offset")])
def test_invalid_staff_list_filters_are_422(api, supervisor, params, field):
    response = api.as_(supervisor).get("/staff", **params)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == field


def test_a_supporter_sees_only_themself(api, org, supervisor, supporter):
    as_supporter = api.as_(supporter)
    listing = as_supporter.get("/staff").json()
    assert [s["id"] for s in listing["items"]] == [supporter.id]
    assert as_supporter.get(f"/staff/{supporter.id}").json()["name"] == "Sam Rivera"
    assert as_supporter.get(f"/staff/{supervisor.id}").status_code == 404


def test_a_supervisor_reads_anyone_in_the_organization_and_no_one_else(api, supervisor, supporter, outsider):
    as_supervisor = api.as_(supervisor)
    assert as_supervisor.get(f"/staff/{supporter.id}").json()["id"] == supporter.id
    assert as_supervisor.get(f"/staff/{outsider['supporter'].id}").status_code == 404
    assert as_supervisor.get("/staff/99999999999999999999").status_code == 404


def test_adding_staff_is_audited_as_api(api, supervisor):
    body = {"email": "jo@example.org", "name": "Jo Tran", "phone": "(202) 555-0199", "role": "supporter",
            "password": "long enough passphrase"}  # fmt: skip
    response = api.as_(supervisor).post("/staff", body)
    assert response.status_code == 201
    assert response.json()["active"] is True and response.json()["out_of_office_now"] is False
    entry = api_audit("staff.added")
    assert entry.actor == supervisor and entry.target_id == response.json()["id"]


# --- Changing staff ------------------------------------------------------------------


def test_supervisor_changes_details_backup_and_hours(api, org, supervisor, supporter):
    backup = StaffFactory(organization=org, name="Bea Backup")
    changes = {
        "name": "Sam R. Rivera", "phone": "(202) 555-0177", "backup_id": backup.id, "timezone": "America/Chicago",
        "work_starts": "08:30", "work_ends": "16:30", "work_days": [1, 2, 3],
    }  # fmt: skip
    response = api.as_(supervisor).patch(f"/staff/{supporter.id}", changes)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["phone"] == "+12025550177"
    assert (body["backup_id"], body["timezone"]) == (backup.id, "America/Chicago")
    assert (body["work_starts"], body["work_ends"], body["work_days"]) == ("08:30", "16:30", "123")
    supporter.refresh_from_db()
    assert supporter.backup == backup and supporter.work_starts == dt.time(8, 30)
    entry = api_audit("staff.updated")
    assert entry.actor == supervisor and entry.target_id == supporter.id
    assert entry.changes["backup"] == [None, "Bea Backup"] and entry.changes["phone"][1] == "…0177"


def test_null_clears_the_backup_and_the_working_hours(api, org, supervisor, supporter):
    supporter.backup = StaffFactory(organization=org)
    supporter.work_starts, supporter.work_ends = dt.time(9), dt.time(17)
    supporter.save()
    body = api.as_(supervisor).patch(
        f"/staff/{supporter.id}", {"backup_id": None, "work_starts": None, "work_ends": None}
    ).json()
    assert (body["backup_id"], body["work_starts"], body["work_ends"]) == (None, None, None)


@pytest.mark.parametrize(
    "changes",
    [
        {"timezone": "Europe/Madrid"},
        {"work_starts": "22:00", "work_ends": "06:00", "work_days": "12345"},
        {"backup_id": "other"},
    ],
)
def test_a_supporter_sets_their_own_backup_zone_and_hours(api, org, supporter, changes):
    other = StaffFactory(organization=org)
    changes = {k: (other.id if v == "other" else v) for k, v in changes.items()}
    response = api.as_(supporter).patch(f"/staff/{supporter.id}", changes)
    assert response.status_code == 200, response.content
    assert api_audit("staff.updated").actor == supporter


@pytest.mark.parametrize("changes", [{"role": "supervisor"}, {"name": "New Name"}, {"phone": "(202) 555-0166"}])
def test_a_supporter_cannot_change_their_role_name_or_phone(api, supporter, changes):
    response = api.as_(supporter).patch(f"/staff/{supporter.id}", changes)
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == next(iter(changes))
    supporter.refresh_from_db()
    assert (supporter.role, supporter.name) == ("supporter", "Sam Rivera")
    assert not AuditEntry.objects.exists()


def test_a_supporter_cannot_touch_anyone_else(api, org, supervisor, supporter):
    colleague = StaffFactory(organization=org)
    as_supporter = api.as_(supporter)
    assert as_supporter.patch(f"/staff/{colleague.id}", {"timezone": "Europe/Madrid"}).status_code == 404
    assert as_supporter.post(f"/staff/{colleague.id}/deactivate").status_code == 403
    colleague.refresh_from_db()
    assert colleague.timezone == "America/New_York" and colleague.is_active


def test_a_supervisor_cannot_change_their_own_role(api, org, supervisor):
    SupervisorFactory(organization=org)
    response = api.as_(supervisor).patch(f"/staff/{supervisor.id}", {"role": "supporter"})
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "role"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": None}, "timezone"),
        ({"timezone": 5}, "timezone"),
        ({"work_starts": "9am", "work_ends": "17:00"}, "work_starts"),
        ({"work_starts": "09:00"}, "work_ends"),
        ({"work_starts": "09:00", "work_ends": "09:00"}, "work_ends"),
        ({"work_days": "890"}, "work_days"),
        ({"work_days": ""}, "work_days"),
        ({"work_days": "123456789"}, "work_days"),
        ({"work_days": [0]}, "work_days"),
        ({"work_days": [True]}, "work_days"),
        ({"work_days": [1, 2, 3, 4, 5, 6, 7, 1]}, "work_days"),
        ({"work_days": 12345}, "work_days"),
        ({"work_days": None}, "work_days"),
        ({"backup_id": "self"}, "backup_id"),
        ({"backup_id": "outsider"}, "backup_id"),
        ({"backup_id": 99999999999999999999}, "backup_id"),
        ({"backup_id": "abc"}, "backup_id"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": 5}, "name"),
        ({"phone": "12"}, "phone"),
        ({"role": "admin"}, "role"),
        ({"email": "new@example.org"}, "email"),
    ],
)
def test_invalid_staff_changes_are_422_naming_the_field_and_change_nothing(
    api, supervisor, supporter, outsider, changes, field
):
    ids = {"self": supporter.id, "outsider": outsider["supporter"].id}
    changes = {k: ids.get(v, v) if isinstance(v, str) and k == "backup_id" else v for k, v in changes.items()}
    response = api.as_(supervisor).patch(f"/staff/{supporter.id}", changes)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    assert response.json()["detail"]
    fresh = Staff.objects.get(pk=supporter.pk)
    assert (fresh.timezone, fresh.work_starts, fresh.work_days, fresh.backup_id, fresh.name) == (
        "America/New_York", None, "12345", None, "Sam Rivera"
    )
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("raw", ["[]", "null", "5", '"text"', "{", '{"work_days": {"$gt": 1}}'])
def test_hostile_staff_patches_get_4xx(api, supervisor, supporter, raw):
    response = api.as_(supervisor).patch(f"/staff/{supporter.id}", raw=raw)
    assert 400 <= response.status_code < 500, response.content


# --- Deactivation --------------------------------------------------------------------


def test_deactivation_ends_tokens_and_leaves_members_to_reassign(api, org, supervisor, supporter, member):
    as_supporter = api.as_(supporter)
    assert as_supporter.get("/members").status_code == 200
    response = api.as_(supervisor).post(f"/staff/{supporter.id}/deactivate")
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False and response.json()["id"] == supporter.id
    assert as_supporter.get("/members").status_code == 401
    entry = api_audit("staff.deactivated")
    assert entry.actor == supervisor and entry.target_id == supporter.id
    waiting = api.as_(supervisor).get("/members", needs_reassignment="true").json()
    assert [m["id"] for m in waiting["items"]] == [member.id]
    again = api.as_(supervisor).post(f"/staff/{supporter.id}/deactivate")
    assert again.status_code == 409


def test_deactivating_oneself_or_the_last_supervisor_is_refused(api, org, supervisor):
    assert api.as_(supervisor).post(f"/staff/{supervisor.id}/deactivate").status_code == 409
    assert Staff.objects.get(pk=supervisor.pk).is_active


def test_another_organizations_staff_cannot_be_changed(api, supervisor, outsider):
    stranger = outsider["supporter"]
    as_supervisor = api.as_(supervisor)
    assert as_supervisor.patch(f"/staff/{stranger.id}", {"name": "Taken Over"}).status_code == 404
    assert as_supervisor.post(f"/staff/{stranger.id}/deactivate").status_code == 404
    stranger.refresh_from_db()
    assert stranger.name != "Taken Over" and stranger.is_active
    assert not AuditEntry.objects.filter(organization=supervisor.organization).exists()


# --- Out of office --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["self", "supervisor"])
def test_out_of_office_is_set_listed_and_cancelled(api, supervisor, supporter, who):
    actor = supporter if who == "self" else supervisor
    client = api.as_(actor)
    created = client.post(
        f"/staff/{supporter.id}/out-of-office",
        {"starts_at": "2099-03-02T09:00:00-05:00", "ends_at": "2099-03-06T17:00:00-05:00"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["staff_id"] == supporter.id and body["set_by_id"] == actor.id
    assert dt.datetime.fromisoformat(body["starts_at"]) == dt.datetime(2099, 3, 2, 14, tzinfo=dt.UTC)
    assert body["current"] is False and body["cancelled_at"] is None
    entry = api_audit("out_of_office.set")
    assert entry.actor == actor and entry.target_id == supporter.id

    now = client.post(f"/staff/{supporter.id}/out-of-office", {"starts_at": iso(soon(-1)), "ends_at": iso(soon(8))})
    assert now.json()["current"] is True
    assert client.get(f"/staff/{supporter.id}").json()["out_of_office_now"] is True
    listing = client.get(f"/staff/{supporter.id}/out-of-office").json()
    assert listing["count"] == 2
    assert [p["id"] for p in listing["items"]] == [body["id"], now.json()["id"]], "newest first"

    cancelled = delete(client, f"/out-of-office/{now.json()['id']}")
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["cancelled_at"] is not None and cancelled.json()["current"] is False
    assert api_audit("out_of_office.cancelled").actor == actor
    assert client.get(f"/staff/{supporter.id}").json()["out_of_office_now"] is False
    assert delete(client, f"/out-of-office/{now.json()['id']}").status_code == 409


def test_out_of_office_scope(api, org, supervisor, supporter, outsider):
    colleague = StaffFactory(organization=org)
    theirs = OutOfOffice.objects.create(staff=colleague, starts_at=soon(1), ends_at=soon(5), set_by=supervisor)
    period = {"starts_at": iso(soon(1)), "ends_at": iso(soon(5))}
    as_supporter = api.as_(supporter)
    assert as_supporter.get(f"/staff/{colleague.id}/out-of-office").status_code == 404
    assert as_supporter.post(f"/staff/{colleague.id}/out-of-office", period).status_code == 404
    assert delete(as_supporter, f"/out-of-office/{theirs.id}").status_code == 404
    as_supervisor = api.as_(supervisor)
    stranger, their_absence = outsider["supporter"], outsider["absence"]
    assert as_supervisor.get(f"/staff/{stranger.id}/out-of-office").status_code == 404
    assert as_supervisor.post(f"/staff/{stranger.id}/out-of-office", period).status_code == 404
    assert delete(as_supervisor, f"/out-of-office/{their_absence.id}").status_code == 404
    assert delete(as_supervisor, "/out-of-office/99999999999999999999").status_code == 404
    theirs.refresh_from_db()
    their_absence.refresh_from_db()
    assert theirs.cancelled_at is None and their_absence.cancelled_at is None
    assert OutOfOffice.objects.count() == 2
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "period, field",
    [
        ({"starts_at": "2099-03-02T09:00:00", "ends_at": "2099-03-03T09:00:00+00:00"}, "starts_at"),
        ({"starts_at": "2099-03-02T09:00:00Z", "ends_at": "2099-03-03T09:00:00"}, "ends_at"),
        ({"starts_at": "2099-03-02T09:00:00Z", "ends_at": "2099-03-01T09:00:00Z"}, "ends_at"),
        ({"starts_at": "2020-03-02T09:00:00Z", "ends_at": "2020-03-03T09:00:00Z"}, "ends_at"),
        ({"starts_at": "2099-01-01T09:00:00Z", "ends_at": "2100-06-01T09:00:00Z"}, "ends_at"),
        ({"starts_at": "9999-12-31T20:00:00-05:00", "ends_at": "9999-12-31T22:00:00-05:00"}, "starts_at"),
        ({"starts_at": "tomorrow", "ends_at": "2099-03-03T09:00:00Z"}, "starts_at"),
        ({"starts_at": None, "ends_at": "2099-03-03T09:00:00Z"}, "starts_at"),
        ({"starts_at": "2099-03-02T09:00:00Z"}, "ends_at"),
        ({"starts_at": "2099-03-02T09:00:00Z", "ends_at": "2099-03-03T09:00:00Z", "note": "x"}, "note"),
    ],
)
def test_invalid_out_of_office_is_422_naming_the_field(api, supporter, period, field):
    response = api.as_(supporter).post(f"/staff/{supporter.id}/out-of-office", period)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    assert not OutOfOffice.objects.exists()


# --- The audit log -------------------------------------------------------------------


def test_audit_log_newest_first_filtered_and_for_supervisors_only(api, org, supervisor, supporter, outsider):
    as_supervisor = api.as_(supervisor)
    as_supervisor.patch(f"/staff/{supporter.id}", {"timezone": "Europe/Madrid"})
    api.as_(supporter).patch(f"/staff/{supporter.id}", {"work_days": "67"})
    member = MemberFactory(organization=org, supporter=supporter)
    as_supervisor.patch(f"/members/{member.id}", {"name": "Dana W."})
    api.as_(outsider["supervisor"]).patch(f"/staff/{outsider['supporter'].id}", {"timezone": "Europe/Madrid"})

    log = as_supervisor.get("/audit").json()
    assert log["count"] == 3, "another organization's entries stay theirs"
    newest = log["items"][0]
    assert (newest["action"], newest["target_type"], newest["target_id"], newest["via"]) == (
        "member.updated", "member", member.id, "api"
    )
    assert newest["actor_id"] == supervisor.id and newest["actor"] == "Vera Lopez"
    assert newest["changes"]["name"][1] == "Dana W."
    assert set(newest) == {"id", "at", "actor_id", "actor", "action", "target_type", "target_id", "target_label",
                           "changes", "via"}  # fmt: skip

    mine = as_supervisor.get("/audit", actor_id=supporter.id).json()
    assert [e["changes"] for e in mine["items"]] == [{"work_days": ["12345", "67"]}]
    staff_entries = as_supervisor.get("/audit", target_type="staff", target_id=supporter.id).json()
    assert staff_entries["count"] == 2
    assert api.as_(supporter).get("/audit").status_code == 403


@pytest.mark.parametrize(
    "params, field",
    [({"target_id": "abc"}, "target_id"), ({"actor_id": "1.5"}, "actor_id"), ({"target_type": "x" * 50}, "target_type"),
     ({"limit": "0"}, "limit")],  # fmt: skip
)
def test_invalid_audit_filters_are_422(api, supervisor, params, field):
    response = api.as_(supervisor).get("/audit", **params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_huge_audit_filter_is_an_empty_list(api, supervisor):
    assert api.as_(supervisor).get("/audit", target_id="99999999999999999999").json()["count"] == 0
