"""The rules: each looks at one thing that happened and says whether a
supporter should know, how urgently, and why, in a sentence they can act on.

Every rule is a plain function returning a Finding or None. Which rules are
on, their severity and thresholds come from the program's RuleSetting rows.
"""

import statistics
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from alerts.models import SEVERITY_RANK, Alert, RuleSetting
from checkins import series as series_engine
from checkins.models import Answer, CheckIn, Member, SeriesScore

Kind = RuleSetting.Kind

TOPIC = {
    Kind.CRISIS_LANGUAGE: Alert.Topic.CRISIS,
    Kind.SAFETY_YES: Alert.Topic.CRISIS,
    Kind.OTHER_IN_DANGER: Alert.Topic.CRISIS,
    Kind.USED_YES: Alert.Topic.USE,
    Kind.CRAVING_HIGH: Alert.Topic.CRAVING,
    Kind.CRAVING_ABOVE_BASELINE: Alert.Topic.CRAVING,
    Kind.MOOD_LOW: Alert.Topic.MOOD,
    Kind.MOOD_FALLING: Alert.Topic.MOOD,
    Kind.MISSED: Alert.Topic.SILENCE,
    Kind.MISSED_MANY: Alert.Topic.SILENCE,
    Kind.UNREACHABLE: Alert.Topic.UNREACHABLE,
    Kind.CONTACT_REQUEST: Alert.Topic.CONTACT,
    Kind.FOLLOW_UP_OVERDUE: Alert.Topic.FOLLOW_UP,
    Kind.RECOVERY_CAPITAL: Alert.Topic.RECOVERY_CAPITAL,
}

BASELINE_DAYS = 14
# A median of fewer answers than this says little about a person's "usual".
BASELINE_MIN_ANSWERS = 3


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    reason: str

    @property
    def topic(self) -> str:
        return TOPIC[self.rule]


class RuleBook:
    """A program's rule settings, read once per evaluation.

    A rule without a row (a program made in the admin, a row deleted) runs on
    its built-in default, so the crisis path never depends on a row existing.
    A locked rule (RuleSetting.LOCKED_AT_LEAST) is on and at least at its
    floor whatever its row says, even if the row was changed behind the
    model's back.
    """

    def __init__(self, program):
        self.settings = {rule.kind: rule for rule in program.rules.all()}

    def get(self, kind: str) -> RuleSetting | None:
        """The setting in force for this rule, or None when it is switched off."""
        rule = self.settings.get(kind)
        if rule is None:
            severity, threshold = RuleSetting.DEFAULTS[kind]
            return RuleSetting(kind=kind, enabled=True, severity=severity, threshold=threshold)
        if RuleSetting.is_locked(kind):
            floor = RuleSetting.LOCKED_AT_LEAST[kind]
            if not rule.enabled or SEVERITY_RANK.get(rule.severity, -1) < SEVERITY_RANK[floor]:
                return RuleSetting(kind=kind, enabled=True, severity=floor, threshold=None)
            return rule
        if not rule.enabled:
            return None
        default_threshold = RuleSetting.DEFAULTS[kind][1]
        if default_threshold is not None and rule.threshold is None:
            return RuleSetting(kind=kind, enabled=True, severity=rule.severity, threshold=default_threshold)
        return rule

    def finding(self, kind: str, reason: str) -> Finding | None:
        rule = self.get(kind)
        return Finding(kind, rule.severity, reason) if rule else None

    def locked_finding(self, kind: str, reason: str) -> Finding:
        """A locked rule always has a finding to give."""
        finding = self.finding(kind, reason)
        assert finding is not None, f"{kind} is locked on"
        return finding


# --- After an answer -----------------------------------------------------------


def used_yes(book: RuleBook, answer: Answer) -> Finding | None:
    if answer.question.key == "used" and answer.value == 1:
        return book.finding(Kind.USED_YES, "Said yes to a slip since the last check-in.")
    return None


def safety_yes(book: RuleBook, answer: Answer) -> Finding | None:
    if answer.question.key == "safety" and answer.value == 1:
        return book.locked_finding(Kind.SAFETY_YES, "Said yes to having thoughts of hurting themselves.")
    return None


