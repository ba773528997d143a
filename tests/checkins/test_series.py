"""Question series (checkins.series): BARC-10 and a supervisor's own, over weeks of time travel."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from checkins import series as engine
from checkins.models import CheckIn, Member, Question, SeriesDue, SeriesScore
from checkins.pausing import pause
from checkins.schedule import close_expired_checkins, start_checkin, start_due_checkins
from sms.models import Message
from tests.conftest import replies
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=NY)


def say(phone, member, body) -> list[str]:
    response = phone.text(member.phone, body)
    assert response.status_code == 200
    return replies(response)


def answer_series(phone, member, body) -> list[str]:
    """The replies to a text and the series' next question (sent as a prompt through the outbox)."""
    before = Message.objects.filter(member=member, kind=Message.Kind.PROMPT).count()
    got = say(phone, member, body)
    return got + prompts(member)[before:]


def tick(now: dt.datetime) -> int:
    """What the beat does every minute: daily check-ins, series, closing."""
    start_due_checkins(now)
    started = engine.start_due_series(now)
    close_expired_checkins(now)
    return started


def prompts(member, **filters) -> list[str]:
    return list(
        Message.objects.filter(member=member, kind=Message.Kind.PROMPT, **filters).order_by("id").values_list(
            "body", flat=True
        )
    )


def answer_daily(phone, member):
    say(phone, member, "4")
    say(phone, member, "1")
    assert say(phone, member, "no")[0].startswith("Thanks for checking in")


def barc10_for(member, on=True):
    series = engine.install_builtin(member.program)
    if on:
        engine.turn_on(series)
    return series


BARC_WORDS_EN = [
    "strongly agree", "agree", "5", "somewhat agree", "disagree", "six", "somewhat disagree", "Strongly agree!",
    "4", "I agree",
]  # fmt: skip
BARC_WORDS_EN_VALUES = [6, 5, 5, 4, 2, 6, 3, 6, 4, 5]

BARC_WORDS_ES = [
    "totalmente de acuerdo", "de acuerdo", "cinco", "algo de acuerdo", "en desacuerdo", "6", "algo en desacuerdo",
    "muy de acuerdo", "no estoy de acuerdo", "totalmente en desacuerdo",
]  # fmt: skip
BARC_WORDS_ES_VALUES = [6, 5, 5, 4, 2, 6, 3, 6, 2, 1]


# --- The default program is unchanged ------------------------------------------------


def test_no_series_on_means_no_timers_and_the_same_texts(phone, org, supporter):
    with time_machine.travel(local("2026-03-02 07:00"), tick=False):
        member = MemberFactory(organization=org, supporter=supporter, name="Dana Whitfield")
    assert not SeriesDue.objects.exists()
    for day in range(14):
        with time_machine.travel(local("2026-03-02 09:00") + dt.timedelta(days=day), tick=False) as traveller:
            assert tick(dt.datetime.now(dt.UTC)) == 0
            answer_daily(phone, member)
            traveller.shift(dt.timedelta(hours=4))
            tick(dt.datetime.now(dt.UTC))
    bodies = prompts(member)
    assert len(bodies) == 14 and all(b.startswith("Hi Dana, it's check-in time. How is your mood") for b in bodies)
    assert not CheckIn.objects.filter(series__isnull=False).exists()
    assert [q.key for q in member.program.active_questions()] == ["mood", "craving", "used", "safety"]


def test_an_installed_series_that_is_off_asks_nothing_and_changes_no_daily_question(org, member):
    barc10_for(member, on=False)
    assert not SeriesDue.objects.exists()
    assert [q.key for q in member.program.active_questions()] == ["mood", "craving", "used", "safety"]
    assert engine.start_due_series(dt.datetime.now(dt.UTC) + dt.timedelta(days=60)) == 0


# --- BARC-10 at enrolment, then every 30 days ------------------------------------------


