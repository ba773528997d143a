"""What the service answers over HTTP in production shape: no-store on the API
and on signed-in pages, HTTPS redirect and HSTS behind the TLS proxy (with the
health probe and Twilio's webhooks still answering), API docs for staff only."""

import pytest
from django.test import Client

from devtools.twilio_signing import signature_for
from tests.conftest import Api
from tests.factories import token_for

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.mark.parametrize(
    "method, path, body, with_token, status",
    [
        ("post", "/auth/token", {"email": "vera@x.org", "password": "wrong"}, False, 401),
        ("post", "/auth/token", "right", False, 200),
        ("get", "/members", None, False, 401),
        ("get", "/members", None, True, 200),
        ("get", "/members/999999", None, True, 404),
        ("get", "/alerts?severity=bogus", None, True, 422),
        ("post", "/members", {"name": 5}, True, 422),
        ("get", "/no-such-operation", None, True, 404),
        ("get", "/openapi.json", None, True, 200),
    ],
)  # fmt: skip
def test_every_api_answer_is_no_store(client, supervisor, method, path, body, with_token, status):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(supervisor)}"} if with_token else {}
    if body == "right":
        body = {"email": supervisor.email, "password": PASSWORD}
    if method == "get":
        response = client.get(f"/api/v1{path}", **headers)
    else:
        response = client.post(f"/api/v1{path}", body, content_type="application/json", **headers)
    assert response.status_code == status
    assert "no-store" in response["Cache-Control"]
    if status >= 400:
        assert "detail" in response.json(), "errors under /api/ are JSON, even for unknown paths"


def test_every_page_for_a_signed_in_person_is_no_store(client, supervisor, member):
    client.force_login(supervisor.user)
    for path in ("/", "/queue", f"/members/{member.pk}", "/review/", "/settings/", "/members/999999", "/nowhere"):
        response = client.get(path)
        assert "no-store" in response.get("Cache-Control", ""), path


def test_the_api_docs_are_for_signed_in_staff(client, supporter, settings):
    settings.API_SCHEMA_PUBLIC = False
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 302 and docs["Location"] == "/login/?next=/api/v1/docs"
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 401 and "detail" in schema.json()
    assert client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
    as_bearer = client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token_for(supporter)}")
    assert as_bearer.status_code == 200 and "paths" in as_bearer.json()
    client.force_login(supporter.user)
    staff = client
    assert staff.get("/api/v1/docs").status_code == 200
    assert staff.get("/api/v1/openapi.json").status_code == 200, "the docs page loads the schema with the session"


def test_the_schema_is_public_only_when_switched_on(client, db, settings):
    settings.API_SCHEMA_PUBLIC = True
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 302, "the docs page stays for staff"


@pytest.fixture
def behind_tls_proxy(settings):
    """The settings an https PUBLIC_BASE_URL gives with DEBUG off (tests/deploy/test_settings.py)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^sms/twilio/"]
    settings.SECURE_HSTS_SECONDS = 31536000
    return Client()


def test_plain_http_is_redirected_to_https_and_https_gets_hsts(behind_tls_proxy):
    plain = behind_tls_proxy.get("/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/login/"
    secure = behind_tls_proxy.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_health_probe_answers_over_plain_http_on_any_host(behind_tls_proxy):
    probe = behind_tls_proxy.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert probe.status_code == 200 and probe.json() == {"status": "ok"}
    assert behind_tls_proxy.get("/healthz", HTTP_HOST="web:8000").status_code == 200


def test_webhooks_are_not_redirected_when_the_proxy_drops_the_scheme(behind_tls_proxy, member):
    params = {"MessageSid": "SM" + "a" * 32, "From": member.phone, "To": "+15555550000", "Body": "hi"}
    signed = behind_tls_proxy.post(
        "/sms/twilio/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature_for("/sms/twilio/inbound", params)
    )
    assert signed.status_code == 200
    assert behind_tls_proxy.post("/sms/twilio/inbound", params).status_code == 403


def test_sign_in_through_the_proxy_sets_secure_cookies(behind_tls_proxy, settings, supporter):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = behind_tls_proxy.post(
        "/login/", {"email": supporter.email, "password": PASSWORD}, HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] and response.cookies["sessionid"]["httponly"]


def test_an_api_client_at_the_token_call_gets_no_store_even_when_refused(client, supervisor, settings):
    settings.LOGIN_FAILURES_ALLOWED = 1
    api = Api(client)
    api.post("/auth/token", {"email": supervisor.email, "password": "wrong"})
    refused = api.post("/auth/token", {"email": supervisor.email, "password": PASSWORD})
    assert refused.status_code == 429 and "no-store" in refused["Cache-Control"]