def craving_high(book: RuleBook, answer: Answer) -> Finding | None:
    rule = book.get(Kind.CRAVING_HIGH)
    if rule and answer.question.key == "craving" and answer.value is not None and answer.value >= rule.threshold:
        return book.finding(Kind.CRAVING_HIGH, f"Craving {answer.value} of {answer.question.scale_max}.")
    return None


def mood_low(book: RuleBook, answer: Answer) -> Finding | None:
    rule = book.get(Kind.MOOD_LOW)
    if rule and answer.question.key == "mood" and answer.value is not None and answer.value <= rule.threshold:
        return book.finding(Kind.MOOD_LOW, f"Mood {answer.value} of {answer.question.scale_max}.")
    return None


def earlier_values(answer: Answer, days: int | None = None, limit: int | None = None) -> list[int]:
    """The member's earlier understood answers to the same question, newest first."""
    earlier = Answer.objects.filter(
        checkin__member_id=answer.checkin.member_id,
        question__key=answer.question.key,
        value__isnull=False,
        created_at__lt=answer.created_at,
    ).order_by("-created_at", "-id")
    if days is not None:
        earlier = earlier.filter(created_at__gte=answer.created_at - timezone.timedelta(days=days))
    values = earlier.values_list("value", flat=True)
    return list(values[:limit] if limit else values)


def craving_above_baseline(book: RuleBook, answer: Answer) -> Finding | None:
    rule = book.get(Kind.CRAVING_ABOVE_BASELINE)
    if not rule or answer.question.key != "craving" or answer.value is None:
        return None
    history = earlier_values(answer, days=BASELINE_DAYS)
    if len(history) < BASELINE_MIN_ANSWERS:
        return None
    usual = statistics.median(history)
    above = answer.value - usual
    if above < rule.threshold:
        return None
    return book.finding(
        Kind.CRAVING_ABOVE_BASELINE,
        f"Craving {answer.value} of {answer.question.scale_max}, {above:g} above their usual ({usual:g}).",
    )


def mood_falling(book: RuleBook, answer: Answer) -> Finding | None:
    """Mood lower than the time before, `threshold` check-ins in a row."""
    rule = book.get(Kind.MOOD_FALLING)
    if not rule or answer.question.key != "mood" or answer.value is None:
        return None
    recent = [answer.value] + earlier_values(answer, limit=rule.threshold)
    if len(recent) < rule.threshold + 1:
        return None
    falling = all(newer < older for newer, older in zip(recent, recent[1:]))
    if not falling:
        return None
    oldest_first = ", ".join(str(v) for v in reversed(recent))
    return book.finding(Kind.MOOD_FALLING, f"Mood falling {rule.threshold} check-ins in a row ({oldest_first}).")


ANSWER_RULES = [safety_yes, used_yes, craving_high, craving_above_baseline, mood_low, mood_falling]


def after_answer(answer: Answer) -> list[Finding]:
    book = RuleBook(answer.checkin.member.program)
    return [finding for rule in ANSWER_RULES if (finding := rule(book, answer)) is not None]


# --- After a check-in closes unanswered ------------------------------------------


def missed_in_a_row(member: Member) -> int:
    """How many of the member's latest check-ins went unanswered, back to the
    last one answered or the end of their last pause. A check-in closed early by a newer one (incomplete)
    with no answer at all is silence too."""
    count = 0
    # The daily check-in only: a questionnaire left unanswered (checkins.series) is not silence.
    checkins = member.checkins.filter(series__isnull=True)
    if member.resumed_at is not None:
        # A pause is not silence: count only what was sent since it ended.
        checkins = checkins.filter(started_at__gte=member.resumed_at)
    latest = (
        checkins.exclude(status__in=[CheckIn.Status.SKIPPED, CheckIn.Status.OPEN])
        .annotate(answered=Count("answers"))
        .order_by("-scheduled_for", "-id")
        .values_list("status", "answered")
    )
    for status, answered in latest.iterator(chunk_size=50):
        if answered or status not in (CheckIn.Status.MISSED, CheckIn.Status.INCOMPLETE):
            break
        count += 1
    return count


