"""The access log: every view of a member's answers or words through the API
leaves an entry (no content); supervisors read it per member and per staff
member (GET /members/{id}/access-log, GET /staff/{id}/access-log)."""

import pytest

from records.access import log_view, log_views
from records.models import AccessEntry
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def views(api, supervisor, supporter, member, history):
    api.as_(supporter).get(f"/members/{member.id}/checkins")
    api.as_(supporter).get(f"/members/{member.id}/messages")
    api.as_(supervisor).get(f"/members/{member.id}/export")
    other = MemberFactory(organization=member.organization, supporter=supporter, name="Lee Other")
    api.as_(supporter).get(f"/members/{other.id}/messages")
    return other


def test_a_members_access_log_newest_first(api, supervisor, supporter, member, views):
    response = api.as_(supervisor).get(f"/members/{member.id}/access-log")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [(e["staff"], e["where"]) for e in body["items"]] == [
        ("Vera Lopez", "api:GET /members/{id}/export"),
        ("Sam Rivera", "api:GET /members/{id}/messages"),
        ("Sam Rivera", "api:GET /members/{id}/checkins"),
    ]
    assert set(body["items"][0]) == {"at", "staff_id", "staff", "member_id", "where"}
    assert {e["member_id"] for e in body["items"]} == {member.id}
    assert AccessEntry.objects.count() == 4, "reading the log is not itself logged"


def test_a_staff_members_access_log(api, supervisor, supporter, member, views):
    body = api.as_(supervisor).get(f"/staff/{supporter.id}/access-log").json()
    assert body["count"] == 3
    assert [e["member_id"] for e in body["items"]] == [views.id, member.id, member.id]
    assert {e["staff_id"] for e in body["items"]} == {supporter.id}
    page = api.as_(supervisor).get(f"/staff/{supporter.id}/access-log", limit=2, offset=2).json()
    assert page["count"] == 3 and len(page["items"]) == 1
    mine = api.as_(supervisor).get(f"/staff/{supervisor.id}/access-log").json()
    assert [e["where"] for e in mine["items"]] == ["api:GET /members/{id}/export"]


def test_only_supervisors_read_the_access_log(api, org, supporter, member, views):
    other_supporter = StaffFactory(organization=org)
    # Their own member: supervisors only.
    refused = api.as_(supporter).get(f"/members/{member.id}/access-log")
    assert refused.status_code == 403 and "supervisors" in refused.json()["detail"]
    assert api.as_(supporter).get(f"/staff/{supporter.id}/access-log").status_code == 403
    # Another supporter's member: not found at all.
    assert api.as_(other_supporter).get(f"/members/{member.id}/access-log").status_code == 404
    assert api.as_(other_supporter).get(f"/staff/{supporter.id}/access-log").status_code == 403
    assert api.get(f"/members/{member.id}/access-log").status_code == 401


def test_another_organizations_ids_are_404(api, supervisor, member, views):
    elsewhere = OrganizationFactory(name="Elsewhere Recovery")
    outsider = SupervisorFactory(organization=elsewhere)
    their_member = MemberFactory(organization=elsewhere)
    log_view(outsider, their_member, "web:member")
    as_outsider = api.as_(outsider)
    assert as_outsider.get(f"/members/{member.id}/access-log").status_code == 404
    assert as_outsider.get(f"/staff/{supervisor.id}/access-log").status_code == 404
    assert api.as_(supervisor).get(f"/members/{their_member.id}/access-log").status_code == 404
    assert api.as_(supervisor).get(f"/staff/{outsider.id}/access-log").status_code == 404
    assert api.as_(supervisor).get("/staff/99999999999999999999/access-log").status_code == 404
    assert as_outsider.get(f"/staff/{outsider.id}/access-log").json()["count"] == 1


def test_the_log_functions_write_one_row_per_member_without_content(supporter, member):
    other = MemberFactory(organization=member.organization, supporter=supporter)
    log_view(supporter, member, "x" * 500)
    log_views(supporter, [member, other], "web:members list")
    entries = AccessEntry.objects.order_by("id")
    assert [e.member for e in entries] == [member, member, other]
    assert len(entries[0].where) == 120
    with pytest.raises(ValueError):
        entries[0].delete()
    entry = entries[0]
    entry.where = "changed"
    with pytest.raises(ValueError):
        entry.save()
