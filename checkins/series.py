"""Question series: questionnaires asked by text on the daily check-in's engine.

A series (checkins.models.Series) has its own questions (scales with word
anchors, yes/no, skip logic), its own rhythm (first at enrolment or when
turned on, then every N days at the member's local check-in time) and a
score (the sum of the answers). BARC-10 is built in (tables/series.toml),
installed off; supervisors can also write their own (a weekly "meetings
attended" count, say). docs/recovery-capital.md.

The timer is a row per member and series (SeriesDue.next_at), claimed by the
tick with SKIP LOCKED, as Member.next_checkin_at is by checkins.schedule. A
series never interrupts another check-in: while the member has an open one,
or their daily check-in is due before the series could close, it waits.
The conversation (inbox/conversation.py) walks its questions with
CheckIn.next_question() and, at the end, calls `finish` here: the score is
stored and `series_scored` tells alerts (the recovery_capital rule).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from functools import cache
from pathlib import Path

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from checkins.models import CheckIn, Member, Program, Question, Series, SeriesDue, SeriesScore
from checkins.signals import series_scored
from sms import outbox
from sms.inbound import REPLY_WINDOW
from sms.models import Message

TABLE = Path(__file__).with_name("tables") / "series.toml"
BATCH = 500
# Ticks run every minute: a series held back (member busy, locked) is looked at again after this.
RETRY_AFTER = dt.timedelta(minutes=1)

TEXTS = {
    "intro": {"en": "Hi {first_name}. {intro} ", "es": "Hola {first_name}. {intro} "},
    "thanks": {
        "en": "Thanks, that's all. {supporter} will see your answers. In a crisis call or text 988.",
        "es": "Gracias, eso es todo. {supporter} verá tus respuestas. En una crisis llama o envía un texto al 988.",
    },
}


def say(key: str, language: str, **values: str) -> str:
    variants = TEXTS[key]
    return variants.get(language, variants["en"]).format(**values)


# --- Built-in definitions ---------------------------------------------------------


@cache
def builtins() -> dict[str, dict]:
    """tables/series.toml: the built-in series by key."""
    with TABLE.open("rb") as file:
        return tomllib.load(file)


def builtin(series: Series) -> dict:
    """The built-in definition of this series, or {} for one a supervisor wrote."""
    return builtins().get(series.builtin, {}) if series.builtin else {}


def reference_line(series: Series) -> tuple[int | None, str]:
    """The line drawn on a chart: the alert line if set, else the instrument's reference."""
    if series.alert_below is not None:
        return series.alert_below, f"{series.alert_below}: alert line"
    definition = builtin(series)
    return definition.get("reference"), definition.get("reference_label", "")


def label(series: Series) -> str:
    """How an alert names the score: "Recovery capital" for BARC-10, else the series' name."""
    return builtin(series).get("label") or series.name


def max_score(series: Series, questions: list[Question] | None = None) -> int:
    questions = series.active_questions() if questions is None else questions
    return sum((q.scale_max or 0) if q.kind == Question.Kind.SCALE else 1 for q in questions)


@transaction.atomic
def install_builtin(program: Program, key: str = "barc10") -> Series:
    """The built-in series `key` for this program, installed off (or the one already there)."""
    definition = builtins()[key]
    existing = program.series.filter(key=key).first()
    if existing is not None:
        return existing
    series = Series.objects.create(
        program=program,
        key=key,
        name=definition["name"],
        builtin=key,
        every_days=definition["every_days"],
        at_enrolment=definition["at_enrolment"],
        scoring=definition["scoring"],
        alert_below=definition.get("alert_below"),
        alert_drop=definition.get("alert_drop"),
        intro_en=definition["intro_en"],
        intro_es=definition["intro_es"],
        is_active=False,
    )
    Question.objects.bulk_create(
        Question(
            program=program,
            series=series,
            key=f"{key}_{number}",
            kind=Question.Kind.SCALE,
            scale_min=definition["scale_min"],
            scale_max=definition["scale_max"],
            position=number,
            text_en=f"{number}/{len(definition['items'])}: {item['en']} {definition['reply_en']}",
            text_es=f"{number}/{len(definition['items'])}: {item['es']} {definition['reply_es']}",
        )
        for number, item in enumerate(definition["items"], start=1)
    )
    return series


