"""Take the README's screenshots from a fresh demo with three weeks of history.

Run it from the repository root:

    make screenshots
    # or, with the venv already set up:
    .venv/bin/python docs/screenshots/take.py

It needs Debian's Chromium at /usr/bin/chromium (`make chromium`) and
Playwright and time-machine in the venv (both come with `pip install -e ".[test]"`).
If `pngquant` is on PATH the PNGs are quantized afterwards (apt-get install pngquant).

What it does, in order:

1. Makes a temporary directory with its own SQLite database
   (DATABASE_URL=sqlite:///<tmp>/db.sqlite3, DEBUG=true, SMS_BACKEND=console,
   no REDIS_URL), so it never touches var/db.sqlite3 or anyone's PostgreSQL.
2. Runs `manage.py migrate`, then the `seeddemo` command with the clock set
   three weeks back (time-machine), so the demo organization is enrolled on
   the first day of the history.
3. Plays three weeks of history through the real code paths, on a frozen clock
   moved forward in 5-minute steps: each step runs the same ticks as the beat
   (start due check-ins, close expired ones, escalate due alerts, send the
   outbox). Members reply with signed POSTs to /sms/twilio/inbound; staff
   acknowledge by texting ACK, and add notes and resolve alerts through the
   web views, signed in with Django's test client. Everything is scripted or
   drawn from a seeded random generator, so a run is reproducible (only the
   dates move with the day it is run).
4. Starts `manage.py runlocal` on a free port with the same environment and
   takes the screenshots with Playwright in headless Chromium.
5. Stops the server and removes the temporary directory, also on failure.

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
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from alerts.models import Alert
    from checkins.models import CheckIn, Member

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = Path(__file__).resolve().parent
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

SEED = 2026
DAYS = 21
STEP = dt.timedelta(minutes=5)
PREFERRED_PORT = 8765  # stable links in the staff texts when it is free; any free port otherwise
DESKTOP = {"width": 1100, "height": 760}
PHONE = {"width": 390, "height": 844}
TIME_ZONE = "America/New_York"  # the browser's, as a Riverside supporter's would be

PASSWORD = "demo-pass-2026"
VERA = "vera@demo.example.org"
SAM = "sam@demo.example.org"
KIM = "kim@demo.example.org"
STAFF_PHONES = {VERA: "+15555550100", SAM: "+15555550101", KIM: "+15555550102"}
TWILIO_NUMBER = "+15555550000"
# The application's own settings: none of them may leak in from the caller's shell.
APP_VARIABLES = [
    "DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "PUBLIC_BASE_URL", "CSRF_TRUSTED_ORIGINS",
    "SMS_BACKEND", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "TWILIO_MESSAGING_SERVICE_SID",
    "TWILIO_API_BASE_URL", "SMS_MESSAGES_PER_SECOND", "DJANGO_SETTINGS_MODULE",
]  # fmt: skip

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
    ("Marcus Bell", 2, "mood"): "meh",
    ("Dana Whitfield", 5, "craving"): "idk",
    ("Rosa Jimenez", 11, "mood"): "bien",
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


# --- The environment ----------------------------------------------------------------------


def free_port() -> int:
    """PREFERRED_PORT when nothing listens there, else any free port."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as runserver does: TIME_WAIT is free
        try:
            probe.bind(("127.0.0.1", PREFERRED_PORT))
            return PREFERRED_PORT
        except OSError:
            pass
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo_environment(tmp: Path, base_url: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in APP_VARIABLES}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        DEBUG="true",
        SMS_BACKEND="console",
        PUBLIC_BASE_URL=base_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


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
        from checkins.models import CheckIn, Member

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
        from checkins.models import CheckIn, Member

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
            from checkins.models import CheckIn, Member

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
        from checkins.models import CheckIn, Member

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