def test_barc10_at_enrolment_then_every_30_days_answered_in_words(phone, org, supporter):
    with time_machine.travel(local("2026-03-01 12:00"), tick=False):
        member = MemberFactory(organization=org, supporter=supporter, name="Dana Whitfield")
        series = barc10_for(member)
        due = SeriesDue.objects.get(member=member, series=series)
        # First asked at the member's next local check-in time.
        assert due.next_at == local("2026-03-02 09:00")

    scores = []
    for cycle, words in enumerate([BARC_WORDS_EN, ["2"] * 10, BARC_WORDS_EN]):
        day = local("2026-03-02 09:00") + dt.timedelta(days=30 * cycle)
        with time_machine.travel(day, tick=False) as traveller:
            now = dt.datetime.now(dt.UTC)
            # The daily check-in is due at the same minute: it goes first; the series waits.
            assert tick(now) == 0
            assert CheckIn.objects.get(member=member, status="open").series is None
            answer_daily(phone, member)
            traveller.shift(dt.timedelta(minutes=1))
            # Not while the member's replies still count towards the flood limit (10 in 10 minutes).
            assert tick(dt.datetime.now(dt.UTC)) == 0
            traveller.shift(dt.timedelta(minutes=10))
            assert tick(dt.datetime.now(dt.UTC)) == 1
            first = prompts(member, checkin__series=series)[-1]
            assert first.startswith("Hi Dana. 10 short questions about how things are going")
            assert "1/10: There are more important things to me in life than using substances." in first
            assert first.endswith("Reply 1 (strongly disagree) to 6 (strongly agree).")
            for number, word in enumerate(words, start=1):
                reply = answer_series(phone, member, word)
                if number < 10:
                    assert reply[0].startswith(f"{number + 1}/10: ")
            assert reply == ["Thanks, that's all. Sam will see your answers. In a crisis call or text 988."]
            scores.append(SeriesScore.objects.filter(member=member).first().score)
            due.refresh_from_db()
            assert due.next_at == (day + dt.timedelta(days=30)).astimezone(dt.UTC)
            # Nothing more this month, whatever the ticks.
            for hours in (1, 5, 24, 24 * 10):
                assert tick(dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)) == 0 or hours >= 24
    assert scores == [sum(BARC_WORDS_EN_VALUES), 20, sum(BARC_WORDS_EN_VALUES)]
    assert SeriesScore.objects.filter(member=member).count() == 3


def test_barc10_in_spanish_words_and_numbers(phone, org, supporter):
    with time_machine.travel(local("2026-03-01 12:00"), tick=False):
        member = MemberFactory(organization=org, supporter=supporter, language="es", name="Luis Herrera")
        series = barc10_for(member)
    with time_machine.travel(local("2026-03-02 09:00"), tick=False) as traveller:
        start_due_checkins(dt.datetime.now(dt.UTC))
        say(phone, member, "4")
        say(phone, member, "1")
        say(phone, member, "no")
        traveller.shift(dt.timedelta(minutes=11))
        assert engine.start_due_series(dt.datetime.now(dt.UTC)) == 1
        first = prompts(member, checkin__series=series)[-1]
        assert first.startswith("Hola Luis. 10 preguntas cortas")
        assert first.endswith("Responde del 1 (totalmente en desacuerdo) al 6 (totalmente de acuerdo).")
        for word in BARC_WORDS_ES:
            reply = answer_series(phone, member, word)
        assert reply[0].startswith("Gracias, eso es todo. Sam verá tus respuestas.")
    assert SeriesScore.objects.get(member=member).score == sum(BARC_WORDS_ES_VALUES)


# --- The scoring table -----------------------------------------------------------------

SCORING = [
    ([1] * 10, 10),
    ([6] * 10, 60),
    ([5, 5, 5, 5, 5, 4, 4, 5, 5, 4], 47),
    ([3, 4, 2, 6, 1, 5, 3, 4, 2, 6], 36),
    ([6, 6, 6, 6, 6, 6, 6, 6, 6, None], None),  # a missing answer: no score
    ([None] * 10, None),
    ([], None),
]


@pytest.mark.parametrize("answers, total", SCORING)
def test_the_scoring_table(answers, total):
    assert engine.score_of(answers) == total


