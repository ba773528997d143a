from django.conf import settings
from django.core.management.base import CommandError
# The staticfiles runserver: it also serves the web app's CSS and JS in development.
from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand

from config.celery import app
from config.embedded import EmbeddedScheduler


class Command(RunserverCommand):
    help = "Serve the whole system in one process: the web app, and the periodic schedule in a thread (no Redis)."

    def handle(self, *args, **options):
        if settings.REDIS_URL:
            raise CommandError("runlocal is the embedded mode; with REDIS_URL set run gunicorn, a worker and beat.")
        options["use_reloader"] = False  # one process, so one scheduler
        EmbeddedScheduler(app.conf.beat_schedule).start()
        super().handle(*args, **options)
