"""BARC-10 in the demo: the series installed and on, and six months of
monthly scores per member, so the member page's trend chart and the review
page's distribution have something to show (docs/screenshots/). Dana's
latest score falls, which raises the recovery_capital info alert through the
real rule. Seeded: a run is reproducible (only the dates move)."""

import datetime as dt
import random

from django.utils import timezone

from checkins import series as engine
from checkins.models import CheckIn, Member, Program, SeriesScore
from checkins.signals import series_scored

# Each member's path over six months, oldest first; the rest are drawn around 44.
PATHS = {
    "Dana Whitfield": [38, 41, 45, 48, 50, 41],
    "Rosa Jimenez": [30, 34, 37, 41, 44, 47],
    "Marcus Bell": [52, 50, 49, 47, 46, 44],
}
MONTHS = 6


def seed_scores(seed: int = 7, now: dt.datetime | None = None) -> int:
    """Install and turn on BARC-10 in every program that has members; write
    MONTHS monthly scores per member. Returns how many scores were written."""
    rng = random.Random(seed)
    now = now or timezone.now()
    written = 0
    for program in Program.objects.filter(members__isnull=False).distinct():
        series = engine.install_builtin(program, "barc10")
        engine.turn_on(series, now)
        for member in Member.objects.filter(program=program).order_by("pk"):
            path = PATHS.get(member.name) or [max(10, min(60, round(rng.gauss(44, 7)))) for _ in range(MONTHS)]
            for index, score in enumerate(path):
                at = now - dt.timedelta(days=30 * (MONTHS - 1 - index), hours=2, minutes=member.pk % 50)
                checkin = CheckIn.objects.create(
                    member=member, series=series, scheduled_for=at, started_at=at,
                    closes_at=at + dt.timedelta(hours=3), ended_at=at + dt.timedelta(minutes=6), status="completed",
                )  # fmt: skip
                saved = SeriesScore.objects.create(member=member, series=series, checkin=checkin, score=score, at=at)
                written += 1
            # The rule looks at the latest score, as after a real series.
            series_scored.send(sender=SeriesScore, score=saved)
    return written
