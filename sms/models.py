"""The message log. Every SMS in or out is one row; outbound rows are the outbox."""

import datetime as dt

from django.db import models
from django.utils import timezone

from sms.encoding import plain_text


def mask_phone(phone: str) -> str:
    """`+15555550100` → `+1******0100`: enough to tell numbers apart in a log."""
    if not phone:
        return ""
    if len(phone) <= 6:
        return "*" * len(phone)
    return phone[:2] + "*" * (len(phone) - 6) + phone[-4:]


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "in", "Inbound"
        OUTBOUND = "out", "Outbound"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        UNDELIVERED = "undelivered", "Undelivered"
        FAILED = "failed", "Failed"
        RECEIVED = "received", "Received"

    class Kind(models.TextChoices):
        PROMPT = "prompt", "Check-in question"
        REPLY = "reply", "Reply"
        NOTIFICATION = "notification", "Alert to staff"
        SYSTEM = "system", "System"
        TEXT = "text", "Text from a person"
        STAFF_REPLY = "staff_reply", "Text from staff to a member"
        # "New message from Dana W." to the supporter: never the member's words.
        STAFF_NOTICE = "staff_notice", "Notice to staff of a member's text"

    class Priority(models.IntegerChoices):
        # Lower goes first: alerts to staff, then direct replies, then bulk prompts.
        URGENT = 0, "Urgent"
        REPLY = 1, "Reply"
        BULK = 2, "Bulk"

    # A status only moves forward: callbacks arrive late and out of order.
    RANK = {
        Status.QUEUED: 0,
        Status.SENDING: 1,
        Status.SENT: 2,
        Status.DELIVERED: 3,
        Status.UNDELIVERED: 3,
        Status.FAILED: 3,
        Status.RECEIVED: 3,
    }

    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    organization = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.CASCADE)
    member = models.ForeignKey(
        "checkins.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    staff = models.ForeignKey("accounts.Staff", null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    checkin = models.ForeignKey("checkins.CheckIn", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    alert = models.ForeignKey(
        "alerts.Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    phone = models.CharField(max_length=20, help_text="The other party, E.164.")
    body = models.TextField()
    # Set when the retention period removed the body (checkins.retention).
    redacted_at = models.DateTimeField(null=True, blank=True)
    provider_sid = models.CharField(max_length=64, null=True, blank=True, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.REPLY)
    error_code = models.IntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Outbox timers: when a queued row may next be tried, and how long a
    # worker's claim on a `sending` row lasts before the sweep takes it back.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Set when a claim ran out: the worker may have died after Twilio accepted
    # the text, so Twilio is asked before it is sent again.
    needs_provider_check = models.BooleanField(default=False)
    is_crisis = models.BooleanField(default=False, help_text="The reply reader found crisis language.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "priority", "next_attempt_at"], name="outbox_idx"),
            models.Index(fields=["phone", "created_at"], name="message_phone_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.kind} {mask_phone(self.phone)} ({self.status})"

    @classmethod
    def outbound(
        cls,
        *,
        phone: str,
        body: str,
        kind: str,
        priority: int,
        status: str = Status.QUEUED,
        organization_id: int | None = None,
        member=None,
        staff=None,
        checkin=None,
        alert=None,
        is_crisis: bool = False,
        now: dt.datetime | None = None,
    ) -> "Message":
        """An outbound text, not yet saved: the one place outbound rows are
        built, whether queued one at a time (sms.outbox.queue), in bulk (the
        check-in tick) or logged as already sent (replies in the webhook's
        TwiML). The body is kept in GSM-7 where it can be; the organization is
        the recipient's unless given."""
        now = now or timezone.now()
        if organization_id is None:
            organization_id = getattr(member or staff, "organization_id", None)
        return cls(
            direction=cls.Direction.OUTBOUND,
            kind=kind,
            priority=priority,
            organization_id=organization_id,
            member=member,
            staff=staff,
            checkin=checkin,
            alert=alert,
            phone=phone,
            body=plain_text(body),
            status=status,
            is_crisis=is_crisis,
            # A queued row is due at once; a row logged as sent was sent now.
            next_attempt_at=now if status == cls.Status.QUEUED else None,
            sent_at=now if status == cls.Status.SENT else None,
        )

    @classmethod
    def thread(cls, length: int, **who) -> list["Message"]:
        """The latest `length` texts to and from someone (member=… or staff=…), oldest first."""
        return list(cls.objects.filter(**who).order_by("-created_at", "-id")[:length])[::-1]

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
