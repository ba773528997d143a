"""Tests for devtools.local_twilio (and the signer it shares, devtools.twilio_signing)
against the real twilio SDK. Plain pytest: no Django, no database."""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from devtools.local_twilio import (
    INVALID_TO, RATE_LIMITED, SERVER_ERROR, UNSUBSCRIBED, LocalTwilio, count_segments, mask_number,
)
from devtools.twilio_signing import compute_signature, compute_signature_stdlib

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"
PATIENT = "+15555550100"
CLINIC = "+15555550199"
SERVICE_SID = "MG" + "1" * 32
BODY = "Check-in reminder: reply 1 if you feel OK"


class RewritingClient(TwilioHttpClient):
    """Sends the SDK's https://api.twilio.com requests to the local server instead."""

    def __init__(self, base_url, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url

    def request(self, method, url, *args, **kwargs):
        if url.startswith("https://api.twilio.com"):
            url = self.base_url + url[len("https://api.twilio.com"):]
        return super().request(method, url, *args, **kwargs)


class Receiver:
    """Tiny HTTP server collecting status callbacks: (url, headers, form)."""

    def __init__(self):
        self.requests = []
        self.changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
                form = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
                with receiver.changed:
                    receiver.requests.append((receiver.url + self.path, dict(self.headers), form))
                    receiver.changed.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def wait_for(self, count, timeout=5.0):
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.requests) >= count, timeout)
            return list(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def twilio():
    with LocalTwilio(auth_token=AUTH_TOKEN) as server:
        yield server


@pytest.fixture
def client(twilio):
    return Client(ACCOUNT_SID, AUTH_TOKEN, http_client=RewritingClient(twilio.base_url))


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_create_is_accepted_and_recorded(twilio, client):
    msg = client.messages.create(to=PATIENT, from_=CLINIC, body=BODY, status_callback="http://cb.example/s")
    assert msg.sid.startswith("SM") and len(msg.sid) == 34
    assert msg.status == "queued"
    assert msg.direction == "outbound-api"
    assert (msg.to, msg.from_, msg.body, msg.account_sid) == (PATIENT, CLINIC, BODY, ACCOUNT_SID)
    assert msg.num_segments == "1" and msg.error_code is None and msg.price is None
    assert msg.date_created is not None and msg.date_created.tzinfo is not None
    assert msg.api_version == "2010-04-01"
    assert msg.uri == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{msg.sid}.json"

    [recorded] = twilio.messages
    assert recorded.sid == msg.sid
    assert (recorded.to, recorded.from_, recorded.body) == (PATIENT, CLINIC, BODY)
    assert recorded.messaging_service_sid is None
    assert recorded.status_callback == "http://cb.example/s"
    assert recorded.params["Body"] == BODY
    assert abs(recorded.received_at - time.monotonic()) < 5
    assert abs(recorded.received_at_wall - time.time()) < 5
    assert twilio.messages_to(PATIENT) == [recorded]
    assert twilio.messages_to(CLINIC) == []
    assert BODY not in repr(recorded)  # bodies must not leak into logs / assertion output
    twilio.clear()
    assert twilio.messages == [] and twilio.create_attempts == 0


def test_messaging_service_variant(twilio, client):
    msg = client.messages.create(to=PATIENT, messaging_service_sid=SERVICE_SID, body="hi")
    assert msg.messaging_service_sid == SERVICE_SID and msg.from_ is None
    [recorded] = twilio.messages
    assert recorded.messaging_service_sid == SERVICE_SID and recorded.from_ is None


def test_bad_auth_is_401(twilio):
    bad = Client(ACCOUNT_SID, "wrong-token", http_client=RewritingClient(twilio.base_url))
    with pytest.raises(TwilioRestException) as info:
        bad.messages.create(to=PATIENT, from_=CLINIC, body=BODY)
    assert (info.value.status, info.value.code) == (401, 20003)
    assert twilio.messages == []
    # No auth header at all.
    response = requests.post(f"{twilio.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
                             data={"To": PATIENT, "From": CLINIC, "Body": BODY})
    assert response.status_code == 401
    assert response.json() == {"code": 20003, "message": "Authenticate",
                               "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}


def test_configured_account_sid_must_match():
    with LocalTwilio(auth_token=AUTH_TOKEN, account_sid=ACCOUNT_SID) as server:
        other = Client("AC" + "9" * 32, AUTH_TOKEN, http_client=RewritingClient(server.base_url))
        with pytest.raises(TwilioRestException) as info:
            other.messages.create(to=PATIENT, from_=CLINIC, body=BODY)
        assert info.value.status == 401


def test_missing_fields_are_400(twilio, client):
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to=PATIENT, body=BODY)
    assert (info.value.status, info.value.code) == (400, 21603)
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to=PATIENT, from_=CLINIC)
    assert (info.value.status, info.value.code) == (400, 21602)
    response = requests.post(f"{twilio.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
                             data={"From": CLINIC, "Body": BODY}, auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert response.status_code == 400 and response.json()["code"] == 21604
    assert twilio.messages == []


def test_fail_next_429_then_success_without_sdk_retry(twilio, client):
    twilio.fail_next(**RATE_LIMITED)
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to=PATIENT, from_=CLINIC, body=BODY)
    assert (info.value.status, info.value.code) == (429, 20429)
    assert "Too Many Requests" in info.value.msg
    assert twilio.create_attempts == 1  # the SDK did not retry
    assert twilio.messages == []
    msg = client.messages.create(to=PATIENT, from_=CLINIC, body=BODY)
    assert [m.sid for m in twilio.messages] == [msg.sid]


