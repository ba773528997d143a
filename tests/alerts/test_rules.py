"""Each rule, case by case, on answers stored the way the conversation stores them."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts import rules
from checkins.models import Answer, CheckIn, Question
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(org):
    return MemberFactory(organization=org, name="Dana Whitfield")


def answer(member, key: str, value: int | None, days_ago: float = 0, status="completed") -> Answer:
    when = timezone.now() - dt.timedelta(days=days_ago)
    checkin, _ = CheckIn.objects.get_or_create(
        member=member, scheduled_for=when, defaults={"closes_at": when, "status": status, "started_at": when}
    )
    question = Question.objects.get(program=member.program, key=key)
    return Answer.objects.create(checkin=checkin, question=question, text=str(value), value=value, created_at=when)


def findings(a: Answer) -> list[tuple[str, str, str]]:
    return [(f.rule, f.severity, f.reason) for f in rules.after_answer(a)]


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("used", 1, [("used_yes", "urgent", "Said yes to a slip since the last check-in.")]),
        ("used", 0, []),
        ("used", None, []),
        ("craving", 8, [("craving_high", "urgent", "Craving 8 of 10.")]),
        ("craving", 10, [("craving_high", "urgent", "Craving 10 of 10.")]),
        ("craving", 7, []),
        ("mood", 2, [("mood_low", "warning", "Mood 2 of 5.")]),
        ("mood", 1, [("mood_low", "warning", "Mood 1 of 5.")]),
        ("mood", 3, []),
        ("safety", 1, [("safety_yes", "crisis", "Said yes to having thoughts of hurting themselves.")]),
        ("safety", 0, []),
    ],
)
def test_contract_default_rules(member, key, value, expected):
    assert findings(answer(member, key, value)) == expected


def test_a_rule_switched_off_says_nothing(member):
    member.program.rules.filter(kind="used_yes").update(enabled=False)
    assert findings(answer(member, "used", 1)) == []


def test_thresholds_and_severity_come_from_the_program(member):
    member.program.rules.filter(kind="craving_high").update(threshold=6, severity="warning")
    assert findings(answer(member, "craving", 6)) == [("craving_high", "warning", "Craving 6 of 10.")]


def test_crisis_rules_stay_on_even_if_switched_off_in_the_database(member):
    member.program.rules.filter(kind="safety_yes").update(enabled=False)
    assert findings(answer(member, "safety", 1))[0][1] == "crisis"


@pytest.mark.parametrize(
    "history, today, expected_reason",
    [
        ([2, 3, 2, 3, 2], 6, "Craving 6 of 10, 4 above their usual (2)."),
        ([2, 3, 2, 3, 2], 5, "Craving 5 of 10, 3 above their usual (2)."),
        ([2, 3, 2, 3, 2], 4, None),
        ([2, 4], 9, None),  # too little history for a baseline (craving_high still fires)
        ([5, 5, 6, 6], 9, "Craving 9 of 10, 3.5 above their usual (5.5)."),
    ],
)
def test_craving_against_the_members_own_baseline(member, history, today, expected_reason):
    for days_ago, value in enumerate(reversed(history), start=1):
        answer(member, "craving", value, days_ago=days_ago)
    reasons = [r for rule, _, r in findings(answer(member, "craving", today)) if rule == "craving_above_baseline"]
    assert reasons == ([expected_reason] if expected_reason else [])


def test_baseline_only_looks_back_14_days(member):
    for days_ago in (20, 19, 18, 17):
        answer(member, "craving", 0, days_ago=days_ago)
    answer(member, "craving", 6, days_ago=1)
    rules_fired = [rule for rule, _, _ in findings(answer(member, "craving", 7))]
    assert "craving_above_baseline" not in rules_fired


@pytest.mark.parametrize(
    "history, today, fires",
    [
        ([5, 4, 3], 2, True),  # falling three check-ins in a row
        ([5, 4, 4], 3, False),
        ([4, 3], 2, False),  # not enough check-ins yet
        ([3, 4, 5], 4, False),
        ([5, 5, 4, 3], 2, True),
    ],
)
def test_mood_falling(member, history, today, fires):
    for days_ago, value in enumerate(reversed(history), start=1):
        answer(member, "mood", value, days_ago=days_ago)
    rules_fired = [rule for rule, _, _ in findings(answer(member, "mood", today))]
    assert ("mood_falling" in rules_fired) is fires


def closed(member, statuses):
    base = timezone.now() - dt.timedelta(days=len(statuses) + 1)
    for i, status in enumerate(statuses):
        when = base + dt.timedelta(days=i)
        CheckIn.objects.create(member=member, scheduled_for=when, closes_at=when, status=status)


@pytest.mark.parametrize(
    "statuses, expected",
    [
        (["completed", "missed"], []),
        (["completed", "missed", "missed"], [("missed", "warning", "No reply to the last 2 check-ins.")]),
        (["missed", "missed", "skipped", "missed"], [("missed", "warning", "No reply to the last 3 check-ins.")]),
        (["missed"] * 4, [("missed_many", "urgent", "No reply to the last 4 check-ins.")]),
        (["missed", "missed", "completed"], []),
        # Closed by a newer check-in before any answer: still silence.
        (["completed", "missed", "incomplete"], [("missed", "warning", "No reply to the last 2 check-ins.")]),
    ],
)
def test_missed_checkins(member, statuses, expected):
    closed(member, statuses)
    assert [(f.rule, f.severity, f.reason) for f in rules.after_missed(member)] == expected


def test_an_incomplete_checkin_with_an_answer_breaks_the_silence(member):
    closed(member, ["missed", "missed"])
    answer(member, "mood", 3, days_ago=0, status="incomplete")
    assert rules.after_missed(member) == []


@pytest.mark.parametrize(
    "code, words",
    [(30003, "phone is off"), (30006, "landline"), (21211, "not valid"), (21610, "Opted out"), (None, "could not")],
)
def test_unreachable_is_info_never_risk(member, code, words):
    finding = rules.unreachable(member, code)
    assert finding.severity == "info" and finding.topic == "unreachable"
    assert words in finding.reason
