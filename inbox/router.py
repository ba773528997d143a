"""The inbox router: the one place that decides what an inbound text is.

The sms app verifies the webhook, turns away a MessageSid it has seen, and
calls `receive_text` inside the webhook's transaction. Here the text is
stored with its sender and read, in one order:

1. crisis: someone in danger, in any text from a member, whatever their
   state (inbox/conversation.py, the reader's `read_crisis`);
2. keywords: STOP and the other carrier words, or a request to stop in plain
   words; START; HELP;
3. staff ACK: a text from a staff member's phone acknowledges an alert
   (alerts/acknowledgement.py);
4. an answer to the member's open check-in question;
5. free text for the supporter.

Steps 1, 2, 4 and 5 are the member's conversation (inbox/conversation.py);
a staff member's text goes to step 3; a number nobody here owns gets one
short reply a day.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Staff
from alerts.acknowledgement import looks_like_ack, staff_text
from checkins import reader
from checkins.models import Member
from checkins.texts import UNKNOWN_SENDER
from config import plain_sql
from inbox.conversation import member_text
from sms.models import Message

__all__ = ["receive_text", "route"]


def receive_text(sid: str, phone: str, body: str) -> tuple[Message, list[str]]:
    """Store one inbound text with its sender, and say what to reply."""
    message = _store(sid, phone, body)
    return message, route(message)


def route(message: Message) -> list[str]:
    """The replies to one stored text, from whoever sent it."""
    if message.staff is not None:
        return staff_text(message.staff, message)
    if message.member is not None:
        return member_text(message.member, message)
    return _unknown_sender(message)


def _store(sid: str, phone: str, body: str) -> Message:
    """The text, stored with the person it is from. Staff are only looked up
    when no member has this number or the text is an ACK."""
    member = _member_for(phone)
    staff = None
    if member is None or looks_like_ack(body):
        staff = Staff.objects.filter(phone=phone, user__is_active=True).select_related("organization").first()
    sender = staff or member
    text = Message(
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
    # Plain SQL: every text is stored (config/plain_sql.py).
    return plain_sql.insert(text)


def _member_for(phone: str) -> Member | None:
    """The member who texted. A number is an active member in one organization
    at most (one owner per phone), and that member is who wrote. Only when
    every enrolment of the number is discharged does the one we texted last
    hear it (a discharged member's crisis words still reach their old staff)."""
    # Only the member rows are locked, not the program and supporter that
    # come with them (Member.objects.texting_from).
    members = Member.objects.texting_from(phone)
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
