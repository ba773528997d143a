"""Starting the real processes and waiting for them, for tests, drills and the bench.

The primitives (a free port, waiting for a port or a condition, where the
interpreter lives) are shared by the integration tests' `IntegrationStack` below
and by bench/procs.py's `Stack` (a throwaway Redis and PostgreSQL, beat,
several workers, a recording LocalTwilio, logs per process).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import requests
from celery import Celery
from django.conf import settings
from django.db import connection

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing answered on port {port} within {timeout} s")


def wait_until(condition: Callable[[], T], timeout: float = 20.0, what: str = "condition") -> T:
    """Poll a condition: the processes under test work at their own pace."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class IntegrationStack:
    """The production shape, started by a test: gunicorn and Celery worker
    processes over the test's PostgreSQL database and a Redis broker, with the
    Twilio SDK pointed at a local Twilio-compatible server."""

    # The interpreter running the tests, whichever virtualenv that is.
    bin = Path(sys.executable).parent

    def __init__(self, redis_url: str, twilio_base_url: str, messages_per_second: float = 1000, lease_seconds: float = 30):
        db = connection.settings_dict
        self.port = free_port()
        self.redis_url = redis_url
        self.env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "integration-secret",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": redis_url,
            "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL,
            # The https PUBLIC_BASE_URL would redirect plain HTTP; here no TLS proxy is in front.
            "SECURE_SSL_REDIRECT": "false",
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "TWILIO_AUTH_TOKEN": settings.TWILIO_AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": "+15555550000",
            "TWILIO_API_BASE_URL": twilio_base_url,
            "TWILIO_TIMEOUT_SECONDS": "2",
            "OUTBOX_LEASE_SECONDS": str(lease_seconds),
            "SMS_MESSAGES_PER_SECOND": str(messages_per_second),
            "CONN_MAX_AGE": "0",
            "PYTHONUNBUFFERED": "1",
        }
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.sender = Celery(broker=redis_url)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_web(self) -> None:
        self.web = subprocess.Popen(
            [str(self.bin / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
             "--threads", "4", "--log-level", "warning"],
            cwd=ROOT, env=self.env,
        )  # fmt: skip
        wait_until(self._web_answers, what="gunicorn")

    def _web_answers(self) -> bool:
        try:
            # (a page through the URL configuration; with DEBUG off the API schema is for staff only)
            return requests.get(f"{self.url}/admin/login/", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def start_worker(self) -> None:
        self.worker = subprocess.Popen(
            [str(self.bin / "celery"), "-A", "config", "worker", "--concurrency", "2", "--pool", "prefork",
             "--loglevel", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=self.env,
        )  # fmt: skip
        wait_until(self._worker_answers, timeout=30, what="the Celery worker")

    def _worker_answers(self) -> bool:
        replies = self.sender.control.ping(timeout=0.5)
        return bool(replies)

    def send_task(self, name: str, *args) -> None:
        self.sender.send_task(name, args=args)

    def kill_worker(self) -> None:
        """SIGKILL the worker and its pool: no chance to finish or clean up."""
        if self.worker is None:
            return
        subprocess.run(["pkill", "-KILL", "-P", str(self.worker.pid)], check=False)
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait(timeout=10)
        self.worker = None

    def stop(self) -> None:
        self.kill_worker()
        if self.web is not None:
            self.web.terminate()
            self.web.wait(timeout=10)
            self.web = None
