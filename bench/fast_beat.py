"""The project's Celery app with the beat schedule's intervals cut to 2 seconds,
so that a drill sees many ticks from two beats in a short time. The tasks are
the real ones."""

from config.celery import app

app.conf.beat_schedule = {
    name: {**entry, "schedule": 2.0} for name, entry in app.conf.beat_schedule.items()
}

__all__ = ["app"]
