"""What the member and alert pages show of the conversation: the last texts
both ways, the words that raised an alert, and the last contact.

Every query starts from inbox.replies.conversation(member), the API's own
query, so the pages never show a text to or from staff (an alert
notification is staff's, not the member's conversation)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from alerts.models import Alert
from checkins.models import Answer, CheckIn, Member
from inbox.replies import conversation
from sms.models import Message

THREAD_LENGTH = 50

# Alerts that no words raised: a silence, texts that could not be delivered, an overdue follow-up.
WORDLESS_TOPICS = {Alert.Topic.SILENCE, Alert.Topic.UNREACHABLE, Alert.Topic.FOLLOW_UP}
# Alerts that a check-in's answers raise (alerts.rules, after an answer).
CHECKIN_TOPICS = {Alert.Topic.MOOD, Alert.Topic.CRAVING, Alert.Topic.USE}
# An alert is raised as the text arrives, or by a task moments after the
# answer is stored. The alert does not keep a link to the text, so the words
# shown are the member's last text before the alert, if it came this soon.
WORDS_WITHIN = dt.timedelta(hours=2)

# A delivery status said plainly, for our texts.
DELIVERY = {
    Message.Status.QUEUED: "queued",
    Message.Status.SENDING: "sending",
    Message.Status.SENT: "sent",
    Message.Status.DELIVERED: "delivered",
    Message.Status.UNDELIVERED: "not delivered",
    Message.Status.FAILED: "failed",
}


def thread(member: Member, length: int = THREAD_LENGTH) -> list[Message]:
    """The last `length` texts both ways, oldest first (newest at the bottom, like a phone)."""
    return list(conversation(member)[:length])[::-1]


def last_contact(member: Member) -> Message | None:
    """The last text between the member and a person: what the member texted
    us, or what staff texted them (not prompts or automatic replies)."""
    return (
        conversation(member)
        .filter(Q(direction=Message.Direction.INBOUND) | Q(kind=Message.Kind.STAFF_REPLY))
        .first()
    )


@dataclass
class Words:
    """What raised an alert: the member's text, or a check-in's answers as (question, answer) pairs."""

    at: dt.datetime
    text: str = ""
    answers: list[tuple[str, str]] = field(default_factory=list)


def alert_words(alert: Alert) -> Words | None:
    if alert.topic in WORDLESS_TOPICS:
        return None
    member = alert.member
    since = alert.created_at - WORDS_WITHIN
    if alert.topic in CHECKIN_TOPICS:
        answer = (
            Answer.objects.filter(checkin__member=member, created_at__gte=since, created_at__lte=alert.created_at)
            .order_by("-created_at", "-id")
            .select_related("checkin")
            .first()
        )
        if answer is not None:
            return _answers(answer.checkin, member)
    text = (
        conversation(member)
        .filter(direction=Message.Direction.INBOUND, created_at__gte=since, created_at__lte=alert.created_at)
        .first()
    )
    if text is None:
        return None
    return Words(at=text.created_at, text=text.body)


def _answers(checkin: CheckIn, member: Member) -> Words:
    answers = list(checkin.answers.select_related("question").order_by("created_at", "id"))
    return Words(
        at=answers[-1].created_at,
        answers=[(answer.question.text(member.language), answer.text) for answer in answers],
    )
