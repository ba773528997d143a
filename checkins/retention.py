"""Removing message bodies past the retention period (MESSAGE_RETENTION_DAYS;
docs/privacy.md). The words go; the rows stay: who texted whom and when,
the answers' values, alerts and their events, consent, disclosure and
access records are all kept. A text still waiting to be sent is never touched."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from checkins.models import Answer
from sms.models import Message

REDACTED = ""
BATCH = 2000


def redact_past_retention(now: dt.datetime | None = None, days: int | None = None) -> int:
    """Redact, in batches, every body older than `days` (the setting by
    default). Returns how many messages were redacted; 0 when retention is off."""
    days = settings.MESSAGE_RETENTION_DAYS if days is None else days
    if days <= 0:
        return 0
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                Message.objects.filter(created_at__lt=cutoff, redacted_at__isnull=True)
                .exclude(status__in=(Message.Status.QUEUED, Message.Status.SENDING))
                .values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                break
            Message.objects.filter(pk__in=ids).update(body=REDACTED, redacted_at=now)
            Answer.objects.filter(message_id__in=ids).exclude(text=REDACTED).update(text=REDACTED)
        done += len(ids)
    # Answers whose message row is gone keep their own date.
    Answer.objects.filter(created_at__lt=cutoff, message__isnull=True).exclude(text=REDACTED).update(text=REDACTED)
    return done
