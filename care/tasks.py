"""Thin Celery wrappers over care.notes."""

from celery import shared_task

from care import notes


@shared_task(acks_late=True)
def raise_overdue_follow_ups() -> int:
    """The periodic check: overdue follow-ups become warning alerts, once each."""
    return notes.raise_overdue_follow_ups()
