"""A member's history for the records tests: a check-in with answers and
the texts that carried them, dated `days_ago`."""

import datetime as dt

import pytest
from django.utils import timezone

from checkins.models import Answer, CheckIn
from sms.models import Message


def text(member, direction, body, at, kind=None, status=None, staff=None):
    outbound = direction == Message.Direction.OUTBOUND
    return Message.objects.create(
        direction=direction,
        kind=kind or (Message.Kind.PROMPT if outbound else Message.Kind.TEXT),
        organization_id=member.organization_id,
        member=member,
        staff=staff,
        phone=staff.phone if staff else member.phone,
        body=body,
        status=status or (Message.Status.DELIVERED if outbound else Message.Status.RECEIVED),
        created_at=at,
    )


def answered_checkin(member, days_ago: float, mood: int = 4, words: str = "a 4 today, pretty good"):
    """A completed check-in: the mood question, the member's reply, its answer."""
    at = timezone.now() - dt.timedelta(days=days_ago)
    question = member.program.questions.get(key="mood")
    checkin = CheckIn.objects.create(
        member=member, scheduled_for=at, started_at=at, closes_at=at + dt.timedelta(hours=2),
        status=CheckIn.Status.COMPLETED, ended_at=at + dt.timedelta(minutes=5),
    )
    prompt = text(member, Message.Direction.OUTBOUND, question.text_en, at)
    reply = text(member, Message.Direction.INBOUND, words, at + dt.timedelta(minutes=1))
    answer = Answer.objects.create(
        checkin=checkin, question=question, text=words, value=mood, message=reply, created_at=reply.created_at
    )
    return {"checkin": checkin, "prompt": prompt, "reply": reply, "answer": answer}


@pytest.fixture
def history(member):
    return answered_checkin(member, days_ago=1)
