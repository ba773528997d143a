import pytest

from alerts.routing import raise_alerts
from alerts.rules import Finding


@pytest.fixture
def other_supporter(org):
    from tests.factories import StaffFactory

    return StaffFactory(organization=org, name="Kim Osei")


@pytest.fixture
def other_member(org, other_supporter):
    from tests.factories import MemberFactory

    return MemberFactory(organization=org, supporter=other_supporter, name="Marcus Bell")


@pytest.fixture
def outsider(db):
    """A supervisor of another organization."""
    from tests.factories import OrganizationFactory, SupervisorFactory

    return SupervisorFactory(organization=OrganizationFactory(name="Elsewhere Recovery"), name="Olga Outside")


def raise_alert(member, severity: str = "urgent", rule: str = "craving_high", reason: str = "Craving 9 of 10."):
    return raise_alerts(member, [Finding(rule=rule, severity=severity, reason=reason)])[0]


@pytest.fixture
def signed_in(client):
    """The test client signed in as a staff member (Django session, as the browser)."""

    def sign_in(staff):
        client.force_login(staff.user)
        return client

    return sign_in
