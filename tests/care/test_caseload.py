"""The caseload overview: each supporter's members, open alerts by severity,
overdue follow-ups, members silent for a week, last contact; sortable; one
organization only."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.staffing import deactivate_staff, set_out_of_office
from alerts import routing
from alerts.rules import Finding
from care.caseload import caseload, needs_reassignment, sort_loads
from care.notes import record_note
from checkins import pausing
from sms.models import Message
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, supervisor):
    long_ago = timezone.now() - dt.timedelta(days=30)
    ana = StaffFactory(organization=org, name="Ana Alvarez")
    ben = StaffFactory(organization=org, name="Ben Brooks")
    with time_machine.travel(long_ago):
        ana_members = [MemberFactory(organization=org, supporter=ana) for _ in range(3)]
        ben_member = MemberFactory(organization=org, supporter=ben)
    # Ana: one member texted this week, one is paused, one is silent.
    Message.objects.create(direction="in", kind="text", member=ana_members[0], phone=ana_members[0].phone, body="hi")
    pausing.pause(ana_members[1], until=None, reason="travel", by=supervisor)
    routing.raise_alerts(ana_members[0], [Finding("crisis_language", "crisis", "Crisis words.")])
    routing.raise_alerts(ana_members[2], [Finding("used_yes", "urgent", "Said yes.")])
    # Ben: a follow-up due last week, never done; a contact note three days ago.
    today = timezone.localdate()
    # (Any later note closes open follow-ups, so the one with the follow-up is written last.)
    record_note(
        ben_member, ben, outcome="not_reached", modality="call", contact_date=today - dt.timedelta(days=3),
        intervention="called, no answer", duration_minutes=5,
    )
    record_note(
        ben_member, ben, outcome="reached", modality="call", contact_date=today - dt.timedelta(days=10),
        intervention="called", response="ok", plan="call again", duration_minutes=10,
        follow_up_on=today - dt.timedelta(days=7),
    )
    set_out_of_office(ben, starts_at=timezone.now(), ends_at=timezone.now() + dt.timedelta(days=2), by=supervisor)
    # Another organization's load never shows.
    elsewhere = OrganizationFactory(name="Elsewhere")
    MemberFactory(organization=elsewhere, supporter=StaffFactory(organization=elsewhere, name="Zed Zero"))
    return {"org": org, "ana": ana, "ben": ben}


def row(loads, name):
    return next(load for load in loads if load.staff.name == name)


def test_each_supporters_figures(world):
    loads = caseload(world["org"])
    assert [load.staff.name for load in loads] == ["Ana Alvarez", "Ben Brooks"]
    ana, ben = row(loads, "Ana Alvarez"), row(loads, "Ben Brooks")
    assert (ana.members, ana.paused, ana.silent) == (3, 1, 1)
    assert ana.alerts["crisis"] == 1 and ana.alerts["urgent"] == 1 and ana.open_alerts == 2
    assert (ana.overdue_follow_ups, ana.last_contact, ana.away) == (0, None, False)
    assert (ben.members, ben.overdue_follow_ups, ben.silent, ben.away) == (1, 1, 1, True)
    assert ben.last_contact == timezone.localdate() - dt.timedelta(days=3)
    assert all(load.staff.organization_id == world["org"].pk for load in loads)


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("name", "Ana Alvarez"),
        ("-name", "Ben Brooks"),
        ("members", "Ana Alvarez"),
        ("alerts", "Ana Alvarez"),
        ("overdue", "Ben Brooks"),
        ("last_contact", "Ana Alvarez"),  # never contacted anyone: longest without
        ("nonsense", "Ana Alvarez"),
    ],
)
def test_sorting(world, sort, first):
    assert caseload(world["org"], sort=sort)[0].staff.name == first


def test_a_deactivated_supporters_members_need_reassignment(world, supervisor):
    assert not needs_reassignment(world["org"]).exists()
    deactivate_staff(world["ana"], by=supervisor)
    assert needs_reassignment(world["org"]).count() == 3
    load = row(caseload(world["org"]), "Ana Alvarez")
    assert not load.active


def test_sort_is_stable_on_ties():
    assert sort_loads([], "members") == []


def test_a_supervisor_in_another_organization_sees_only_their_own(world):
    elsewhere = OrganizationFactory(name="Elsewhere")
    SupervisorFactory(organization=elsewhere)
    assert [load.staff.name for load in caseload(elsewhere)] == ["Zed Zero"]