def after_missed(member: Member) -> list[Finding]:
    book = RuleBook(member.program)
    missed = missed_in_a_row(member)
    many = book.get(Kind.MISSED_MANY)
    if many and missed >= many.threshold:
        return [book.finding(Kind.MISSED_MANY, f"No reply to the last {missed} check-ins.")]
    few = book.get(Kind.MISSED)
    if few and missed >= few.threshold:
        return [book.finding(Kind.MISSED, f"No reply to the last {missed} check-ins.")]
    return []


# --- Words and reachability ------------------------------------------------------


def crisis_language(member: Member) -> Finding:
    # Crisis rules are always on; only their severity can be raised.
    return RuleBook(member.program).locked_finding(
        Kind.CRISIS_LANGUAGE, "Used words of suicide, self-harm or overdose in a text."
    )


def other_in_danger(member: Member) -> Finding:
    """A member says someone else is in danger right now (not breathing,
    unresponsive). Locked on, at least urgent; the reader decides when."""
    return RuleBook(member.program).locked_finding(Kind.OTHER_IN_DANGER, "Said someone else is in danger right now.")


def contact_request(member: Member) -> Finding | None:
    """A member asks, outside a check-in question, to be called or to talk
    (the reader's `asks_for_contact` decides when). The reason names the
    request only, never the member's words: it reaches staff screens and logs."""
    return RuleBook(member.program).finding(Kind.CONTACT_REQUEST, "Asked to be contacted.")


def follow_up_overdue(member: Member, due_on) -> Finding | None:
    """A follow-up set in a contact note (care.notes) passed its date with no
    contact logged since. The reason names the date only, never the note."""
    return RuleBook(member.program).finding(
        Kind.FOLLOW_UP_OVERDUE, f"Follow-up planned for {due_on:%b} {due_on.day} is overdue: no contact logged since."
    )


UNREACHABLE_REASONS = {
    21610: "Opted out of texts at the carrier (replied STOP).",
    21211: "The phone number on file is not valid.",
    21614: "The phone number on file cannot receive texts.",
    30003: "Texts cannot be delivered: the phone is off or out of service.",
    30005: "Texts cannot be delivered: the number is unknown to the carrier.",
    30006: "Texts cannot be delivered: a landline or unreachable carrier.",
}


def unreachable(member: Member, error_code: int | None) -> Finding | None:
    reason = UNREACHABLE_REASONS.get(error_code, "Texts to this member could not be delivered.")
    return RuleBook(member.program).finding(Kind.UNREACHABLE, reason)


# --- After a questionnaire is scored ------------------------------------------------


def _day(moment, member: Member) -> str:
    local = timezone.localtime(moment, member.tz)
    return f"{local.day} {local:%b}"


def recovery_capital(score: SeriesScore) -> list[Finding]:
    """A series' score (BARC-10 …) under the series' `alert_below`, or fallen
    by `alert_drop` or more since the member's previous score. Info: shown in
    the queue, never texted. The reason says the numbers, never the answers."""
    series, member = score.series, score.member
    book = RuleBook(member.program)
    if book.get(Kind.RECOVERY_CAPITAL) is None:
        return []
    name = series_engine.label(series)
    reasons = []
    if series.alert_below is not None and score.score < series.alert_below:
        reasons.append(
            f"{name} score {score.score} of {series_engine.max_score(series)}, under {series.alert_below}."
        )
    if series.alert_drop:
        previous = (
            SeriesScore.objects.filter(member=member, series=series)
            .exclude(pk=score.pk)
            .filter(at__lte=score.at)
            .order_by("-at", "-id")
            .first()
        )
        if previous is not None and previous.score - score.score >= series.alert_drop:
            fell = previous.score - score.score
            reasons.append(
                f"{name} score fell {fell} point{'s' if fell != 1 else ''} since {_day(previous.at, member)} "
                f"(from {previous.score} to {score.score})."
            )
    return [finding for reason in reasons if (finding := book.finding(Kind.RECOVERY_CAPITAL, reason))]