def play_history(env: dict[str, str]) -> dict[str, int]:
    """Set Django up in this process on the demo database, play the story, and
    return the ids the screenshots need."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    from alerts.models import Alert
    from checkins.models import Member

    # Simulated time does not wait for the real send rate.
    settings.SMS_MESSAGES_PER_SECOND = 10_000
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    logging.getLogger("sms").setLevel(logging.WARNING)

    end = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    story = Story(start=end - dt.timedelta(days=DAYS), end=end, seed=SEED)
    story.play()
    print(story.summary())
    members = {m.name: m.pk for m in Member.objects.all()}
    ids = {
        "dana": members["Dana Whitfield"],
        "rosa": members["Rosa Jimenez"],
        "dana_alert": Alert.objects.filter(member_id=members["Dana Whitfield"], status=Alert.Status.OPEN)
        .values_list("pk", flat=True)
        .get(),
        "escalated_alert": Alert.objects.filter(member_id=members["Marcus Bell"], escalation_level__gte=1)
        .values_list("pk", flat=True)
        .first(),
    }
    connections.close_all()  # the server opens the database next
    return ids


# --- The server and the browser ------------------------------------------------------------


@contextlib.contextmanager
def running_server(env: dict[str, str], port: int, log_path: Path) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [PYTHON, "manage.py", "runlocal", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=2):
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"runlocal did not start; see its log:\n{log_path.read_text()}") from None
                    time.sleep(0.3)
            yield base
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait()


def new_page(browser: Browser, viewport: dict[str, int]) -> Page:
    # app.js tells the server the browser's time zone: times on the pages read as the program's staff see them.
    context = browser.new_context(viewport=viewport, timezone_id=TIME_ZONE, locale="en-US")
    context.set_default_timeout(15_000)
    return context.new_page()


def sign_in(browser: Browser, base: str, email: str, viewport: dict[str, int]) -> Page:
    page = new_page(browser, viewport)
    page.goto(base + "/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    return page


def shoot(page: Page, name: str, full_page: bool = False) -> Path:
    """The viewport, or the whole page down to the footer. (Screen-reader-only
    labels inside the scrolling message threads stretch the document far below
    the footer, so a plain full-page shot would end in a long empty strip.)"""
    page.wait_for_load_state("networkidle")
    path = OUT_DIR / f"{name}.png"
    if full_page:
        bottom = page.evaluate(
            "() => Math.ceil(document.querySelector('footer').getBoundingClientRect().bottom + window.scrollY) + 16"
        )
        width = page.viewport_size["width"]
        page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": bottom})
    else:
        page.screenshot(path=str(path))
    return path


def take_screenshots(base: str, ids: dict[str, int]) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = new_page(browser, DESKTOP)
            page.goto(base + "/login/")
            shots.append(shoot(page, "sign-in"))

            # Sam, the supporter: his queue, Dana's page, and today's alert on his phone.
            page = sign_in(browser, base, SAM, DESKTOP)
            expect(page.locator(f"#alert-{ids['dana_alert']}")).to_be_visible()
            shots.append(shoot(page, "home", full_page=True))
            page.goto(f"{base}/members/{ids['dana']}")
            shots.append(shoot(page, "member", full_page=True))
            phone = sign_in(browser, base, SAM, PHONE)
            phone.goto(f"{base}/alerts/{ids['dana_alert']}")
            shots.append(shoot(phone, "alert-phone"))

            # Vera, the supervisor: the escalated alert, review, settings, the sandbox.
            page = sign_in(browser, base, VERA, DESKTOP)
            page.goto(f"{base}/alerts/{ids['escalated_alert']}")
            shots.append(shoot(page, "alert", full_page=True))
            page.goto(base + "/review/")
            shots.append(shoot(page, "review", full_page=True))
            page.goto(base + "/settings/")
            shots.append(shoot(page, "settings"))

            page.set_viewport_size({"width": 1100, "height": 900})
            page.goto(base + "/sandbox/")
            rosa = page.locator(f"#phone-m{ids['rosa']}")
            rosa.get_by_role("button", name="Start a check-in for Rosa Jimenez").click()
            # The newest text on her phone (earlier days' questions are further up the thread).
            newest = page.locator(f"#thread-m{ids['rosa']} li").last
            expect(newest).to_contain_text("¿Cómo está tu ánimo hoy")
            reply = page.get_by_label("Text from Rosa Jimenez")
            for answer, next_question in (("4", "¿Qué tan fuertes son tus ganas"), ("dos", "¿tuviste un tropiezo?")):
                reply.fill(answer)
                reply.press("Enter")
                expect(newest).to_contain_text(next_question)
            page.locator("body").click(position={"x": 5, "y": 5})  # no focus ring on the text box
            shots.append(shoot(page, "sandbox", full_page=True))
        finally:
            browser.close()
    return shots


def quantize(paths: list[Path]) -> None:
    """Shrink the PNGs with pngquant when it is installed; skipped silently otherwise."""
    pngquant = shutil.which("pngquant")
    if not pngquant:
        return
    for path in paths:
        # Exit codes 98/99 mean "not smaller" or "quality too low": the original stays.
        subprocess.run(
            [pngquant, "--force", "--skip-if-larger", "--speed", "1", "--quality", "70-95", "--output", str(path),
             str(path)],
            check=False,
        )  # fmt: skip


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="screenshots-"))
    try:
        port = free_port()
        env = demo_environment(tmp, f"http://127.0.0.1:{port}")
        manage(env, "migrate", "--noinput")
        print("Playing three weeks of history...", flush=True)
        ids = play_history(env)
        print(f"Serving on 127.0.0.1:{port} and taking screenshots...", flush=True)
        with running_server(env, port, tmp / "runlocal.log") as base:
            shots = take_screenshots(base, ids)
        quantize(shots)
        for path in shots:
            print(f"  {path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
