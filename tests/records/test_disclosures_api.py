"""Reading a member's answers or conversation through the API is a
disclosure (channel `api`) and a view (the access log), one of each per
request; a member's own copy is a disclosure to the member; each member has
an accounting of disclosures; supervisors read the organization's register."""

import datetime as dt

import pytest
from django.utils import timezone

from records.models import PART2_NOTICE, AccessEntry, Disclosure
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

# (path, data, where)
LISTINGS = [
    ("/members/{id}/checkins", "check-in answers", "api:GET /members/{id}/checkins"),
    ("/members/{id}/messages", "messages", "api:GET /members/{id}/messages"),
]


@pytest.mark.parametrize("path, data, where", LISTINGS)
def test_each_listing_records_one_disclosure_and_one_access_entry(api, supporter, member, history, path, data, where):
    response = api.as_(supporter).get(path.format(id=member.id), limit=1)
    assert response.status_code == 200, response.content
    assert response.json()["count"] >= 1
    disclosure = Disclosure.objects.get()
    assert (disclosure.channel, disclosure.data, disclosure.staff) == ("api", data, supporter)
    assert disclosure.member_count == 1
    assert list(disclosure.members.all()) == [member]
    assert disclosure.purpose == "Not stated (read through the API)"
    assert disclosure.recipient == "API client of Sam Rivera"
    assert disclosure.notice == PART2_NOTICE
    assert disclosure.detail == f"GET /api/v1{path.format(id=member.id)}"
    entry = AccessEntry.objects.get()
    assert (entry.staff, entry.member, entry.where) == (supporter, member, where)
    assert entry.organization_id == member.organization_id

    api.as_(supporter).get(path.format(id=member.id), offset=1)
    assert Disclosure.objects.count() == 2 and AccessEntry.objects.count() == 2, "one of each per request"


@pytest.mark.parametrize("path, data, where", LISTINGS)
def test_purpose_and_recipient_are_stored(api, supervisor, member, history, path, data, where):
    api.as_(supervisor).get(
        path.format(id=member.id), purpose="  Treatment   coordination ", recipient="Dr. Amy Chen, Riverside Clinic"
    )
    disclosure = Disclosure.objects.get()
    assert (disclosure.purpose, disclosure.recipient) == ("Treatment coordination", "Dr. Amy Chen, Riverside Clinic")


@pytest.mark.parametrize("path, data, where", LISTINGS)
@pytest.mark.parametrize(
    "params, field",
    [({"purpose": "p" * 501}, "purpose"), ({"recipient": "r" * 201}, "recipient")],
)
def test_too_long_purpose_or_recipient_is_422_and_records_nothing(
    api, supervisor, member, path, data, where, params, field
):
    response = api.as_(supervisor).get(path.format(id=member.id), **params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert not Disclosure.objects.exists() and not AccessEntry.objects.exists()


def test_a_long_staff_name_still_makes_a_valid_default_recipient(api, org, member, history):
    boss = SupervisorFactory(organization=org, name="N" * 200)
    assert api.as_(boss).get(f"/members/{member.id}/messages").status_code == 200
    assert len(Disclosure.objects.get().recipient) == 200


@pytest.mark.parametrize("path, data, where", LISTINGS)
def test_a_refused_listing_records_nothing(api, org, member, path, data, where):
    other_supporter = StaffFactory(organization=org)
    assert api.as_(other_supporter).get(path.format(id=member.id)).status_code == 404
    assert api.get(path.format(id=member.id)).status_code == 401
    assert not Disclosure.objects.exists() and not AccessEntry.objects.exists()


# --- The member's own copy ----------------------------------------------------------------


def test_export_is_the_members_own_copy_recorded_as_a_disclosure_to_them(api, supporter, member, history):
    response = api.as_(supporter).get(f"/members/{member.id}/export")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="member-{member.id}-record.txt"'
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert "a 4 today, pretty good" in text and PART2_NOTICE in text
    disclosure = Disclosure.objects.get()
    assert (disclosure.channel, disclosure.recipient, disclosure.member_count) == ("member_copy", "The member", 1)
    assert disclosure.purpose == "Copy of their own record, at the member's request"
    assert AccessEntry.objects.get().where == "api:GET /members/{id}/export"


def test_export_carries_the_organizations_own_notice(api, org, supervisor, member):
    org.disclosure_notice = "Our own notice."
    org.save()
    assert api.as_(supervisor).get(f"/members/{member.id}/export").content.decode().rstrip().endswith("Our own notice.")
    assert Disclosure.objects.get().notice == "Our own notice."


# --- The accounting ------------------------------------------------------------------------


def _disclosed(member, staff, days_ago: float, purpose: str, channel="export", members=None):
    disclosure = Disclosure.objects.create(
        organization_id=member.organization_id, staff=staff, channel=channel, data="check-in answers",
        purpose=purpose, recipient="County court liaison", member_count=len(members or [member]),
        at=timezone.now() - dt.timedelta(days=days_ago),
    )
    disclosure.members.set(members or [member])
    return disclosure


def test_the_accounting_for_a_date_range_oldest_first(api, supervisor, supporter, member):
    other = MemberFactory(organization=member.organization, supporter=supporter)
    _disclosed(member, supervisor, 40, "too old")
    _disclosed(member, supervisor, 20, "first", members=[member, other])
    _disclosed(member, None, 10, "second", channel="member_copy")
    _disclosed(other, supervisor, 10, "someone else's")
    _disclosed(member, supervisor, 1, "too new")
    today = timezone.now().astimezone(member.tz).date()
    period = {"from": str(today - dt.timedelta(days=30)), "to": str(today - dt.timedelta(days=5))}
    body = api.as_(supporter).get(f"/members/{member.id}/disclosures", **period).json()
    assert [d["purpose"] for d in body["items"]] == ["first", "second"] and body["count"] == 2
    first = body["items"][0]
    assert {"id", "at", "staff", "channel", "data", "purpose", "recipient", "member_count"} <= set(first)
    assert (first["staff"], first["member_count"], first["channel"]) == ("Vera Lopez", 2, "export")
    assert body["items"][1]["staff"] is None

    everything = api.as_(supporter).get(f"/members/{member.id}/disclosures").json()
    assert [d["purpose"] for d in everything["items"]] == ["too old", "first", "second", "too new"]
    assert not AccessEntry.objects.exists(), "reading the accounting is no view of answers or words"


def test_the_accounting_includes_the_last_day(api, supervisor, member):
    disclosure = _disclosed(member, supervisor, 0, "today")
    today = disclosure.at.astimezone(member.tz).date()
    body = api.as_(supervisor).get(f"/members/{member.id}/disclosures", **{"from": str(today), "to": str(today)}).json()
    assert body["count"] == 1


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
    ],
)
def test_bad_dates_are_422_naming_the_field(api, supervisor, member, params, field):
    response = api.as_(supervisor).get(f"/members/{member.id}/disclosures", **params)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field


