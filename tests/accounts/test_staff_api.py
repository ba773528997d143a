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


CLASH = "This email or phone cannot be used for a new staff member."


@pytest.mark.parametrize(
    "where, clash",
    [
        ("same-org", {"phone": "+12025550198"}),  # the same email
        ("same-org", {"email": "other@example.org"}),  # the same phone
        ("same-org", {"email": "JO@Example.org", "phone": "+12025550198"}),  # the email in other letters
        ("other-org", {"phone": "+12025550198"}),
        ("other-org", {"email": "other@example.org"}),
        ("operator", {"phone": "+12025550198"}),  # an operator's (admin) account with that email
    ],
)
def test_any_clash_is_the_same_409_naming_no_field_and_no_organization(api, supervisor, where, clash):
    """Emails and phones are unique across the deployment (a sign-in and an ACK
    text must name one person), so a 409 cannot be avoided; it must not tell
    which field clashed, nor whether the clash is in another organization."""
    from tests.factories import UserFactory

    existing = {"email": NEW_STAFF["email"], "phone": "(202) 555-0199"}
    if where == "same-org":
        assert api.as_(supervisor).post("/staff", NEW_STAFF).status_code == 201
    elif where == "other-org":
        elsewhere = SupervisorFactory(organization=OrganizationFactory(name="Elsewhere Recovery"))
        assert api.as_(elsewhere).post("/staff", NEW_STAFF).status_code == 201
    else:
        UserFactory(username=existing["email"], email=existing["email"])
        clash = {"email": existing["email"], "phone": "+12025550198"}
    response = api.as_(supervisor).post("/staff", {**NEW_STAFF, **clash})
    assert response.status_code == 409
    assert response.json() == {"detail": CLASH}
    assert "Elsewhere" not in response.content.decode()


def test_staff_list_stays_in_the_organization(api, supervisor):
    other = SupervisorFactory(organization=OrganizationFactory())
    listing = api.as_(supervisor).get("/staff").json()
    assert listing["count"] == 1
    assert [s["id"] for s in listing["items"]] == [supervisor.id]
    assert other.id not in [s["id"] for s in listing["items"]]
