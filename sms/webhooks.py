"""Twilio's webhooks. Both check X-Twilio-Signature against PUBLIC_BASE_URL
(never the Host header a proxy or an attacker chose) before touching anything."""

import logging
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from sms import outbox
from sms.encoding import plain_text
from sms.inbound import SID, BadInbound, receive

log = logging.getLogger(__name__)


def signature_is_valid(request: HttpRequest) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    url = settings.PUBLIC_BASE_URL + request.get_full_path()
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, request.POST, signature)


def signature_for(path: str, params: dict[str, str]) -> str:
    """The X-Twilio-Signature Twilio would send for a POST of `params` to `path`.
    The sandbox, the simulator and the tests sign their webhooks with it, so
    they pass through exactly the same check as Twilio's."""
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(settings.PUBLIC_BASE_URL + path, params)


def twiml(replies: list[str]) -> HttpResponse:
    messages = "".join(f"<Message>{escape(plain_text(text))}</Message>" for text in replies)
    return HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{messages}</Response>', content_type="text/xml"
    )


def _message_sid(request: HttpRequest) -> str | None:
    """The one message id of a signed request, or None when it is missing,
    given twice, not of Twilio's form, or disagrees with SmsSid: a re-shaped
    request must never pass as a new message."""
    given = request.POST.getlist("MessageSid") or request.POST.getlist("SmsSid")
    sms_sid = request.POST.getlist("SmsSid")
    if len(given) != 1 or not SID.match(given[0]) or len(sms_sid) > 1 or (sms_sid and sms_sid[0] != given[0]):
        return None
    return given[0]


@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> HttpResponse:
    if not signature_is_valid(request):
        log.warning("inbound webhook with a missing or wrong signature refused")
        return HttpResponseForbidden("Invalid Twilio signature.")
    sid = _message_sid(request)
    if sid is None:
        return HttpResponseBadRequest("MessageSid is missing or not a Twilio message id")
    try:
        replies = receive(
            sid=sid,
            phone=request.POST.get("From", ""),
            to=request.POST.get("To", ""),
            body=request.POST.get("Body", ""),
        )
    except BadInbound as error:
        return HttpResponseBadRequest(str(error))
    return twiml(replies or [])


@csrf_exempt
@require_POST
def status(request: HttpRequest) -> HttpResponse:
    if not signature_is_valid(request):
        log.warning("status webhook with a missing or wrong signature refused")
        return HttpResponseForbidden("Invalid Twilio signature.")
    error_code = request.POST.get("ErrorCode", "")
    sid = _message_sid(request)
    if sid is None:
        return HttpResponseBadRequest("MessageSid is missing or not a Twilio message id")
    outbox.record_status(
        sid=sid,
        provider_status=request.POST.get("MessageStatus", ""),
        error_code=int(error_code) if error_code.isdigit() and len(error_code) < 9 else None,
    )
    return HttpResponse(status=204)
