import json
import shutil

import pytest

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
