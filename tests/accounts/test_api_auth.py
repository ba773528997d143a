import pytest

from accounts.models import ApiToken
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_token_for_right_credentials(api, supervisor):
    response = api.post("/auth/token", {"email": supervisor.email, "password": "correct horse battery"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert api.__class__(api.client, token).get("/members").status_code == 200


def test_wrong_password_is_401(api, supervisor):
    response = api.post("/auth/token", {"email": supervisor.email, "password": "nope"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong email or password."


def test_unknown_email_is_401(api, db):
    assert api.post("/auth/token", {"email": "who@example.org", "password": "x" * 10}).status_code == 401


def test_repeated_failures_lock_the_email_out(api, supervisor, settings):
    settings.LOGIN_FAILURES_ALLOWED = 3
    for _ in range(3):
        api.post("/auth/token", {"email": supervisor.email, "password": "wrong"})
    locked = api.post("/auth/token", {"email": supervisor.email, "password": "correct horse battery"})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.json()["detail"]


def test_tokens_are_stored_hashed(api, supervisor):
    token = api.post("/auth/token", {"email": supervisor.email, "password": "correct horse battery"}).json()["token"]
    stored = ApiToken.objects.get(staff=supervisor)
    assert stored.key_hash == ApiToken.hash(token)
    assert token not in {stored.key_hash, stored.prefix}
    assert not ApiToken.objects.filter(key_hash=token).exists()


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer nonsense", "Token abc", "Bearer " + "x" * 5000, "Bearer ' OR 1=1 --"],
)
def test_missing_or_bad_token_is_401(client, db, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/members", **extra)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_token_of_deactivated_staff_stops_working(api, org):
    staff = StaffFactory(organization=org)
    as_staff = api.as_(staff)
    staff.user.is_active = False
    staff.user.save()
    assert as_staff.get("/members").status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        "{}",
        "not json",
        '{"email": 5, "password": []}',
        '{"email": "' + "a" * 100000 + '", "password": "x"}',
        '{"email": "\\u0000\\ud83d", "password": "x"}',
    ],
)
def test_hostile_token_requests_get_4xx(api, db, body):
    response = api.post("/auth/token", raw=body)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "params",
    [{"limit": "99999999999999999999999"}, {"offset": "99999999999999999999999"}, {"limit": "0"}, {"offset": "-1"}],
)
def test_out_of_range_pagination_is_422(api, supervisor, params):
    response = api.as_(supervisor).get("/members", **params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in ("limit", "offset")


def test_nul_characters_never_reach_the_database(api, supervisor):
    assert api.post("/auth/token", {"email": "a\x00@example.org", "password": "x\x00"}).status_code == 401
    assert api.as_(supervisor).get("/members", status="\x00").status_code == 200
    assert api.as_(supervisor).get("/alerts", severity="\x00").status_code == 422