# --- Turning on and off, enrolment -------------------------------------------------


def _at_checkin_time(member: Member, day: dt.date) -> dt.datetime:
    """The member's local check-in time on `day`, as an aware UTC time."""
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=member.tz).astimezone(dt.UTC)
    return member.next_checkin_after(midnight - dt.timedelta(microseconds=1))


def next_cycle(series: Series, member: Member, now: dt.datetime) -> dt.datetime:
    """`every_days` after today (the member's today), at their local check-in time."""
    return _at_checkin_time(member, now.astimezone(member.tz).date() + dt.timedelta(days=series.every_days))


def first_due(series: Series, member: Member, now: dt.datetime) -> dt.datetime:
    if series.at_enrolment:
        return member.next_checkin_after(now)
    return next_cycle(series, member, now)


ENROLLED = (Member.Status.ACTIVE, Member.Status.PAUSED, Member.Status.OPTED_OUT)


@transaction.atomic
def turn_on(series: Series, now: dt.datetime | None = None) -> int:
    """Switch the series on: every member of the program not discharged gets a
    timer (paused and opted-out members' timers move on at each due time).
    Returns how many timers were made."""
    now = now or timezone.now()
    Series.objects.filter(pk=series.pk).update(is_active=True)
    series.is_active = True
    members = series.program.members.filter(status__in=ENROLLED).exclude(
        Exists(SeriesDue.objects.filter(series=series, member=OuterRef("pk")))
    )
    made = SeriesDue.objects.bulk_create(
        [SeriesDue(member=member, series=series, next_at=first_due(series, member, now)) for member in members],
        ignore_conflicts=True,
    )
    return len(made)


@transaction.atomic
def turn_off(series: Series) -> None:
    """Switch the series off: no new askings; one already open runs to its end."""
    Series.objects.filter(pk=series.pk).update(is_active=False)
    series.is_active = False
    SeriesDue.objects.filter(series=series).delete()


def enrol(member: Member, now: dt.datetime | None = None) -> None:
    """A new member gets a timer for each series their program has on."""
    now = now or timezone.now()
    SeriesDue.objects.bulk_create(
        [
            SeriesDue(member=member, series=series, next_at=first_due(series, member, now))
            for series in member.program.series.filter(is_active=True)
        ],
        ignore_conflicts=True,
    )


# --- The tick ------------------------------------------------------------------------


def start_due_series(now: dt.datetime | None = None) -> int:
    """Start every series that is due. Returns how many were started."""
    now = now or timezone.now()
    started = 0
    while True:
        count, claimed = _start_batch(now)
        started += count
        if claimed < BATCH:
            return started


def first_prompt(member: Member, series: Series, question: Question) -> str:
    intro = series.intro_es if member.language == "es" else series.intro_en
    lead = say("intro", member.language, first_name=member.first_name, intro=intro) if intro else ""
    return lead + question.text(member.language)