def test_fail_next_counts(twilio, client):
    twilio.fail_next(2)
    for _ in range(2):
        with pytest.raises(TwilioRestException):
            client.messages.create(to=PATIENT, from_=CLINIC, body=BODY)
    client.messages.create(to=PATIENT, from_=CLINIC, body=BODY)
    assert len(twilio.messages) == 1 and twilio.create_attempts == 3


def test_fail_for_number(twilio, client):
    twilio.fail_for(PATIENT, **UNSUBSCRIBED)
    twilio.fail_for("+1555", **INVALID_TO)
    for _ in range(2):
        with pytest.raises(TwilioRestException) as info:
            client.messages.create(to=PATIENT, from_=CLINIC, body=BODY)
        assert (info.value.status, info.value.code) == (400, 21610)
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to="+1555", from_=CLINIC, body=BODY)
    assert (info.value.status, info.value.code) == (400, 21211)
    client.messages.create(to="+15555550101", from_=CLINIC, body=BODY)
    assert [m.to for m in twilio.messages] == ["+15555550101"]
    twilio.clear()
    client.messages.create(to=PATIENT, from_=CLINIC, body=BODY)
    assert [m.to for m in twilio.messages] == [PATIENT]


def test_plain_text_500_raises_rest_exception(twilio, client):
    twilio.fail_next(**SERVER_ERROR)
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to=PATIENT, from_=CLINIC, body=BODY)
    # Non-JSON body: the SDK falls back to the HTTP status as the code.
    assert (info.value.status, info.value.code) == (500, 500)
    twilio.fail_next(status=500, code=20500, message="Internal Server Error")
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to=PATIENT, from_=CLINIC, body=BODY)
    assert (info.value.status, info.value.code) == (500, 20500)
    assert twilio.create_attempts == 2 and twilio.messages == []


def test_fetch_by_sid(twilio, client):
    sid = client.messages.create(to=PATIENT, from_=CLINIC, body=BODY).sid
    fetched = client.messages(sid).fetch()
    assert (fetched.sid, fetched.to, fetched.status) == (sid, PATIENT, "queued")
    with pytest.raises(TwilioRestException) as info:
        client.messages("SM" + "f" * 32).fetch()
    assert (info.value.status, info.value.code) == (404, 20404)


def test_auto_status_callbacks_are_signed(receiver):
    with LocalTwilio(auth_token=AUTH_TOKEN, auto_callbacks=True) as twilio:
        client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=RewritingClient(twilio.base_url))
        url = receiver.url + "/sms/status?x=1"
        sid = client.messages.create(to=PATIENT, from_=CLINIC, body=BODY, status_callback=url).sid
        got = receiver.wait_for(2)
        validator = RequestValidator(AUTH_TOKEN)
        assert [form["MessageStatus"] for _, _, form in got] == ["sent", "delivered"]
        for cb_url, headers, form in got:
            assert cb_url == url
            assert validator.validate(cb_url, form, headers["X-Twilio-Signature"])
            assert not RequestValidator("other-token").validate(cb_url, form, headers["X-Twilio-Signature"])
            assert form["MessageSid"] == form["SmsSid"] == sid
            assert form["SmsStatus"] == form["MessageStatus"]
            assert (form["AccountSid"], form["To"], form["From"]) == (ACCOUNT_SID, PATIENT, CLINIC)
            assert form["ApiVersion"] == "2010-04-01" and "ErrorCode" not in form
            assert "Body" not in form
        # The receiver sees a callback before LocalTwilio has read its answer.
        deadline = time.monotonic() + 5
        while len(twilio.callbacks) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert client.messages(sid).fetch().status == "delivered"
        assert [(c.status, c.http_status) for c in twilio.callbacks] == [("sent", 204), ("delivered", 204)]


def test_final_status_for_number(receiver):
    with LocalTwilio(auth_token=AUTH_TOKEN, auto_callbacks=True) as twilio:
        client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=RewritingClient(twilio.base_url))
        twilio.final_status_for(PATIENT)
        client.messages.create(to=PATIENT, messaging_service_sid=SERVICE_SID, body=BODY,
                               status_callback=receiver.url + "/cb")
        got = receiver.wait_for(2)
        assert [(f["MessageStatus"], f.get("ErrorCode")) for _, _, f in got] == [
            ("sent", None), ("undelivered", "30003")]
        assert got[1][2]["MessagingServiceSid"] == SERVICE_SID
        assert RequestValidator(AUTH_TOKEN).validate(got[1][0], got[1][2], got[1][1]["X-Twilio-Signature"])


