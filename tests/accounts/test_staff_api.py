import pytest

from accounts.models import Staff
from tests.factories import OrganizationFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

NEW_STAFF = {
    "email": "jo@example.org",
    "name": "Jo Tran",
    "phone": "(202) 555-0199",
    "role": "supporter",
    "password": "long enough passphrase",
}


def test_supervisor_adds_a_supporter(api, supervisor):
    response = api.as_(supervisor).post("/staff", NEW_STAFF)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone"] == "+12025550199"
    assert body["role"] == "supporter"
    staff = Staff.objects.get(pk=body["id"])
    assert staff.organization == supervisor.organization
    assert not staff.user.is_staff, "staff never get the operators' Django admin"


def test_supporter_cannot_add_staff(api, supporter):
    assert api.as_(supporter).post("/staff", NEW_STAFF).status_code == 403


@pytest.mark.parametrize(
    "field, value",
    [
        ("email", "not-an-email"),
        ("phone", "12"),
        ("phone", "call me"),
        ("role", "admin"),
        ("password", "short"),
        ("name", ""),
    ],
)
def test_invalid_staff_fields_are_422_naming_the_field(api, supervisor, field, value):
    response = api.as_(supervisor).post("/staff", {**NEW_STAFF, field: value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_duplicate_email_or_phone_is_409(api, supervisor):
    as_supervisor = api.as_(supervisor)
    assert as_supervisor.post("/staff", NEW_STAFF).status_code == 201
    assert as_supervisor.post("/staff", {**NEW_STAFF, "phone": "+12025550198"}).status_code == 409
    assert as_supervisor.post("/staff", {**NEW_STAFF, "email": "other@example.org"}).status_code == 409


def test_staff_list_stays_in_the_organization(api, supervisor):
    other = SupervisorFactory(organization=OrganizationFactory())
    listing = api.as_(supervisor).get("/staff").json()
    assert listing["count"] == 1
    assert [s["id"] for s in listing["items"]] == [supervisor.id]
    assert other.id not in [s["id"] for s in listing["items"]]
