"""The one way tests, the simulation and the bench sign what they send as Twilio.

Production checks signatures in `sms.webhooks.signature_is_valid` (and the DEBUG
sandbox signs its own texts there); everything that only pretends to be Twilio
signs here, so a signed test request passes exactly the check a real one does.

`compute_signature` needs no Django (LocalTwilio signs its status callbacks
with it); `signature_for` and `signed_post` read the running settings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings

try:
    from twilio.request_validator import RequestValidator
except ImportError:  # LocalTwilio also runs where only the standard library is installed
    RequestValidator = None


def compute_signature(url: str, params: dict[str, str], auth_token: str) -> str:
    """X-Twilio-Signature for a form POST of `params` to the full `url`; uses the SDK's implementation when installed."""
    if RequestValidator is None:
        return compute_signature_stdlib(url, params, auth_token)
    return RequestValidator(auth_token).compute_signature(url, params)


def compute_signature_stdlib(url: str, params: dict[str, str], auth_token: str) -> str:
    """Twilio's scheme: base64(HMAC-SHA1(auth_token, url + name1 + value1 + ...)), names sorted."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_for(path: str, params: dict[str, str]) -> str:
    """The signature Twilio would send for a POST of `params` to `path` on this deployment
    (settings.PUBLIC_BASE_URL and settings.TWILIO_AUTH_TOKEN, read at call time)."""
    return compute_signature(settings.PUBLIC_BASE_URL + path, params, settings.TWILIO_AUTH_TOKEN)


def signed_post(client, path: str, params: dict[str, str], **extra):
    """POST `params` to `path` through a django.test.Client, signed as Twilio signs."""
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature_for(path, params), **extra)
