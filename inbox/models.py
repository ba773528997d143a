"""Which texts of a member's conversation each staff member has read.

One row per (staff, member): the time up to which that staff member has read
the member's texts, moved on when they open the member page. A text the
member wrote in their own words (not an answer to a check-in question) newer
than it, and from the last UNREAD_DAYS, is unread for them; so the first
look after this feature is deployed is not a flood of old texts. Only this
one row is written when a page is viewed, so reading takes no lock that
anything else waits for.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, F, Max, OuterRef, Q, Subquery

from django.utils import timezone

from accounts.models import Staff
from checkins.models import Answer, Member
from sms.models import Message

# Texts older than this are not counted as unread (see the module docstring).
UNREAD_DAYS = 14


class ConversationRead(models.Model):
    staff = models.ForeignKey("accounts.Staff", on_delete=models.CASCADE, related_name="conversations_read")
    member = models.ForeignKey("checkins.Member", on_delete=models.CASCADE, related_name="read_by")
    read_up_to = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "member"], name="conversation_read_once")]

    def __str__(self) -> str:
        return f"staff {self.staff_id} read member {self.member_id} up to {self.read_up_to:%Y-%m-%d %H:%M}"


def _inbound() -> Q:
    """Members' own texts (what they sent us), not texts to or from staff."""
    return Q(direction=Message.Direction.INBOUND, staff__isnull=True, member__isnull=False)


def mark_read(staff: Staff, member: Member) -> None:
    """Everything the member has sent so far is read by `staff`: up to their
    newest text, so that one arriving as the page is drawn stays unread."""
    newest = (
        Message.objects.filter(_inbound(), member=member).order_by("-created_at").values_list("created_at", flat=True)
    ).first()
    if newest is None:
        return
    ConversationRead.objects.update_or_create(staff=staff, member=member, defaults={"read_up_to": newest})


@dataclass(frozen=True)
class Unread:
    member: Member
    count: int
    latest_at: dt.datetime


def unread_conversations(staff: Staff, limit: int = 25) -> tuple[list[Unread], int]:
    """The members `staff` may see who sent texts they have not read, with how
    many, the most recent first (at most `limit`), and how many such members
    there are in all."""
    read_up_to = ConversationRead.objects.filter(staff=staff, member=OuterRef("member_id")).values("read_up_to")[:1]
    answers = Answer.objects.filter(message__isnull=False).values("message_id")
    per_member = (
        Message.objects.filter(
            _inbound(),
            member__in=Member.objects.visible_to(staff).values("pk"),
            created_at__gte=timezone.now() - dt.timedelta(days=UNREAD_DAYS),
        )
        .exclude(pk__in=answers)
        .annotate(read_up_to=Subquery(read_up_to))
        .filter(Q(read_up_to__isnull=True) | Q(created_at__gt=F("read_up_to")))
        .values("member_id")
        .annotate(count=Count("id"), latest_at=Max("created_at"))
        .order_by("-latest_at", "-member_id")
    )
    rows = list(per_member)
    shown = rows[:limit]
    members = Member.objects.in_bulk([row["member_id"] for row in shown])
    return [Unread(members[row["member_id"]], row["count"], row["latest_at"]) for row in shown], len(rows)
