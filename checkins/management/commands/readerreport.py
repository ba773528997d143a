"""python manage.py readerreport: the reader's figures on its labelled corpus."""

from django.core.management.base import BaseCommand

from checkins.reader_report import report


class Command(BaseCommand):
    help = "Print the reader's accuracy, crisis recall and false alarms, and opt-out figures on its corpus."

    def handle(self, *args, **options) -> None:
        for line in report():
            self.stdout.write(line)
