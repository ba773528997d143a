"""A member's conversation in the API (CONTRACT §5): what they texted and what
we texted them, and a text from staff to the member through the outbox.

Access is the other member endpoints': `Member.objects.visible_to(staff)`, so
a supporter sees only their own members and anyone else gets 404. Only the
member's own thread is shown: texts to staff about them (alert notifications,
rows with `staff` set) are staff's, not the member's conversation.
"""

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from checkins.models import Member
from checkins.records_api import ReadPurpose, record_api_read
from config import limits
from config.api_errors import ApiError
from config.pagination import Pagination
from inbox import replies
from inbox.replies import conversation
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


@router.get(
    "/members/{member_id}/messages",
    response=list[MessageOut],
    summary="A member's conversation, newest first",
)
@paginate(Pagination)
def list_member_messages(request, member_id: int, stated: Query[ReadPurpose]):
    """Each call is recorded: in the access log, and in the disclosure
    register (channel `api`) with `purpose` and `recipient` as stated."""
    member = get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)
    record_api_read(request, member, data="messages", where="api:GET /members/{id}/messages", stated=stated)
    return conversation(member)


@router.post("/members/{member_id}/messages", response={201: MessageOut}, summary="Text a member")
def send_member_message(request, member_id: int, payload: MessageIn):
    # The body is checked before the member is looked up, as it always was.
    try:
        body = replies.clean_body(payload.body)
    except replies.InvalidText:
        raise ApiError(422, f"body: type a text of 1 to {limits.STAFF_TEXT_MAX} characters.", field="body") from None
    member = get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)
    # The sending rule is shared with the web app's reply forms (inbox/replies.py).
    try:
        message = replies.send_staff_text(member, request.staff, body)
    except replies.ReplyError as error:
        raise ApiError(409, error.message) from None
    return Status(201, message)