@transaction.atomic
def _start_batch(now: dt.datetime) -> tuple[int, int]:
    """Every claimed timer moves past `now` (started, moved on, or held back a
    little), so a batch never claims the same row twice."""
    busy = CheckIn.objects.filter(member_id=OuterRef("member_id"), status=CheckIn.Status.OPEN)
    dues = list(
        SeriesDue.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(next_at__lte=now, series__is_active=True)
        .exclude(Exists(busy))
        .select_related("series__program")
        .order_by("next_at")[:BATCH]
    )
    if not dues:
        return 0, 0
    # The member rows are locked too (the daily tick and inbound texts lock
    # them first): a member busy elsewhere is left for the next tick.
    members = {
        m.pk: m
        for m in Member.objects.select_for_update(skip_locked=True).filter(pk__in={d.member_id for d in dues})
    }
    still_open = set(
        CheckIn.objects.filter(member_id__in=members, status=CheckIn.Status.OPEN).values_list("member_id", flat=True)
    )
    # Its re-asks and its thanks are replies, which the flood limit counts
    # (sms.inbound: 10 replies a number in 10 minutes): a series starts once
    # the member has heard no reply for that long (after their daily check-in, say).
    replied = set(
        Message.objects.filter(
            member_id__in=members,
            direction=Message.Direction.OUTBOUND,
            kind=Message.Kind.REPLY,
            created_at__gt=now - REPLY_WINDOW,
        ).values_list("member_id", flat=True)
    )
    questions: dict[int, list[Question]] = {}
    started_for: set[int] = set()
    started = 0
    for due in dues:
        series, member = due.series, members.get(due.member_id)
        program = series.program
        if member is not None and series.program_id != member.program_id:
            # The member moved to another program: this timer is not theirs any more.
            SeriesDue.objects.filter(pk=due.pk).delete()
            continue
        if member is None or member.pk in still_open or member.pk in started_for or member.pk in replied:
            due.next_at = now + RETRY_AFTER
        elif member.status != Member.Status.ACTIVE or not member.can_receive_texts:
            # Paused, opted out, discharged: this asking is skipped, the next one comes.
            due.next_at = next_cycle(series, member, now)
        elif not program.in_send_window(now.astimezone(member.tz).time()):
            due.next_at = member.next_checkin_after(now)
        elif member.next_checkin_at is not None and member.next_checkin_at <= now + dt.timedelta(
            minutes=program.checkin_window_minutes
        ):
            # The daily check-in comes first; the series follows once it is over.
            due.next_at = max(member.next_checkin_at, now) + RETRY_AFTER
        else:
            if series.pk not in questions:
                questions[series.pk] = series.active_questions()
            if questions[series.pk]:
                _start(member, series, questions[series.pk][0], now)
                started_for.add(member.pk)
                started += 1
            due.next_at = next_cycle(series, member, now)
        SeriesDue.objects.filter(pk=due.pk).update(next_at=due.next_at)
    return started, len(dues)


def _start(member: Member, series: Series, question: Question, now: dt.datetime) -> CheckIn:
    checkin = CheckIn.objects.create(
        member=member,
        series=series,
        scheduled_for=now,
        source=CheckIn.Source.SCHEDULE,
        started_at=now,
        closes_at=now + dt.timedelta(minutes=series.program.checkin_window_minutes),
        current_question=question,
    )
    outbox.queue(
        phone=member.phone,
        body=first_prompt(member, series, question),
        kind=Message.Kind.PROMPT,
        priority=Message.Priority.BULK,
        member=member,
        checkin=checkin,
    )
    return checkin


# --- Asking on, and the end of a series' check-in -------------------------------------


def ask(checkin: CheckIn, question: Question) -> list[str]:
    """The next question of a series, sent through the outbox as a prompt
    rather than as a reply: ten questions (and their re-asks) would run into
    the reply flood limit (sms.inbound, 10 replies in 10 minutes), which is
    there for members texting on and on, not for a questionnaire whose
    length is bounded. Returns no reply."""
    member = checkin.member
    outbox.queue(
        phone=member.phone,
        body=question.text(member.language),
        kind=Message.Kind.PROMPT,
        priority=Message.Priority.REPLY,
        member=member,
        checkin=checkin,
    )
    return []