# --- The register ---------------------------------------------------------------------------


def test_supervisors_read_the_register_newest_first_with_filters(api, org, supervisor, supporter, member):
    _disclosed(member, supervisor, 3, "old export")
    _disclosed(member, supporter, 2, "copy", channel="member_copy")
    _disclosed(member, supporter, 1, "api read", channel="api")
    elsewhere = OrganizationFactory(name="Elsewhere Recovery")
    _disclosed(MemberFactory(organization=elsewhere), SupervisorFactory(organization=elsewhere), 1, "not ours")
    as_supervisor = api.as_(supervisor)
    body = as_supervisor.get("/disclosures").json()
    assert [d["purpose"] for d in body["items"]] == ["api read", "copy", "old export"]
    assert [d["purpose"] for d in as_supervisor.get("/disclosures", channel="export").json()["items"]] == ["old export"]
    by_supporter = as_supervisor.get("/disclosures", staff_id=supporter.id).json()
    assert [d["purpose"] for d in by_supporter["items"]] == ["api read", "copy"]
    page = as_supervisor.get("/disclosures", limit=1, offset=1).json()
    assert page["count"] == 3 and [d["purpose"] for d in page["items"]] == ["copy"]
    for params, field in (({"channel": "fax"}, "channel"), ({"staff_id": "x"}, "staff_id"),
                          ({"staff_id": 99999999999999999999}, "staff_id")):
        refused = as_supervisor.get("/disclosures", **params)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field


# --- Scope ----------------------------------------------------------------------------------


def test_scope_of_the_accounting_the_register_and_the_export(api, org, supervisor, supporter, member):
    _disclosed(member, supervisor, 1, "ours")
    other_supporter = StaffFactory(organization=org)
    elsewhere = OrganizationFactory(name="Elsewhere Recovery")
    outsider = SupervisorFactory(organization=elsewhere)
    their_member = MemberFactory(organization=elsewhere)

    for staff in (other_supporter, outsider):
        as_them = api.as_(staff)
        assert as_them.get(f"/members/{member.id}/disclosures").status_code == 404
        assert as_them.get(f"/members/{member.id}/export").status_code == 404
    assert api.as_(supervisor).get(f"/members/{their_member.id}/disclosures").status_code == 404
    assert api.as_(supervisor).get(f"/members/{their_member.id}/export").status_code == 404
    assert api.as_(supervisor).get("/members/99999999999999999999/disclosures").status_code == 404

    for staff in (supporter, other_supporter):
        refused = api.as_(staff).get("/disclosures")
        assert refused.status_code == 403 and "supervisors" in refused.json()["detail"]
    assert api.as_(outsider).get("/disclosures").json()["count"] == 0
    assert Disclosure.objects.count() == 1, "nothing disclosed by the refusals"
