"""SMS backends: one small interface, one class per channel.

`send()` returns the provider's message id and status, or raises SendError
saying whether trying again could help.
"""

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from functools import lru_cache

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from sms.models import mask_phone

log = logging.getLogger(__name__)

# Twilio error codes that no retry will fix.
OPTED_OUT = 21610
PERMANENT_CODES = {
    21211,  # invalid To number
    21212,  # invalid From number
    21408,  # region not enabled
    21610,  # recipient opted out
    21612,  # cannot route to this number
    21614,  # not a mobile number
    21617,  # body too long
    30004,  # blocked
    30005,  # unknown destination
    30006,  # landline or unreachable carrier
}


# Twilio's clock and ours may differ a little.
CLOCK_SKEW = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class SendResult:
    sid: str
    status: str


class SendError(Exception):
    def __init__(self, code: int | None, transient: bool, reason: str):
        super().__init__(reason)
        self.code = code
        self.transient = transient


class ConsoleBackend:
    """For development and the local sandbox: the message is already in the
    message log (which the sandbox page shows); print only who and how long."""

    def send(self, to: str, body: str) -> SendResult:
        sid = "CO" + uuid.uuid4().hex
        print(f"[sms console] to {mask_phone(to)}: {len(body)} characters ({sid})", flush=True)
        return SendResult(sid=sid, status="sent")

    def find_sent(self, to: str, body: str, since: dt.datetime) -> SendResult | None:
        return None


class _BaseUrlHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client, pointed at TWILIO_API_BASE_URL (a Twilio-compatible test server)."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url

    def request(self, method, url, *args, **kwargs):
        for origin in ("https://api.twilio.com", "https://messaging.twilio.com"):
            if url.startswith(origin):
                url = self.base_url + url[len(origin) :]
                break
        return super().request(method, url, *args, **kwargs)


class TwilioBackend:
    def __init__(self):
        timeout = settings.TWILIO_TIMEOUT_SECONDS
        if settings.TWILIO_API_BASE_URL:
            http_client = _BaseUrlHttpClient(settings.TWILIO_API_BASE_URL, timeout=timeout)
        else:
            http_client = TwilioHttpClient(timeout=timeout)
        self.client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)
        self.status_callback = settings.PUBLIC_BASE_URL + "/sms/twilio/status"

    def send(self, to: str, body: str) -> SendResult:
        sender = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM_NUMBER}
        )
        try:
            message = self.client.messages.create(to=to, body=body, status_callback=self.status_callback, **sender)
        except TwilioRestException as error:
            raise classify(error) from None
        except requests.RequestException as error:
            # Timeouts and refused connections: Twilio may be briefly away.
            raise SendError(None, transient=True, reason=type(error).__name__) from None
        return SendResult(sid=message.sid, status=message.status or "queued")

    def find_sent(self, to: str, body: str, since: dt.datetime) -> SendResult | None:
        """The text Twilio already accepted for us, if a worker died before it
        could record the answer: the same body to the same number since then."""
        try:
            recent = self.client.messages.list(to=to, limit=20)
        except TwilioRestException as error:
            raise classify(error) from None
        except requests.RequestException as error:
            raise SendError(None, transient=True, reason=type(error).__name__) from None
        for message in recent:
            if message.body == body and message.date_created and message.date_created >= since - CLOCK_SKEW:
                return SendResult(sid=message.sid, status=message.status or "queued")
        return None


def classify(error: TwilioRestException) -> SendError:
    code = error.code if isinstance(error.code, int) else None
    status = error.status or 0
    if code in PERMANENT_CODES:
        return SendError(code, transient=False, reason=f"Twilio error {code}")
    if status == 429 or code == 20429 or status >= 500:
        return SendError(code or status, transient=True, reason=f"Twilio HTTP {status}")
    return SendError(code or status, transient=False, reason=f"Twilio HTTP {status}")


@lru_cache(maxsize=1)
def _backend(name: str, base_url: str, account_sid: str):
    return TwilioBackend() if name == "twilio" else ConsoleBackend()


def get_backend():
    return _backend(settings.SMS_BACKEND, settings.TWILIO_API_BASE_URL, settings.TWILIO_ACCOUNT_SID)
