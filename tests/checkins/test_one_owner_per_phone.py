"""One owner per phone (CONTRACT §5): a number is an active member in one
organization only, across the deployment, and nothing one organization does
changes what happens to another's member."""

import pytest

from alerts.models import Alert
from checkins.models import Member
from sms.models import Message
from tests.conftest import replies
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_org():
    org = OrganizationFactory(name="Hillside Recovery")
    SupervisorFactory(organization=org, name="Olga Stein")
    return org


def enrolment(org, phone: str) -> dict:
    return {
        "name": "Someone Else",
        "phone": phone,
        "timezone": "America/Chicago",
        "language": "en",
        "program_id": org.programs.get().id,
        "supporter_id": org.staff.get(role="supervisor").id,
        "checkin_time": "09:30",
        "consent": True,
    }


def _supervisor(org):
    return org.staff.get(role="supervisor")


@pytest.mark.parametrize("status", ["active", "paused", "opted_out"])
def test_enrolling_another_organizations_member_is_409_naming_nobody(api, member, other_org, status):
    Member.objects.filter(pk=member.pk).update(status=status)
    response = api.as_(_supervisor(other_org)).post("/members", enrolment(other_org, member.phone))
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert member.organization.name not in detail and "organization" not in detail.lower()
    assert Member.objects.filter(phone=member.phone).count() == 1


def test_the_409_reads_the_same_for_a_clash_here_and_elsewhere(api, org, supervisor, member, other_org):
    here = api.as_(supervisor).post("/members", {**enrolment(org, member.phone), "supporter_id": supervisor.id})
    elsewhere = api.as_(_supervisor(other_org)).post("/members", enrolment(other_org, member.phone))
    assert here.status_code == elsewhere.status_code == 409
    assert here.json()["detail"] == elsewhere.json()["detail"]


def test_a_discharged_members_number_can_be_enrolled_elsewhere(api, member, other_org):
    Member.objects.filter(pk=member.pk).update(status=Member.Status.DISCHARGED)
    response = api.as_(_supervisor(other_org)).post("/members", enrolment(other_org, member.phone))
    assert response.status_code == 201


def test_patching_a_phone_onto_another_organizations_member_is_409(api, member, other_org):
    theirs = MemberFactory(organization=other_org, supporter=_supervisor(other_org), phone="+13125550199")
    response = api.as_(_supervisor(other_org)).patch(f"/members/{theirs.pk}", {"phone": member.phone})
    assert response.status_code == 409
    theirs.refresh_from_db()
    assert theirs.phone == "+13125550199"


def test_readmitting_a_discharged_member_whose_number_is_now_elsewhere_is_409(api, member, other_org):
    Member.objects.filter(pk=member.pk).update(status=Member.Status.DISCHARGED)
    old = MemberFactory(
        organization=other_org, supporter=_supervisor(other_org), phone=member.phone, status=Member.Status.DISCHARGED
    )
    Member.objects.filter(pk=member.pk).update(status=Member.Status.ACTIVE)
    response = api.as_(_supervisor(other_org)).patch(f"/members/{old.pk}", {"status": "active"})
    assert response.status_code == 409
    old.refresh_from_db()
    assert old.status == Member.Status.DISCHARGED


def test_a_crisis_text_reaches_the_owning_organization_only(api, phone, member, other_org):
    # The other organization tries to enrol the number first: refused.
    api.as_(_supervisor(other_org)).post("/members", enrolment(other_org, member.phone))
    response = phone.text(member.phone, "i want to kill myself")
    assert response.status_code == 200
    assert "988" in " ".join(replies(response))
    alert = Alert.objects.get()
    assert alert.organization_id == member.organization_id and alert.severity == "crisis"
    assert not Message.objects.filter(organization=other_org).exists()
    assert not Alert.objects.filter(organization=other_org).exists()


def test_the_database_holds_the_rule_even_past_the_check(member, other_org):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(organization=other_org, supporter=StaffFactory(organization=other_org), phone=member.phone)
