"""A member's conversation, and a text from staff to a member: the one
conversation query and the one sending rule that the API
(POST /members/{id}/messages) and the web app's reply forms share.

The text goes through the outbox like every other text (the send rate,
retries and delivery status apply: sms/outbox.py) with a direct reply's
priority, and is refused while the member has opted out or is discharged.
Access (who may text whom) is the caller's: both callers look the member up
through `Member.objects.visible_to(staff)` first.

Nothing here logs the body or the member's phone number.
"""

import logging

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import Staff
from checkins.models import Member
from config import limits
from sms import outbox
from sms.models import Message

log = logging.getLogger(__name__)


def conversation(member: Member) -> QuerySet[Message]:
    """The member's texts both ways, newest first: prompts, their replies, our
    replies and staff's texts to them; never a text to or from staff."""
    return Message.objects.filter(member=member, staff__isnull=True).order_by("-created_at", "-id")


class ReplyError(Exception):
    """A text that cannot be sent, with the reason in words staff can read."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidText(ReplyError):
    """The body itself: empty, or too long for one text."""

    def __init__(self, message: str):
        super().__init__(message, field="body")


class CannotText(ReplyError):
    """The member cannot be texted now: opted out or discharged."""


def clean_body(body: str) -> str:
    """The body as it will be sent: stripped, then 1 to STAFF_TEXT_MAX characters.

    Stripped first, so that "   " is empty and trailing spaces do not push a
    full-length text over the limit."""
    body = (body or "").strip()
    if not 1 <= len(body) <= limits.STAFF_TEXT_MAX:
        raise InvalidText(f"Type a text of 1 to {limits.STAFF_TEXT_MAX:,} characters.")
    return body


def why_not_texted(member: Member) -> str | None:
    """Why this member cannot be texted now, or None if they can."""
    if member.can_receive_texts:
        return None
    if member.status == Member.Status.OPTED_OUT:
        return "This member has opted out of texts: nothing can be sent until they text START."
    return f"This member is {member.get_status_display().lower()}: no texts can be sent."


def send_staff_text(member: Member, staff: Staff, body: str) -> Message:
    """Queue `body` as a text from staff to `member` and return the queued row.

    Raises InvalidText for an empty or too long body and CannotText while the
    member has opted out or is discharged."""
    body = clean_body(body)
    with transaction.atomic():
        # Locked as the inbound router locks it, so an opt-out arriving at the
        # same moment is either seen here or comes after this text is queued.
        locked = Member.objects.select_for_update(of=("self",), no_key=True).get(pk=member.pk)
        reason = why_not_texted(locked)
        if reason is not None:
            raise CannotText(reason)
        message = outbox.queue(
            phone=locked.phone,
            body=body,
            kind=Message.Kind.STAFF_REPLY,
            priority=Message.Priority.REPLY,
            member=locked,
        )
        if message is None:  # queue's own check; unreachable after the one above
            raise CannotText(why_not_texted(locked) or "This member cannot be texted now.")
    # Who and whom by id only: never the body or the number.
    log.info("staff text queued: message=%s member=%s staff=%s", message.pk, locked.pk, staff.pk)
    return message
