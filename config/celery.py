"""The Celery app. Periodic work is a few short ticks over the database; every
tick is safe to run twice at once (row locks with SKIP LOCKED, compare-and-set),
so two beats started by accident do no harm."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "start-due-checkins": {"task": "checkins.tasks.start_due_checkins", "schedule": 60.0},
    # Question series (checkins.series): BARC-10 and supervisors' own, each on its own timer.
    "start-due-series": {"task": "checkins.tasks.start_due_series", "schedule": 60.0},
    "close-expired-checkins": {"task": "checkins.tasks.close_expired_checkins", "schedule": 60.0},
    "escalate-due-alerts": {"task": "alerts.tasks.escalate_due_alerts", "schedule": 15.0},
    # Coverage (alerts.rerouting): alerts move when out-of-office, working hours or on call change.
    "reroute-alerts": {"task": "alerts.tasks.reroute_alerts", "schedule": 60.0},
    # Paused members whose pause has ended get a welcome back (checkins.pausing).
    # Message bodies past MESSAGE_RETENTION_DAYS (checkins.retention); nothing when it is 0.
    "redact-past-retention": {"task": "checkins.tasks.redact_past_retention", "schedule": 24 * 3600.0},
    "resume-paused-members": {"task": "checkins.tasks.resume_paused_members", "schedule": 300.0},
    "deliver-outbox": {"task": "sms.tasks.deliver_outbox", "schedule": 15.0},
    # Overdue follow-ups (care.notes): due from 09:00 member time the day after; a few minutes late is fine.
    "raise-overdue-follow-ups": {"task": "care.tasks.raise_overdue_follow_ups", "schedule": 300.0},
}
