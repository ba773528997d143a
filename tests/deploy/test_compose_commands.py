"""docker-compose.yml cannot run here (no Docker engine), so the commands it
runs are started directly, with the production settings: gunicorn, the
Celery worker and Celery beat."""

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from devtools.processes import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def production_env(redis_url):
    from django.db import connection

    db = connection.settings_dict
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "compose-check-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PUBLIC_BASE_URL": "https://checkins.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "SMS_BACKEND": "console",
    }


def compose_command(service: str) -> str:
    """The command line of a service, read from docker-compose.yml."""
    text = (ROOT / "docker-compose.yml").read_text()
    block = text.split(f"\n  {service}:\n", 1)[1]
    match = re.search(r"command: (.+)", block)
    assert match, f"no command for {service}"
    return match.group(1).strip().strip('"')


def test_compose_names_the_commands_tested_here():
    assert compose_command("web").endswith("gunicorn config.wsgi --bind 0.0.0.0:8000 --workers 3 --threads 4")
    assert compose_command("worker") == "celery -A config worker --loglevel info --concurrency 2"
    assert compose_command("beat") == "celery -A config beat --loglevel info --schedule /tmp/celerybeat-schedule"


def test_gunicorn_serves_with_production_settings(production_env):
    port = free_port()
    web = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env=production_env,
    )  # fmt: skip
    try:
        # The first request through the URL configuration loads it, which can take a while.
        sign_in = wait_until(lambda: _get(f"http://127.0.0.1:{port}/admin/login/"), what="gunicorn")
        assert sign_in.status_code == 200
        # With DEBUG off the API schema is for staff only.
        assert _get(f"http://127.0.0.1:{port}/api/v1/openapi.json").status_code == 401
        assert _get(f"http://127.0.0.1:{port}/static/ninja/swagger-ui.css").status_code == 200
        assert _get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}
        # PUBLIC_BASE_URL is https: plain HTTP that did not come through the TLS proxy is redirected.
        plain = requests.get(f"http://127.0.0.1:{port}/login/", timeout=5, allow_redirects=False)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    finally:
        web.terminate()
        web.wait(timeout=10)


def _get(url: str):
    """A request as the TLS proxy in front forwards it."""
    try:
        return requests.get(url, timeout=5, headers={"X-Forwarded-Proto": "https"})
    except requests.RequestException:
        return None


@pytest.mark.parametrize(
    "args, ready",
    [
        (["worker", "--loglevel", "info", "--concurrency", "1"], "ready."),
        (["beat", "--loglevel", "info"], "beat: Starting..."),
    ],
)
def test_celery_processes_start_with_production_settings(production_env, tmp_path, args, ready):
    if args[0] == "beat":
        args = args + ["--schedule", str(tmp_path / "schedule")]
    process = subprocess.Popen(
        [str(BIN / "celery"), "-A", "config", *args], cwd=ROOT, env=production_env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines = []
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        for line in process.stdout:
            lines.append(line)
            if ready in line:
                break
            if process.poll() is not None:
                break
        assert any(ready in line for line in lines), "".join(lines[-30:])
    finally:
        watchdog.cancel()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