def finish(checkin: CheckIn) -> str:
    """The check-in answered to its last question: store the score (the sum
    of the answers; none when an answer was not understood after the re-ask)
    and say thanks. Called inside the inbound text's transaction."""
    series = checkin.series
    member = checkin.member
    if series.scoring == Series.Scoring.SUM:
        total = score_of(list(checkin.answers.values_list("value", flat=True)))
        if total is not None:
            score = SeriesScore.objects.create(
                member=member, series=series, checkin=checkin, score=total, at=timezone.now()
            )
            series_scored.send(sender=SeriesScore, score=score)
    return say("thanks", member.language, supporter=member.supporter.name.split()[0])


def score_of(answers: list[int | None]) -> int | None:
    """The sum of a series' answers, or None when one was not understood."""
    if not answers or any(value is None for value in answers):
        return None
    return sum(answers)


# --- Series a supervisor writes ----------------------------------------------------


class SeriesError(ValueError):
    """A series that cannot be stored: the field at fault ("questions.0.text_en") and why."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


QUESTIONS_MAX = 10
EVERY_DAYS_MAX = 365
TEXT_MAX = 320  # two SMS segments
SCALE_LIMIT = 100
_SLUG = r"^[a-z0-9][a-z0-9_-]{0,39}$"


def _slug(value, field: str) -> str:
    value = (value or "").strip().lower() if isinstance(value, str) else ""
    if not re.match(_SLUG, value):
        raise SeriesError(field, "Use 1 to 40 lowercase letters, digits, - or _, starting with a letter or digit.")
    return value


def _int(value, field: str, low: int, high: int, required: bool = True) -> int | None:
    if value is None or value == "":
        if required:
            raise SeriesError(field, f"Enter a whole number from {low} to {high}.")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            raise SeriesError(field, f"Enter a whole number from {low} to {high}.") from None
    if not low <= value <= high:
        raise SeriesError(field, f"Must be a whole number from {low} to {high}.")
    return value


def _text(value, field: str, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if required and not value:
        raise SeriesError(field, "Write the text.")
    if len(value) > TEXT_MAX:
        raise SeriesError(field, f"Keep it to {TEXT_MAX} characters or fewer (two text messages).")
    return value


def check_settings(*, every_days=None, alert_below=None, alert_drop=None, scoring=None) -> dict:
    """The settings a supervisor may change, checked; only those given."""
    checked = {}
    if every_days is not None:
        checked["every_days"] = _int(every_days, "every_days", 1, EVERY_DAYS_MAX)
    if scoring is not None:
        if scoring not in Series.Scoring.values:
            raise SeriesError("scoring", f"Must be one of: {', '.join(Series.Scoring.values)}.")
        checked["scoring"] = scoring
    if alert_below is not None:
        checked["alert_below"] = _int(alert_below, "alert_below", -1000, 1000)
    if alert_drop is not None:
        checked["alert_drop"] = _int(alert_drop, "alert_drop", 1, 1000)
    return checked


@transaction.atomic
def create_custom(
    program: Program,
    *,
    name: str,
    key: str,
    questions: list[dict],
    every_days: int = 7,
    at_enrolment: bool = True,
    scoring: str = Series.Scoring.SUM,
    alert_below: int | None = None,
    alert_drop: int | None = None,
    intro_en: str = "",
    intro_es: str = "",
) -> Series:
    """A supervisor's own series, checked field by field (SeriesError names
    the first field at fault), stored off: turning it on is a second step."""
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name or len(name) > 100:
        raise SeriesError("name", "Enter a name of 1 to 100 characters.")
    key = _slug(key, "key")
    if program.series.filter(key=key).exists():
        raise SeriesError("key", "This program already has a series with this key.")
    settings = check_settings(every_days=every_days, scoring=scoring or Series.Scoring.SUM)
    settings["alert_below"] = _int(alert_below, "alert_below", -1000, 1000, required=False)
    settings["alert_drop"] = _int(alert_drop, "alert_drop", 1, 1000, required=False)
    if settings["scoring"] == Series.Scoring.NONE and (
        settings["alert_below"] is not None or settings["alert_drop"] is not None
    ):
        raise SeriesError("scoring", "Alerts need a score: choose scoring 'sum' or leave the alert lines empty.")
    intro_en, intro_es = _text(intro_en, "intro_en", required=False), _text(intro_es, "intro_es", required=False)
    if not isinstance(questions, list) or not 1 <= len(questions) <= QUESTIONS_MAX:
        raise SeriesError("questions", f"Give 1 to {QUESTIONS_MAX} questions.")
    taken = set(program.questions.values_list("key", flat=True))
    rows: list[Question] = []
    for index, raw in enumerate(questions):
        at = f"questions.{index}"
        raw = raw if isinstance(raw, dict) else {}
        question_key = _slug(raw.get("key"), f"{at}.key")
        if question_key in taken:
            raise SeriesError(f"{at}.key", "Another question of this program has this key; choose another.")
        kind = raw.get("kind") or Question.Kind.SCALE
        if kind not in Question.Kind.values:
            raise SeriesError(f"{at}.kind", f"Must be one of: {', '.join(Question.Kind.values)}.")
        low = high = None
        if kind == Question.Kind.SCALE:
            low = _int(raw.get("scale_min"), f"{at}.scale_min", 0, SCALE_LIMIT)
            high = _int(raw.get("scale_max"), f"{at}.scale_max", 0, SCALE_LIMIT)
            if low >= high:
                raise SeriesError(f"{at}.scale_max", "Must be more than the scale's lowest value.")
        text_en = _text(raw.get("text_en"), f"{at}.text_en")
        # Without a Spanish text, Spanish speakers are asked in English rather than not at all.
        text_es = _text(raw.get("text_es"), f"{at}.text_es", required=False) or text_en
        ask_if_key = (raw.get("ask_if_key") or "").strip()
        ask_if_at_most = None
        if ask_if_key:
            earlier = {q.key: q for q in rows}
            if ask_if_key not in earlier:
                raise SeriesError(f"{at}.ask_if_key", "Must be the key of an earlier question of this series.")
            ask_if_at_most = _int(raw.get("ask_if_at_most"), f"{at}.ask_if_at_most", -1000, 1000)
        elif raw.get("ask_if_at_most") is not None:
            raise SeriesError(f"{at}.ask_if_key", "Say which earlier answer decides whether this one is asked.")
        taken.add(question_key)
        rows.append(
            Question(
                program=program,
                key=question_key,
                kind=kind,
                scale_min=low,
                scale_max=high,
                position=index + 1,
                text_en=text_en,
                text_es=text_es,
                ask_if_key=ask_if_key,
                ask_if_at_most=ask_if_at_most,
            )
        )
    series = Series.objects.create(
        program=program,
        key=key,
        name=name,
        at_enrolment=bool(at_enrolment),
        intro_en=intro_en,
        intro_es=intro_es or intro_en,
        is_active=False,
        **settings,
    )
    for row in rows:
        row.series = series
    Question.objects.bulk_create(rows)
    return series


@transaction.atomic
def change(series: Series, changes: dict, now: dt.datetime | None = None) -> Series:
    """Apply a supervisor's change: on/off, rhythm, alert lines (None clears a line)."""
    values = {}
    if "every_days" in changes:
        values.update(check_settings(every_days=changes["every_days"]))
    for field, low in (("alert_below", -1000), ("alert_drop", 1)):
        if field in changes:
            values[field] = _int(changes[field], field, low, 1000, required=False)
    if values:
        Series.objects.filter(pk=series.pk).update(**values)
        for field, value in values.items():
            setattr(series, field, value)
    if "is_active" in changes and changes["is_active"] is not None and bool(changes["is_active"]) != series.is_active:
        if changes["is_active"]:
            if not series.active_questions():
                raise SeriesError("is_active", "This series has no questions to ask.")
            turn_on(series, now)
        else:
            turn_off(series)
    return series