def test_no_callback_without_auto(twilio, client, receiver):
    client.messages.create(to=PATIENT, from_=CLINIC, body=BODY, status_callback=receiver.url + "/cb")
    time.sleep(0.2)
    assert receiver.requests == []


def test_manual_callbacks_out_of_order(twilio, client, receiver):
    sid = client.messages.create(to=PATIENT, from_=CLINIC, body=BODY, status_callback=receiver.url + "/cb").sid
    assert twilio.send_status_callback(sid, "delivered") == 204
    assert twilio.send_status_callback(sid, "sent") == 204
    assert twilio.send_status_callback(sid, "failed", 30008, url=receiver.url + "/other") == 204
    got = receiver.wait_for(3)
    assert [(u.rsplit("/", 1)[1], f["MessageStatus"], f.get("ErrorCode")) for u, _, f in got] == [
        ("cb", "delivered", None), ("cb", "sent", None), ("other", "failed", "30008")]
    for cb_url, headers, form in got:
        assert RequestValidator(AUTH_TOKEN).validate(cb_url, form, headers["X-Twilio-Signature"])
    assert twilio.get(sid).status == "failed" and twilio.get(sid).error_code == 30008


def test_signature_matches_sdk():
    params = {"To": "+15555550100", "MessageStatus": "delivered", "Odd": "a&b=c é ✓", "Empty": ""}
    url = "https://example.org/sms/status?x=1&y=2"
    expected = RequestValidator("tok").compute_signature(url, params)
    assert compute_signature_stdlib(url, params, "tok") == expected
    assert compute_signature(url, params, "tok") == expected


def test_delay_with_sdk_timeout(twilio):
    twilio.delay_seconds = 1.0
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=RewritingClient(twilio.base_url, timeout=0.2))
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):  # not wrapped by the SDK
        client.messages.create(to=PATIENT, from_=CLINIC, body=BODY)
    assert time.monotonic() - started < 0.9
    # The message was accepted before the slow answer: the "sent but client timed out" case.
    assert len(twilio.messages) == 1
    twilio.delay_seconds = 0
    client.messages.create(to=PATIENT, from_=CLINIC, body=BODY)
    assert len(twilio.messages) == 2


def test_hold_and_release(twilio, client):
    twilio.hold()
    results = []
    worker = threading.Thread(target=lambda: results.append(
        client.messages.create(to=PATIENT, from_=CLINIC, body=BODY).sid))
    worker.start()
    assert twilio.wait_for_messages(1, timeout=5)
    time.sleep(0.1)
    assert worker.is_alive() and results == []
    twilio.release()
    worker.join(timeout=5)
    assert results == [twilio.messages[0].sid]


def test_stop_releases_held_requests():
    twilio = LocalTwilio(auth_token=AUTH_TOKEN).start()
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=RewritingClient(twilio.base_url, timeout=5))
    twilio.hold()
    outcome = []

    def send():
        try:
            outcome.append(client.messages.create(to=PATIENT, from_=CLINIC, body=BODY).sid)
        except requests.exceptions.ConnectionError as exc:  # stop() may cut the connection first
            outcome.append(exc)

    worker = threading.Thread(target=send)
    worker.start()
    assert twilio.wait_for_messages(1)
    twilio.stop()
    worker.join(timeout=5)
    assert not worker.is_alive() and len(outcome) == 1


def test_stop_cuts_keep_alive_connections():
    twilio = LocalTwilio(auth_token=AUTH_TOKEN).start()
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=RewritingClient(twilio.base_url, timeout=2))
    client.messages.create(to=PATIENT, from_=CLINIC, body=BODY)  # leaves a pooled connection open
    twilio.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        client.messages.create(to=PATIENT, from_=CLINIC, body=BODY)


def test_helpers():
    assert mask_number("+15555550100") == "+1******0100"
    assert mask_number("12345") == "*****"
    assert count_segments("a" * 160) == 1 and count_segments("a" * 161) == 2
    assert count_segments("é" * 160) == 1  # é is in the GSM-7 basic set
    assert count_segments("✓" * 70) == 1 and count_segments("✓" * 71) == 2
    assert count_segments("{" * 81) == 2  # extension characters cost two septets


def test_cli_prints_no_body():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))]
        + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    proc = subprocess.Popen([sys.executable, "-m", "devtools.local_twilio", "--port", "0", "--auth-token", "cli-token"],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        banner = proc.stdout.readline()
        base_url = banner.split(" on ")[1].split()[0]
        client = Client(ACCOUNT_SID, "cli-token", http_client=RewritingClient(base_url))
        sid = client.messages.create(to=PATIENT, from_=CLINIC, body=BODY).sid
        line = proc.stdout.readline()
        assert sid in line and "+1******0100" in line and f"chars={len(BODY)}" in line
        assert BODY not in line and PATIENT not in line
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()
