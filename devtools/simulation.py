"""A synthetic population driven through the real system, on a clock that advances.

`python manage.py simulate --members N --days D --seed S` (DEBUG on: `make simulate`) builds an organization
of N members with supporters and supervisors, then plays D days:

- the clock is frozen with time-machine and moved forward in steps; at each
  step the same ticks the beat runs are called (start due check-ins, close
  expired ones, escalate due alerts, deliver the outbox);
- outbound texts leave through the real `twilio` backend to a LocalTwilio
  server in this process, which is how the simulated phones "receive" them;
- members and staff answer with signed POSTs to `/sms/twilio/inbound`, through
  Django's full request stack (middleware, signature check, the view), exactly
  the path Twilio's webhooks take;
- tasks run in-process (eager), so the run is deterministic for a seed.

Members follow personas (steady, struggling, rising cravings, a lapse, quiet,
Spanish speakers) and reply the way people text: digits, words, "like a 7",
typos that need a re-ask, silence, STOP, and now and then a crisis text.
Supporters acknowledge by texting ACK after a delay; some never do, so the
alert escalates and a supervisor acknowledges.

With `--scenario adaptive` the program runs an adaptive schedule
(docs/adaptive.md) and BARC-10 every 30 days (docs/recovery-capital.md):
members step down while they stay well and back up when risk appears, and
each persona scores its recovery capital its own way. Run it over 90 days:
`make simulate MEMBERS=200 DAYS=90 SCENARIO=adaptive`.

Nothing prints a message body or a full phone number.

Over 400 lines because it is one idea: a population, its personas and the clock that plays them.

One idea in one module (over 400 lines on purpose): splitting it would scatter one
fake's or one run's state across files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import itertools
import logging
import math
import random
import statistics
import sys
import time
from collections import Counter
from typing import Callable, TextIO
from urllib.parse import urlsplit
from xml.etree import ElementTree

import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F as models_f
from django.test import Client
from django.utils import timezone

from accounts.models import Organization, Staff
from alerts import escalation
from alerts.models import Alert, AlertEvent
from checkins import schedule, series
from checkins.models import CheckIn, Member, ScheduleChange, SeriesScore
from checkins.programs import get_or_create_organization
from config.celery import app
from devtools.local_twilio import LocalTwilio
from devtools.twilio_signing import signed_post
from sms import outbox
from sms.backends import _backend
from sms.models import Message

TICK = dt.timedelta(minutes=2)
TWILIO_NUMBER = "+15555550000"
TIMEZONES = [
    ("America/New_York", 40),
    ("America/Chicago", 25),
    ("America/Denver", 8),
    ("America/Phoenix", 5),
    ("America/Los_Angeles", 18),
    ("America/Puerto_Rico", 4),
]
FIRST = ["Dana", "Luis", "Priya", "Marcus", "Rosa", "Jamal", "Erin", "Tomás", "Keisha", "Wen", "Ana", "Cody",
         "Lucía", "Omar", "Brit", "Diego", "Hana", "Jesse", "Maya", "Nate"]  # fmt: skip
LAST = ["Whitfield", "Herrera", "Natarajan", "Bell", "Jimenez", "Okafor", "Lindqvist", "Reyes", "Brooks",
        "Chen", "Morales", "Dubois", "Ferreira", "Haddad", "Kowalski", "Nguyen", "Ortiz", "Park"]  # fmt: skip

# --- How people text ---------------------------------------------------------------

NUMBER_WORDS = {
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"],
    "es": ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez"],
}
SCALE_STYLES = {
    "en": ["{n}", "{n}", "{n}", "{w}", "like a {n}", "{n}/{top}", "{n} out of {top}", "prob {n}", "{n} i guess",
           "{n} today", "{n}!", "{n} 😊", "i'd say {n}", "{w} tbh"],
    "es": ["{n}", "{n}", "{w}", "como un {n}", "{n} de {top}", "{w} creo", "{n} hoy"],
}  # fmt: skip
YES = {"en": ["yes", "y", "yeah", "yep", "yes :(", "i did", "yeah a little", "yes unfortunately"],
       "es": ["sí", "si", "claro", "sí :(", "si un poco"]}  # fmt: skip
NO = {"en": ["no", "nope", "n", "no, stayed clean", "nah", "no not today", "no 👍", "noo"],
      "es": ["no", "nada", "no, gracias a dios", "noo"]}  # fmt: skip
# Typos and hedges the reader cannot (and should not) read: they get a re-ask.
MISREAD = {
    "scale": {"en": ["fuor", "thre", "idk", "meh", "good", "not great", "5 or so, 2 hours ago 8"],
              "es": ["bien", "mas o menos", "regular"]},
    "yes_no": {"en": ["maybe", "kinda", "not sure", "sort of", "idk"], "es": ["tal vez", "no sé", "mas o menos"]},
}  # fmt: skip
CRISIS = {"en": ["i want to end it all", "i dont want to live anymore", "thinking about killing myself",
                 "took too many pills"],
          "es": ["ya no quiero vivir", "me quiero morir", "pienso en matarme"]}  # fmt: skip
FREE_TEXT = {"en": ["rough day at work", "can we talk tomorrow?", "thanks for checking on me", "ok"],
             "es": ["día difícil", "gracias", "¿podemos hablar mañana?"]}  # fmt: skip


@dataclasses.dataclass
class Persona:
    name: str
    weight: float
    mood: tuple[float, float]  # mean, spread
    craving: tuple[float, float]
    used_chance: float
    respond_chance: float  # answers a given check-in at all
    abandon_chance: float  # stops half-way through
    spanish: bool = False
    rising: bool = False  # cravings climb and mood sinks over the run
    lapse: bool = False  # one day in the run: used, craving high, mood low
    crisis_chance: float = 0.0  # per check-in
    capital: float = 4.5  # the usual answer to a BARC-10 item, 1 to 6


PERSONAS = [
    Persona("steady", 34, (4.0, 0.7), (1.5, 1.2), 0.01, 0.92, 0.03, capital=5.2),
    Persona("struggling", 14, (2.6, 0.9), (5.5, 1.8), 0.08, 0.80, 0.08, crisis_chance=0.004, capital=3.1),
    Persona("rising cravings", 10, (3.6, 0.6), (2.0, 1.0), 0.02, 0.85, 0.05, rising=True, crisis_chance=0.002,
            capital=4.8),
    Persona("lapse", 9, (3.5, 0.8), (3.0, 1.5), 0.0, 0.85, 0.05, lapse=True, capital=4.3),
    Persona("quiet", 15, (3.5, 0.9), (2.5, 1.5), 0.02, 0.40, 0.20, capital=4.4),
    Persona("spanish", 18, (3.7, 0.8), (2.5, 1.7), 0.03, 0.85, 0.05, spanish=True, crisis_chance=0.001,
            capital=4.6),
]


@dataclasses.dataclass
class SimMember:
    member_id: int
    phone: str
    language: str
    persona: Persona
    rng: random.Random
    lapse_day: int = -1
    typo_rate: float = 0.06
    stopped_until: dt.datetime | None = None
    session_at: dt.datetime | None = None


@dataclasses.dataclass
class SimStaff:
    staff_id: int
    phone: str
    supervisor: bool
    rng: random.Random
    never_acks: float  # chance to miss an alert entirely
    median_minutes: float


@dataclasses.dataclass
class Stats:
    webhooks: Counter = dataclasses.field(default_factory=Counter)  # HTTP status -> count
    inbound_texts: int = 0
    prompts_received: int = 0
    notifications_received: int = 0
    reasks: int = 0
    crisis_texts: int = 0
    opt_outs: int = 0
    opt_ins: int = 0
    acks_sent: int = 0
    wall_seconds: float = 0.0


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, int(round(value))))


class Simulation:
    def __init__(self, members: int, days: int, seed: int, start: dt.datetime, out: TextIO = sys.stdout,
                 progress: bool = True, scenario: str = "daily"):
        self.scenario = scenario
        self.n_members = members
        self.days = days
        self.seed = seed
        self.start = start
        self.end = start + dt.timedelta(days=days)
        self.rng = random.Random(seed)
        self.out = out
        self.progress = progress
        self.stats = Stats()
        self.events: list[tuple[dt.datetime, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self.members: dict[str, SimMember] = {}
        self.staff: dict[str, SimStaff] = {}
        self.client = Client(HTTP_HOST=urlsplit(settings.PUBLIC_BASE_URL).netloc or "testserver")
        self._sids = itertools.count(1)
        self._seen_outbound = 0
        self.organization: Organization | None = None

    # -- set-up -------------------------------------------------------------------
    @transaction.atomic
    def build(self) -> None:
        run = Organization.objects.filter(name__startswith="Simulation ").count() + 1
        name = f"Simulation {run} (seed {self.seed}, {self.n_members} members)"
        self.organization, _ = get_or_create_organization(name)
        program = self.organization.programs.get()
        User = get_user_model()
        # A number range of its own per run: staff numbers are unique system-wide.
        staff_prefix = f"+1{600 + run % 300}"
        n_supporters = max(1, math.ceil(self.n_members / 15))
        staff = []
        for index in range(n_supporters + 2):
            supervisor = index >= n_supporters
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            user = User(username=f"sim{run}-{index}@sim.example.org", email=f"sim{run}-{index}@sim.example.org")
            user.set_unusable_password()
            user.save()
            staff.append(
                Staff.objects.create(
                    user=user,
                    organization=self.organization,
                    name=f"{first} {last}",
                    role=Staff.Role.SUPERVISOR if supervisor else Staff.Role.SUPPORTER,
                    phone=f"{staff_prefix}555{index:04d}",
                )
            )
        for person in staff:
            rng = random.Random(self.rng.random())
            self.staff[person.phone] = SimStaff(
                person.pk, person.phone, person.is_supervisor, rng,
                never_acks=0.0 if person.is_supervisor else rng.uniform(0.05, 0.25),
                median_minutes=rng.uniform(4, 10) if person.is_supervisor else rng.uniform(5, 16),
            )  # fmt: skip
        supporters = [s for s in staff if not s.is_supervisor]

        member_prefix = f"+1{300 + run % 300}"
        weights = [p.weight for p in PERSONAS]
        zones, zone_weights = zip(*TIMEZONES)
        rows = []
        personas = []
        for index in range(self.n_members):
            persona = self.rng.choices(PERSONAS, weights)[0]
            language = "es" if persona.spanish else ("es" if self.rng.random() < 0.05 else "en")
            minutes = self.rng.randrange(8 * 60 + 30, 19 * 60 + 30, 15)
            rows.append(
                Member(
                    organization=self.organization,
                    program=program,
                    supporter=supporters[index % len(supporters)],
                    name=f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}",
                    phone=f"{member_prefix}{index:07d}",
                    timezone=self.rng.choices(zones, zone_weights)[0],
                    language=language,
                    checkin_time=dt.time(minutes // 60, minutes % 60),
                    consent_at=self.start,
                    consent_method="simulation",
                    consent_text_version="2026-01",
                )
            )
            personas.append(persona)
        for member in rows:
            member.schedule_next_checkin(self.start)
        Member.objects.bulk_create(rows, batch_size=1000)
        if self.scenario == "adaptive":
            program.adaptive_schedule = True
            program.save(update_fields=["adaptive_schedule"])
            series.turn_on(series.install_builtin(program, "barc10"), self.start)
        for member, persona in zip(Member.objects.filter(organization=self.organization).order_by("id"), personas):
            rng = random.Random(self.rng.random())
            self.members[member.phone] = SimMember(
                member.pk, member.phone, member.language, persona, rng,
                lapse_day=rng.randrange(self.days) if persona.lapse else -1,
                typo_rate=rng.uniform(0.02, 0.12),
            )  # fmt: skip

    # -- the clock -------------------------------------------------------------------
    def at(self, when: dt.datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self.events, (when, next(self._seq), action))

    def run(self) -> Stats:
        began = time.monotonic()
        # Deterministic: tasks run here, in the order the clock gives them.
        settings.CELERY_TASK_ALWAYS_EAGER = True
        app.conf.task_always_eager = True
        # One line per task would bury the progress bar.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        with _local_twilio() as twilio, time_machine.travel(self.start, tick=False) as clock:
            self.twilio = twilio
            self.clock = clock
            self.build()
            now = self.start
            last_draw = 0.0
            while now < self.end:
                now = min(now + TICK, self.end)
                # Events (replies, ACKs) that fall inside this step happen at their own minute.
                while self.events and self.events[0][0] <= now:
                    when, _, action = heapq.heappop(self.events)
                    clock.move_to(when)
                    action()
                    self._collect_outbound(when)
                clock.move_to(now)
                self._tick(now)
                self._collect_outbound(now)
                if self.progress and time.monotonic() - last_draw > 0.2:
                    self._draw(now)
                    last_draw = time.monotonic()
            if self.progress:
                self._draw(self.end)
                self.out.write("\n")
        self.stats.wall_seconds = time.monotonic() - began
        return self.stats

    def _tick(self, now: dt.datetime) -> None:
        # What beat and the workers do, in the order a minute would see it.
        schedule.start_due_checkins(now)
        series.start_due_series(now)
        schedule.close_expired_checkins(now)
        escalation.escalate_due(now)
        # One query instead of the delivery loop's four when nothing waits.
        if Message.objects.filter(status=Message.Status.QUEUED, direction=Message.Direction.OUTBOUND).exists():
            outbox.deliver(budget_seconds=30)

    def _draw(self, now: dt.datetime) -> None:
        done = (now - self.start) / (self.end - self.start)
        width = 30
        bar = "#" * int(done * width) + "-" * (width - int(done * width))
        day = min(self.days, int((now - self.start).total_seconds() // 86400) + 1)
        self.out.write(
            f"\r[{bar}] {done * 100:5.1f}%  day {day}/{self.days} {now:%H:%M} UTC  "
            f"texts in {self.stats.inbound_texts}  prompts {self.stats.prompts_received}  "
            f"staff alerts {self.stats.notifications_received}   "
        )
        self.out.flush()

    # -- what the phones receive ------------------------------------------------------
    def _collect_outbound(self, now: dt.datetime) -> None:
        messages = self.twilio.messages
        new, self._seen_outbound = messages[self._seen_outbound :], len(messages)
        for sent in new:
            if sent.to in self.members:
                self.stats.prompts_received += 1
                self._member_prompted(self.members[sent.to], now)
            elif sent.to in self.staff:
                self.stats.notifications_received += 1
                alert_id = Message.objects.filter(provider_sid=sent.sid).values_list("alert_id", flat=True).first()
                if alert_id is not None:
                    self._staff_notified(self.staff[sent.to], alert_id, now)

    def _member_prompted(self, sim: SimMember, now: dt.datetime) -> None:
        if sim.session_at is not None and sim.session_at > now:
            return  # already going to answer
        if sim.rng.random() > sim.persona.respond_chance:
            return  # silence: the check-in will close as missed
        # Most people answer within the hour; some take longer than the window.
        delay = dt.timedelta(minutes=min(24 * 60, sim.rng.lognormvariate(math.log(14), 1.0)))
        sim.session_at = now + delay
        self.at(sim.session_at, lambda: self._session(sim))

    def _staff_notified(self, sim: SimStaff, alert_id: int, now: dt.datetime) -> None:
        if sim.rng.random() < sim.never_acks:
            return  # the alert will escalate to the supervisors
        delay = dt.timedelta(minutes=sim.rng.lognormvariate(math.log(sim.median_minutes), 0.8))
        self.at(now + delay, lambda: self._ack(sim, alert_id))

    # -- what the phones send -----------------------------------------------------------
    def text(self, phone: str, body: str) -> list[str]:
        params = {
            "MessageSid": f"SM{self.seed:011x}{next(self._sids):021x}",
            "AccountSid": settings.TWILIO_ACCOUNT_SID,
            "From": phone,
            "To": TWILIO_NUMBER,
            "Body": body,
            "NumMedia": "0",
        }
        response = signed_post(self.client, "/sms/twilio/inbound", params)
        self.stats.webhooks[response.status_code] += 1
        self.stats.inbound_texts += 1
        if response.status_code != 200:
            return []
        return [m.text or "" for m in ElementTree.fromstring(response.content).findall("Message")]

    def _ack(self, sim: SimStaff, alert_id: int) -> None:
        if Alert.objects.filter(pk=alert_id, status=Alert.Status.OPEN).exists():
            self.stats.acks_sent += 1
            self.text(sim.phone, f"ACK {alert_id}")

    def _session(self, sim: SimMember) -> None:
        sim.session_at = None
        member = Member.objects.get(pk=sim.member_id)
        if member.status == Member.Status.OPTED_OUT:
            return
        day = (timezone.now() - self.start).days
        persona = sim.persona
        if sim.rng.random() < persona.crisis_chance:
            self.stats.crisis_texts += 1
            self.text(sim.phone, sim.rng.choice(CRISIS[sim.language]))
            return
        if sim.rng.random() < 0.002:
            self.stats.opt_outs += 1
            self.text(sim.phone, sim.rng.choice(["STOP", "stop", "Stop"]))
            if sim.rng.random() < 0.5:
                self.at(timezone.now() + dt.timedelta(days=sim.rng.uniform(0.5, 3)), lambda: self._opt_in(sim))
            return
        misread_once: set[str] = set()
        for _ in range(8):
            checkin = (
                CheckIn.objects.filter(member_id=sim.member_id, status=CheckIn.Status.OPEN)
                .select_related("current_question")
                .first()
            )
            if checkin is None or checkin.current_question is None:
                break
            if sim.rng.random() < persona.abandon_chance:
                break
            question = checkin.current_question
            typo = question.key not in misread_once and sim.rng.random() < sim.typo_rate
            if typo:
                misread_once.add(question.key)
                self.stats.reasks += 1
                kind = "scale" if question.kind == question.Kind.SCALE else "yes_no"
                body = sim.rng.choice(MISREAD[kind][sim.language])
            else:
                body = self._answer(sim, question, day)
            self.text(sim.phone, body)
        # Now and then a word after the check-in, which the supporter will read.
        if sim.rng.random() < 0.03:
            self.text(sim.phone, sim.rng.choice(FREE_TEXT[sim.language]))

    def _opt_in(self, sim: SimMember) -> None:
        self.stats.opt_ins += 1
        self.text(sim.phone, "START")

    def _answer(self, sim: SimMember, question, day: int) -> str:
        persona, rng, language = sim.persona, sim.rng, sim.language
        lapse_today = day == sim.lapse_day
        drift = day / max(1, self.days) if persona.rising else 0.0
        if question.key == "mood":
            mean = persona.mood[0] - 1.8 * drift - (1.5 if lapse_today else 0)
            return self._scale(rng, language, _clip(rng.gauss(mean, persona.mood[1]), 1, 5), 5)
        if question.key == "craving":
            mean = persona.craving[0] + 7.0 * drift + (6 if lapse_today else 0)
            return self._scale(rng, language, _clip(rng.gauss(mean, persona.craving[1]), 0, 10), 10)
        if question.key == "used":
            used = lapse_today or rng.random() < persona.used_chance + 0.1 * drift
            return rng.choice((YES if used else NO)[language])
        if question.series_id is not None and question.kind == question.Kind.SCALE:
            # A questionnaire item (BARC-10: 1 to 6): the persona's recovery capital, sinking with rising cravings.
            low, high = question.scale_min or 1, question.scale_max or 6
            mean = persona.capital - 2.0 * drift - (1.0 if lapse_today else 0)
            return self._scale(rng, language, _clip(rng.gauss(mean, 0.8), low, high), high)
        if question.key == "safety":
            # Almost always no; a rare yes is a crisis and the path must carry it.
            return rng.choice((YES if rng.random() < 0.03 else NO)[language])
        if question.kind == question.Kind.SCALE:
            low, high = question.scale_min or 0, question.scale_max or 10
            return self._scale(rng, language, rng.randint(low, high), high)
        return rng.choice((YES if rng.random() < 0.2 else NO)[language])

    @staticmethod
    def _scale(rng: random.Random, language: str, value: int, top: int) -> str:
        style = rng.choice(SCALE_STYLES[language])
        return style.format(n=value, w=NUMBER_WORDS[language][value], top=top)

    # -- the summary ---------------------------------------------------------------------
    def summary(self) -> str:
        org = self.organization
        checkins = Counter(
            CheckIn.objects.filter(member__organization=org).values_list("status", flat=True)
        )
        sent = sum(checkins.values()) - checkins.get(CheckIn.Status.SKIPPED, 0)
        alerts = Alert.objects.filter(organization=org)
        by_severity = Counter(alerts.values_list("severity", flat=True))
        escalated = alerts.filter(escalation_level__gte=1).count()
        escalation_events = AlertEvent.objects.filter(alert__organization=org, type=AlertEvent.Type.ESCALATED).count()
        ack_minutes = sorted(
            (acked - created).total_seconds() / 60
            for created, acked in alerts.filter(acknowledged_at__isnull=False).values_list(
                "created_at", "acknowledged_at"
            )
        )
        unacked = alerts.filter(status=Alert.Status.OPEN).count()
        messages = Message.objects.filter(organization=org)
        outbound = Counter(messages.filter(direction=Message.Direction.OUTBOUND).values_list("kind", flat=True))
        failed = messages.filter(direction=Message.Direction.OUTBOUND, status=Message.Status.FAILED).count()
        personas = Counter(m.persona.name for m in self.members.values())

        def pct(values: list[float], q: float) -> str:
            if not values:
                return "-"
            return f"{values[min(len(values) - 1, int(q * len(values)))]:.1f}"

        s = self.stats
        lines = [
            "",
            f"Simulation: {org.name}",
            f"  {self.n_members} members over {self.days} days from {self.start:%Y-%m-%d}, seed {self.seed}; "
            f"personas: " + ", ".join(f"{k} {v}" for k, v in personas.most_common()),
            f"  ran in {s.wall_seconds:.1f} s wall clock",
            "",
            "Check-ins",
            f"  sent          {sent}",
            f"  completed     {checkins.get(CheckIn.Status.COMPLETED, 0)}",
            f"  incomplete    {checkins.get(CheckIn.Status.INCOMPLETE, 0)}",
            f"  missed        {checkins.get(CheckIn.Status.MISSED, 0)}",
            f"  still open    {checkins.get(CheckIn.Status.OPEN, 0)}",
            f"  not sent      {checkins.get(CheckIn.Status.SKIPPED, 0)} (outside the sending window)",
            "",
            "Texts",
            f"  inbound webhooks  {s.inbound_texts} ("
            + ", ".join(f"HTTP {code}: {n}" for code, n in sorted(s.webhooks.items())) + ")",
            f"  re-asked replies  {s.reasks}   crisis texts {s.crisis_texts}   STOP {s.opt_outs}   START {s.opt_ins}",
            "  outbound          " + ", ".join(f"{kind} {n}" for kind, n in sorted(outbound.items()))
            + f"   failed {failed}",
            "",
            "Alerts",
            "  by severity   " + ", ".join(f"{sev} {by_severity.get(sev, 0)}" for sev in ("crisis", "urgent", "warning", "info")),
            f"  escalated     {escalated} alerts ({escalation_events} escalation steps); still open {unacked}",
            f"  acknowledged  {len(ack_minutes)}, by SMS ACK {s.acks_sent} sent; time to acknowledge (minutes): "
            f"p50 {pct(ack_minutes, 0.5)}, p90 {pct(ack_minutes, 0.9)}, max {pct(ack_minutes, 1.0)}"
            + (f", mean {statistics.fmean(ack_minutes):.1f}" if ack_minutes else ""),
        ]  # fmt: skip
        if self.scenario == "adaptive":
            lines += self._adaptive_summary()
        return "\n".join(lines)

    def _adaptive_summary(self) -> list[str]:
        """Where members ended on the schedule, how they moved, and their recovery capital."""
        org = self.organization
        program = org.programs.get()
        levels = program.schedule_levels
        at_level = Counter(Member.objects.filter(organization=org).values_list("schedule_level", flat=True))
        changes = ScheduleChange.objects.filter(member__organization=org)
        down = changes.filter(to_level__gt=models_f("from_level")).count()
        up = changes.filter(to_level__lt=models_f("from_level")).count()
        reasons = Counter(reason.split(":")[0][:60] for reason in changes.filter(
            to_level__lt=models_f("from_level")).values_list("reason", flat=True))  # fmt: skip
        scores = list(SeriesScore.objects.filter(member__organization=org).order_by("at").values_list(
            "member_id", "score"))  # fmt: skip
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for member_id, score in scores:
            first.setdefault(member_id, score)
            last[member_id] = score
        by_persona: dict[str, list[int]] = {}
        for sim in self.members.values():
            if sim.member_id in last:
                by_persona.setdefault(sim.persona.name, []).append(last[sim.member_id])
        changed = [last[m] - first[m] for m in last if m in first]
        return [
            "",
            "Adaptive schedule (levels in days: " + ", ".join(str(d) for d in levels) + ")",
            "  members at each level now  " + ", ".join(
                f"every {levels[i]} day{'s' if levels[i] != 1 else ''}: {at_level.get(i, 0)}" for i in range(len(levels))),
            f"  stepped down {down} times, back up {up} times"
            + ("; back up because: " + "; ".join(f"{r} ({n})" for r, n in reasons.most_common(4)) if reasons else ""),
            "",
            "Recovery capital (BARC-10, 10 to 60)",
            f"  scores stored {len(scores)} from {len(last)} members; latest 47 or more: "
            f"{sum(1 for v in last.values() if v >= 47)}",
            "  latest median by persona   " + ", ".join(
                f"{name} {statistics.median(values):.0f}" for name, values in sorted(by_persona.items())),
            f"  change first to latest     median {statistics.median(changed):+.0f}" if changed else
            "  change first to latest     -",
        ]  # fmt: skip


class _local_twilio:
    """A LocalTwilio in this process, with the real twilio backend pointed at it."""

    def __enter__(self):
        self.saved = {
            name: getattr(settings, name)
            for name in ("SMS_BACKEND", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER",
                         "TWILIO_MESSAGING_SERVICE_SID", "TWILIO_API_BASE_URL", "SMS_MESSAGES_PER_SECOND", "REDIS_URL")
        }  # fmt: skip
        token = settings.TWILIO_AUTH_TOKEN or "sim-auth-token"
        self.server = LocalTwilio(auth_token=token).start()
        settings.SMS_BACKEND = "twilio"
        settings.TWILIO_ACCOUNT_SID = settings.TWILIO_ACCOUNT_SID or "AC" + "5" * 32
        settings.TWILIO_AUTH_TOKEN = token
        settings.TWILIO_FROM_NUMBER = TWILIO_NUMBER
        settings.TWILIO_MESSAGING_SERVICE_SID = ""
        settings.TWILIO_API_BASE_URL = self.server.base_url
        # Simulated time does not wait for a real send rate; the rate is benchmarked in bench/.
        settings.SMS_MESSAGES_PER_SECOND = 100000
        settings.REDIS_URL = ""
        _backend.cache_clear()
        return self.server

    def __exit__(self, *exc_info):
        self.server.stop()
        for name, value in self.saved.items():
            setattr(settings, name, value)
        _backend.cache_clear()
