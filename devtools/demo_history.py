"""Three weeks of demo history, played through the real code paths on a frozen clock.

`make run` plays it once, on a fresh database (`manage.py demohistory`), so
the first look at the demo matches the README's screenshots; the screenshot
script (docs/screenshots/take.py) plays the same story. Development tooling:
it uses Django's test client and time-machine, and ships in no image.

The story: Dana's cravings rise over the last week (a warning that Sam
acknowledges and resolves, then today an urgent alert still waiting); Priya
has a slip (acknowledged and resolved); Luis misses two check-ins (a silence
alert); nobody acknowledges Marcus's falling mood in time, so it escalates to
Vera, who acknowledges it. A few missed check-ins, a re-asked answer or two,
and a few texts in members' own words.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import io
import itertools
import logging
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alerts.models import Alert
    from checkins.models import CheckIn, Member

SEED = 2026
DAYS = 21
STEP = dt.timedelta(minutes=5)

PASSWORD = "demo-pass-2026"
VERA = "vera@demo.example.org"
SAM = "sam@demo.example.org"
KIM = "kim@demo.example.org"
STAFF_PHONES = {VERA: "+15555550100", SAM: "+15555550101", KIM: "+15555550102"}
TWILIO_NUMBER = "+15555550000"

# --- The members' three weeks -----------------------------------------------------------
# One entry per scheduled check-in, day 0 being three weeks ago: (mood 1-5,
# craving 0-10, had a slip) or None for no reply (the check-in closes as missed).
# The last entry is today's check-in, which may not have happened yet.
N = None
PLANS: dict[str, list[tuple[int, int, bool] | None]] = {
    # Cravings rise in the last week; today's scheduled check-in goes unanswered
    # and the story ends with the check-in Sam starts (see Story.finale).
    "Dana Whitfield": [
        (4, 2, False), (4, 1, False), (3, 2, False), (4, 3, False), (4, 2, False), (4, 2, False), (3, 1, False),
        (4, 2, False), (4, 3, False), N, (4, 2, False), (4, 3, False), (3, 2, False), (4, 3, False),
        (3, 3, False), (3, 4, False), (3, 6, False), (3, 5, False), (3, 6, False), (3, 5, False), N,
    ],
    # Steady; two missed check-ins in a row (a broken phone).
    "Luis Herrera": [
        (4, 2, False), (4, 1, False), (5, 1, False), (4, 2, False), (4, 2, False), (4, 3, False), (4, 1, False),
        (5, 1, False), (4, 2, False), (4, 2, False), (3, 2, False), N, N, (4, 2, False),
        (4, 1, False), (4, 2, False), (5, 1, False), (4, 1, False), (4, 2, False), (4, 1, False), (4, 1, False),
    ],
    # A slip on day 7, then back on track.
    "Priya Natarajan": [
        (4, 2, False), (4, 3, False), (3, 2, False), (4, 2, False), (4, 3, False), (3, 4, False), (3, 4, False),
        (3, 4, True), (3, 3, False), (4, 2, False), (4, 2, False), (4, 1, False), N, (4, 2, False),
        (5, 1, False), (4, 2, False), (4, 2, False), (4, 1, False), (5, 1, False), (4, 2, False), (4, 1, False),
    ],
    # Mood falls day after day (5, 4, 3, 2); Kim does not see the alert in time.
    "Marcus Bell": [
        (4, 3, False), (4, 2, False), (3, 3, False), (4, 2, False), N, (4, 3, False), (4, 2, False),
        (4, 2, False), (3, 3, False), (4, 3, False), (4, 2, False), (4, 2, False), (4, 3, False), (5, 2, False),
        (4, 3, False), (3, 3, False), (2, 4, False), (3, 3, False), (3, 3, False), (3, 2, False), (3, 2, False),
    ],
    # Steady; one missed check-in, and one low day (a hard anniversary).
    "Rosa Jimenez": [
        (5, 1, False), (4, 0, False), (5, 1, False), (4, 1, False), (5, 0, False), (4, 2, False), N,
        (4, 1, False), (5, 1, False), (4, 1, False), (4, 2, False), (5, 1, False), (2, 3, False), (4, 1, False),
        (5, 1, False), (4, 1, False), (4, 1, False), (5, 0, False), (4, 1, False), (5, 1, False), (4, 1, False),
    ],
}
# (member, day, question) -> a first answer the reader cannot read: it is asked again.
MISREAD = {
    ("Marcus Bell", 2, "mood"): "ugh",
    ("Dana Whitfield", 5, "craving"): "idk",
    ("Rosa Jimenez", 11, "mood"): "uff",
}
# (member, day) -> a text of their own, a few minutes after that day's answers.
FREE_TEXTS = {
    ("Priya Natarajan", 8): "thanks for calling yesterday",
    ("Rosa Jimenez", 10): "¿podemos hablar mañana?",
    ("Luis Herrera", 13): "perdón por no contestar, se me rompió el teléfono",
    ("Dana Whitfield", 18): "rough week at work",
    ("Marcus Bell", 18): "thanks for the call",
}
SCALE_STYLES = {
    "en": ["{n}", "{n}", "{n}", "{w}", "like a {n}", "{n} today", "prob {n}", "{n} i guess", "{n}/{top}"],
    "es": ["{n}", "{n}", "{w}", "como un {n}", "{n} hoy"],
}
YES = {"en": ["yes", "yeah", "yes :("], "es": ["sí", "si :("]}
NO = {"en": ["no", "nope", "no", "nah"], "es": ["no", "no", "nada"]}
NUMBER_WORDS = {
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"],
    "es": ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez"],
}


# --- Three weeks of history ------------------------------------------------------------------


class Story:
    """Plays the history on a frozen clock. Django must be set up first."""

    def __init__(self, start: dt.datetime, end: dt.datetime, seed: int):
        from django.test import Client

        self.start, self.end = start, end
        self.rng = random.Random(seed)
        self.events: list[tuple[dt.datetime, int, Callable[[], None]]] = []
        self.order = itertools.count()
        self.sids = itertools.count(1)
        self.hook = Client()  # Twilio's side: signed webhook posts
        self.seen_checkin = 0
        self.seen_alert = 0
        self.seen_topics: set[tuple[str, str]] = set()
        self.members: dict[str, Member] = {}
        self.log: list[str] = []

    # -- the clock ------------------------------------------------------------------------------
    def at(self, when: dt.datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self.events, (when, next(self.order), action))

    def play(self) -> None:
        import time_machine
        from django.core.management import call_command

        from checkins.models import Member, Program

        with time_machine.travel(self.start, tick=False) as clock:
            self.clock = clock
            with contextlib.redirect_stdout(io.StringIO()):
                call_command("seeddemo")
            self.members = {m.name: m for m in Member.objects.all()}
            # A realistic acknowledgement timeout while the history plays (the
            # program's default, 15 minutes); the demo's 60 seconds come back
            # at the end, for watching an escalation live in the sandbox.
            Program.objects.update(ack_timeout_seconds=900)
            self.finale()
            now = self.start
            while now < self.end:
                now = min(now + STEP, self.end)
                while self.events and self.events[0][0] <= now:
                    when, _, action = heapq.heappop(self.events)
                    clock.move_to(max(when, dt.datetime.now(dt.UTC)))  # an action may have moved the clock on
                    action()
                    self.notice()
                clock.move_to(max(now, dt.datetime.now(dt.UTC)))
                self.tick(now)
                self.notice()
        Program.objects.update(ack_timeout_seconds=60)

    def tick(self, now: dt.datetime) -> None:
        """What beat and the workers do each minute, in that order."""
        from alerts import escalation
        from checkins import schedule
        from sms import outbox
        from sms.models import Message

        schedule.start_due_checkins(now)
        schedule.close_expired_checkins(now)
        escalation.escalate_due(now=now)
        if Message.objects.filter(status=Message.Status.QUEUED, direction=Message.Direction.OUTBOUND).exists():
            with contextlib.redirect_stdout(io.StringIO()):  # the console backend prints a line per text
                outbox.deliver(budget_seconds=30)

    def day_of(self, moment: dt.datetime) -> int:
        return int((moment - self.start).total_seconds() // 86400)

    # -- what happens after each step --------------------------------------------------------
    def notice(self) -> None:
        """New scheduled check-ins get their replies planned; new alerts their staff."""
        from alerts.models import Alert
        from checkins.models import CheckIn

        for checkin in CheckIn.objects.filter(pk__gt=self.seen_checkin).select_related("member").order_by("pk"):
            self.seen_checkin = checkin.pk
            if checkin.status == CheckIn.Status.OPEN and checkin.source == CheckIn.Source.SCHEDULE:
                self.plan_replies(checkin)
        for alert in Alert.objects.filter(pk__gt=self.seen_alert).select_related("member").order_by("pk"):
            self.seen_alert = alert.pk
            self.plan_response(alert)

    def plan_replies(self, checkin: CheckIn) -> None:
        name = checkin.member.name
        day = self.day_of(checkin.scheduled_for)
        plan = PLANS[name]
        if day >= len(plan) or plan[day] is None:
            return
        # Most people answer within the half hour; some take a couple of hours.
        minutes = min(150.0, self.rng.lognormvariate(2.7, 0.8))
        self.at(checkin.started_at + dt.timedelta(minutes=minutes), lambda: self.answer(name, day, plan[day]))

    def answer(self, name: str, day: int, values: tuple[int, int, bool]) -> None:
        from checkins.models import CheckIn

        member = self.members[name]
        mood, craving, used = values
        asked_again: set[str] = set()
        for _ in range(8):
            checkin = (
                CheckIn.objects.filter(member=member, status=CheckIn.Status.OPEN)
                .select_related("current_question")
                .first()
            )
            if checkin is None or checkin.current_question is None:
                break
            key = checkin.current_question.key
            if (name, day, key) in MISREAD and key not in asked_again:
                asked_again.add(key)
                body = MISREAD[(name, day, key)]
            elif key == "mood":
                body = self.scale(member.language, mood, 5)
            elif key == "craving":
                body = self.scale(member.language, craving, 10)
            elif key == "used":
                body = self.rng.choice((YES if used else NO)[member.language])
            else:  # safety, and any question added later: no
                body = self.rng.choice(NO[member.language])
            self.text(member.phone, body)
            self.clock.shift(dt.timedelta(seconds=self.rng.randint(20, 90)))
        if (name, day) in FREE_TEXTS:
            self.clock.shift(dt.timedelta(minutes=self.rng.randint(3, 12)))
            self.text(member.phone, FREE_TEXTS[(name, day)])

    def scale(self, language: str, value: int, top: int) -> str:
        style = self.rng.choice(SCALE_STYLES[language])
        return style.format(n=value, w=NUMBER_WORDS[language][value], top=top)

    def finale(self) -> None:
        """Today: Dana did not answer this morning's check-in (or it has not come
        yet), so Sam starts one from her page; she answers with a craving of 9
        a few minutes before the screenshots."""
        dana = self.members["Dana Whitfield"]

        def sam_starts() -> None:
            from checkins import schedule
            from checkins.models import CheckIn

            now = dt.datetime.now(dt.UTC)
            schedule.close_expired_checkins(now)  # the beat's own tick, a moment early
            morning = CheckIn.objects.filter(member=dana, status=CheckIn.Status.OPEN).first()
            if morning is not None and morning.closes_at > self.end - dt.timedelta(minutes=5):
                return  # she answers this morning's check-in, late
            if morning is not None and morning.closes_at < self.end - dt.timedelta(minutes=11):
                # Wait until it closes as missed, then start a new one.
                self.at(morning.closes_at + dt.timedelta(minutes=1), sam_starts)
                return
            self.web(SAM, f"/members/{dana.pk}/checkin", {})

        def dana_answers() -> None:
            for body in ("3", "like a 9", "no"):
                self.text(dana.phone, body)
                self.clock.shift(dt.timedelta(seconds=40))

        self.at(self.end - dt.timedelta(minutes=40), sam_starts)
        self.at(self.end - dt.timedelta(minutes=9), dana_answers)

    # -- the staff --------------------------------------------------------------------------------
    def plan_response(self, alert: Alert) -> None:
        """How staff deal with each alert as it comes, by member and topic."""
        name, topic = alert.member.name, alert.topic
        first_time = (name, topic) not in self.seen_topics
        self.seen_topics.add((name, topic))
        created = alert.created_at
        minutes = lambda n: created + dt.timedelta(minutes=n)  # noqa: E731
        pk = alert.pk
        if name == "Dana Whitfield" and topic == "craving" and first_time:
            self.at(minutes(9), lambda: self.ack_by_text(SAM, pk))
            later = created + dt.timedelta(days=2, hours=5)
            self.at(later, lambda: self.note(SAM, pk, "Called her: stressful week at work, urges mostly in the "
                                                      "evening. She plans to go to the Thursday meeting."))
            self.at(later + dt.timedelta(minutes=2), lambda: self.resolve(SAM, pk, "Reached by phone, safe; "
                                                                                  "going to a meeting tonight."))
        elif name == "Dana Whitfield" and topic == "craving":
            pass  # today's alert: still waiting for Sam
        elif name == "Priya Natarajan" and topic == "use":
            self.at(minutes(6), lambda: self.ack_by_text(SAM, pk))
            self.at(minutes(95), lambda: self.note(SAM, pk, "Called: one drink at a family party, safe, back on plan."))
            self.at(minutes(97), lambda: self.resolve(SAM, pk, "Reached by phone, safe; seeing her sponsor tomorrow."))
        elif name == "Luis Herrera" and topic == "silence":
            self.at(minutes(11), lambda: self.web(SAM, f"/alerts/{pk}/acknowledge", {}))
            self.at(created + dt.timedelta(days=1, hours=3),
                    lambda: self.resolve(SAM, pk, "His phone was broken; has a new one. Doing fine."))
        elif name == "Rosa Jimenez" and topic == "mood":
            self.at(minutes(8), lambda: self.ack_by_text(KIM, pk))
            self.at(minutes(100), lambda: self.resolve(KIM, pk, "Talked it through by phone: a hard anniversary. "
                                                                 "Safe, with plans for tonight."))
        elif name == "Marcus Bell" and topic == "mood":
            # Kim misses the text: after 15 minutes it escalates to Vera, who acknowledges.
            self.at(minutes(27), lambda: self.ack_by_text(VERA, pk))
            self.at(created + dt.timedelta(days=1, hours=2),
                    lambda: self.note(KIM, pk, "Spoke with Marcus: he lost his job this week. Added the Wednesday "
                                               "group; I will call again Friday."))
        else:
            # Not in the script: acknowledged quickly and resolved by the supporter.
            self.log.append(f"unscripted alert {pk}: {name}, {topic}, {alert.severity}")
            email = SAM if alert.member.supporter.phone == STAFF_PHONES[SAM] else KIM
            self.at(minutes(8), lambda: self.ack_by_text(email, pk))
            self.at(minutes(180), lambda: self.resolve(email, pk, "Checked in by phone; doing OK."))

    def ack_by_text(self, email: str, alert_id: int) -> None:
        from alerts.models import Alert

        if Alert.objects.filter(pk=alert_id, status=Alert.Status.OPEN).exists():
            self.text(STAFF_PHONES[email], f"ACK {alert_id}")

    def note(self, email: str, alert_id: int, note: str) -> None:
        self.web(email, f"/alerts/{alert_id}/note", {"note": note})

    def resolve(self, email: str, alert_id: int, outcome: str) -> None:
        self.web(email, f"/alerts/{alert_id}/resolve", {"outcome": outcome})

    # -- the two ways in: a signed text, and the web app ---------------------------------
    def text(self, phone: str, body: str) -> None:
        from devtools.twilio_signing import signature_for

        path = "/sms/twilio/inbound"
        params = {"MessageSid": f"SMde{next(self.sids):030d}", "From": phone, "To": TWILIO_NUMBER, "Body": body}
        response = self.hook.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature_for(path, params))
        if response.status_code != 200:
            raise RuntimeError(f"inbound webhook answered {response.status_code}")

    def web(self, email: str, path: str, data: dict[str, str]) -> None:
        """A staff member signs in (sessions last 12 hours, so once per visit) and posts a form."""
        from django.test import Client

        browser = Client()
        response = browser.post("/login/", {"email": email, "password": PASSWORD})
        if response.status_code != 302:
            raise RuntimeError(f"sign-in as {email} answered {response.status_code}")
        response = browser.post(path, data)
        if response.status_code != 302 or response.url.startswith("/login/"):
            raise RuntimeError(f"POST {path} as {email} answered {response.status_code} {response.get('Location')}")

    def summary(self) -> str:
        from alerts.models import Alert
        from checkins.models import CheckIn

        lines = []
        for name, member in self.members.items():
            statuses = list(member.checkins.order_by("scheduled_for").values_list("status", flat=True))
            counted = {s: statuses.count(s) for s in sorted(set(statuses))}
            lines.append(f"  {name}: {len(statuses)} check-ins {counted}")
        for alert in Alert.objects.select_related("member").order_by("pk"):
            lines.append(
                f"  alert {alert.pk}: {alert.member.name}, {alert.topic}, {alert.severity}, {alert.status}, "
                f"escalation level {alert.escalation_level}, raised {alert.created_at:%b %d %H:%M}"
            )
        duplicates = (
            CheckIn.objects.values("member_id", "scheduled_for").order_by().distinct().count()
            != CheckIn.objects.count()
        )
        lines.append(f"  duplicated check-ins: {'YES' if duplicates else 'none'}")
        return "\n".join(lines + [f"  {line}" for line in self.log])


def play(days: int = DAYS, seed: int = SEED) -> Story:
    """Seed the demo organization `days` ago and play the story up to now.
    Django must be set up; the database must be migrated and hold no demo yet."""
    from django.conf import settings

    # Simulated time does not wait for the real send rate.
    settings.SMS_MESSAGES_PER_SECOND = 10_000
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    logging.getLogger("sms").setLevel(logging.WARNING)
    end = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    story = Story(start=end - dt.timedelta(days=days), end=end, seed=seed)
    story.play()
    return story
