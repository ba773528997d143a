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

from checkins.models import Member
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


def notify_supporter_of_text(member: Member, now: dt.datetime | None = None) -> Message | None:
    """Queue the notice to the member's supporter, unless one about this member
    went to them within the hour. Returns the queued row, or None."""
    supporter = member.supporter
    if supporter is None or not supporter.phone:
        return None
    now = now or timezone.now()
    told = Message.objects.filter(
        direction=Message.Direction.OUTBOUND,
        kind=Message.Kind.STAFF_NOTICE,
        staff=supporter,
        created_at__gte=now - NOTICE_EVERY,
        # The link ends the body: "/members/1" never matches "/members/12".
        body__endswith=f"/members/{member.pk}",
    ).exists()
    if told:
        return None
    message = outbox.queue(
        phone=supporter.phone,
        body=notice_text(member),
        kind=Message.Kind.STAFF_NOTICE,
        priority=Message.Priority.REPLY,
        staff=supporter,
    )
    if message is not None:
        log.info("free-text notice queued: message=%s member=%s staff=%s", message.pk, member.pk, supporter.pk)
    return message
