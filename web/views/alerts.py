"""One alert: what happened and the words that raised it, how to reach the
member (their phone, emergency contact, safety plan, the last contact and a
reply form), its full timeline, and acknowledge / note / resolve. This is the page the SMS to staff links to: /alerts/<id>."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from alerts.acknowledgement import ResolveError, acknowledge, add_note, resolve
from alerts.models import Alert, AlertEvent
from care.notes import NoteError, resolve_with_note
from inbox.replies import why_not_texted
from records.access import log_view
from web import contact
from web.access import staff_required
from web.forms import AcknowledgeForm, ContactNoteForm, NoteForm, ReplyForm, ResolveForm
from web.views.members import send_reply

WEB = AlertEvent.Channel.WEB

# Offered as suggestions; the supporter may write anything.
COMMON_OUTCOMES = [
    "Reached by phone, safe",
    "Reached by text, safe",
    "Met in person, safety plan reviewed",
    "Connected to crisis services",
    "Could not reach, will keep trying",
]


def _alert(request: HttpRequest, alert_id: int) -> Alert:
    return get_object_or_404(
        Alert.objects.visible_to(request.staff).select_related("member", "supporter", "acknowledged_by", "resolved_by"),
        pk=alert_id,
    )


def _back(request: HttpRequest, alert: Alert) -> HttpResponse:
    """Back to where the button was pressed (the queue or the alert page)."""
    if request.POST.get("back") == "home":
        return redirect("web:home")
    return redirect("web:alert", alert_id=alert.pk)


@staff_required
def alert_page(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = _alert(request, alert_id)
    # The page shows the member's words: a view of their record.
    log_view(request.staff, alert.member, "web:alert page")
    return _render(request, alert)


def _render(
    request: HttpRequest,
    alert: Alert,
    reply_form: ReplyForm | None = None,
    resolve_form: ResolveForm | None = None,
    contact_form: ContactNoteForm | None = None,
) -> HttpResponse:
    member = alert.member
    return render(
        request,
        "web/alert.html",
        {
            "alert": alert,
            "member": member,
            "words": contact.alert_words(alert),
            "last_contact": contact.last_contact(member),
            "events": alert.events.select_related("actor").order_by("at", "id"),
            "note_form": NoteForm(),
            # No browser-side "required": with a contact note the outcome may
            # stay empty (what was done is used); the view checks it either way.
            "resolve_form": resolve_form or ResolveForm(use_required_attribute=False),
            # The contact note that goes with resolving; no `required` in the
            # page, as resolving without a contact (a duplicate) stays possible.
            "contact_form": contact_form
            or ContactNoteForm(initial={"contact_date": timezone.localdate()}, use_required_attribute=False),
            "outcomes": COMMON_OUTCOMES,
            "reply_form": reply_form or ReplyForm(),
            "reply_action": reverse("web:alert-reply", args=[alert.pk]),
            "cannot_text": why_not_texted(member),
            "canned_replies": member.program.canned_replies.all(),
        },
    )


@require_POST
@staff_required
def reply_view(request: HttpRequest, alert_id: int) -> HttpResponse:
    """A text to the alert's member, by the member page's rule (anyone who may
    open the alert may open the member: the same scope)."""
    alert = _alert(request, alert_id)
    form, sent = send_reply(request, alert.member)
    if not sent:
        return _render(request, alert, reply_form=form)
    return redirect(reverse("web:alert", args=[alert.pk]) + "#reply")


@require_POST
@staff_required
def acknowledge_view(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Takes an optional `note`, as the API does: checked before anything is
    stored, and stored with the acknowledgement or not at all."""
    alert = _alert(request, alert_id)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.problem())
        return _back(request, alert)
    if acknowledge(alert, by=request.staff, channel=WEB, note=form.cleaned_data["note"]):
        messages.success(request, f"Alert {alert.pk} acknowledged: escalation stopped.")
    else:
        who = alert.acknowledged_by.name if alert.acknowledged_by else "someone"
        messages.info(request, f"Alert {alert.pk} was already {alert.get_status_display().lower()} by {who}.")
    return _back(request, alert)


@require_POST
@staff_required
def note_view(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = _alert(request, alert_id)
    form = NoteForm(request.POST)
    try:
        if not form.is_valid():
            raise ResolveError(form.problem())
        add_note(alert, by=request.staff, channel=WEB, note=form.cleaned_data["note"])
    except ResolveError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Note added to the alert's log.")
    return _back(request, alert)


@require_POST
@staff_required
def resolve_view(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Resolve, with the contact note when one is given (an outcome chosen):
    the note is recorded and the alert resolved in one transaction, the
    outcome text defaulting to what was done. Without a note, the outcome
    text alone resolves, as before. A refused note shows the page again with
    the form's errors, and nothing is stored."""
    alert = _alert(request, alert_id)
    form = ResolveForm(request.POST)
    if not request.POST.get("contact_outcome"):
        try:
            if not form.is_valid():
                raise ResolveError(form.problem())
            resolve(alert, by=request.staff, channel=WEB, outcome=form.cleaned_data["outcome"])
        except ResolveError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Alert {alert.pk} resolved.")
        return _back(request, alert)
    form.fields["outcome"].required = False
    contact_form = ContactNoteForm(request.POST, use_required_attribute=False)
    if form.is_valid() and contact_form.is_valid():
        try:
            resolve_with_note(
                alert, request.staff, WEB, resolve_outcome=form.cleaned_data["outcome"], **contact_form.note_fields()
            )
        except NoteError as error:
            contact_form.add_problems(error.problems)
        except ResolveError as error:
            messages.error(request, str(error))
            return _back(request, alert)
        else:
            messages.success(request, f"Alert {alert.pk} resolved and the contact logged.")
            return _back(request, alert)
    messages.error(request, form.problem() if form.errors else contact_form.problem())
    return _render(request, alert, resolve_form=form, contact_form=contact_form)
