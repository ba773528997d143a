"""python manage.py demohistory: the demo, with three weeks of history.

`make run` calls it. On a database without the demo organization it plays
three weeks of check-ins, alerts, acknowledgements and texts through the real
code paths (devtools/demo_history.py), so the first look matches the README's
screenshots; on later starts it only prints how to sign in (seeddemo).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts.models import Organization
from checkins.management.commands.seeddemo import DEMO_ORG
from devtools import demo_history


class Command(BaseCommand):
    help = "Create the demo organization with three weeks of history on first start; then print how to sign in."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=demo_history.DAYS, help="How many days of history.")

    def handle(self, *args, days: int, **options) -> None:
        if not Organization.objects.filter(name=DEMO_ORG).exists():
            self.stdout.write(f"Playing {days} days of demo history (first start only, about a minute)...")
            demo_history.play(days=days)
        call_command("seeddemo")
