"""A program without its rule rows (made in the admin, or rows deleted) runs
every rule on its built-in default: the crisis path above all. Through the
real signed webhook the member gets the 988 reply, staff get the crisis
alert, and the webhook answers 200, never 500."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts import rules
from alerts.models import Alert, RuleSetting
from checkins.models import Answer, CheckIn, Program, Question
from checkins.schedule import start_checkin
from sms.models import Message
from tests.conftest import replies
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

Kind = RuleSetting.Kind

MISSING = [
    pytest.param([Kind.CRISIS_LANGUAGE, Kind.SAFETY_YES], id="crisis-rows-deleted"),
    pytest.param(list(Kind), id="every-row-deleted"),
]


@pytest.fixture
def member(org, supporter, supervisor):
    return MemberFactory(organization=org, supporter=supporter, name="Dana Whitfield")


def delete_rows(member, kinds) -> None:
    member.program.rules.filter(kind__in=kinds).delete()


def staff_texted(alert) -> set[str]:
    return set(Message.objects.filter(alert=alert, kind=Message.Kind.NOTIFICATION).values_list("phone", flat=True))


@pytest.mark.parametrize("kinds", MISSING)
def test_crisis_words_still_get_988_and_a_crisis_alert(phone, member, supporter, supervisor, kinds):
    delete_rows(member, kinds)
    response = phone.text(member.phone, "i want to kill myself tonight")
    assert response.status_code == 200
    assert "988" in replies(response)[0]
    alert = member.alerts.get(topic=Alert.Topic.CRISIS)
    assert alert.severity == "crisis"
    assert staff_texted(alert) == {supporter.phone, supervisor.phone}


@pytest.mark.parametrize("kinds", MISSING)
def test_a_yes_to_the_safety_question_still_raises_a_crisis(phone, member, kinds):
    delete_rows(member, kinds)
    start_checkin(member)
    for reply in ("1", "0", "no"):
        assert phone.text(member.phone, reply).status_code == 200
    response = phone.text(member.phone, "yes")
    assert response.status_code == 200
    assert "988" in replies(response)[0]
    assert member.alerts.get(topic=Alert.Topic.CRISIS).severity == "crisis"


def test_a_program_made_without_any_rows_runs_on_defaults(org):
    """As a program made in the admin is: no rows at all."""
    program = Program.objects.create(organization=org, name="Made in the admin")
    for key, kind, low, high in (("mood", "scale", 1, 5), ("craving", "scale", 0, 10), ("used", "yes_no", None, None)):
        Question.objects.create(program=program, key=key, kind=kind, scale_min=low, scale_max=high, text_en=key,
                                text_es=key)  # fmt: skip
    member = MemberFactory(organization=org, program=program)
    assert not program.rules.exists()
    book = rules.RuleBook(program)
    assert {kind: (book.get(kind).severity, book.get(kind).threshold) for kind in Kind} == {
        kind: tuple(default) for kind, default in RuleSetting.DEFAULTS.items()
    }
    assert rules.crisis_language(member).severity == "crisis"
    assert rules.other_in_danger(member).severity == "urgent"


@pytest.mark.parametrize(
    "key, value, rule",
    [("used", 1, "used_yes"), ("craving", 9, "craving_high"), ("mood", 1, "mood_low"), ("safety", 1, "safety_yes")],
    ids=["used", "craving", "mood", "safety"],
)
def test_answer_rules_use_their_defaults_when_their_row_is_missing(member, key, value, rule):
    delete_rows(member, list(Kind))
    when = timezone.now()
    checkin = CheckIn.objects.create(member=member, scheduled_for=when, closes_at=when)
    answer = Answer.objects.create(
        checkin=checkin, question=member.program.questions.get(key=key), text=str(value), value=value
    )
    found = {f.rule: f.severity for f in rules.after_answer(answer)}
    assert found[rule] == RuleSetting.DEFAULTS[rule][0]


def test_missed_check_ins_use_their_defaults_when_their_rows_are_missing(member):
    delete_rows(member, list(Kind))
    base = timezone.now() - dt.timedelta(days=5)
    for day in range(2):
        when = base + dt.timedelta(days=day)
        CheckIn.objects.create(member=member, scheduled_for=when, closes_at=when, status=CheckIn.Status.MISSED)
    assert [(f.rule, f.severity) for f in rules.after_missed(member)] == [("missed", "warning")]


def test_unreachable_uses_its_default_when_its_row_is_missing(member):
    delete_rows(member, list(Kind))
    assert rules.unreachable(member, 30003).severity == "info"


def test_the_api_shows_defaults_and_can_tune_a_missing_row(api, org, supervisor):
    program = org.programs.get()
    program.rules.filter(kind__in=[Kind.CRISIS_LANGUAGE, Kind.CRAVING_HIGH]).delete()
    listed = {r["kind"]: r for r in api.as_(supervisor).get("/programs").json()["items"][0]["rules"]}
    assert listed["crisis_language"] == {"kind": "crisis_language", "enabled": True, "severity": "crisis",
                                         "threshold": None}  # fmt: skip
    body = {"rules": [{"kind": "craving_high", "threshold": 6}]}
    response = api.as_(supervisor).patch(f"/programs/{program.id}", body)
    assert response.status_code == 200, response.content
    assert program.rules.get(kind=Kind.CRAVING_HIGH).threshold == 6


def test_the_settings_page_puts_missing_rows_back_on_their_defaults(client, org, supervisor):
    program = org.programs.get()
    program.rules.all().delete()
    client.force_login(supervisor.user)
    assert client.get(f"/settings/{program.pk}").status_code == 200
    assert set(program.rules.values_list("kind", flat=True)) == set(Kind.values)
