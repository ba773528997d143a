"""`make run`'s embedded server (SQLite, tasks in process, the scheduler in a
thread) under sixteen clients at once: members texting while a supervisor
enrols, starts check-ins and acknowledges. Nothing may answer 5xx, and every
distinct MessageSid is stored exactly once.

SQLite has one writer at a time. A transaction that begins as a reader and
then writes cannot wait for that lock: it fails at once with "database is
locked", whatever the busy timeout. Before every transaction took the lock
when it began (config/settings.py, `transaction_mode`), this run answered 500
to most of its texts.
"""

import os
import random
import sqlite3
import subprocess
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from twilio.request_validator import RequestValidator

from devtools.processes import PYTHON, ROOT, free_port, wait_for_port

AUTH_TOKEN = "embedded-test-token"
THREADS = 16
WEBHOOK = "/sms/twilio/inbound"
SUPERVISOR_PHONE = "+15555550100"  # checkins/management/commands/seeddemo.py
MEMBER_PHONES = ["+15555550201", "+15555550202", "+15555550203", "+15555550204", "+15555550205"]
MEMBER_TEXTS = ["4", "five", "like a 7", "nope", "y", "3/10", "STOP", "START", "HELP", "rough day at work",
                "I want to end it all", "quiero morir", "PARA"]  # fmt: skip


@pytest.fixture
def embedded(tmp_path):
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "true",
        "SMS_BACKEND": "console",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "LOG_LEVEL": "WARNING",
    }
    manage = [PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    seeded = subprocess.run([*manage, "seeddemo"], cwd=ROOT, env=env, check=True, timeout=60, capture_output=True)
    token = seeded.stdout.decode().split("Demo API token (supervisor): ")[1].split()[0]
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen(
        [*manage, "runlocal", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}", token, tmp_path / "db.sqlite3"
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def _text(base: str, phone: str, body: str, sid: str) -> int:
    params = {"MessageSid": sid, "From": phone, "To": "+15555550000", "Body": body}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(base + WEBHOOK, params)
    return requests.post(base + WEBHOOK, data=params, headers={"X-Twilio-Signature": signature}, timeout=60).status_code


def _api(base: str, token: str, method: str, path: str, body: dict | None = None) -> int:
    answer = requests.request(
        method, f"{base}/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    return answer.status_code


def test_sixteen_clients_at_once_get_no_5xx_and_every_text_is_stored_once(embedded):
    base, token, database = embedded
    members = requests.get(f"{base}/api/v1/members", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    member_ids = [m["id"] for m in members.json()["items"]]
    program = requests.get(f"{base}/api/v1/programs", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    program_id = program.json()["items"][0]["id"]
    supporter_id = members.json()["items"][0]["supporter_id"]

    rng = random.Random(11)
    sids: list[str] = []
    operations = []
    for i in range(320):
        sid = "SM" + uuid.uuid4().hex
        sids.append(sid)
        body = rng.choice(MEMBER_TEXTS)
        phone = rng.choice(MEMBER_PHONES)
        operations.append(("text", lambda p=phone, b=body, s=sid: _text(base, p, b, s)))
        if i % 8 == 0:  # Twilio's retry of a text already sent
            operations.append(("retry", lambda p=phone, b=body, s=sid: _text(base, p, b, s)))
    for i in range(24):
        enrolment = {
            "name": f"New Member {i}", "phone": f"+1555555{3000 + i}", "timezone": "America/New_York",
            "language": "en", "program_id": program_id, "supporter_id": supporter_id, "checkin_time": "09:00",
            "consent": True,
        }  # fmt: skip
        operations.append(("enrol", lambda e=enrolment: _api(base, token, "post", "/members", e)))
        operations.append(
            ("checkin", lambda m=rng.choice(member_ids): _api(base, token, "post", f"/members/{m}/checkins"))
        )
        ack_sid = "SM" + uuid.uuid4().hex
        sids.append(ack_sid)
        operations.append(("ack", lambda s=ack_sid: _text(base, SUPERVISOR_PHONE, "ACK", s)))
        operations.append(("unknown", lambda s="SM" + uuid.uuid4().hex: _text(base, f"+1555555{4000 + i}", "hi", s)))
    rng.shuffle(operations)

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda op: (op[0], op[1]()), operations))

    server_errors = Counter(kind for kind, status in results if status >= 500)
    assert not server_errors, server_errors
    assert {status for kind, status in results if kind in ("text", "retry", "ack")} == {200}
    assert {status for kind, status in results if kind == "enrol"} == {201}
    with sqlite3.connect(database) as db:
        stored = Counter(
            sid for (sid,) in db.execute("SELECT provider_sid FROM sms_message WHERE provider_sid IS NOT NULL")
        )
    assert all(stored[sid] == 1 for sid in sids)
