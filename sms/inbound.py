"""An inbound text: stored exactly once, then handed to whoever it is for.

Everything here runs inside the webhook's transaction, so a text is either
stored together with everything it caused, or not at all (and Twilio retries).
"""

import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Staff
from checkins import reader
from checkins.models import Member
from checkins.texts import UNKNOWN_SENDER
from sms.models import Message

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# Twilio's message ids: SM (SMS) or MM (MMS) and 32 lowercase hex digits.
# Anything else is not a message Twilio sent, however validly signed.
SID = re.compile(r"^(?:SM|MM)[0-9a-f]{32}\Z")
# However much one number texts, it hears back at most this often. Crisis
# replies are still sent (once per window) whatever the flood.
REPLY_LIMIT = 10
REPLY_WINDOW = timezone.timedelta(minutes=10)


class BadInbound(ValueError):
    pass


def receive(*, sid: str, phone: str, to: str, body: str) -> list[str] | None:
    """Store and act on one inbound text. Returns the replies to send back, or
    None when this MessageSid was seen before (nothing is done twice)."""
    if not SID.match(sid or ""):
        raise BadInbound("MessageSid is missing or not a message id")
    if not E164.match(phone or ""):
        raise BadInbound("From is not an E.164 phone number")
    body = (body or "").replace("\x00", "")
    try:
        with transaction.atomic():
            message = _store(sid, phone, body)
            replies = _route(message)
            replies = _within_reply_limit(message, replies)
            _log_replies(message, replies)
    except IntegrityError:
        # The unique MessageSid turned a retry away (a concurrent one waits for
        # the first to commit, then fails here). Anything else is a real error.
        if Message.objects.filter(provider_sid=sid).exists():
            return None
        raise
    return replies


def _store(sid: str, phone: str, body: str) -> Message:
    """The text, stored with the person it is from. Staff are only looked up
    when no member has this number or the text is an ACK."""
    from alerts.acknowledgement import looks_like_ack

    member = _member_for(phone)
    staff = None
    if member is None or looks_like_ack(body):
        staff = Staff.objects.filter(phone=phone, user__is_active=True).select_related("organization").first()
    sender = staff or member
    return Message.objects.create(
        direction=Message.Direction.INBOUND,
        kind=Message.Kind.TEXT,
        provider_sid=sid,
        phone=phone,
        body=body,
        status=Message.Status.RECEIVED,
        is_crisis=reader.mentions_crisis(body),
        member=member if staff is None else None,
        staff=staff,
        organization_id=sender.organization_id if sender else None,
    )


def _route(message: Message) -> list[str]:
    from alerts.acknowledgement import staff_text
    from checkins.conversation import member_text

    if message.staff is not None:
        return staff_text(message.staff, message)
    if message.member is not None:
        return member_text(message.member, message)
    return _unknown_sender(message)


def _member_for(phone: str) -> Member | None:
    """The member who texted. A number is an active member in one organization
    at most (one owner per phone), and that member is who wrote. Only when
    every enrolment of the number is discharged does the one we texted last
    hear it (a discharged member's crisis words still reach their old staff)."""
    # Only the member rows are locked (not the program and supporter that the
    # join brings along), and FOR NO KEY UPDATE, which does not block inserts
    # that reference them: texts must not queue behind enrolments or program
    # changes, nor deadlock with them.
    members = list(
        Member.objects.select_for_update(of=("self",), no_key=True)
        .filter(phone=phone)
        .select_related("program", "supporter")
    )
    if len(members) <= 1:
        return members[0] if members else None
    active = [m for m in members if m.status != Member.Status.DISCHARGED]
    if active:
        return active[0]
    last = (
        Message.objects.filter(phone=phone, direction=Message.Direction.OUTBOUND, member__in=members)
        .order_by("-created_at")
        .values_list("member_id", flat=True)
        .first()
    )
    return next((m for m in members if m.pk == last), members[0])


def _unknown_sender(message: Message) -> list[str]:
    told_today = Message.objects.filter(
        phone=message.phone,
        direction=Message.Direction.OUTBOUND,
        member__isnull=True,
        staff__isnull=True,
        created_at__gte=timezone.now() - timezone.timedelta(days=1),
    ).exists()
    return [] if told_today else [UNKNOWN_SENDER]


def _within_reply_limit(message: Message, replies: list[str]) -> list[str]:
    if not replies:
        return replies
    recent_replies = Message.objects.filter(
        phone=message.phone,
        direction=Message.Direction.OUTBOUND,
        kind=Message.Kind.REPLY,
        created_at__gte=timezone.now() - REPLY_WINDOW,
    )
    if recent_replies.count() < REPLY_LIMIT:
        return replies
    if message.is_crisis and not recent_replies.filter(is_crisis=True).exists():
        return replies
    return []


def _log_replies(message: Message, replies: list[str]) -> None:
    """Replies travel back in the TwiML answer; they go in the message log too."""
    from sms.encoding import plain_text

    Message.objects.bulk_create(
        [
            Message(
                direction=Message.Direction.OUTBOUND,
                kind=Message.Kind.REPLY,
                priority=Message.Priority.REPLY,
                organization_id=message.organization_id,
                member=message.member,
                staff=message.staff,
                phone=message.phone,
                body=plain_text(text),
                status=Message.Status.SENT,
                is_crisis=message.is_crisis,
                sent_at=timezone.now(),
            )
            for text in replies
        ]
    )
