from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from checkins.retention import redact_past_retention


class Command(BaseCommand):
    help = (
        "Remove the bodies of messages (and the words of answers) older than MESSAGE_RETENTION_DAYS, "
        "or --days. Beat runs it daily; 0 days keeps everything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Override MESSAGE_RETENTION_DAYS for this run.")

    def handle(self, *args, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        days = settings.MESSAGE_RETENTION_DAYS if days is None else days
        if days <= 0:
            self.stdout.write("Retention is off (MESSAGE_RETENTION_DAYS=0): nothing removed.")
            return
        count = redact_past_retention(days=days)
        self.stdout.write(f"Removed the bodies of {count} messages older than {days} days.")
