"""A small local stand-in for Twilio's Messages API (2010-04-01): the standard library
plus the shared webhook signer (devtools.twilio_signing).

The official ``twilio`` SDK talks to it when its HTTP client rewrites
``https://api.twilio.com`` to ``LocalTwilio.base_url``. Used by tests, benchmarks,
fault drills and the simulator. Bodies and phone numbers are health information:
nothing here logs or prints a message body.

    with LocalTwilio(auth_token="t") as tw:
        tw.fail_next(**RATE_LIMITED)               # next create -> 429 / code 20429
        tw.fail_for("+15555550100", **UNSUBSCRIBED) # always 400 / code 21610 for that To
        tw.final_status_for("+15555550101")         # callbacks: sent, undelivered (30003)

Order of a create: basic auth -> field validation -> fail_next -> fail_for -> record
the message -> wait (delay_seconds, hold gate) -> answer. A message is recorded
*before* the wait, like Twilio accepting it and the response being slow or lost.

On its own: `python -m devtools.local_twilio --port 9999` prints one line per accepted
message (sid, masked number, length; never the body).

Over 400 lines because it is one idea: one fake of one API (create, fetch, callbacks).

One idea in one module (over 400 lines on purpose): splitting it would scatter one
fake's or one run's state across files.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import email.utils
import hmac
import json
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional, Union

from devtools.twilio_signing import compute_signature

API_VERSION = "2010-04-01"
# Sender reported in callbacks when a message went through a Messaging Service without
# a From (Twilio would report the pool number it picked). This is Twilio's magic test number.
PLACEHOLDER_FROM = "+15005550006"

# Ready-made failures: tw.fail_next(**RATE_LIMITED), tw.fail_for(number, **INVALID_TO).
RATE_LIMITED = {"status": 429, "code": 20429, "message": "Too Many Requests"}
UNSUBSCRIBED = {"status": 400, "code": 21610, "message": "Attempt to send to unsubscribed recipient"}
INVALID_TO = {"status": 400, "code": 21211, "message": "The 'To' number is not a valid phone number."}
# code=None answers with a plain-text (non-JSON) body; the SDK then raises
# TwilioRestException with status 500 and code 500 (it falls back to the HTTP status).
SERVER_ERROR = {"status": 500, "code": None, "message": "Internal Server Error"}

_CREATE_PATH = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages\.json$")
_FETCH_PATH = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)\.json$")
_GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                 "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM_EXTENDED = set("^{}\\[~]|€\f")  # each costs two GSM-7 septets


def count_segments(body: str) -> int:
    """SMS segments: GSM-7 fits 160 (153 per part), otherwise UCS-2 fits 70 (67 per part)."""
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in body):
        units, single, per_part = sum(2 if c in _GSM_EXTENDED else 1 for c in body), 160, 153
    else:
        units, single, per_part = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else -(-units // per_part)


def mask_number(number: str) -> str:
    """'+15555550100' -> '+1******0100', for printing."""
    if len(number) <= 6:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 6) + number[-4:]


def _rfc2822_now() -> str:
    return email.utils.format_datetime(datetime.now(timezone.utc))


def _error_body(code: int, message: str, status: int) -> dict:
    return {"code": code, "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}


@dataclasses.dataclass
class SentMessage:
    """One accepted create. repr() leaves out the body and raw form (health information)."""
    sid: str
    account_sid: str
    to: str
    from_: Optional[str]
    messaging_service_sid: Optional[str]
    body: str = dataclasses.field(repr=False)
    status_callback: Optional[str]
    status: str
    error_code: Optional[int]
    num_segments: int
    date_created: str
    date_updated: str
    received_at: float  # time.monotonic() when accepted
    received_at_wall: float  # time.time() when accepted
    params: dict[str, str] = dataclasses.field(repr=False)  # every form field (first value)

    def to_resource(self) -> dict:
        """The JSON Twilio returns for a Message resource."""
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}.json"
        return {
            "account_sid": self.account_sid, "api_version": API_VERSION, "body": self.body,
            "date_created": self.date_created, "date_sent": None, "date_updated": self.date_updated,
            "direction": "outbound-api", "error_code": self.error_code, "error_message": None,
            "from": self.from_, "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0", "num_segments": str(self.num_segments), "price": None,
            "price_unit": "USD", "sid": self.sid, "status": self.status,
            "subresource_uris": {"media": uri[: -len(".json")] + "/Media.json"},
            "to": self.to, "uri": uri,
        }


@dataclasses.dataclass(frozen=True)
class CallbackAttempt:
    sid: str
    status: str
    error_code: Optional[int]
    url: str
    http_status: Optional[int]  # None when the receiver could not be reached
    error: Optional[str] = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    app: "LocalTwilio"

    def server_bind(self) -> None:
        super().server_bind()
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def process_request_thread(self, request, client_address) -> None:
        with self.connections_lock:
            self.connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.connections_lock:
                self.connections.discard(request)

    def close_connections(self) -> None:
        # Keep-alive connections outlive shutdown(); cut them so a "stopped" server stops
        # answering the SDK's pooled connection (matters for outage drills).
        with self.connections_lock:
            for connection in self.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def handle_error(self, request, client_address) -> None:
        # Clients that give up (SDK timeout) hang up before we answer: expected, stay quiet.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the SDK's pooled requests.Session expects
    # Headers and body leave in two writes: with Nagle on, the body waits for the
    # client's delayed ACK (~40 ms) on every kept-alive request after the first.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args) -> None:
        pass  # never log requests: URLs and bodies carry phone numbers and health information

    def do_POST(self) -> None:
        self.server.app._dispatch(self, "POST")

    def do_GET(self) -> None:
        self.server.app._dispatch(self, "GET")

    def reply(self, status: int, payload: Union[dict, str]) -> None:
        is_json = isinstance(payload, dict)
        data = (json.dumps(payload) if is_json else payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if is_json else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class LocalTwilio:
    """Twilio-compatible Messages API on a local port. All public methods are thread-safe.

    account_sid=None accepts any account SID, as long as the basic-auth username
    matches the SID in the URL and the password is auth_token.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, auth_token: str = "test-auth-token",
                 account_sid: Optional[str] = None, auto_callbacks: bool = False,
                 on_message: Optional[Callable[[SentMessage], None]] = None) -> None:
        self.host, self.port = host, port
        self.auth_token = auth_token
        self.account_sid = account_sid
        self.auto_callbacks = auto_callbacks
        self.on_message = on_message  # called from a server thread after each accepted create
        self.delay_seconds: float = 0.0  # sleep before answering each create
        self.callback_delay_seconds: float = 0.0  # sleep before each automatic callback
        self.callback_timeout: float = 5.0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._gate = threading.Event()
        self._gate.set()  # open: creates answer immediately
        self._server: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None
        self._stopping = False
        # Proxy variables in the environment must not divert callbacks to localhost.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._reset_state()

    def _reset_state(self) -> None:
        self._messages: list[SentMessage] = []
        self._by_sid: dict[str, SentMessage] = {}
        self._fail_next: list[tuple[int, Optional[int], str]] = []
        self._fail_for: dict[str, tuple[int, Optional[int], str]] = {}
        self._final_status: dict[str, tuple[str, Optional[int]]] = {}
        self._callbacks: list[CallbackAttempt] = []
        self._create_attempts = 0

    # -- lifecycle ------------------------------------------------------------------
    def start(self) -> "LocalTwilio":
        if self._server is not None:
            raise RuntimeError("LocalTwilio already started")
        self._stopping = False
        self._server = _Server((self.host, self.port), _Handler)
        self._server.app = self
        # Short poll interval: stop() returns within ~50 ms instead of the default 0.5 s.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="local-twilio", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping = True
        self._gate.set()  # let held requests finish instead of hanging forever
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "LocalTwilio":
        return self if self._server is not None else self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("LocalTwilio is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- inspection -------------------------------------------------------------------
    @property
    def messages(self) -> list[SentMessage]:
        """Snapshot (copies) of every accepted message, oldest first."""
        with self._lock:
            return [dataclasses.replace(m) for m in self._messages]

    def messages_to(self, number: str) -> list[SentMessage]:
        return [m for m in self.messages if m.to == number]

    def get(self, sid: str) -> Optional[SentMessage]:
        with self._lock:
            message = self._by_sid.get(sid)
            return dataclasses.replace(message) if message else None

    @property
    def create_attempts(self) -> int:
        """Authenticated create requests seen, including rejected ones (to count SDK retries)."""
        with self._lock:
            return self._create_attempts

    @property
    def callbacks(self) -> list[CallbackAttempt]:
        with self._lock:
            return list(self._callbacks)

    def wait_for_messages(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Block until at least `count` messages are recorded; False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._messages) >= count, timeout)

    def clear(self) -> None:
        """Forget messages, callbacks and injected failures (delay and hold are left alone)."""
        with self._lock:
            self._reset_state()

    # -- fault injection ----------------------------------------------------------------
    def fail_next(self, n: int = 1, status: int = 429, code: Optional[int] = 20429,
                  message: str = "Too Many Requests") -> None:
        """The next n valid creates fail with this Twilio error and are not recorded."""
        with self._lock:
            self._fail_next.extend([(status, code, message)] * n)

    def fail_for(self, number: str, status: int = 400, code: Optional[int] = 21610,
                 message: str = "Attempt to send to unsubscribed recipient") -> None:
        """Every create to `number` fails with this Twilio error until clear()."""
        with self._lock:
            self._fail_for[number] = (status, code, message)

    def final_status_for(self, number: str, status: str = "undelivered",
                         error_code: Optional[int] = 30003) -> None:
        """Automatic callbacks for `number` end in this status instead of 'delivered'."""
        with self._lock:
            self._final_status[number] = (status, error_code)

    def hold(self) -> None:
        """Make creates block (after being recorded) until release()."""
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    # -- status callbacks -------------------------------------------------------------------
    def send_status_callback(self, sid: str, status: str, error_code: Optional[int] = None,
                             url: Optional[str] = None) -> int:
        """POST one signed status callback now; returns the receiver's HTTP status.

        Also updates the stored message status. Raises KeyError for an unknown sid,
        ValueError without a URL, OSError if the receiver is unreachable.
        """
        with self._lock:
            message = self._by_sid[sid]
            message.status, message.error_code = status, error_code
            message.date_updated = _rfc2822_now()
            target = url or message.status_callback
            params = {"AccountSid": message.account_sid, "ApiVersion": API_VERSION,
                      "From": message.from_ or PLACEHOLDER_FROM, "MessageSid": sid,
                      "MessageStatus": status, "SmsSid": sid, "SmsStatus": status, "To": message.to}
            if message.messaging_service_sid:
                params["MessagingServiceSid"] = message.messaging_service_sid
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        if not target:
            raise ValueError(f"message {sid} has no StatusCallback")
        request = urllib.request.Request(
            target, data=urllib.parse.urlencode(params).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "TwilioProxy/1.1",
                     "X-Twilio-Signature": compute_signature(target, params, self.auth_token)})
        try:
            with self._opener.open(request, timeout=self.callback_timeout) as response:
                http_status = response.status
        except urllib.error.HTTPError as exc:
            http_status = exc.code
        with self._lock:
            self._callbacks.append(CallbackAttempt(sid, status, error_code, target, http_status))
        return http_status

    def _run_auto_callbacks(self, sid: str, to: str, url: str) -> None:
        with self._lock:
            final = self._final_status.get(to, ("delivered", None))
        steps = [final] if final[0] == "failed" else [("sent", None), final]
        for status, error_code in steps:
            time.sleep(self.callback_delay_seconds)
            if self._stopping:
                return
            try:
                self.send_status_callback(sid, status, error_code)
            except (OSError, KeyError) as exc:  # KeyError: clear() ran meanwhile
                with self._lock:
                    self._callbacks.append(CallbackAttempt(sid, status, error_code, url, None, repr(exc)))
                return

    # -- request handling -------------------------------------------------------------------
    def _dispatch(self, handler: _Handler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""  # always drain: keep-alive
        path = urllib.parse.urlsplit(handler.path).path
        if method == "GET" and _CREATE_PATH.match(path):
            return self._list(handler, _CREATE_PATH.match(path).group(1))
        match = (_CREATE_PATH if method == "POST" else _FETCH_PATH).match(path)
        if match is None:
            return handler.reply(404, _error_body(20404, f"The requested resource {path} was not found", 404))
        account_sid = match.group(1)
        if not self._authorized(handler.headers.get("Authorization", ""), account_sid):
            return handler.reply(401, _error_body(20003, "Authenticate", 401))
        if method == "GET":
            message = self.get(match.group(2))
            if message is None or message.account_sid != account_sid:
                return handler.reply(404, _error_body(20404, f"The requested resource {path} was not found", 404))
            return handler.reply(200, message.to_resource())

        fields = urllib.parse.parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        form = {name: values[0] for name, values in fields.items()}
        status, payload, accepted = self._create(account_sid, form)
        if accepted is not None and self.on_message is not None:
            self.on_message(accepted)
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        self._gate.wait()
        handler.reply(status, payload)
        # Callbacks start after the response, so the client normally knows the sid first.
        if accepted is not None and self.auto_callbacks and accepted.status_callback:
            args = (accepted.sid, accepted.to, accepted.status_callback)
            threading.Thread(target=self._run_auto_callbacks, args=args, daemon=True).start()

    def _list(self, handler: _Handler, account_sid: str) -> None:
        """GET Messages.json?To=…: newest first, one page, like Twilio's list."""
        if not self._authorized(handler.headers.get("Authorization", ""), account_sid):
            return handler.reply(401, _error_body(20003, "Authenticate", 401))
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(handler.path).query)
        to = query.get("To", [None])[0]
        page_size = int(query.get("PageSize", ["50"])[0])
        with self._lock:
            found = [m for m in reversed(self._messages) if m.account_sid == account_sid and (to is None or m.to == to)]
        uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages.json"
        handler.reply(200, {
            "messages": [m.to_resource() for m in found[:page_size]],
            "first_page_uri": uri, "next_page_uri": None, "previous_page_uri": None,
            "page": 0, "page_size": page_size, "start": 0, "end": max(0, min(page_size, len(found)) - 1), "uri": uri,
        })  # fmt: skip

    def _authorized(self, header: str, account_sid: str) -> bool:
        # Only account SID + auth token; real Twilio also accepts API keys (SK...).
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:], validate=True).decode("utf-8").partition(":")
        except ValueError:  # bad base64 or bad UTF-8
            return False
        user_ok = user == account_sid and (self.account_sid is None or user == self.account_sid)
        return user_ok and hmac.compare_digest(password.encode(), self.auth_token.encode())

    def _create(self, account_sid: str, form: dict[str, str]) -> tuple[int, Union[dict, str], Optional[SentMessage]]:
        with self._lock:
            self._create_attempts += 1
        to, body = form.get("To", "").strip(), form.get("Body", "")
        from_, service = form.get("From") or None, form.get("MessagingServiceSid") or None
        # Codes and texts as documented at https://www.twilio.com/docs/errors/<code>.
        if not to:
            return 400, _error_body(21604, "A 'To' phone number is required.", 400), None
        if not from_ and not service:
            return 400, _error_body(21603, "A 'From' phone number is required.", 400), None
        if not body and not form.get("MediaUrl"):
            return 400, _error_body(21602, "Message body is required.", 400), None
        now = _rfc2822_now()
        with self._changed:
            failure = self._fail_next.pop(0) if self._fail_next else self._fail_for.get(to)
            if failure is not None:
                status, code, text = failure
                return status, (text if code is None else _error_body(code, text, status)), None
            message = SentMessage(
                sid="SM" + uuid.uuid4().hex, account_sid=account_sid, to=to, from_=from_,
                messaging_service_sid=service, body=body, status_callback=form.get("StatusCallback") or None,
                status="queued", error_code=None, num_segments=count_segments(body), date_created=now,
                date_updated=now, received_at=time.monotonic(), received_at_wall=time.time(), params=form)
            self._messages.append(message)
            self._by_sid[message.sid] = message
            self._changed.notify_all()
            snapshot = dataclasses.replace(message)
        return 201, snapshot.to_resource(), snapshot


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Local Twilio Messages API stand-in.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9999)
    parser.add_argument("--auth-token", default="test-auth-token")
    parser.add_argument("--account-sid", default=None)
    parser.add_argument("--auto-callbacks", action="store_true")
    args = parser.parse_args(argv)

    def announce(message: SentMessage) -> None:
        # Never print the body (health information): sid, masked number and length only.
        print(f"{message.sid} to={mask_number(message.to)} chars={len(message.body)} "
              f"segments={message.num_segments}", flush=True)

    server = LocalTwilio(args.host, args.port, args.auth_token, args.account_sid,
                         auto_callbacks=args.auto_callbacks, on_message=announce).start()
    print(f"local twilio listening on {server.base_url} (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
