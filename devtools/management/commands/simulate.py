import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from devtools.simulation import Simulation


class Command(BaseCommand):
    help = (
        "Play a synthetic population of members and staff through the real inbound webhook, "
        "with a clock that advances, and print what happened. Doubles as a demo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=100, help="How many members (default 100).")
        parser.add_argument("--days", type=int, default=7, help="How many simulated days (default 7).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed plays the same run.")
        parser.add_argument(
            "--start", help="First simulated day, YYYY-MM-DD (UTC). Default: so that the run ends today."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for logs).")
        parser.add_argument(
            "--scenario", choices=["daily", "adaptive"], default="daily",
            help="daily: the default program; adaptive: an adaptive schedule and BARC-10 every 30 days.",
        )

    def handle(
        self, *args, members: int, days: int, seed: int, start: str | None, no_progress: bool, scenario: str, **options
    ):
        if members < 1 or days < 1:
            raise CommandError("--members and --days must be at least 1.")
        if start:
            try:
                first = dt.datetime.strptime(start, "%Y-%m-%d").replace(tzinfo=dt.UTC)
            except ValueError:
                raise CommandError("--start must be a date like 2026-03-02.") from None
        else:
            today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            first = today - dt.timedelta(days=days)
        simulation = Simulation(
            members, days, seed, first, out=self.stdout, progress=not no_progress, scenario=scenario
        )
        simulation.run()
        self.stdout.write(simulation.summary())
