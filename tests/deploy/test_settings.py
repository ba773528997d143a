"""The settings refuse to start in an unsafe or half-configured state, and say which variable is missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE_ENV = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}


def django_check(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "CRITICAL"],
        cwd=ROOT, env={**BASE_ENV, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize(
    "env, missing",
    [
        ({"DEBUG": "false"}, "SECRET_KEY"),
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
    result = django_check(
        DEBUG="false",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="checkins.example.org",
        PUBLIC_BASE_URL="https://checkins.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN="token",
        TWILIO_MESSAGING_SERVICE_SID="MG" + "0" * 32,
    )
    assert result.returncode == 0, result.stderr
