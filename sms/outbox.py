"""The outbox: outbound texts are written as rows first, then sent by a
delivery loop that any worker may run.

- `queue()` writes a `queued` row (in the caller's transaction) and asks for
  delivery once that transaction commits.
- `deliver()` takes a send token (the global rate), claims the most urgent due
  row with SKIP LOCKED, marks it `sending` with a lease, and calls the backend.
  Alerts to staff go first, then direct replies, then scheduled prompts.
- A row whose worker died mid-send keeps `sending` until its lease ends; the
  loop then puts it back in the queue, marked to be checked: before sending
  it again, the loop asks Twilio for a text with the same body to the same
  number since the row was written, and adopts it if Twilio had accepted it
  after all. Only if that check fails too (Twilio unreachable) is the text
  retried later; a text is never given up on because of a dead worker.
- Transient errors (429, 5xx, timeouts) retry with exponential backoff and
  jitter, a bounded number of times; permanent ones fail the row at once.
- A text that failed for good is announced with `sms.signals.delivery_failed`
  after commit; this app does not decide what that means for alerts.
"""

import datetime as dt
import logging
import random
import threading
import time
import uuid
from contextlib import contextmanager

import redis
from celery import signature
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config import dispatch
from config.embedded import wake
from sms import rate_limit
from sms.backends import OPTED_OUT, SendError, get_backend
from sms.models import Message
from sms.signals import delivery_failed

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
DELIVER_OUTBOX_TASK = "sms.tasks.deliver_outbox"


def queue(
    *,
    phone: str,
    body: str,
    kind: str,
    priority: int,
    organization=None,
    member=None,
    staff=None,
    checkin=None,
    alert=None,
) -> Message | None:
    """Write an outbound text to the outbox. Returns None, and writes nothing,
    when the member may not be texted (opted out or discharged)."""
    if member is not None and not member.can_receive_texts:
        return None
    message = Message.outbound(
        phone=phone,
        body=body,
        kind=kind,
        priority=priority,
        organization_id=organization.pk if organization else None,
        member=member,
        staff=staff,
        checkin=checkin,
        alert=alert,
    )
    message.save(force_insert=True)
    request_delivery()
    return message


def request_delivery() -> None:
    """Once the current transaction commits, get the delivery loop going."""
    transaction.on_commit(_start_delivery)


def _start_delivery() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Embedded mode: the scheduler thread sends, so a web request never
        # waits for the rate limit.
        wake()
    else:
        # The task by name, as beat names it: sms.tasks wraps this module, so
        # this module does not import it back. The outbox is swept
        # periodically: if the broker is down, the rows wait there.
        dispatch.send(signature(DELIVER_OUTBOX_TASK), run_here_if_broker_down=False)


# --- The delivery loop -------------------------------------------------------------


def deliver(budget_seconds: float = 50.0) -> int:
    """Send due messages until none are left or the budget is spent. Returns
    how many were handed to the provider. At most OUTBOX_SENDERS loops run at
    once across all workers; a surplus call returns at once."""
    sent = 0
    deadline = time.monotonic() + budget_seconds
    while True:
        with _sender_slot() as have_slot:
            if not have_slot:
                return sent
            reclaim_stuck()
            sent += _drain(deadline)
        # A message queued while we were releasing the slot found it taken:
        # look once more so that it does not wait for the next tick.
        if time.monotonic() >= deadline or not _has_due_messages():
            return sent


def _drain(deadline: float) -> int:
    bucket = rate_limit.sender_bucket()
    sent = 0
    while time.monotonic() < deadline and _has_due_messages():
        if not rate_limit.take(bucket, deadline):
            break
        message = claim_next()
        if message is None:
            break
        send(message)
        sent += 1
    return sent


def _due() -> Q:
    return Q(status=Message.Status.QUEUED, direction=Message.Direction.OUTBOUND, next_attempt_at__lte=timezone.now())


def _has_due_messages() -> bool:
    return Message.objects.filter(_due()).exists()


