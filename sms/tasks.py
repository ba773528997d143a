from celery import shared_task

from sms import outbox


@shared_task(acks_late=True)
def deliver_outbox() -> int:
    return outbox.deliver()
