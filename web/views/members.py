"""A member's page: the chart, the check-in history, the message thread, and
pause / resume / discharge. Only the assigned supporter and the
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
from checkins.enrollment import EnrollmentError, update_member
from checkins.models import CheckIn, Member
from checkins.schedule import start_checkin
from sms.models import Message
from web import charts
from web.access import staff_required
from web.summaries import member_state, readings

CHART_DAYS = 30
THREAD_LENGTH = 100
CHECKINS_PER_PAGE = 10

# What each button does to the member's status, and what it says afterwards.
STATUS_ACTIONS = {
    "pause": (Member.Status.PAUSED, "Check-ins paused. Texts the member sends still reach you."),
    "resume": (Member.Status.ACTIVE, "Check-ins resumed."),
    "discharge": (Member.Status.DISCHARGED, "Discharged: no more texts will be sent."),
}


def _member(request: HttpRequest, member_id: int) -> Member:
    return get_object_or_404(Member.objects.visible_to(request.staff).select_related("supporter", "program"), pk=member_id)


@staff_required
def member_page(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
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
    thread = Message.thread(THREAD_LENGTH, member=member)
    return render(
        request,
        "web/member.html",
        {
            "member": member,
            "state": member_state(member),
            "chart": chart,
            "checkins": checkins,
            "thread": thread,
            "alerts": member.alerts.exclude(status=Alert.Status.RESOLVED).order_by("-created_at"),
            "recent_resolved": member.alerts.filter(status=Alert.Status.RESOLVED).order_by("-created_at")[:5],
        },
    )


@require_POST
@staff_required
def member_status(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    action = STATUS_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "Choose pause, resume or discharge.")
        return redirect("web:member", member_id=member.pk)
    status, said = action
    try:
        update_member(member, {"status": status}, by=request.staff)
    except EnrollmentError as error:
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
