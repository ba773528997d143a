"""The SMS sandbox: phones on screen, for trying the whole loop without a
Twilio account.

It exists only when settings.SMS_SANDBOX is on (by default only with DEBUG on
and SMS_BACKEND=console; everywhere else it is a 404), and only for signed-in
staff. A staff member texts from their own phone and from the phones of the
members they may see (a supervisor: every member of the organization; a
supporter: their own members), never from another staff member's phone: an
ACK from the sandbox is always the signed-in person's own. A typed reply is
posted to the real inbound webhook view, signed the way Twilio signs it, so it
passes the same signature check and the same code path as a text from a real
phone.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Staff
from checkins.models import CheckIn, Member, Program
from checkins.schedule import start_checkin
from config import limits
from sms import webhooks
from sms.models import Message
from web.access import staff_required
from web.forms import SandboxTextForm

THREAD_LENGTH = 30
SANDBOX_TO = "+15555550000"  # the program's number, as the sandbox phones see it


def sandbox_enabled() -> bool:
    return settings.SMS_SANDBOX and settings.SMS_BACKEND == "console"


def sandbox_only(view):
    """404 unless the sandbox is on; checked before anything else runs."""

    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not sandbox_enabled():
            raise Http404("The SMS sandbox is off.")
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@dataclass
class SandboxPhone:
    key: str  # "m12" or "s3": which phone a reply is typed on
    label: str
    number: str
    role: str
    thread: list[Message]
    member: Member | None = None


def _staff_phones(request: HttpRequest):
    """Only the signed-in person's own phone: nobody acts as another staff member here."""
    return Staff.objects.filter(pk=request.staff.pk)


def _thread(**who) -> list[Message]:
    return Message.thread(THREAD_LENGTH, **who)


def _phones(request: HttpRequest) -> list[SandboxPhone]:
    phones = [
        SandboxPhone(f"s{s.pk}", s.name, s.phone, s.get_role_display(), _thread(staff=s))
        for s in _staff_phones(request)
    ]
    members = Member.objects.visible_to(request.staff).exclude(status=Member.Status.DISCHARGED).order_by("name")
    phones += [SandboxPhone(f"m{m.pk}", m.name, m.phone, "Member", _thread(member=m), member=m) for m in members]
    return phones


def _phone_number(request: HttpRequest, key: str) -> str:
    """The number of a phone the signed-in staff member may use; 404 for any other."""
    kind, pk = key[:1], key[1:]
    if not pk.isdigit():
        raise Http404
    if kind == "m":
        return get_object_or_404(Member.objects.visible_to(request.staff), pk=int(pk)).phone
    if kind == "s":
        return get_object_or_404(_staff_phones(request), pk=int(pk)).phone
    raise Http404


@sandbox_only
@staff_required
def sandbox(request: HttpRequest) -> HttpResponse:
    program = Program.objects.filter(organization_id=request.staff.organization_id).first()
    return render(
        request,
        "web/sandbox.html",
        {
            "phones": _phones(request),
            "ack_timeout": program.ack_timeout_seconds if program else "a few",
            "text_max": limits.STAFF_TEXT_MAX,
            "nav": "sandbox",
        },
    )


@sandbox_only
@staff_required
def sandbox_threads(request: HttpRequest) -> HttpResponse:
    """Every phone's thread, polled by app.js so new texts appear without a reload."""
    return render(request, "web/partials/sandbox_threads.html", {"phones": _phones(request)})


def post_to_inbound_webhook(phone: str, body: str) -> HttpResponse:
    """Deliver a text the way Twilio does: a form POST to /sms/twilio/inbound
    with a new MessageSid and the X-Twilio-Signature for these parameters."""
    path = reverse("twilio-inbound")
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": phone, "To": SANDBOX_TO, "Body": body, "NumMedia": "0"}
    inner = HttpRequest()
    inner.method = "POST"
    inner.path = inner.path_info = path
    inner.META = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_TWILIO_SIGNATURE": webhooks.signature_for(path, params),
    }
    form = QueryDict(mutable=True)
    for name, value in params.items():
        form[name] = value
    inner.POST = form
    inner._dont_enforce_csrf_checks = True
    return webhooks.inbound(inner)


@require_POST
@sandbox_only
@staff_required
def sandbox_send(request: HttpRequest, key: str) -> HttpResponse:
    number = _phone_number(request, key)
    form = SandboxTextForm(request.POST)
    problem = ""
    if not form.is_valid():
        problem = f"Type a reply of 1 to {limits.STAFF_TEXT_MAX} characters."
    else:
        response = post_to_inbound_webhook(number, form.cleaned_data["body"])
        if response.status_code != 200:
            problem = f"The inbound webhook answered {response.status_code}."
    if request.headers.get("X-Requested-With") == "fetch":
        # app.js sent this without leaving the page; it shows the problem, if any.
        return HttpResponse(problem, status=400, content_type="text/plain") if problem else HttpResponse(status=204)
    if problem:
        messages.error(request, problem)
    return redirect(reverse("web:sandbox") + f"#phone-{key}")


@require_POST
@sandbox_only
@staff_required
def sandbox_start(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)
    if member.status != Member.Status.ACTIVE:
        messages.error(request, f"{member.short_name} is {member.get_status_display().lower()}: no check-in sent.")
    else:
        start_checkin(member, source=CheckIn.Source.STAFF)
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    return redirect(reverse("web:sandbox") + f"#phone-m{member.pk}")