def _start_barc10_now(member, series):
    start_checkin(member)  # the daily one, closed before the series starts
    member.checkins.filter(status="open").update(status="completed")
    SeriesDue.objects.filter(member=member).update(next_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    Member.objects.filter(pk=member.pk).update(next_checkin_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    with time_machine.travel(local("2026-03-02 10:00"), tick=False):
        assert engine.start_due_series(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)) == 1
    return CheckIn.objects.get(member=member, series=series, status="open")


def test_a_reply_not_understood_twice_stores_no_score(phone, member):
    series = barc10_for(member)
    with time_machine.travel(local("2026-03-02 10:00"), tick=False):
        checkin = _start_barc10_now(member, series)
        say(phone, member, "5")
        assert say(phone, member, "purple") == ["Sorry, I didn't get that. Please reply with a number from 1 to 6."]
        assert answer_series(phone, member, "neutral")[0].startswith("3/10: ")
        for _ in range(8):
            reply = say(phone, member, "agree")
    assert reply[0].startswith("Thanks, that's all.")
    checkin.refresh_from_db()
    assert checkin.status == "completed"
    assert [a.value for a in checkin.answers.order_by("question__position")][:3] == [5, None, 5]
    assert not SeriesScore.objects.exists()


# --- A supervisor's own series -------------------------------------------------------------


def meetings_series(program, **extra):
    return engine.create_custom(
        program,
        name="Meetings attended",
        key="meetings",
        every_days=7,
        at_enrolment=False,
        questions=[
            {
                "key": "meetings",
                "kind": "scale",
                "scale_min": 0,
                "scale_max": 7,
                "text_en": "How many meetings did you go to this week, 0 to 7?",
                "text_es": "¿A cuántas reuniones fuiste esta semana, del 0 al 7?",
            },
            {
                "key": "meetings_help",
                "kind": "yes_no",
                "text_en": "Would you like help finding a meeting? Reply YES or NO.",
                "text_es": "¿Quieres ayuda para encontrar una reunión? Responde SÍ o NO.",
                "ask_if_key": "meetings",
                "ask_if_at_most": 0,
            },
        ],
        **extra,
    )


def test_a_weekly_meetings_series_over_four_weeks(phone, org, supporter):
    with time_machine.travel(local("2026-03-01 12:00"), tick=False):
        member = MemberFactory(organization=org, supporter=supporter, name="Dana Whitfield")
        series = meetings_series(member.program)
        engine.turn_on(series)
        # Not at enrolment: first a week from today, at the check-in time.
        assert SeriesDue.objects.get(member=member).next_at == local("2026-03-08 09:00")
    got = []
    for week, reply in enumerate(["3", "zero", "seven", "2"]):
        day = local("2026-03-08 09:00") + dt.timedelta(days=7 * week)
        with time_machine.travel(day, tick=False) as traveller:
            tick(dt.datetime.now(dt.UTC))
            answer_daily(phone, member)
            traveller.shift(dt.timedelta(minutes=11))
            assert tick(dt.datetime.now(dt.UTC)) == 1
            assert prompts(member, checkin__series=series)[-1] == (
                "How many meetings did you go to this week, 0 to 7?"
            )
            texts = say(phone, member, reply)
            if reply == "zero":
                assert texts == []
                assert prompts(member)[-1] == "Would you like help finding a meeting? Reply YES or NO."
                texts = say(phone, member, "yes please")
            assert texts[0].startswith("Thanks, that's all.")
            got.append(SeriesScore.objects.filter(member=member).first().score)
    # The sum of the answers: 0 meetings + yes (1) the second week.
    assert got == [3, 1, 7, 2]
    assert member.program.active_questions()[0].key == "mood"


def test_custom_series_validation_names_the_field(org):
    program = org.programs.get()
    cases = [
        ({"name": ""}, "name"),
        ({"key": "Bad Key!"}, "key"),
        ({"every_days": 0}, "every_days"),
        ({"questions": []}, "questions"),
        ({"questions": [{"key": "mood", "text_en": "x", "scale_min": 0, "scale_max": 3}]}, "questions.0.key"),
        ({"questions": [{"key": "q", "text_en": "x", "scale_min": 5, "scale_max": 3}]}, "questions.0.scale_max"),
        ({"questions": [{"key": "q", "kind": "yes_no", "text_en": ""}]}, "questions.0.text_en"),
        ({"questions": [{"key": "q", "kind": "yes_no", "text_en": "x", "ask_if_key": "nope"}]}, "questions.0.ask_if_key"),
        ({"scoring": "none", "alert_drop": 3}, "scoring"),
    ]
    for change, field in cases:
        args = {
            "name": "Weekly",
            "key": "weekly",
            "questions": [{"key": "q1", "kind": "yes_no", "text_en": "Did you go? Reply YES or NO."}],
            **change,
        }
        with pytest.raises(engine.SeriesError) as error:
            engine.create_custom(program, **args)
        assert error.value.field == field, change


# --- Never in the way ----------------------------------------------------------------------


def test_a_series_never_interrupts_an_open_daily_check_in(phone, org, supporter):
    with time_machine.travel(local("2026-03-01 12:00"), tick=False):
        member = MemberFactory(organization=org, supporter=supporter)
        series = barc10_for(member)
    with time_machine.travel(local("2026-03-02 09:00"), tick=False) as traveller:
        tick(dt.datetime.now(dt.UTC))
        daily = CheckIn.objects.get(member=member, status="open")
        say(phone, member, "4")  # half-way through
        for minutes in (1, 30, 90):
            traveller.move_to(local("2026-03-02 09:00") + dt.timedelta(minutes=minutes))
            assert tick(dt.datetime.now(dt.UTC)) == 0
        daily.refresh_from_db()
        assert daily.status == "open" and daily.answers.count() == 1
        # The daily check-in's window ends (3 h): then the series comes.
        traveller.move_to(local("2026-03-02 12:00"))
        tick(dt.datetime.now(dt.UTC))
        daily.refresh_from_db()
        assert daily.status == "incomplete"
        traveller.move_to(local("2026-03-02 12:01"))
        assert tick(dt.datetime.now(dt.UTC)) == 1
        assert CheckIn.objects.get(member=member, status="open").series == series


def test_a_series_waits_for_the_sending_window(org, supporter):
    with time_machine.travel(local("2026-03-01 12:00"), tick=False):
        member = MemberFactory(organization=org, supporter=supporter)
        series = barc10_for(member)
    SeriesDue.objects.filter(series=series).update(next_at=local("2026-03-02 21:30"))
    with time_machine.travel(local("2026-03-02 21:31"), tick=False):
        assert engine.start_due_series(dt.datetime.now(dt.UTC)) == 0
    # Moved to the member's next check-in time (inside the window).
    assert SeriesDue.objects.get(series=series).next_at == local("2026-03-03 09:00")


@pytest.mark.parametrize("state", ["paused", "opted_out", "discharged"])
def test_never_for_a_paused_opted_out_or_discharged_member_and_the_time_moves_on(org, supporter, state):
    with time_machine.travel(local("2026-03-01 12:00"), tick=False):
        member = MemberFactory(organization=org, supporter=supporter)
        series = barc10_for(member)
        if state == "paused":
            pause(member, until=dt.date(2026, 5, 1), reason="travel", by=None)
        elif state == "opted_out":
            member.opt_out()
        else:
            Member.objects.filter(pk=member.pk).update(status="discharged")
    for days in (1, 31, 61):
        with time_machine.travel(local("2026-03-02 10:00") + dt.timedelta(days=days - 1), tick=False):
            assert engine.start_due_series(dt.datetime.now(dt.UTC)) == 0
    assert not CheckIn.objects.filter(series=series).exists()
    assert not Message.objects.filter(member=member, kind="prompt").exists()
    assert SeriesDue.objects.get(series=series).next_at > local("2026-05-01 00:00")


def test_crisis_words_mid_series_still_get_the_988_reply(phone, member):
    from alerts.models import Alert

    series = barc10_for(member)
    with time_machine.travel(local("2026-03-02 10:00"), tick=False):
        checkin = _start_barc10_now(member, series)
        say(phone, member, "agree")
        reply = say(phone, member, "honestly i want to kill myself")
    assert "988" in reply[0] and reply == [member.program.crisis_text("en")]
    checkin.refresh_from_db()
    assert checkin.status == "incomplete"
    assert Alert.objects.get(member=member).severity == "crisis"
    assert not SeriesScore.objects.exists()


def test_stop_and_help_mid_series(phone, member):
    series = barc10_for(member)
    with time_machine.travel(local("2026-03-02 10:00"), tick=False):
        checkin = _start_barc10_now(member, series)
        assert "STOP" in say(phone, member, "HELP")[0]
        assert say(phone, member, "STOP")[0].startswith("You're unsubscribed")
    checkin.refresh_from_db()
    assert checkin.status == "incomplete"


def test_an_unanswered_series_is_not_a_missed_check_in(org, member, django_capture_on_commit_callbacks):
    from alerts.models import Alert

    series = barc10_for(member)
    with time_machine.travel(local("2026-03-02 10:00"), tick=False):
        checkin = _start_barc10_now(member, series)
    with django_capture_on_commit_callbacks(execute=True):
        for hours in (4, 8):
            close_expired_checkins(local("2026-03-02 10:00") + dt.timedelta(hours=hours))
    checkin.refresh_from_db()
    assert checkin.status == "missed"
    assert not Alert.objects.filter(member=member).exists()


def test_a_new_member_of_a_program_with_a_series_on_gets_a_timer(api, org, supervisor, supporter):
    series = barc10_for(MemberFactory(organization=org, supporter=supporter))
    response = api.as_(supervisor).post(
        "/members",
        {
            "name": "Rae New",
            "phone": "+13125550999",
            "timezone": "America/Chicago",
            "language": "en",
            "program_id": org.programs.get().pk,
            "supporter_id": supporter.pk,
            "checkin_time": "10:00",
            "consent": True,
        },
    )
    assert response.status_code == 201, response.content
    due = SeriesDue.objects.get(series=series, member_id=response.json()["id"])
    assert due.next_at.astimezone(ZoneInfo("America/Chicago")).time() == dt.time(10, 0)


def test_turning_off_removes_the_timers_and_on_again_restores_them(org, member):
    series = barc10_for(member)
    assert SeriesDue.objects.filter(series=series).count() == 1
    engine.turn_off(series)
    assert not SeriesDue.objects.exists()
    engine.turn_on(series)
    assert SeriesDue.objects.filter(series=series).count() == 1


def test_barc10_definition_is_ten_items_of_six_points():
    definition = engine.builtins()["barc10"]
    assert len(definition["items"]) == 10
    assert all(item["en"] and item["es"] for item in definition["items"])
    assert (definition["scale_min"], definition["scale_max"]) == (1, 6)
    assert "not a validated" in definition["translation_es"]


def test_barc10_questions_fit_in_two_texts(org):
    series = engine.install_builtin(org.programs.get())
    questions = series.active_questions()
    assert [q.key for q in questions] == [f"barc10_{n}" for n in range(1, 11)]
    assert all(q.kind == Question.Kind.SCALE and len(q.text_en) <= 306 and len(q.text_es) <= 306 for q in questions)


def test_moving_to_another_program_moves_the_timers(api, org, supervisor, member):
    from checkins.programs import create_default_program

    series = barc10_for(member)
    other = create_default_program(org, name="Evening group")
    weekly = meetings_series(other)
    engine.turn_on(weekly)
    response = api.as_(supervisor).patch(f"/members/{member.pk}", {"program_id": other.pk})
    assert response.status_code == 200, response.content
    assert list(SeriesDue.objects.filter(member=member).values_list("series_id", flat=True)) == [weekly.pk]
    assert SeriesDue.objects.filter(series=series).count() == 0
