"""What goes into the image and what compose publishes (no Docker engine here:
the files themselves are read)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NEVER_IN_THE_IMAGE = [".env", "var", ".git", ".venv", "tests", "docs", "bench", "test-artifacts", ".hypothesis"]


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def copied_sources() -> list[str]:
    sources = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            sources += line.split()[1:-1]
    return sources


def test_the_build_context_is_an_allowlist():
    patterns = dockerignore()
    assert patterns[0] == "*", "everything is left out unless listed"
    allowed = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    assert allowed == {"pyproject.toml", "manage.py", "config", "accounts", "alerts", "checkins", "coverage", "records", "inbox", "care", "sms", "web"}
    assert "**/.env" in patterns and "**/__pycache__" in patterns


@pytest.mark.parametrize("path", NEVER_IN_THE_IMAGE)
def test_local_files_never_reach_the_image(path):
    assert path not in {p[1:].rstrip("/") for p in dockerignore() if p.startswith("!")}
    assert path not in copied_sources()


def test_the_dockerfile_copies_only_what_the_service_runs():
    sources = copied_sources()
    assert "." not in sources, "no COPY . ."
    for source in sources:
        assert (ROOT / source).exists(), source
    assert "USER checkins" in (ROOT / "Dockerfile").read_text()


def test_compose_publishes_the_web_port_on_localhost_unless_told_otherwise():
    compose = (ROOT / "docker-compose.yml").read_text()
    published = re.findall(r'^\s+- "([^"]*):8000"$', compose, flags=re.M)
    assert published == ["${WEB_BIND:-127.0.0.1}:8000"]
    assert not re.search(r'^\s+- "?8000:8000"?$', compose, flags=re.M)
