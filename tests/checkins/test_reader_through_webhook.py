"""What the reader decides, end to end through the signed webhook: the member's
reply, the alert staff get, and the state the member is left in.

The pure reader is pinned case by case in test_reader_corpus.py; here one case
of each kind proves the decision reaches the member and staff."""

import pytest

from checkins.models import CheckIn
from checkins.schedule import start_checkin
from tests.conftest import replies
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(org, supporter, supervisor):
    return MemberFactory(organization=org, supporter=supporter, name="Dana Whitfield")


def say(phone, member, body) -> list[str]:
    response = phone.text(member.phone, body)
    assert response.status_code == 200
    return replies(response)


CRISIS = [
    ("en", "been stockpiling my meds, i know how im going to do it"),
    ("en", "i dont want to wake up tomorrow"),
    ("en", "not using. cut again tho"),
    ("en", "2\ni wanna dieee"),
    ("es", "ya no quiero vivir"),
    ("es", "me tome todas las pastiyas"),
    ("es", "no consumí, pero me quiero matar"),
]


@pytest.mark.parametrize(("language", "body"), CRISIS)
def test_crisis_by_meaning_gets_988_and_a_crisis_alert(phone, member, language, body):
    member.language = language
    member.save(update_fields=["language"])
    assert say(phone, member, body) == [member.program.crisis_text(language)]
    assert member.alerts.get().severity == "crisis"


LOOK_ALIKES = [
    "this meeting is killing me lol",
    "I'm not suicidal, just tired",
    "took my meds like the doctor said",
    "my uncle died of an overdose last year",
    "me muero de sueño",
    "no pienso hacerme daño, estoy bien",
]


@pytest.mark.parametrize("body", LOOK_ALIKES)
def test_look_alikes_raise_no_crisis(phone, member, body):
    assert member.program.crisis_text("en") not in say(phone, member, body)
    assert not member.alerts.exists()


@pytest.mark.parametrize(
    ("language", "body"),
    [("en", "my roommate is not breathing"), ("es", "mi hermano no despierta y está morado")],
)
def test_someone_else_in_danger_gets_911_and_an_urgent_alert(phone, member, language, body):
    member.language = language
    member.save(update_fields=["language"])
    (reply,) = say(phone, member, body)
    assert "911" in reply
    alert = member.alerts.get()
    assert alert.severity in ("urgent", "crisis")
    assert alert.reasons


@pytest.mark.parametrize("body", ["ya no me manden mensajes porfa", "take me off ur list", "dar de baja"])
def test_plain_language_opt_out(phone, member, body):
    (reply,) = say(phone, member, body)
    member.refresh_from_db()
    assert member.status == "opted_out"
    assert "START" in reply


@pytest.mark.parametrize("body", ["my ex won't stop texting me", "para mí fue un buen día", "stop asking about cravings"])
def test_look_alikes_do_not_opt_out(phone, member, body):
    say(phone, member, body)
    member.refresh_from_db()
    assert member.status == "active"


def test_a_worded_low_mood_asks_the_safety_question(phone, member):
    checkin = start_checkin(member)
    assert "urges" in say(phone, member, "pretty bad tbh")[0]
    say(phone, member, "none")
    assert "hurting yourself" in say(phone, member, "stayed clean")[0]
    assert "988" in say(phone, member, "kinda")[0]
    checkin.refresh_from_db()
    assert [(a.question.key, a.value) for a in checkin.answers.order_by("id")] == [
        ("mood", 2),
        ("craving", 0),
        ("used", 0),
        ("safety", 1),
    ]
    assert member.alerts.filter(severity="crisis").exists()


def test_a_range_on_the_mood_scale_is_asked_again(phone, member):
    start_checkin(member)
    assert say(phone, member, "2-3") == ["Sorry, I didn't get that. Please reply with a number from 1 to 5."]
    assert CheckIn.objects.get().answers.count() == 0


def test_a_spanish_worded_answer_reads_the_prompts_own_anchor(phone, org, supporter):
    member = MemberFactory(organization=org, supporter=supporter, language="es")
    checkin = start_checkin(member)
    say(phone, member, "muy bajo")
    assert checkin.answers.get().value == 1


def test_alto_alone_opts_out_but_answers_a_number_question(phone, org, supporter):
    member = MemberFactory(organization=org, supporter=supporter, language="es")
    checkin = start_checkin(member)
    say(phone, member, "3")  # mood; now the urges question (0 to 10) is open
    assert say(phone, member, "ALTO") == ["Perdón, no entendí. Responde con un número del 0 al 10."]
    member.refresh_from_db()
    assert member.status == "active"
    checkin.refresh_from_db()
    assert checkin.status == "open"

    other = MemberFactory(organization=org, supporter=supporter, language="es", phone="+15550001234")
    say(phone, other, "ALTO")
    other.refresh_from_db()
    assert other.status == "opted_out"
