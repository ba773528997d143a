"""An inbound text, at the transport level: checked, stored exactly once,
handed to the app that reads it, and its replies logged.

sms knows nothing of members, check-ins or alerts. The inbox app registers
the handler (`handle_texts_with`, from InboxConfig.ready) that stores the
text with its sender and decides the replies (inbox/router.py).

Everything here runs inside the webhook's transaction, so a text is either
stored together with everything it caused, or not at all (and Twilio retries).
"""

import re
from collections.abc import Callable

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from config import plain_sql
from sms.models import Message

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# Twilio's message ids: SM (SMS) or MM (MMS) and 32 lowercase hex digits.
# Anything else is not a message Twilio sent, however validly signed.
SID = re.compile(r"^(?:SM|MM)[0-9a-f]{32}\Z")
# However much one number texts, it hears back at most this often. Crisis
# replies are still sent (once per window) whatever the flood.
REPLY_LIMIT = 10
REPLY_WINDOW = timezone.timedelta(minutes=10)

# (MessageSid, From, Body) -> the stored inbound Message and the replies to it.
TextHandler = Callable[[str, str, str], tuple[Message, list[str]]]
_handler: TextHandler | None = None


class BadInbound(ValueError):
    pass


def handle_texts_with(handler: TextHandler) -> None:
    """The one app that reads inbound texts registers here (inbox)."""
    global _handler
    _handler = handler


def receive(*, sid: str, phone: str, to: str, body: str) -> list[str] | None:
    """Store and act on one inbound text. Returns the replies to send back, or
    None when this MessageSid was seen before (nothing is done twice)."""
    if not SID.match(sid or ""):
        raise BadInbound("MessageSid is missing or not a message id")
    if not E164.match(phone or ""):
        raise BadInbound("From is not an E.164 phone number")
    if _handler is None:
        raise RuntimeError("No app reads inbound texts: is 'inbox' in INSTALLED_APPS?")
    body = (body or "").replace("\x00", "")
    try:
        with transaction.atomic():
            message, replies = _handler(sid, phone, body)
            replies = _within_reply_limit(message, replies)
            _log_replies(message, replies)
    except IntegrityError:
        # The unique MessageSid turned a retry away (a concurrent one waits for
        # the first to commit, then fails here). Anything else is a real error.
        if Message.objects.filter(provider_sid=sid).exists():
            return None
        raise
    return replies


def _within_reply_limit(message: Message, replies: list[str]) -> list[str]:
    if not replies:
        return replies
    # One query: at most REPLY_LIMIT recent replies to this number, crisis
    # replies first, so fewer rows means under the limit and the first row
    # says whether a crisis reply already went out in the window. Counted
    # under the sender's row lock, so a concurrent text from the same member
    # has committed its replies before this one counts them. Plain SQL,
    # prepared once per connection (config/plain_sql.py): every answered text
    # runs it, and compiling it through the ORM cost about three times what
    # running it does (docs/performance.md).
    since = connection.ops.adapt_datetimefield_value(timezone.now() - REPLY_WINDOW)
    found = plain_sql.rows(
        f"SELECT is_crisis FROM {Message._meta.db_table} WHERE phone = %s AND direction = %s AND kind = %s"
        " AND created_at >= %s ORDER BY is_crisis DESC LIMIT %s",
        [message.phone, str(Message.Direction.OUTBOUND), str(Message.Kind.REPLY), since, REPLY_LIMIT],
    )
    recent = [bool(crisis) for (crisis,) in found]
    if len(recent) < REPLY_LIMIT:
        return replies
    if message.is_crisis and not recent[0]:
        return replies
    return []


def _log_replies(message: Message, replies: list[str]) -> None:
    """Replies travel back in the TwiML answer; they go in the message log too
    (plain SQL: nearly every text has a reply, config/plain_sql.py)."""
    for text in replies:
        plain_sql.insert(
            Message.outbound(
                phone=message.phone,
                body=text,
                kind=Message.Kind.REPLY,
                priority=Message.Priority.REPLY,
                status=Message.Status.SENT,
                organization_id=message.organization_id,
                member=message.member,
                staff=message.staff,
                is_crisis=message.is_crisis,
            )
        )
