from celery import shared_task

from checkins import pausing, retention, schedule, series


@shared_task
def start_due_checkins() -> int:
    return schedule.start_due_checkins()


@shared_task
def close_expired_checkins() -> int:
    return schedule.close_expired_checkins()


@shared_task
def resume_paused_members() -> int:
    return pausing.resume_due()


@shared_task
def redact_past_retention() -> int:
    return retention.redact_past_retention()


@shared_task
def start_due_series() -> int:
    return series.start_due_series()
