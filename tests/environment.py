"""Chooses the services the test run uses, before Django is configured.

PostgreSQL and Redis are used when they answer on their usual local ports
(CI always has both; `.ci/run` starts them). On a newcomer's machine without
them the suite runs on SQLite, and the tests that need the real services are
skipped with the reason shown. Under CI=true nothing is skipped for that
reason: such a test fails instead.
"""

import os
import socket

# A database name of its own per run (pytest-django creates test_<name> and
# drops it at the end), so that two runs on one machine never share one.
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", f"postgres://postgres@127.0.0.1:5432/checkins_{os.getpid()}")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


HAVE_POSTGRES = "DATABASE_URL" in os.environ or _answers("127.0.0.1", 5432)
HAVE_REDIS = _answers("127.0.0.1", 6379)

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "test-secret-key")
os.environ.setdefault("PUBLIC_BASE_URL", "https://checkins.test")
os.environ.setdefault("SMS_BACKEND", "console")
os.environ.setdefault("TWILIO_AUTH_TOKEN", "test-auth-token")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
if HAVE_POSTGRES:
    os.environ.setdefault("DATABASE_URL", POSTGRES_URL)
# REDIS_URL stays unset: most tests run tasks in-process and call the ticks
# directly. The tests that need a broker start their own worker with it.
os.environ.pop("REDIS_URL", None)
