import itertools
import json
import shutil

import pytest

from devtools.local_twilio import LocalTwilio
from devtools.twilio_signing import signature_for, signed_post
from tests.environment import HAVE_POSTGRES, HAVE_REDIS, IN_CI, REDIS_URL

CHROMIUM = shutil.which("chromium")


def pytest_configure(config):
    # Under CI the real services are part of the contract: missing one is a
    # failure of the run, never a quiet skip.
    if IN_CI:
        missing = [
            name
            for name, present in (("PostgreSQL", HAVE_POSTGRES), ("Redis", HAVE_REDIS), ("chromium", CHROMIUM))
            if not present
        ]
        if missing:
            pytest.exit(f"CI=true but {', '.join(missing)} not available; .ci/run should have started them", 1)


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    for item in items:
        if item.get_closest_marker("postgres") and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="PostgreSQL is not reachable on 127.0.0.1:5432"))
        if item.get_closest_marker("redis") and not HAVE_REDIS:
            item.add_marker(pytest.mark.skip(reason="Redis is not reachable on 127.0.0.1:6379"))
        if item.get_closest_marker("browser") and not CHROMIUM:
            item.add_marker(pytest.mark.skip(reason="Debian's chromium is not installed"))


@pytest.fixture
def redis_url() -> str:
    return REDIS_URL


class Api:
    """The test client speaking JSON with a bearer token."""

    def __init__(self, client, token: str | None = None):
        self.client = client
        self.token = token

    def _headers(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, **self._headers())

    def post(self, path: str, body=None, raw: str | bytes | None = None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(f"/api/v1{path}", data, content_type="application/json", **self._headers())

    def patch(self, path: str, body=None, raw: str | bytes | None = None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.patch(f"/api/v1{path}", data, content_type="application/json", **self._headers())

    def as_(self, staff) -> "Api":
        from tests.factories import token_for

        return Api(self.client, token_for(staff))


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.fixture
def org(db):
    from tests.factories import OrganizationFactory

    return OrganizationFactory(name="Riverside Peer Support")


@pytest.fixture
def supervisor(org):
    from tests.factories import SupervisorFactory

    return SupervisorFactory(organization=org, name="Vera Lopez")


@pytest.fixture
def supporter(org):
    from tests.factories import StaffFactory

    return StaffFactory(organization=org, name="Sam Rivera")


@pytest.fixture
def member(org, supporter):
    from tests.factories import MemberFactory

    return MemberFactory(organization=org, supporter=supporter, name="Dana Whitfield")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


# --- SMS: signed webhooks, the outbox, a local Twilio ----------------------------

_sids = itertools.count(1)


def new_sid(prefix: str = "SM") -> str:
    return f"{prefix}{next(_sids):032x}"


class Phone:
    """Texting the system the way Twilio delivers texts: a form POST signed by devtools.twilio_signing."""

    def __init__(self, client, capture):
        self.client = client
        self.capture = capture

    def text(self, phone: str, body: str, sid: str | None = None, to: str = "+15555550000", signature=None):
        params = {"MessageSid": sid or new_sid(), "From": phone, "To": to, "Body": body, "NumMedia": "0"}
        signature = signature if signature is not None else signature_for("/sms/twilio/inbound", params)
        with self.capture(execute=True):
            return self.client.post("/sms/twilio/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature)

    def status(self, sid: str, status: str, error_code: str | None = None):
        params = {"MessageSid": sid, "MessageStatus": status}
        if error_code:
            params["ErrorCode"] = error_code
        with self.capture(execute=True):
            return signed_post(self.client, "/sms/twilio/status", params)


@pytest.fixture
def phone(client, django_capture_on_commit_callbacks) -> Phone:
    return Phone(client, django_capture_on_commit_callbacks)


def replies(response) -> list[str]:
    """The <Message> texts of a TwiML answer."""
    from xml.etree import ElementTree

    return [m.text or "" for m in ElementTree.fromstring(response.content).findall("Message")]


@pytest.fixture
def twilio(settings):
    """A Twilio-compatible server on localhost, with the real SDK pointed at it."""
    from sms.backends import _backend

    server = LocalTwilio(auth_token="test-auth-token").start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    settings.TWILIO_FROM_NUMBER = "+15555550000"
    settings.TWILIO_API_BASE_URL = server.base_url
    settings.TWILIO_TIMEOUT_SECONDS = 2
    settings.SMS_MESSAGES_PER_SECOND = 1000
    _backend.cache_clear()
    yield server
    server.stop()
    _backend.cache_clear()


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Run the outbox's delivery loop now, as a worker would."""
    from sms import outbox

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return outbox.deliver(budget_seconds=5)

    return run
