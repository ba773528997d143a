import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from web import charts, contact

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """Seconds as people say them: "45 s", "4 min", "2 h 10 min", "3 d"."""
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        hours, minutes = divmod(seconds // 60, 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{seconds // 86400} d"


@register.filter
def age(moment: dt.datetime | None) -> str:
    """How long ago, short: "12 min"."""
    if moment is None:
        return "—"
    return duration(max(0.0, (timezone.now() - moment).total_seconds()))


@register.filter
def percent(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


@register.simple_tag
def severity(value: str) -> SafeString:
    """A severity badge: the word itself, never colour alone."""
    return format_html('<span class="badge sev-{}">{}</span>', value, value.capitalize())


@register.simple_tag
def status_badge(value: str, label: str) -> SafeString:
    return format_html('<span class="badge st-{}">{}</span>', value, label)


@register.simple_tag
def sparkline(readings: list) -> SafeString:
    return charts.sparkline(readings)


@register.simple_tag
def sandbox_enabled() -> bool:
    from web.views.sandbox import sandbox_enabled as enabled

    return enabled()


@register.filter
def delivery(status: str) -> str:
    """A text's delivery status, said plainly: queued, sent, delivered, failed …"""
    return contact.DELIVERY.get(status, status)


@register.simple_tag
def timezone_names() -> list[str]:
    """Every IANA zone name, sorted: the time zone fields' suggestions."""
    from checkins.enrollment import known_timezones

    return sorted(known_timezones())


DAY_NAMES = {"1": "Mon", "2": "Tue", "3": "Wed", "4": "Thu", "5": "Fri", "6": "Sat", "7": "Sun"}


@register.filter
def weekdays(days: str) -> str:
    """ISO weekday digits as names: "12345" is "Mon–Fri"; "1357" is "Mon, Wed, Fri, Sun"."""
    days = "".join(sorted(set(days or "")))
    if len(days) > 2 and days == "1234567"[int(days[0]) - 1 : int(days[-1])]:
        return f"{DAY_NAMES[days[0]]}–{DAY_NAMES[days[-1]]}"
    return ", ".join(DAY_NAMES.get(day, day) for day in days)


@register.filter
def last_four(phone: str) -> str:
    """A member's phone as lists show it: its last four digits only."""
    return f"…{phone[-4:]}" if phone else "—"


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key) if mapping else None
