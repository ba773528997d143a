"""A member's conversation in the API (CONTRACT §5): what they texted and what
we texted them, and a text from staff to the member through the outbox.

Access is the other member endpoints': `Member.objects.visible_to(staff)`, so
a supporter sees only their own members and anyone else gets 404. Only the
member's own thread is shown: texts to staff about them (alert notifications,
rows with `staff` set) are staff's, not the member's conversation.
"""

import datetime as dt
from typing import Literal

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from checkins.models import Member
from config import limits
from config.api_errors import ApiError
from config.pagination import Pagination
from sms import outbox
from sms.models import Message

router = Router(tags=["conversation"])

# The API's words for a text's direction, whatever the model stores.
DIRECTION = {Message.Direction.INBOUND: "in", Message.Direction.OUTBOUND: "out"}


class MessageOut(Schema):
    id: int
    direction: Literal["in", "out"]
    body: str
    at: dt.datetime
    status: str

    @staticmethod
    def resolve_direction(message: Message) -> str:
        return DIRECTION[message.direction]

    @staticmethod
    def resolve_at(message: Message) -> dt.datetime:
        return message.created_at


class MessageIn(Schema):
    # The length is checked after stripping (below), so that "   " is empty
    # and trailing spaces do not push a full-length text over the limit.
    body: str


def conversation(member: Member) -> QuerySet[Message]:
    """The member's texts both ways, newest first: prompts, their replies, our
    replies and staff's texts to them; never a text to or from staff."""
    return Message.objects.filter(member=member, staff__isnull=True).order_by("-created_at", "-id")


@router.get(
    "/members/{member_id}/messages",
    response=list[MessageOut],
    summary="A member's conversation, newest first",
)
@paginate(Pagination)
def list_member_messages(request, member_id: int):
    member = get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)
    return conversation(member)


@router.post("/members/{member_id}/messages", response={201: MessageOut}, summary="Text a member")
def send_member_message(request, member_id: int, payload: MessageIn):
    body = payload.body.strip()
    if not 1 <= len(body) <= limits.STAFF_TEXT_MAX:
        raise ApiError(422, f"body: type a text of 1 to {limits.STAFF_TEXT_MAX} characters.", field="body")
    get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)
    with transaction.atomic():
        # Locked as the inbound router locks it, so an opt-out arriving at the
        # same moment is either seen here or comes after this text is queued.
        member = Member.objects.select_for_update(of=("self",), no_key=True).get(pk=member_id)
        if not member.can_receive_texts:
            raise ApiError(409, _why_not_texted(member))
        # Through the outbox like every other text: the send rate, retries and
        # delivery status apply (sms/outbox.py). A direct reply's priority.
        message = outbox.queue(
            phone=member.phone,
            body=body,
            kind=Message.Kind.STAFF_REPLY,
            priority=Message.Priority.REPLY,
            member=member,
        )
        if message is None:  # queue's own check; unreachable after the one above
            raise ApiError(409, _why_not_texted(member))
    return Status(201, message)


def _why_not_texted(member: Member) -> str:
    if member.status == Member.Status.OPTED_OUT:
        return "This member has opted out of texts: nothing can be sent until they text START."
    return f"This member is {member.get_status_display().lower()}: no texts can be sent."
