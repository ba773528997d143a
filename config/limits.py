"""Every limit on what staff may enter, in one place.

The models (clean()), the web forms and the API schemas all read their
bounds from here, so a value one layer accepts is never refused, or worse
stored and then refused, by another. See docs/limits.md for why each limit
is what it is.

This module sits in `config`, the lowest layer: it imports nothing of ours,
so every app can use it without an upward import. Its one piece of code,
ErrorsOnShownFields, makes a model's limit checks show as form errors.
"""

from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


@dataclass(frozen=True)
class Range:
    """Whole numbers from `min` to `max`, both included."""

    min: int
    max: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and self.min <= value <= self.max

    def describe(self) -> str:
        return f"a whole number from {self.min} to {self.max}"


# --- Free text written by staff -------------------------------------------------

# A note on an alert: the outcome when resolving, a note when acknowledging,
# a note added to the log. One limit for all three (it was 1,000 in one place
# and 2,000 in another).
NOTE_MAX = 2000
# A text staff send to a member: Twilio refuses bodies over 1,600 characters.
STAFF_TEXT_MAX = 1600
# A member's safety plan as the supporter writes it down: short enough to read
# at a glance on the alert page, on a phone.
SAFETY_PLAN_MAX = 1000

# A contact note (care.ContactNote): what was done, the member's response and
# the plan are each at most NOTE_MAX characters, as any other note. A contact
# lasts from one minute to a working day (longer is a typing slip: 4800 for
# 48). A follow-up is set at most a year ahead.
CONTACT_MINUTES = Range(1, 480)
FOLLOW_UP_MAX_DAYS = 366

# --- Names ------------------------------------------------------------------------

PROGRAM_NAME_MAX = 120
PERSON_NAME_MAX = 200  # members and staff
ORGANIZATION_NAME_MAX = 200
EMAIL_MAX = 254  # RFC 5321
PASSWORD_MAX = 200
# A phone number as typed ("(202) 555-0100 ext"), before it is stored as E.164.
PHONE_INPUT_MAX = 40
# A local time as typed ("HH:MM"), before it is parsed.
TIME_INPUT_MAX = 16
# A staff role's name ("supporter", "supervisor"), before it is checked.
ROLE_INPUT_MAX = 20
TIMEZONE_NAME_MAX = 64
# A member's emergency contact: a person's name, as for members and staff.
EMERGENCY_CONTACT_NAME_MAX = PERSON_NAME_MAX
CONSENT_FIELD_MAX = 40

# --- A program's texts --------------------------------------------------------------

# The crisis and help replies: long enough to say something useful, short
# enough for three SMS segments at most.
PROGRAM_TEXT = Range(10, 480)
QUESTION_TEXT_MAX = 320
# A canned reply (checkins.CannedReply): its label is what staff pick from on
# the reply form, short enough for one line of a phone's select; its body is a
# text to a member, so STAFF_TEXT_MAX. A program keeps at most CANNED_REPLIES_MAX,
# so the pick list stays a glance long.
CANNED_LABEL_MAX = 60
CANNED_REPLIES_MAX = 20

# --- A program's schedule ---------------------------------------------------------

# How long a check-in stays open: five minutes to a day.
CHECKIN_WINDOW_MINUTES = Range(5, 24 * 60)
# How long a notified person has to acknowledge before an alert escalates.
# CONTRACT §5 pins "any whole number from 5 up"; the top is what the column
# can hold. (A crisis alert reaches supervisors at once whatever this says.)
ACK_TIMEOUT_SECONDS = Range(5, 2**31 - 1)
MAX_REMINDERS = Range(0, 50)

# Adaptive schedules (checkins.adaptive, docs/adaptive.md): a program has 1 to 6
# levels, each a whole number of days between check-ins, most frequent first;
# the first is every 1 to 7 days and none is rarer than monthly. Clear
# check-ins in a row that step a member down; missed ones that step them back
# up (0: never).
SCHEDULE_LEVEL_COUNT = Range(1, 6)
SCHEDULE_FIRST_LEVEL_DAYS = Range(1, 7)
SCHEDULE_LEVEL_DAYS = Range(1, 30)
STEP_DOWN_AFTER = Range(1, 365)
STEP_UP_AFTER_MISSED = Range(0, 30)

# --- Rule thresholds ------------------------------------------------------------------

# Thresholds that count check-ins: at least one, and no more than a member
# could plausibly go through before someone should have looked anyway.
COUNT_THRESHOLDS = {
    "missed": Range(1, 14),
    "missed_many": Range(1, 30),
    "mood_falling": Range(1, 10),
}
# The outer bound the API schema checks before the rule's own range (which
# depends on the program's question scale) is checked by the model.
THRESHOLD_ANY = Range(0, 100)


class ErrorsOnShownFields:
    """A model mixin: a problem that clean() finds with a field the form does
    not show (a crisis text on the schedule form, say) is reported for the
    whole form instead. Django would otherwise raise ValueError, a 500, for
    an error on a field the form does not have."""

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True) -> None:
        try:
            super().full_clean(
                exclude=exclude, validate_unique=validate_unique, validate_constraints=validate_constraints
            )
        except ValidationError as error:
            if not exclude or not hasattr(error, "error_dict"):
                raise
            shown: dict[str, list] = {}
            for field, errors in error.error_dict.items():
                shown.setdefault(NON_FIELD_ERRORS if field in exclude else field, []).extend(errors)
            raise ValidationError(shown) from None
