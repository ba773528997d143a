"""Questionnaire scores (checkins.series) as the web pages show them: a
member's trend per series, and a program's distribution and monthly median
for the review page. Plain data in, plain data and SVG out."""

import datetime as dt
import statistics

from django.utils import timezone

from checkins import series as engine
from checkins.models import Member, Question, Series, SeriesScore
from web import charts

REVIEW_MONTHS = 6


def scale_of(series: Series, questions: list[Question] | None = None) -> tuple[int, int]:
    """The lowest and highest total the series can have."""
    questions = series.active_questions() if questions is None else questions
    low = sum((q.scale_min or 0) if q.kind == Question.Kind.SCALE else 0 for q in questions)
    return low, engine.max_score(series, questions)


def member_scores(member: Member) -> list[dict]:
    """One entry per scored series the member has scores on, or that is on for their program."""
    scores: dict[int, list[SeriesScore]] = {}
    for score in member.series_scores.select_related("series").order_by("at", "id"):
        scores.setdefault(score.series_id, []).append(score)
    shown = list(
        Series.objects.filter(pk__in=scores.keys()) | member.program.series.filter(is_active=True, scoring="sum")
    )
    out = []
    for series in sorted(set(shown), key=lambda s: (s.name, s.pk)):
        if series.scoring != Series.Scoring.SUM:
            continue
        low, high = scale_of(series)
        line, line_label = engine.reference_line(series)
        rows = scores.get(series.pk, [])
        out.append(
            {
                "series": series,
                "low": low,
                "high": high,
                "line": line,
                "line_label": line_label,
                "scores": list(reversed(rows)),
                "chart": charts.score_chart(
                    series.name, [(s.at, s.score) for s in rows], low, high, f"score-chart-{series.pk}",
                    line=line, line_label=line_label,
                ),  # fmt: skip
            }
        )
    return out


def bands(series: Series, low: int, high: int) -> list[tuple[int, int]]:
    """Score bands for the distribution: below the series' line in two halves
    and the line up, or quarters of the range when it has no line."""
    line, _ = engine.reference_line(series)
    if line is not None and low < line <= high:
        middle = low + (line - low) // 2
        cuts = [(low, middle - 1), (middle, line - 1), (line, high)]
        return [(a, b) for a, b in cuts if a <= b]
    step = max(1, (high - low + 1) // 4)
    out, start = [], low
    while start <= high:
        end = min(high, start + step - 1) if len(out) < 3 else high
        out.append((start, end))
        start = end + 1
    return out


def _month_starts(now: dt.datetime, months: int) -> list[dt.date]:
    first = timezone.localtime(now).date().replace(day=1)
    starts = [first]
    for _ in range(months - 1):
        previous = (starts[-1] - dt.timedelta(days=1)).replace(day=1)
        starts.append(previous)
    return list(reversed(starts))


def program_summaries(programs, now: dt.datetime | None = None) -> list[dict]:
    """For each scored series of these programs (with any score): the
    distribution of each member's latest score by band, and the median
    score by month over the last REVIEW_MONTHS months."""
    now = now or timezone.now()
    months = _month_starts(now, REVIEW_MONTHS)
    out = []
    for series in Series.objects.filter(program__in=programs, scoring="sum").select_related("program"):
        all_scores = SeriesScore.objects.filter(series=series)
        if not all_scores.exists():
            continue
        low, high = scale_of(series)
        latest: dict[int, int] = {}
        for member_id, score in all_scores.order_by("at", "id").values_list("member_id", "score"):
            latest[member_id] = score  # the newest wins
        counts = [(a, b, sum(1 for s in latest.values() if a <= s <= b)) for a, b in bands(series, low, high)]
        total = len(latest) or 1
        by_month: dict[dt.date, list[int]] = {start: [] for start in months}
        since = dt.datetime.combine(months[0], dt.time(0), tzinfo=timezone.get_current_timezone())
        for at, score in all_scores.filter(at__gte=since).values_list("at", "score"):
            month = timezone.localtime(at).date().replace(day=1)
            if month in by_month:
                by_month[month].append(score)
        line, line_label = engine.reference_line(series)
        out.append(
            {
                "series": series,
                "low": low,
                "high": high,
                "line_label": line_label,
                "members": len(latest),
                "bands": [{"low": a, "high": b, "count": n} for a, b, n in counts],
                "chart": charts.share_bars(
                    f"{series.name}: members' latest score",
                    [(f"{a}–{b} ({n})", n / total) for a, b, n in counts],
                    chart_id=f"series-{series.pk}-bands",
                ),
                "months": [
                    {
                        "month": start,
                        "count": len(values),
                        "median": statistics.median(values) if values else None,
                    }
                    for start, values in by_month.items()
                ],
            }
        )
    return out
