from celery import shared_task
from django.conf import settings

from sms import outbox


@shared_task(acks_late=True)
def deliver_outbox() -> int:
    # In the embedded mode one thread runs every periodic task: it sends in
    # short turns so that escalations and check-ins are never held up behind
    # a long queue of texts.
    return outbox.deliver(budget_seconds=5 if settings.CELERY_TASK_ALWAYS_EAGER else 50)
