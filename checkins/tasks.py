from celery import shared_task

from checkins import schedule


@shared_task
def start_due_checkins() -> int:
    return schedule.start_due_checkins()


@shared_task
def close_expired_checkins() -> int:
    return schedule.close_expired_checkins()
