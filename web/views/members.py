"""A member's page: the chart, the check-in history, the conversation and a
reply form, the emergency contact and safety plan, and pause / resume /
discharge. Only the assigned supporter and the
organization's supervisors can open it (Member.objects.visible_to); anyone else gets 404."""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from alerts.models import Alert
from care.models import ContactNote
from care.notes import NoteError, record_note
from checkins import adaptive, pausing
from checkins.enrollment import EnrollmentError, discharge_member, update_member
from checkins.models import CheckIn, Member
from checkins.schedule import start_checkin
from inbox.models import mark_read
from records.access import log_view
from records.consent import is_granted
from inbox.replies import ReplyError, send_staff_text, why_not_texted
from web import charts, contact, scores
from web.access import staff_required
from web.forms import ContactNoteForm, ReplyForm, SafetyForm
from web.service_forms import ConsentAgainForm, PauseForm, WithdrawConsentForm, staff_revoked
from web.summaries import consent_state, member_state, readings

CHART_DAYS = 30
CHECKINS_PER_PAGE = 10
CONTACT_NOTES_SHOWN = 10
SCHEDULE_CHANGES_SHOWN = 10

STATUS_ACTIONS = ("pause", "resume", "discharge")


def _member(request: HttpRequest, member_id: int) -> Member:
    return get_object_or_404(Member.objects.visible_to(request.staff).select_related("supporter", "program", "current_consent__staff"), pk=member_id)


