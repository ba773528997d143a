"""Server-rendered SVG charts: no JavaScript, no chart library, nothing
fetched from anywhere. Each chart is a plain function of plain data, so a
test can read its output, and carries a text description for screen readers
(the check-in table under it holds the same numbers)."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

MOOD_COLOR = "#1d5fa8"
CRAVING_COLOR = "#a8430f"
MISSED_COLOR = "#5b6470"
SEVERITY_COLOR = {"info": "#5b6470", "warning": "#8a5a00", "urgent": "#b3261e", "crisis": "#6b1040"}


@dataclass(frozen=True)
class Reading:
    at: dt.datetime
    mood: int | None
    craving: int | None


class Chart(SafeString):
    """An SVG chart (one root element), with the links it stands for kept
    outside the picture: a role="img" must not hold anything interactive, so
    the alerts marked on the chart are links in `alert_links`, beside it."""

    alert_links: SafeString = SafeString("")


@dataclass(frozen=True)
class Marker:
    at: dt.datetime
    label: str
    severity: str = ""
    href: str = ""


# Layout of the member chart, in SVG units (the chart scales to its box).
WIDTH, HEIGHT = 720, 296
LEFT, RIGHT = 64, 12
ALERT_ROW = 16
MOOD_TOP, MOOD_BOTTOM = 50, 130
CRAVING_TOP, CRAVING_BOTTOM = 162, 242
MISSED_ROW = 260
AXIS_Y = 288


def _short(at: dt.datetime, with_time: bool = False) -> str:
    local = timezone.localtime(at)
    text = f"{local:%b} {local.day}"
    return f"{text} {local:%H:%M}" if with_time else text


def _x(at: dt.datetime, start: dt.datetime, end: dt.datetime) -> float:
    span = (end - start).total_seconds() or 1
    share = min(1.0, max(0.0, (at - start).total_seconds() / span))
    return round(LEFT + share * (WIDTH - LEFT - RIGHT), 1)


def _y(value: int, low: int, high: int, top: int, bottom: int) -> float:
    return round(bottom - (value - low) / (high - low) * (bottom - top), 1)


def _series(readings: list[Reading], attr: str, low: int, high: int, top: int, bottom: int, color: str,
            name: str, start: dt.datetime, end: dt.datetime) -> list[str]:
    points = [(r.at, getattr(r, attr)) for r in readings if getattr(r, attr) is not None]
    parts = []
    coordinates = [(_x(at, start, end), _y(value, low, high, top, bottom)) for at, value in points]
    if len(coordinates) > 1:
        path = " ".join(f"{x},{y}" for x, y in coordinates)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2" />')
    for (x, y), (at, value) in zip(coordinates, points):
        when = _short(at, with_time=True)
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="3.5" fill="{color}"><title>{name} {value} ({when})</title></circle>'
        )
    return parts


def _panel(label: str, low: int, high: int, top: int, bottom: int) -> list[str]:
    middle = (low + high) // 2
    parts = [
        f'<rect x="{LEFT}" y="{top}" width="{WIDTH - LEFT - RIGHT}" height="{bottom - top}" fill="#f6f7f9" />',
        f'<text x="{LEFT}" y="{top - 7}" class="chart-label">{escape(label)}</text>',
    ]
    for value in (low, middle, high):
        y = _y(value, low, high, top, bottom)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="#d5d9df" />')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end" class="chart-tick">{value}</text>')
    return parts


def _day_ticks(start: dt.datetime, end: dt.datetime) -> list[str]:
    days = max(1, (end - start).days)
    step = 1 if days <= 10 else 7 if days <= 70 else 30
    parts = []
    local_start = timezone.localtime(start)
    day = local_start.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    count = 0
    while day < end:
        if count % step == 0:
            x = _x(day, start, end)
            parts.append(f'<line x1="{x}" x2="{x}" y1="{MOOD_TOP}" y2="{CRAVING_BOTTOM}" stroke="#e6e8eb" />')
            parts.append(f'<text x="{x}" y="{AXIS_Y}" text-anchor="middle" class="chart-tick">{_short(day)}</text>')
        day += dt.timedelta(days=1)
        count += 1
    return parts


def _today(start: dt.datetime, end: dt.datetime) -> list[str]:
    """Today, from local midnight to now, shaded at the right edge and labelled."""
    midnight = timezone.localtime(end).replace(hour=0, minute=0, second=0, microsecond=0)
    x0, x1 = _x(max(midnight, start), start, end), _x(end, start, end)
    return [
        (
            f'<g class="chart-today"><rect x="{x0}" y="{MOOD_TOP}" width="{max(round(x1 - x0, 1), 2)}" '
            f'height="{CRAVING_BOTTOM - MOOD_TOP}" fill="#dfe8f3" />'
            f'<text x="{x1}" y="{MOOD_TOP - 7}" text-anchor="end" class="chart-label">Today</text></g>'
        )
    ]


def member_chart(
    readings: list[Reading],
    missed: list[dt.datetime],
    alerts: list[Marker],
    start: dt.datetime,
    end: dt.datetime,
) -> Chart:
    """Mood (1–5) and craving (0–10) over time, with missed check-ins and alerts marked."""
    moods = [r.mood for r in readings if r.mood is not None]
    cravings = [r.craving for r in readings if r.craving is not None]
    days = max(1, round((end - start).total_seconds() / 86400))
    summary = (
        f"Last {days} days: {len(moods)} mood answers"
        + (f" (latest {moods[-1]} of 5)" if moods else "")
        + f", {len(cravings)} craving answers"
        + (f" (latest {cravings[-1]} of 10)" if cravings else "")
        + f", {len(missed)} missed check-ins, {len(alerts)} alerts."
    )
    local_end = timezone.localtime(end)
    zone = local_end.tzname() or str(local_end.tzinfo)
    summary += f" Times in {zone}; the shaded band on the right is today."
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" '
        f'xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Mood and craving over time</title>',
        f'<desc id="chart-desc">{escape(summary)}</desc>',
        f'<text x="4" y="{ALERT_ROW + 4}" class="chart-label">Alerts</text>',
        f'<text x="4" y="{MISSED_ROW + 4}" class="chart-label">Missed</text>',
        f'<text x="4" y="{AXIS_Y}" class="chart-tick">{escape(zone)}</text>',
    ]
    parts += _panel("Mood 1–5", 1, 5, MOOD_TOP, MOOD_BOTTOM)
    parts += _panel("Craving 0–10", 0, 10, CRAVING_TOP, CRAVING_BOTTOM)
    parts += _today(start, end)
    parts += _day_ticks(start, end)
    parts += _series(readings, "mood", 1, 5, MOOD_TOP, MOOD_BOTTOM, MOOD_COLOR, "Mood", start, end)
    parts += _series(readings, "craving", 0, 10, CRAVING_TOP, CRAVING_BOTTOM, CRAVING_COLOR, "Craving", start, end)
    for at in missed:
        x = _x(at, start, end)
        when = _short(at)
        parts.append(
            f'<g class="chart-missed"><path d="M{x - 4},{MISSED_ROW - 4} l8,8 m0,-8 l-8,8" stroke="{MISSED_COLOR}" '
            f'stroke-width="2" /><title>Missed check-in ({when})</title></g>'
        )
    links = []
    for marker in alerts:
        x = _x(marker.at, start, end)
        color = SEVERITY_COLOR.get(marker.severity, MISSED_COLOR)
        parts.append(
            f'<g class="chart-alert"><path d="M{x},{ALERT_ROW + 6} l-6,-11 h12 z" fill="{color}">'
            f"<title>{escape(marker.label)}</title></path>"
            f'<line x1="{x}" x2="{x}" y1="{MOOD_TOP}" y2="{CRAVING_BOTTOM}" stroke="{color}" '
            f'stroke-dasharray="3 3" opacity="0.6" /></g>'
        )
        if marker.href:
            links.append(format_html(
                '<li><a href="{}">{}</a> <span class="muted">(<time datetime="{}">{}</time>)</span></li>',
                marker.href, marker.label, marker.at.isoformat(), f"{_short(marker.at, with_time=True)} {timezone.localtime(marker.at).tzname()}",
            ))
    parts.append("</svg>")
    chart = Chart("".join(parts))
    if links:
        chart.alert_links = mark_safe(
            '<ul class="chart-links" aria-label="Alerts marked on the chart">' + "".join(links) + "</ul>"
        )
    return chart


def sparkline(readings: list[Reading], width: int = 96, height: int = 28) -> SafeString:
    """A tiny trend for the member list: mood and craving, each scaled to the box."""
    if not readings:
        return mark_safe('<span class="muted">no answers yet</span>')
    moods = [r.mood for r in readings if r.mood is not None]
    cravings = [r.craving for r in readings if r.craving is not None]

    def line(values: list[int], low: int, high: int, color: str) -> str:
        if not values:
            return ""
        step = (width - 4) / max(1, len(values) - 1)
        points = " ".join(
            f"{round(2 + i * step, 1)},{round(height - 2 - (v - low) / (high - low) * (height - 4), 1)}"
            for i, v in enumerate(values)
        )
        if len(values) == 1:
            x, y = points.split(",")
            return f'<circle cx="{x}" cy="{y}" r="2" fill="{color}" />'
        return f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="1.6" />'

    def said(name: str, values: list[int], high: int) -> str:
        if not values:
            return f"no {name} answers"
        if len(values) == 1:
            return f"{name} {values[0]} of {high}"
        return f"{name} from {values[0]} to {values[-1]} of {high}"

    label = f"Trend: {said('mood', moods, 5)}; {said('craving', cravings, 10)}"
    return mark_safe(
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>'
        f'{line(moods, 1, 5, MOOD_COLOR)}{line(cravings, 0, 10, CRAVING_COLOR)}</svg>'
    )


BAR_COLOR = MOOD_COLOR


def share_bars(title: str, bars: list[tuple[str, float | None]], chart_id: str, width: int = 360) -> SafeString:
    """Shares (0 to 1) as horizontal bars, one a row, labelled with the name
    and the percentage (never colour alone); a missing share says "no data".
    The picture is one role="img" with nothing interactive inside, its title
    and a text description naming every bar, and it scales to its box: at
    360 units wide it fits a 375 px phone without scrolling sideways."""
    row, top, label_width, value_width = 26, 8, 118, 44
    track = width - label_width - value_width
    height = top * 2 + row * max(1, len(bars))

    def said(share: float | None) -> str:
        return "no data" if share is None else f"{round(share * 100)}%"

    summary = "; ".join(f"{name}: {said(share)}" for name, share in bars) or "Nothing to show."
    parts = [
        (
            f'<svg class="bar-chart" width="100%" viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        ),
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
    ]
    for i, (name, share) in enumerate(bars):
        y = top + i * row
        shown = name if len(name) <= 18 else name[:17] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 16}" text-anchor="end" class="chart-label">{escape(shown)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{track}" height="16" fill="#eef0f3" />'
        )
        if share is not None:
            length = round(max(0.0, min(1.0, share)) * track, 1)
            parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{length}" height="16" fill="{BAR_COLOR}" />')
        parts.append(
            f'<text x="{width - 4}" y="{y + 16}" text-anchor="end" class="chart-label">{said(share)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


# --- Questionnaire scores (checkins.series) -------------------------------------------

SCORE_COLOR = "#2f6b3a"
LINE_COLOR = "#8a5a00"
SCORE_WIDTH, SCORE_HEIGHT = 720, 200
SCORE_TOP, SCORE_BOTTOM = 24, 164


def score_chart(
    title: str,
    points: list[tuple[dt.datetime, int]],
    low: int,
    high: int,
    chart_id: str,
    line: int | None = None,
    line_label: str = "",
) -> SafeString:
    """A member's scores on one series over time (oldest first), on the
    series' whole range, with its line (the alert line, or the instrument's
    reference) dashed across. One role="img" with a text description naming
    every score; the table beside it holds the same numbers."""
    if high <= low:
        high = low + 1
    start = points[0][0] if points else timezone.now()
    end = points[-1][0] if len(points) > 1 else start + dt.timedelta(days=1)
    if len(points) == 1:
        start = start - dt.timedelta(days=1)

    def x(at: dt.datetime) -> float:
        return _x(at, start, end)

    said = ", ".join(f"{value} on {_short(at)}" for at, value in points) or "no scores yet"
    summary = f"{title}, {low} to {high}: {said}."
    if line is not None:
        summary += f" Line at {line_label or line}."
    parts = [
        f'<svg class="chart score-chart" viewBox="0 0 {SCORE_WIDTH} {SCORE_HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
    ]
    parts += _panel(f"{title} {low}–{high}", low, high, SCORE_TOP, SCORE_BOTTOM)
    if line is not None and low <= line <= high:
        y = _y(line, low, high, SCORE_TOP, SCORE_BOTTOM)
        parts.append(
            f'<g class="chart-line"><line x1="{LEFT}" x2="{SCORE_WIDTH - RIGHT}" y1="{y}" y2="{y}" '
            f'stroke="{LINE_COLOR}" stroke-width="1.5" stroke-dasharray="6 4" />'
            f'<text x="{LEFT + 6}" y="{y - 5}" text-anchor="start" class="chart-tick">'
            f"{escape(line_label or str(line))}</text></g>"
        )
    coordinates = [(x(at), _y(value, low, high, SCORE_TOP, SCORE_BOTTOM)) for at, value in points]
    if len(coordinates) > 1:
        path = " ".join(f"{cx},{cy}" for cx, cy in coordinates)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{SCORE_COLOR}" stroke-width="2" />')
    for (cx, cy), (at, value) in zip(coordinates, points):
        parts.append(
            f'<circle cx="{cx}" cy="{cy}" r="4" fill="{SCORE_COLOR}"><title>{value} ({_short(at)})</title></circle>'
        )
    for at, _ in points[:: max(1, len(points) // 6)]:
        tick_x = x(at)
        # The first and last labels stay inside the picture.
        anchor = "end" if tick_x > SCORE_WIDTH - RIGHT - 30 else "start" if tick_x < LEFT + 30 else "middle"
        parts.append(
            f'<text x="{tick_x}" y="{SCORE_HEIGHT - 12}" text-anchor="{anchor}" class="chart-tick">{_short(at)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
