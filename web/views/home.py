"""The home page: the alert queue, members' unread texts and the caseload. A supporter sees their
own members and alerts; a supervisor sees the organization's."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from alerts.models import Alert
from care.notes import due_follow_ups
from checkins.models import Member
from inbox.models import unread_conversations
from web.access import staff_required
from web.summaries import alert_queue, member_rows


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    unread, unread_members = unread_conversations(request.staff)
    return render(
        request,
        "web/home.html",
        {
            "queue": alert_queue(Alert.objects.visible_to(request.staff)),
            "rows": member_rows(Member.objects.visible_to(request.staff).exclude(status="discharged")),
            "follow_ups": list(due_follow_ups(request.staff, timezone.localdate())),
            "unread": unread,
            "unread_members": unread_members,
            "nav": "home",
        },
    )


@staff_required
def queue_fragment(request: HttpRequest) -> HttpResponse:
    """The queue alone, polled by app.js so new alerts appear without a reload."""
    return render(request, "web/partials/queue.html", {"queue": alert_queue(Alert.objects.visible_to(request.staff))})
