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


# An export is a disclosure: it is posted with a purpose and a recipient.
DISCLOSE = {"purpose": "Quality review", "recipient": "Riverside board"}


def read_export(content: bytes) -> tuple[str, list[dict]]:
    """(the notice, the rows) of a CSV export: its first row is the notice in
    a cell of its own, then a blank row, then the header and the rows."""
    import csv
    import io

    lines = csv.reader(io.StringIO(content.decode()))
    notice = next(lines)
    assert len(notice) == 1, "the notice is in a cell of its own"
    assert next(lines) == [], "a blank row after the notice"
    header = next(lines)
    return notice[0], [dict(zip(header, row, strict=True)) for row in lines]
