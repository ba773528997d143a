"""The home page: the alert queue, members' unread texts and the caseload. A supporter sees their
own members and alerts; a supervisor sees the organization's, and also the
members who need a new supporter (theirs was deactivated) and the on-call
rota's gaps in the coming week. Whoever is backing up an out-of-office
colleague is told whom they cover for, until when."""

import itertools

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from alerts.models import Alert
from care.caseload import needs_reassignment
from care.notes import due_follow_ups
from checkins.models import Member
from coverage.rota import organization_gaps
from inbox.models import unread_conversations
from web.access import staff_required
from web.summaries import alert_queue, member_rows
from web.views.coverage import covering


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    unread, unread_members = unread_conversations(request.staff)
    supervising = {}
    if request.staff.is_supervisor:
        orphans = needs_reassignment(request.staff.organization)
        supervising = {
            # [(the deactivated supporter, [their members])]
            "reassign": [(who, list(rows)) for who, rows in itertools.groupby(
                orphans.order_by("supporter__name", "supporter_id", "name", "id"), key=lambda m: m.supporter)],
            "gaps": organization_gaps(request.staff.organization_id),
        }  # fmt: skip
    return render(
        request,
        "web/home.html",
        {
            "queue": alert_queue(Alert.objects.visible_to(request.staff)),
            "rows": member_rows(Member.objects.visible_to(request.staff).exclude(status="discharged")),
            "follow_ups": list(due_follow_ups(request.staff, timezone.localdate())),
            "unread": unread,
            "unread_members": unread_members,
            "covering": covering(request.staff),
            **supervising,
            "nav": "home",
        },
    )


@staff_required
def queue_fragment(request: HttpRequest) -> HttpResponse:
    """The queue alone, polled by app.js so new alerts appear without a reload."""
    return render(request, "web/partials/queue.html", {"queue": alert_queue(Alert.objects.visible_to(request.staff))})
