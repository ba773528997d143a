"""The notice a supporter gets of a member's free text: "New message from
Dana W. Read it at <link>", at most once an hour per member.

The notice never carries the member's words, surname or phone number: the
first name and last initial (as alerts name members) and a link to the member
page, where the text itself is read after signing in.

The row is a text to staff, like an alert notification: `staff` is the
supporter and `member` stays empty, so that the outbox's member rules (an
opted-out member's texts never leave; a failed text marks the member
unreachable; a carrier opt-out opts the member out) never act on the member
because of a text to staff. Which member a notice is about is read from its
link, built here and only here. It goes through the outbox with a direct
reply's priority: after alerts, before scheduled prompts.

Called inside the webhook's transaction with the member row locked (the
router's lock), so two texts from one member cannot both send a notice.
Nothing here logs the body or a phone number.
"""

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from accounts.models import Staff
from checkins.models import Member
from coverage.routing import is_away, responder_for
from sms import outbox
from sms.models import Message

log = logging.getLogger(__name__)

NOTICE_EVERY = dt.timedelta(hours=1)


def member_link(member: Member) -> str:
    return f"{settings.PUBLIC_BASE_URL}/members/{member.pk}"


def notice_text(member: Member) -> str:
    """First name and last initial and a link; never the member's words."""
    name = member.short_name
    if not name.endswith("."):
        name += "."
    return f"New message from {name} Read it at {member_link(member)}"


def readers(member: Member, now: dt.datetime) -> list[Staff]:
    """Who is told of a member's text: the supporter; while the supporter is
    out of office or no longer active, whoever covers for them
    (coverage.routing), or the supervisors when nobody does. Outside working
    hours the notice still goes to the supporter: a text is not an alert
    (a request to be contacted, or crisis words, raise one, which the person
    on call gets)."""
    supporter = member.supporter
    if supporter.is_active and not is_away(supporter, now):
        return [supporter]
    cover = responder_for(member, now)
    return [cover.staff] if cover.staff is not None else list(member.organization.supervisors())


def notify_supporter_of_text(member: Member, now: dt.datetime | None = None) -> list[Message]:
    """Queue the notice to whoever reads the member's texts now, unless one
    about this member went to them within the hour. Returns the queued rows."""
    now = now or timezone.now()
    queued = []
    for staff in readers(member, now):
        if not staff.phone:
            continue
        told = Message.objects.filter(
            direction=Message.Direction.OUTBOUND,
            kind=Message.Kind.STAFF_NOTICE,
            staff=staff,
            created_at__gte=now - NOTICE_EVERY,
            # The link ends the body: "/members/1" never matches "/members/12".
            body__endswith=f"/members/{member.pk}",
        ).exists()
        if told:
            continue
        message = outbox.queue(
            phone=staff.phone,
            body=notice_text(member),
            kind=Message.Kind.STAFF_NOTICE,
            priority=Message.Priority.REPLY,
            staff=staff,
        )
        if message is not None:
            log.info("free-text notice queued: message=%s member=%s staff=%s", message.pk, member.pk, staff.pk)
            queued.append(message)
    return queued