@staff_required
def member_page(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    # Opening the page reads the conversation, for this staff member only.
    mark_read(request.staff, member)
    log_view(request.staff, member, "web:member page")
    return _render(request, member)


def _render(
    request: HttpRequest,
    member: Member,
    reply_form: ReplyForm | None = None,
    safety_form: SafetyForm | None = None,
    contact_form: ContactNoteForm | None = None,
    pause_form: PauseForm | None = None,
    withdraw_form: WithdrawConsentForm | None = None,
    consent_form: ConsentAgainForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The member page; a form that was posted and refused is shown with its errors."""
    end = timezone.now()
    start = end - dt.timedelta(days=CHART_DAYS)
    member_alerts = list(member.alerts.filter(created_at__gte=start).order_by("created_at"))
    missed = list(
        member.checkins.filter(status=CheckIn.Status.MISSED, started_at__gte=start).values_list("started_at", flat=True)
    )
    chart = charts.member_chart(
        readings([member], start).get(member.pk, []),
        missed,
        [
            charts.Marker(
                at=a.created_at,
                label=f"{a.get_severity_display()} alert {a.pk}: {a.get_topic_display()}",
                severity=a.severity,
                href=reverse("web:alert", args=[a.pk]),
            )
            for a in member_alerts
        ],
        start,
        end,
    )
    checkins = Paginator(
        member.checkins.exclude(status=CheckIn.Status.SKIPPED)
        .order_by("-started_at", "-id")
        .prefetch_related("answers__question"),
        CHECKINS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "web/member.html",
        {
            "member": member,
            "state": member_state(member),
            "schedule": adaptive.summary(member, member.program),
            "schedule_changes": list(member.schedule_changes.order_by("-at", "-id")[:SCHEDULE_CHANGES_SHOWN]),
            "chart": chart,
            "series_scores": scores.member_scores(member),
            "checkins": checkins,
            "thread": contact.thread(member),
            "thread_length": contact.THREAD_LENGTH,
            "reply_form": reply_form or ReplyForm(),
            "reply_action": reverse("web:member-reply", args=[member.pk]),
            "cannot_text": why_not_texted(member),
            "canned_replies": member.program.canned_replies.all(),
            "safety_form": safety_form or SafetyForm(instance=member),
            "alerts": member.alerts.exclude(status=Alert.Status.RESOLVED).order_by("-created_at"),
            "recent_resolved": member.alerts.filter(status=Alert.Status.RESOLVED).order_by("-created_at")[:5],
            "contact_form": contact_form or _blank_contact_form(request, member),
            "contact_notes": member.contact_notes.select_related("staff").prefetch_related("corrections")[
                :CONTACT_NOTES_SHOWN
            ],
            "pause_form": pause_form or PauseForm(initial={
                "until": member.paused_until.isoformat() if member.paused_until else "",
                "reason": member.pause_reason or Member.PauseReason.OTHER,
            }),  # fmt: skip
            "consent": consent_state(member),
            "consent_records": member.consent_records.select_related("staff").order_by("-at", "-id"),
            "withdraw_form": withdraw_form or WithdrawConsentForm(),
            "consent_form": consent_form or ConsentAgainForm(initial={"method": "verbal"}),
            "can_withdraw": member.status in (Member.Status.ACTIVE, Member.Status.PAUSED) and is_granted(member),
            "can_consent_again": staff_revoked(member),
        },
        status=status,
    )


# --- Log a contact ---------------------------------------------------------------


def _note_in_scope(request: HttpRequest, member: Member, note_id) -> ContactNote | None:
    if not note_id:
        return None
    return ContactNote.objects.visible_to(request.staff).filter(member=member, pk=note_id).first()


def _blank_contact_form(request: HttpRequest, member: Member) -> ContactNoteForm:
    """Today's date; or, with ?correct=<id>, the note to correct as it was."""
    initial = {"contact_date": timezone.localdate()}
    correct = request.GET.get("correct", "")
    note = _note_in_scope(request, member, int(correct)) if correct.isdigit() and len(correct) <= 12 else None
    if note is not None:
        tz = timezone.get_current_timezone()
        initial.update(
            contact_outcome=note.outcome, modality=note.modality, contact_date=note.contact_date,
            start=note.started_at.astimezone(tz).time() if note.started_at else None,
            end=note.ended_at.astimezone(tz).time() if note.ended_at else None,
            duration_minutes=None if note.started_at else note.duration_minutes,
            intervention=note.intervention, response=note.response, plan=note.plan,
            follow_up_on=note.follow_up_on, corrects=note.pk,
        )  # fmt: skip
    return ContactNoteForm(initial=initial)


@require_POST
@staff_required
def member_contact(request: HttpRequest, member_id: int) -> HttpResponse:
    """Log a contact with the member (or correct an earlier note: a new note
    naming it). A refused note shows the page again with the form's errors."""
    member = _member(request, member_id)
    form = ContactNoteForm(request.POST)
    if form.is_valid():
        corrects = _note_in_scope(request, member, form.cleaned_data.get("corrects"))
        if form.cleaned_data.get("corrects") and corrects is None:
            form.add_error(None, "The note to correct was not found.")
        else:
            try:
                note = record_note(member, request.staff, corrects=corrects, **form.note_fields())
            except NoteError as error:
                form.add_problems(error.problems)
            else:
                said = f"Correction to note {corrects.pk} saved." if corrects else "Contact logged."
                if note.follow_up_on:
                    said += f" Follow-up set for {note.follow_up_on:%b} {note.follow_up_on.day}."
                messages.success(request, said)
                return redirect(reverse("web:member", args=[member.pk]) + "#contact-notes")
    messages.error(request, form.problem())
    return _render(request, member, contact_form=form)


def send_reply(request: HttpRequest, member: Member) -> tuple[ReplyForm, bool]:
    """The reply form's post, for the member and the alert page: the text is
    queued through inbox.replies (the API's rule), or the form carries why not."""
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return form, False
    try:
        send_staff_text(member, request.staff, form.cleaned_data["body"])
    except ReplyError as error:
        form.add_error("body" if error.field == "body" else None, error.message)
        return form, False
    messages.success(request, f"Text to {member.first_name} queued: it goes out in a moment.")
    return form, True


@require_POST
@staff_required
def member_reply(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    form, sent = send_reply(request, member)
    if not sent:
        return _render(request, member, reply_form=form)
    return redirect(reverse("web:member", args=[member.pk]) + "#conversation")


@require_POST
@staff_required
def member_safety(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    form = SafetyForm(request.POST, instance=member)
    if not form.is_valid():
        # Show the page as it was saved, with the form as it was posted.
        member.refresh_from_db()
        return _render(request, member, safety_form=form)
    # These three columns only: a full save would write back a status that an
    # opt-out arriving meanwhile has changed.
    form.save(commit=False).save(update_fields=SafetyForm.Meta.fields)
    messages.success(request, "Emergency contact and safety plan saved.")
    return redirect(reverse("web:member", args=[member.pk]) + "#safety")


@require_POST
@staff_required
def member_status(request: HttpRequest, member_id: int) -> HttpResponse:
    """Pause (until a date, with a reason category), resume or discharge,
    through checkins.pausing and checkins.enrollment as the API does. A
    refused pause shows the page again with the message on its field."""
    member = _member(request, member_id)
    action = request.POST.get("action", "")
    if action not in STATUS_ACTIONS:
        messages.error(request, "Choose pause, resume or discharge.")
        return redirect("web:member", member_id=member.pk)
    form = PauseForm(request.POST) if action == "pause" else None
    try:
        if form is not None:
            form.is_valid()  # every field is optional: the service checks them
            # A post without a reason (an older page's plain button) pauses for "other".
            reason = request.POST.get("reason", Member.PauseReason.OTHER)
            pausing.pause(member, until=form.value("until") or None, reason=reason, by=request.staff, via="web")
            said = "Check-ins paused. Texts the member sends still reach you."
        elif action == "resume":
            if member.status == Member.Status.OPTED_OUT:
                # Its refusal names the only way back: the member's own START.
                update_member(member, {"status": Member.Status.ACTIVE}, by=request.staff, via="web")
            pausing.resume(member, by=request.staff, via="web")
            said = "Check-ins resumed."
        else:
            discharge_member(member, by=request.staff, via="web")
            said = "Discharged: no more texts will be sent."
    except EnrollmentError as error:
        if form is not None and error.field in form.fields:
            form.refuse(error)
            messages.error(request, "The pause needs a fix; see the message next to it.")
            member.refresh_from_db()
            return _render(request, member, pause_form=form, status=400)
        messages.error(request, error.message)
    else:
        messages.success(request, said)
    return redirect("web:member", member_id=member.pk)


@require_POST
@staff_required
def member_checkin(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    if member.status != Member.Status.ACTIVE:
        messages.error(request, f"This member is {member.get_status_display().lower()}: no check-in can be sent.")
    else:
        start_checkin(member, source=CheckIn.Source.STAFF)
        messages.success(request, "Check-in started: the first question is on its way.")
    return redirect("web:member", member_id=member.pk)
