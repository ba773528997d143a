"""One alert: what happened, its full timeline, and acknowledge / note /
resolve. This is the page the SMS to staff links to: /alerts/<id>."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from alerts.acknowledgement import ResolveError, acknowledge, add_note, resolve
from alerts.models import Alert, AlertEvent
from web.access import staff_required
from web.forms import AcknowledgeForm, NoteForm, ResolveForm

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
    return render(
        request,
        "web/alert.html",
        {
            "alert": alert,
            "events": alert.events.select_related("actor").order_by("at", "id"),
            "note_form": NoteForm(),
            "resolve_form": ResolveForm(),
            "outcomes": COMMON_OUTCOMES,
        },
    )


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
    alert = _alert(request, alert_id)
    form = ResolveForm(request.POST)
    try:
        if not form.is_valid():
            raise ResolveError(form.problem())
        resolve(alert, by=request.staff, channel=WEB, outcome=form.cleaned_data["outcome"])
    except ResolveError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Alert {alert.pk} resolved.")
    return _back(request, alert)
