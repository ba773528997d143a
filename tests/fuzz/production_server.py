"""The app as it runs in production, for the fuzzers: gunicorn with DEBUG off,
on this run's PostgreSQL test database, its log captured so a test can check
that no request produced a traceback. The SMS sandbox is switched on
explicitly (SMS_SANDBOX=true) so that its forms can be fuzzed too.

Import the fixtures into a test module:
`from tests.fuzz.production_server import production_server, Browser  # noqa: F401`
"""

import html.parser
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from devtools.processes import free_port, wait_until
from devtools.twilio_signing import compute_signature

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
AUTH_TOKEN = "fuzz-auth-token-0123456789abcdef"


@dataclass
class ProductionServer:
    url: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def sign(self, path: str, params: dict) -> str:
        return compute_signature(self.url + path, params, AUTH_TOKEN)

    def log_size(self) -> int:
        return self.log.stat().st_size

    def assert_no_server_error_logged(self, since: int = 0) -> None:
        """Nothing logged since `since` (a log_size() taken earlier) is a server error."""
        with open(self.log, "rb") as log:
            log.seek(since)
            text = log.read().decode(errors="replace")
        assert "Traceback" not in text and "Internal Server Error" not in text, text[-4000:]


@pytest.fixture(scope="session")
def production_server(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db import connection

    if not connection.settings_dict["ENGINE"].endswith("postgresql"):
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    db = connection.settings_dict
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("gunicorn") / "web.log"
    env = {
        **{name: value for name, value in os.environ.items() if name not in ("REDIS_URL",)},
        "DEBUG": "false",
        "SECRET_KEY": "fuzz-" + "9f8e7d6c" * 6,
        "ALLOWED_HOSTS": "127.0.0.1",
        "PUBLIC_BASE_URL": url,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CONN_MAX_AGE": "0",
        "SMS_BACKEND": "console",
        "SMS_SANDBOX": "true",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "API_SCHEMA_PUBLIC": "false",
        # The fuzzers sign in and guess from one address; keep the throttle's
        # answers (429) possible but rare enough not to hide everything else.
        "LOGIN_FAILURES_ALLOWED": "50",
        "LOGIN_IP_FAILURES_ALLOWED": "200",
        "LOG_LEVEL": "WARNING",
    }
    with open(log, "w") as output:
        web = subprocess.Popen(
            [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
             "--timeout", "60"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(lambda: _answers(url), what="gunicorn")
        yield ProductionServer(url, log)
    finally:
        web.terminate()
        web.wait(timeout=10)


def _answers(url: str):
    try:
        return requests.get(f"{url}/healthz", timeout=2).ok or None
    except requests.RequestException:
        return None


class _FormReader(html.parser.HTMLParser):
    """The fields of every form on a page, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}})
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and ("selected" in attrs or self._select not in self.forms[-1]["fields"]):
            self.forms[-1]["fields"][self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            self.forms[-1]["fields"][self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def forms_on(page: str) -> list[dict]:
    reader = _FormReader()
    reader.feed(page)
    return reader.forms


@dataclass
class Browser:
    """A browser session against the production server. With DEBUG off the
    cookies are Secure, which `requests` keeps back over plain HTTP: this sends
    them itself, as the TLS proxy in front would let a browser do."""

    server: ProductionServer
    cookies: dict = field(default_factory=dict)

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(method, self.server.url + path, headers=headers, allow_redirects=False,
                                    timeout=30, **kwargs)  # fmt: skip
        self.cookies.update(response.cookies.get_dict())
        return response

    def get(self, path: str) -> requests.Response:
        return self._send("GET", path)

    def post(self, path: str, data) -> requests.Response:
        if isinstance(data, dict):
            data = {**data, "csrfmiddlewaretoken": self.csrf_token()}
        else:  # a list of pairs, to repeat or drop fields
            data = [*data, ("csrfmiddlewaretoken", self.csrf_token())]
        return self._send("POST", path, data=data)

    def csrf_token(self) -> str:
        if "csrftoken" not in self.cookies:
            self.get("/login/")
        return self.cookies["csrftoken"]

    def sign_in(self, email: str, password: str = "correct horse battery") -> "Browser":
        response = self.post("/login/", {"email": email, "password": password})
        assert response.status_code == 302, response.status_code
        return self
