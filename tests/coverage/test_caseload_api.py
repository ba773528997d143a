"""Each supporter's caseload in the API (care.caseload), for supervisors."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Alert
from care.models import ContactNote, FollowUp
from checkins.models import Member
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory

pytestmark = pytest.mark.django_db


def note(member, staff, days_ago: int) -> ContactNote:
    return ContactNote.objects.create(
        organization=member.organization, member=member, staff=staff,
        outcome=ContactNote.Outcome.REACHED, modality=ContactNote.Modality.CALL,
        contact_date=timezone.localdate() - dt.timedelta(days=days_ago),
        duration_minutes=10, intervention="Called.", response="Talked.", plan="Again soon.",
    )  # fmt: skip


@pytest.fixture
def world(org, supervisor, supporter, member):
    """Sam: three members (one paused), a crisis and a warning, an overdue
    follow-up, a contact 2 days ago. Bo: one member, a contact 9 days ago.
    Another organization's people never show."""
    MemberFactory(organization=org, supporter=supporter)
    MemberFactory(organization=org, supporter=supporter, status=Member.Status.PAUSED, schedule=False)
    Alert.objects.create(organization=org, member=member, supporter=supporter, topic="crisis", severity="crisis")
    other = MemberFactory(organization=org, supporter=supporter)
    Alert.objects.create(organization=org, member=other, supporter=supporter, topic="mood", severity="warning")
    recent = note(member, supporter, days_ago=2)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    FollowUp.objects.create(note=recent, member=member, staff=supporter, due_on=yesterday)
    bo = StaffFactory(organization=org, name="Bo Brown")
    bos = MemberFactory(organization=org, supporter=bo)
    note(bos, bo, days_ago=9)
    MemberFactory(organization=OrganizationFactory(name="Elsewhere Recovery"))
    return {"sam": supporter, "bo": bo}


def test_rows_per_supporter(api, supervisor, world):
    page = api.as_(supervisor).get("/caseload").json()
    assert page["count"] == 2
    bo, sam = page["items"]
    assert (bo["name"], sam["name"]) == ("Bo Brown", "Sam Rivera"), "by name, A to Z"
    assert (sam["staff_id"], sam["members"], sam["paused"], sam["open_alerts"]) == (world["sam"].id, 4, 1, 2)
    assert sam["alerts"] == {"info": 0, "warning": 1, "urgent": 0, "crisis": 1}
    assert sam["overdue_follow_ups"] == 1 and sam["active"] is True and sam["away"] is False
    assert sam["last_contact"] == (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    assert set(sam) == {"staff_id", "name", "role", "active", "away", "members", "paused", "alerts", "open_alerts",
                        "overdue_follow_ups", "silent", "last_contact"}  # fmt: skip


@pytest.mark.parametrize(
    "sort, first",
    [
        ("name", "Bo Brown"),
        ("-name", "Sam Rivera"),
        ("members", "Sam Rivera"),
        ("-members", "Bo Brown"),
        ("alerts", "Sam Rivera"),
        ("overdue", "Sam Rivera"),
        ("last_contact", "Bo Brown"),
        ("-last_contact", "Sam Rivera"),
    ],
)
def test_sorts(api, supervisor, world, sort, first):
    assert api.as_(supervisor).get("/caseload", sort=sort).json()["items"][0]["name"] == first


def test_paginated(api, supervisor, world):
    page = api.as_(supervisor).get("/caseload", limit=1, offset=1).json()
    assert page["count"] == 2 and [row["name"] for row in page["items"]] == ["Sam Rivera"]


@pytest.mark.parametrize("sort", ["size", "--name", "name; DROP TABLE x", "", "1"])
def test_unknown_sort_is_422(api, supervisor, sort):
    response = api.as_(supervisor).get("/caseload", sort=sort)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "sort"


def test_supporters_cannot_see_the_caseload(api, supporter):
    assert api.as_(supporter).get("/caseload").status_code == 403