def claim_next() -> Message | None:
    """Claim the most urgent due message: `queued` → `sending`, with a lease."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",), skip_locked=True, no_key=True)
            .filter(_due())
            .order_by("priority", "next_attempt_at", "id")
            .first()
        )
        if message is None:
            return None
        message.status = Message.Status.SENDING
        message.attempts += 1
        message.lease_until = timezone.now() + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
        message.save(update_fields=["status", "attempts", "lease_until", "updated_at"])
        return message


def send(message: Message) -> None:
    if message.member_id is not None and not message.member.can_receive_texts:
        # Opted out (or discharged) after the text was queued: it never leaves.
        _finish(message, Message.Status.FAILED, error_code=OPTED_OUT)
        return
    backend = get_backend()
    try:
        result = None
        if message.needs_provider_check:
            result = backend.find_sent(message.phone, message.body, since=message.created_at)
        if result is None:
            result = backend.send(message.phone, message.body)
    except SendError as error:
        _failed(message, error)
        return
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
        provider_sid=result.sid,
        status=Message.Status.SENT,
        sent_at=timezone.now(),
        lease_until=None,
        needs_provider_check=False,
    )


def _failed(message: Message, error: SendError) -> None:
    log.warning("send failed: message %s to %s, code %s", message.pk, message.masked_phone, error.code)
    if error.transient and message.attempts < MAX_ATTEMPTS:
        # 2, 4, 8 … seconds, with jitter so that retries do not arrive together.
        delay = min(300, 2**message.attempts) * random.uniform(0.5, 1.5)
        Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
            status=Message.Status.QUEUED,
            error_code=error.code,
            next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
            lease_until=None,
            # A timeout may hide a text Twilio accepted: ask before sending again.
            needs_provider_check=message.needs_provider_check or error.code is None,
        )
        return
    _finish(message, Message.Status.FAILED, error_code=error.code)
    if error.code == OPTED_OUT and message.member_id is not None:
        message.member.opt_out(by_carrier=True)
    _after_failure(message)


def _finish(message: Message, status: str, error_code: int | None) -> None:
    Message.objects.filter(pk=message.pk).update(status=status, error_code=error_code, lease_until=None)


def _after_failure(message: Message) -> None:
    # Whatever a failed text means (a staff alert escalates, a member is
    # unreachable) is decided by whoever listens, once the failure is stored.
    transaction.on_commit(lambda: delivery_failed.send(sender=Message, message_id=message.pk))


def reclaim_stuck() -> int:
    """Put back in the queue what a dead worker left in `sending`."""
    return Message.objects.filter(
        status=Message.Status.SENDING, provider_sid__isnull=True, lease_until__lt=timezone.now()
    ).update(status=Message.Status.QUEUED, next_attempt_at=timezone.now(), lease_until=None, needs_provider_check=True)


# --- Status callbacks -----------------------------------------------------------

PROVIDER_STATUS = {
    "accepted": Message.Status.SENDING,
    "scheduled": Message.Status.SENDING,
    "queued": Message.Status.SENDING,
    "sending": Message.Status.SENDING,
    "sent": Message.Status.SENT,
    "delivered": Message.Status.DELIVERED,
    "read": Message.Status.DELIVERED,
    "undelivered": Message.Status.UNDELIVERED,
    "failed": Message.Status.FAILED,
    "canceled": Message.Status.FAILED,
}


def record_status(sid: str, provider_status: str, error_code: int | None) -> bool:
    """Apply a status callback. A status only moves forward; returns whether it moved."""
    status = PROVIDER_STATUS.get(provider_status)
    if status is None or not sid:
        return False
    lower = [s for s, rank in Message.RANK.items() if rank < Message.RANK[status]]
    changes = {"status": status}
    if error_code is not None:
        changes["error_code"] = error_code
    moved = Message.objects.filter(provider_sid=sid, direction=Message.Direction.OUTBOUND, status__in=lower).update(
        **changes
    )
    if not moved:
        return False
    message = Message.objects.select_related("member").get(provider_sid=sid)
    if status in (Message.Status.UNDELIVERED, Message.Status.FAILED):
        if error_code == OPTED_OUT and message.member_id is not None:
            message.member.opt_out(by_carrier=True)
        _after_failure(message)
    elif status == Message.Status.DELIVERED and message.member_id is not None and message.member.unreachable_since:
        message.member.__class__.objects.filter(pk=message.member_id).update(unreachable_since=None)
    return True


# --- How many delivery loops run at once ------------------------------------------

_local_slot = threading.Lock()


@contextmanager
def _sender_slot():
    if not settings.REDIS_URL:
        got = _local_slot.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                _local_slot.release()
        return
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    token = uuid.uuid4().hex
    slot = None
    for index in range(settings.OUTBOX_SENDERS):
        key = f"outbox-sender:{index}"
        # The expiry frees the slot of a worker that was killed.
        if client.set(key, token, nx=True, ex=120):
            slot = key
            break
    try:
        yield slot is not None
    finally:
        if slot is not None and client.get(slot) == token.encode():
            client.delete(slot)
