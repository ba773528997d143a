"""Handing work to Celery without letting a broker outage lose it or fail a webhook.

Tasks are sent after the transaction commits. If the broker cannot be reached
at that moment, the webhook has already stored everything; raising now would
answer Twilio with a 500 for a text that *was* stored (its retry is then a
duplicate and does nothing, so the member's reply and the rules would be lost).
Instead, short tasks run here, in this process, and the delivery loop is left
to the periodic sweep, which finds the queued rows in the database once the
broker is back.
"""

import logging

import kombu.exceptions
import redis.exceptions
from django.conf import settings

log = logging.getLogger(__name__)

BROKER_DOWN = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)


def send(task, *args, run_here_if_broker_down: bool = True) -> None:
    """Send `task(*args)` to the broker now; if it is unreachable, run it here
    (or, with run_here_if_broker_down=False, leave it to the periodic sweep)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        task.delay(*args)
        return
    try:
        # No publish retries: a broker that is down fails at once instead of
        # holding the webhook for seconds; the fallback below is correct anyway.
        task.apply_async(args=args, retry=False)
    except BROKER_DOWN:
        if not run_here_if_broker_down:
            log.warning("broker unreachable: %s left to the periodic sweep", task.name)
            return
        log.warning("broker unreachable: running %s in this process", task.name)
        task.apply(args=args, throw=True)
