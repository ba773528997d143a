"""The on-call rota: weekly, repeating periods, each read on its own wall clock."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.timezone import now as utc_now

from config import limits

MINUTES_PER_WEEK = 7 * 24 * 60
DAYS = [(1, "Monday"), (2, "Tuesday"), (3, "Wednesday"), (4, "Thursday"), (5, "Friday"), (6, "Saturday"), (7, "Sunday")]


def minute_of_week(day: int, clock: dt.time) -> int:
    """Minutes since Monday 00:00 (ISO weekday `day`, 1 to 7)."""
    return (day - 1) * 24 * 60 + clock.hour * 60 + clock.minute


class OnCallPeriod(models.Model):
    """One person on call for a program, every week, from a weekday and time
    to a weekday and time in `timezone` (Friday 17:00 to Monday 09:00 wraps
    over the weekend; a period ending where it starts is the whole week).
    Read on that zone's wall clock, so a weekend that crosses a DST change
    still starts and ends at 17:00 and 09:00 local time."""

    program = models.ForeignKey("checkins.Program", on_delete=models.CASCADE, related_name="on_call_periods")
    staff = models.ForeignKey("accounts.Staff", on_delete=models.CASCADE, related_name="on_call_periods")
    timezone = models.CharField(max_length=limits.TIMEZONE_NAME_MAX, default="America/New_York")
    starts_day = models.PositiveSmallIntegerField(choices=DAYS)
    starts_time = models.TimeField()
    ends_day = models.PositiveSmallIntegerField(choices=DAYS)
    ends_time = models.TimeField()
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["program", "starts_day", "starts_time", "id"]

    def __str__(self) -> str:
        return f"{self.staff.name}: {self.describe()}"

    def describe(self) -> str:
        names = dict(DAYS)
        return (
            f"{names[self.starts_day]} {self.starts_time:%H:%M} to {names[self.ends_day]} {self.ends_time:%H:%M}"
            f" ({self.timezone})"
        )

    def clean(self) -> None:
        if self.starts_day not in dict(DAYS) or self.ends_day not in dict(DAYS):
            raise ValidationError({"starts_day": "Days are 1 (Monday) to 7 (Sunday)."})

    def covers(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.timezone))
        now = minute_of_week(local.isoweekday(), local.time())
        start = minute_of_week(self.starts_day, self.starts_time)
        end = minute_of_week(self.ends_day, self.ends_time)
        if start == end:
            return True
        if start < end:
            return start <= now < end
        return now >= start or now < end
