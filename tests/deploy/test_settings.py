"""The settings refuse to start in an unsafe or half-configured state, and say which variable is missing."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE_ENV = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
# A complete production environment that starts; each test changes one thing.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-" + "a1b2c3d4" * 7,
    "ALLOWED_HOSTS": "checkins.riverside.test",
    "PUBLIC_BASE_URL": "https://checkins.riverside.test",
    "SMS_BACKEND": "twilio",
    "TWILIO_ACCOUNT_SID": "AC" + "0123456789abcdef" * 2,
    "TWILIO_AUTH_TOKEN": "0f" * 16,
    "TWILIO_MESSAGING_SERVICE_SID": "MG" + "fedcba9876543210" * 2,
}


def django_check(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "CRITICAL"],
        cwd=ROOT, env={**BASE_ENV, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize(
    "env, missing",
    [
        ({"DEBUG": "false"}, "SECRET_KEY"),
        ({"DEBUG": "false", "SECRET_KEY": "x" * 60}, "SMS_BACKEND is missing"),
        ({**PRODUCTION, "SMS_SANDBOX": "true"}, "SMS_SANDBOX"),
        ({"DEBUG": "true", "TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT"),
        ({"DEBUG": "true", "API_TOKEN_TTL_DAYS": "0"}, "API_TOKEN_TTL_DAYS"),
        ({"DEBUG": "true", "LOGIN_BACKOFF_SECONDS": "0"}, "LOGIN_BACKOFF_SECONDS"),
        ({"DEBUG": "true", "SMS_BACKEND": "twilio"}, "TWILIO_ACCOUNT_SID"),
        ({"DEBUG": "true", "SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": "AC1"}, "TWILIO_AUTH_TOKEN"),
        (
            {"DEBUG": "true", "SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"},
            "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID",
        ),
        ({"DEBUG": "true", "SMS_BACKEND": "carrier-pigeon"}, "SMS_BACKEND"),
        ({"DEBUG": "true", "SMS_MESSAGES_PER_SECOND": "0"}, "SMS_MESSAGES_PER_SECOND"),
    ],
)
def test_refuses_to_start_and_names_the_variable(env, missing):
    result = django_check(**env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_starts_with_everything_set(tmp_path):
    result = django_check(**PRODUCTION, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0, result.stderr
    # Only the two HSTS choices that are the operator's to make (subdomains, preload list).
    warnings = set(re.findall(r"security\.W\d+", result.stderr))
    assert warnings <= {"security.W005", "security.W021"}, result.stderr


def settings_of(env: dict, *names: str) -> dict:
    """The values the settings module computes for this environment."""
    code = f"import json, config.settings as s; print(json.dumps({{n: getattr(s, n, None) for n in {list(names)!r}}}))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**BASE_ENV, **env},
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z_]+=", line))


SECRETS = ["SECRET_KEY", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_MESSAGING_SERVICE_SID", "POSTGRES_PASSWORD"]


@pytest.mark.parametrize("name", SECRETS)
def test_a_placeholder_from_env_example_is_refused_naming_the_variable(name):
    placeholder = env_example()[name]
    env = {**PRODUCTION, name: placeholder}
    if name == "POSTGRES_PASSWORD":  # compose puts it into DATABASE_URL
        env = {**PRODUCTION, "DATABASE_URL": f"postgres://checkins:{placeholder}@127.0.0.1:5432/checkins"}
    result = django_check(**env)
    assert result.returncode != 0
    assert name in result.stderr and "placeholder" in result.stderr


def test_env_example_has_a_placeholder_for_every_secret():
    assert set(SECRETS) <= set(env_example())


def test_placeholders_are_fine_for_local_development():
    env = {**PRODUCTION, **{name: env_example()[name] for name in SECRETS if name != "POSTGRES_PASSWORD"}}
    assert settings_of({**env, "DEBUG": "true"}, "SECRET_KEY")["SECRET_KEY"].startswith("change-me")


def test_the_sandbox_and_its_token_exist_only_with_debug_or_on_purpose():
    console = {**PRODUCTION, "SMS_BACKEND": "console"}
    del console["TWILIO_AUTH_TOKEN"]
    production = settings_of(console, "SMS_SANDBOX", "TWILIO_AUTH_TOKEN")
    assert production == {"SMS_SANDBOX": False, "TWILIO_AUTH_TOKEN": ""}, "no sandbox, and every webhook refused"
    development = settings_of({"DEBUG": "true"}, "SMS_BACKEND", "SMS_SANDBOX", "TWILIO_AUTH_TOKEN")
    assert development["SMS_BACKEND"] == "console" and development["SMS_SANDBOX"] is True
    again = settings_of({"DEBUG": "true"}, "TWILIO_AUTH_TOKEN")
    assert len(development["TWILIO_AUTH_TOKEN"]) >= 32
    assert development["TWILIO_AUTH_TOKEN"] != again["TWILIO_AUTH_TOKEN"], "no constant, guessable token"
    on_purpose = settings_of({**console, "SMS_SANDBOX": "true"}, "SMS_SANDBOX")
    assert on_purpose["SMS_SANDBOX"] is True


def test_https_deployments_redirect_to_https_and_send_hsts():
    values = settings_of(PRODUCTION, "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER",
                         "SECURE_REDIRECT_EXEMPT", "SESSION_COOKIE_SECURE", "API_SCHEMA_PUBLIC")  # fmt: skip
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["API_SCHEMA_PUBLIC"] is False
    assert {"healthz", "sms/twilio/inbound", "sms/twilio/status"} == {
        path for path in ("healthz", "sms/twilio/inbound", "sms/twilio/status", "api/v1/members")
        if any(re.search(pattern, path) for pattern in values["SECURE_REDIRECT_EXEMPT"])
    }  # fmt: skip


def test_no_https_redirect_without_an_https_address_or_in_development():
    plain = settings_of({**PRODUCTION, "PUBLIC_BASE_URL": "http://10.0.0.5:8000"}, "SECURE_SSL_REDIRECT",
                        "SECURE_HSTS_SECONDS")  # fmt: skip
    assert plain == {"SECURE_SSL_REDIRECT": None, "SECURE_HSTS_SECONDS": None}
    assert settings_of({**PRODUCTION, "DEBUG": "true"}, "SECURE_SSL_REDIRECT")["SECURE_SSL_REDIRECT"] is None
