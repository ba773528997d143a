import pytest

from checkins.models import CheckIn
from checkins.schedule import start_checkin
from sms.models import Message
from tests.conftest import replies
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def say(phone, member, body) -> list[str]:
    response = phone.text(member.phone, body)
    assert response.status_code == 200
    return replies(response)


def answers(checkin):
    return [(a.question.key, a.text, a.display_value) for a in checkin.answers.all()]


def test_a_full_check_in(phone, member):
    checkin = start_checkin(member)
    prompt = Message.objects.get(kind="prompt")
    assert prompt.body.startswith("Hi Dana, it's check-in time. How is your mood today")
    assert "urges" in say(phone, member, "4/5")[0]
    assert "slip" in say(phone, member, "like a 3 tbh")[0]
    thanks = say(phone, member, "nope")
    assert thanks[0].startswith("Thanks for checking in. Sam will see your answers.")
    checkin.refresh_from_db()
    assert checkin.status == "completed"
    assert answers(checkin) == [("mood", "4/5", 4), ("craving", "like a 3 tbh", 3), ("used", "nope", False)]


def test_low_mood_asks_the_safety_question(phone, member):
    start_checkin(member)
    say(phone, member, "2")
    say(phone, member, "0")
    assert "hurting yourself" in say(phone, member, "no")[0]
    assert say(phone, member, "no")[0].startswith("Thanks")


def test_a_reply_not_understood_is_asked_once_more_then_stored_as_null(phone, member):
    checkin = start_checkin(member)
    assert say(phone, member, "purple") == ["Sorry, I didn't get that. Please reply with a number from 1 to 5."]
    assert "urges" in say(phone, member, "still purple")[0]
    assert answers(checkin) == [("mood", "still purple", None)]


def test_out_of_range_number_is_asked_again(phone, member):
    start_checkin(member)
    say(phone, member, "3")
    assert say(phone, member, "12") == ["Sorry, I didn't get that. Please reply with a number from 0 to 10."]


def test_spanish_member_gets_spanish(phone, org):
    member = MemberFactory(organization=org, language="es", name="Luis Herrera")
    start_checkin(member)
    assert Message.objects.get(kind="prompt").body.startswith("Hola Luis")
    assert say(phone, member, "cuatro")[0].startswith("¿Qué tan fuertes")
    say(phone, member, "siete")
    assert say(phone, member, "sí")[0].startswith("Gracias")


def test_stop_sends_one_confirmation_then_silence(phone, member, deliver):
    start_checkin(member)
    assert say(phone, member, "STOP") == [
        "You're unsubscribed and will get no more texts from us. Reply START to resume."
    ]
    member.refresh_from_db()
    assert member.status == "opted_out" and member.next_checkin_at is None
    assert member.checkins.get().status == "incomplete"
    assert say(phone, member, "STOP") == []
    assert say(phone, member, "4") == []
    assert say(phone, member, "HELP") == []


def test_plain_language_opt_out_works_but_a_sentence_about_stopping_does_not(phone, member):
    start_checkin(member)
    assert say(phone, member, "i can't stop thinking about using") != []
    member.refresh_from_db()
    assert member.status == "active"
    assert "unsubscribed" in say(phone, member, "please stop texting me")[0]


def test_start_resumes_and_yes_opts_in_only_while_opted_out(phone, member):
    say(phone, member, "stop")
    assert say(phone, member, "START")[0].startswith("Welcome back")
    member.refresh_from_db()
    assert member.status == "active" and member.next_checkin_at is not None
    start_checkin(member)
    say(phone, member, "3")
    say(phone, member, "3")
    assert say(phone, member, "YES")[0].startswith("Thanks"), "YES answers the question when not opted out"


def test_help_names_the_program_how_to_stop_and_the_crisis_line(phone, member):
    reply = say(phone, member, "help")[0]
    assert reply.startswith("Daily check-in:") and "STOP" in reply and "988" in reply


def test_text_outside_a_check_in_is_kept_for_the_supporter(phone, member):
    reply = say(phone, member, "had a rough day at work")
    assert reply == ["Thanks for your message; Sam will see it. In a crisis call or text 988."]
    stored = Message.objects.get(direction="in")
    assert stored.member == member and stored.body == "had a rough day at work"
    assert say(phone, member, "and now it's raining") == [], "acknowledged once in a while, not every line"


def test_a_new_check_in_closes_the_open_one_as_incomplete(member):
    first = start_checkin(member)
    second = start_checkin(member)
    first.refresh_from_db()
    assert first.status == "incomplete" and second.status == "open"


def test_crisis_words_get_988_at_once_inside_a_check_in(phone, member):
    checkin = start_checkin(member)
    reply = say(phone, member, "1. honestly i want to die")
    assert "988" in reply[0]
    checkin.refresh_from_db()
    assert checkin.status == "incomplete"
    assert answers(checkin) == [("mood", "1. honestly i want to die", 1)]
    assert member.alerts.get(topic="crisis").severity == "crisis"


def test_discharged_member_gets_no_texts(phone, member):
    member.status = "discharged"
    member.save()
    assert say(phone, member, "hello") == []
    assert start_checkin(member) and not Message.objects.filter(kind="prompt").exists()


def test_checkin_status_choices_are_stable():
    assert {s.value for s in CheckIn.Status} == {"open", "completed", "incomplete", "missed", "skipped"}
