"""One sign-in throttle for the web sign-in, the API's token call and /admin/:
counted per email from one client address, per client address, and per email
from anywhere (never slowing a client that signed in to that email before);
back-off, never a lock; a stranger cannot lock a staff member out."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts import throttle
from tests.conftest import Api
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
OFFICE, STRANGER = "198.51.100.7", "203.0.113.66"


def client_at(address: str, **headers) -> Client:
    return Client(REMOTE_ADDR=address, **headers)


def token_call(client: Client, email: str, password: str):
    return Api(client).post("/auth/token", {"email": email, "password": password})


def web_sign_in(client: Client, email: str, password: str):
    return client.post("/login/", {"email": email, "password": password})


def admin_sign_in(client: Client, email: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": email, "password": password})


@pytest.fixture
def small_allowances(settings):
    settings.LOGIN_FAILURES_ALLOWED = 3
    settings.LOGIN_IP_FAILURES_ALLOWED = 6
    settings.LOGIN_ACCOUNT_FAILURES_ALLOWED = 5
    settings.LOGIN_BACKOFF_SECONDS = 60
    settings.LOGIN_BACKOFF_MAX_SECONDS = 900


def test_repeated_failures_from_one_place_get_429_with_retry_after(small_allowances, supporter):
    office = client_at(OFFICE)
    for _ in range(3):
        assert token_call(office, supporter.email, "wrong guess").status_code == 401
    refused = token_call(office, supporter.email, PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Too many failed sign-ins" in refused.json()["detail"]
    assert "no-store" in refused["Cache-Control"]


def test_the_wait_doubles_with_each_further_failure_and_then_lets_the_right_password_in(small_allowances, supporter):
    office = client_at(OFFICE)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(3):
            token_call(office, supporter.email, "wrong guess")
        waits = []
        for _ in range(5):
            refused = token_call(office, supporter.email, "still wrong")
            waits.append(int(refused["Retry-After"]))
            clock.shift(dt.timedelta(seconds=waits[-1]))
            assert token_call(office, supporter.email, "wrong again").status_code == 401
        assert waits == [60, 120, 240, 480, 900], "doubling, capped at LOGIN_BACKOFF_MAX_SECONDS"
        clock.shift(dt.timedelta(seconds=900))
        assert token_call(office, supporter.email, PASSWORD).status_code == 200, "back-off, not a lock"


def test_a_stranger_cannot_lock_a_staff_member_out(small_allowances, supporter):
    """The staff member signed in from the office before; a stranger's failures
    from elsewhere, however many, do not slow the office down."""
    office = client_at(OFFICE)
    assert token_call(office, supporter.email, PASSWORD).status_code == 200
    stranger = client_at(STRANGER)
    for _ in range(20):
        token_call(stranger, supporter.email, "guess")
    assert token_call(stranger, supporter.email, PASSWORD).status_code == 429
    assert token_call(office, supporter.email, PASSWORD).status_code == 200
    assert web_sign_in(client_at(OFFICE), supporter.email, PASSWORD).status_code == 302


def test_guessing_one_email_from_many_addresses_slows_every_new_address(small_allowances, supporter):
    for n in range(5):
        token_call(client_at(f"203.0.113.{n + 1}"), supporter.email, "guess")
    fresh = client_at("203.0.113.200")
    assert token_call(fresh, supporter.email, PASSWORD).status_code == 429


def test_one_address_trying_many_emails_is_slowed_for_all_of_them(small_allowances, supporter):
    sprayer = client_at(STRANGER)
    for n in range(6):
        token_call(sprayer, f"guess{n}@example.org", "Password1")
    assert token_call(sprayer, supporter.email, PASSWORD).status_code == 429
    assert token_call(client_at(OFFICE), supporter.email, PASSWORD).status_code == 200


def test_unknown_and_known_emails_are_throttled_alike(small_allowances, supporter):
    answers = {}
    for email in (supporter.email, "nobody@example.org"):
        cache.clear()
        office = client_at(OFFICE)
        answers[email] = [token_call(office, email, "wrong").status_code for _ in range(4)]
    assert answers[supporter.email] == answers["nobody@example.org"] == [401, 401, 401, 429]


@pytest.mark.parametrize(
    "first, then",
    [
        pytest.param(web_sign_in, token_call, id="web-then-api"),
        pytest.param(token_call, admin_sign_in, id="api-then-admin"),
        pytest.param(admin_sign_in, web_sign_in, id="admin-then-web"),
    ],
)
def test_the_web_the_api_and_the_admin_share_one_throttle(small_allowances, supporter, first, then):
    office = client_at(OFFICE)
    for _ in range(3):
        first(office, supporter.email, "wrong guess")
    response = then(client_at(OFFICE), supporter.email, PASSWORD)
    assert response.status_code in (200, 429)
    assert "Too many failed sign-ins" in response.content.decode()


def test_the_admin_sign_in_is_throttled(small_allowances, db):
    operator = UserFactory(username="operator@example.org", is_staff=True, is_superuser=True)
    office = client_at(OFFICE)
    for _ in range(3):
        assert "correct username and password" in admin_sign_in(office, operator.username, "nope").content.decode()
    page = admin_sign_in(office, operator.username, PASSWORD)
    assert "Too many failed sign-ins" in page.content.decode()
    assert "_auth_user_id" not in office.session


def test_the_web_sign_in_answers_429_with_retry_after(small_allowances, supporter):
    office = client_at(OFFICE)
    for _ in range(3):
        web_sign_in(office, supporter.email, "wrong guess")
    page = web_sign_in(office, supporter.email, PASSWORD)
    assert page.status_code == 429
    assert page["Retry-After"] == "60"
    assert "Try again in 1 minute" in page.content.decode()


@pytest.mark.parametrize(
    "proxies, remote, forwarded, counted_as",
    [
        pytest.param(0, "10.0.0.2", "203.0.113.9", "10.0.0.2", id="no-proxy-ignores-the-header"),
        pytest.param(1, "10.0.0.2", "203.0.113.9", "203.0.113.9", id="one-proxy"),
        pytest.param(1, "10.0.0.2", "6.6.6.6, 203.0.113.9", "203.0.113.9", id="one-proxy-spoofed-left-part"),
        pytest.param(2, "10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.3", "203.0.113.9", id="two-proxies"),
        pytest.param(2, "10.0.0.2", "203.0.113.9", "10.0.0.2", id="fewer-hops-than-proxies"),
        pytest.param(1, "10.0.0.2", "not-an-address", "unknown", id="garbage-header"),
        pytest.param(0, "2001:db8:1:2:3:4:5:6", "", "2001:db8:1:2::/64", id="ipv6-per-64"),
        pytest.param(0, "::ffff:198.51.100.7", "", "198.51.100.7", id="ipv4-mapped"),
    ],
)
def test_the_client_address(rf, settings, proxies, remote, forwarded, counted_as):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_ip(request) == counted_as


def test_a_spoofed_forwarded_for_does_not_escape_the_throttle(small_allowances, supporter):
    for n in range(4):
        response = token_call(client_at(STRANGER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), supporter.email, "guess")
    assert response.status_code == 429
