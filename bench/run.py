"""`make bench`: start what is needed, measure, print one table.

Every row is a figure beside its reference, both measured in this run on this
machine: the inbound webhook beside a trivial Django view on the same
gunicorn; the scheduling tick beside a plain bulk insert of the same rows; the
send rate beside the configured rate; and so on.

Services: a fresh database `checkins_bench` on the PostgreSQL at
127.0.0.1:5432 (dropped afterwards), a throwaway redis-server on a free port,
gunicorn (config.wsgi plus one floor route), real Celery workers, and
LocalTwilio in its own process recording when each text arrived.

    python -m bench.run [--quick] [--members 100000] [--seconds 15] [--only inbound|scheduling|alerts] [--web-workers 4] [--web-threads 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bench.loadgen import Signed, open_loop, percentile, wrk_max
from bench.procs import PYTHON, ROOT, CpuMeter, Stack, children, machine_cpu, postgres_backends, rss_mb

INBOUND = "/sms/twilio/inbound"
FLOOR = "/bench/floor"
# The inbound requirement: signed webhooks per second at saturation, and p99 at 100/s offered.
INBOUND_TARGET_RATE = 300
INBOUND_TARGET_P99_MS = 100
ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "Pacific/Honolulu", "Pacific/Auckland",
         "Asia/Tokyo", "Asia/Kolkata", "Europe/Berlin", "Europe/London", "UTC"]  # fmt: skip


@dataclasses.dataclass
class Row:
    what: str
    figure: str
    reference: str
    target: str
    met: bool | None  # None: no target, informational

    def cells(self) -> list[str]:
        verdict = {True: "met", False: "MISSED", None: "-"}[self.met]
        return [self.what, self.figure, self.reference, self.target, verdict]


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


def recipient_key(number: str) -> str:
    return hashlib.sha1(number.encode()).hexdigest()[:12]


def zone_in_daytime(now: dt.datetime) -> str:
    """A time zone where it is now mid-day, so that scheduled prompts are inside the sending window."""
    for name in ZONES:
        if 9 <= now.astimezone(ZoneInfo(name)).hour <= 17:
            return name
    return "UTC"


# --- Data ---------------------------------------------------------------------------------


def make_org(name: str):
    from checkins.programs import get_or_create_organization

    organization, _ = get_or_create_organization(name)
    return organization, organization.programs.get()


def make_staff(organization, count: int, prefix: str, supervisors: int = 1) -> list:
    from django.contrib.auth import get_user_model

    from accounts.models import Staff

    User = get_user_model()
    users = [User(username=f"{prefix}-{i}@bench.example.org", email=f"{prefix}-{i}@bench.example.org",
                  password="!unusable") for i in range(count + supervisors)]  # fmt: skip
    User.objects.bulk_create(users, batch_size=2000)
    users = list(User.objects.filter(username__startswith=f"{prefix}-").order_by("id"))
    staff = [
        Staff(user=user, organization=organization, name=f"Staff Person{i}",
              role=Staff.Role.SUPERVISOR if i >= count else Staff.Role.SUPPORTER,
              phone=f"+1{prefix_digits(prefix)}{i:07d}")
        for i, user in enumerate(users)
    ]  # fmt: skip
    Staff.objects.bulk_create(staff, batch_size=2000)
    return list(Staff.objects.filter(organization=organization, role=Staff.Role.SUPPORTER).order_by("id"))


def prefix_digits(prefix: str) -> str:
    return str(200 + int(hashlib.sha1(prefix.encode()).hexdigest(), 16) % 700)


def make_members(
    organization, program, supporters: list, count: int, phone_area: str, now: dt.datetime, mixed: bool = False
) -> None:
    """`mixed`: members spread over the adaptive schedule's four levels, one in
    seven with enough clear check-ins to step down in this tick (those not
    already at the least frequent level)."""
    from checkins.models import Member

    zone = zone_in_daytime(now)
    local = now.astimezone(ZoneInfo(zone))
    checkin_time = (local - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    rows = [
        Member(organization=organization, program=program, supporter=supporters[i % len(supporters)],
               name=f"Bench Member{i}", phone=f"+1{phone_area}{i:07d}", timezone=zone, language="en",
               checkin_time=checkin_time, consent_at=now, consent_method="bench", consent_text_version="2026-01",
               next_checkin_at=now - dt.timedelta(minutes=1),
               schedule_level=i % 4 if mixed else 0,
               clear_in_a_row=program.step_down_after if mixed and i % 7 == 0 else 0)
        for i in range(count)
    ]  # fmt: skip
    Member.objects.bulk_create(rows, batch_size=5000)


def mark_prompts_sent() -> None:
    """Prompts written by a tick are not part of what the next stage measures: take them off the queue.
    Then ANALYZE, as autovacuum would soon after a bulk load, so plans fit the tables' real size."""
    from django.db import connection

    from sms.models import Message

    Message.objects.filter(status=Message.Status.QUEUED).update(status=Message.Status.SENT, provider_sid=None)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def signed(phone: str, body: str, sid: str, path: str = INBOUND) -> Signed:
    from devtools.twilio_signing import signature_for

    params = {"MessageSid": sid, "AccountSid": "AC" + "b" * 32, "From": phone, "To": "+15555550000", "Body": body,
              "NumMedia": "0"}  # fmt: skip
    return Signed(path, signature_for(path, params), urlencode(params))


def flush_broker(stack: Stack) -> None:
    subprocess.run(["redis-cli", "-p", str(stack.redis_port), "FLUSHDB"], check=True, stdout=subprocess.DEVNULL)


def broker_backlog(stack: Stack) -> int:
    out = subprocess.run(["redis-cli", "-p", str(stack.redis_port), "LLEN", "celery"], capture_output=True, text=True)
    return int(out.stdout.strip() or 0)


def wait_for_drain(stack: Stack, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and broker_backlog(stack) > 0:
        time.sleep(0.2)
    time.sleep(1.0)


# --- Benchmarks -------------------------------------------------------------------------------


def bench_scheduling(stack: Stack, members: int, mixed: bool = False) -> list[Row]:
    """One tick over `members` due members, beside a bulk insert of the same
    rows. `mixed`: on an adaptive program, members at every level (docs/adaptive.md)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from checkins import schedule
    from checkins.models import CheckIn, Member
    from sms.models import Message

    now = timezone.now()
    organization, program = make_org("Bench mixed schedules" if mixed else "Bench scheduling")
    if mixed:
        program.adaptive_schedule = True
        program.save(update_fields=["adaptive_schedule"])
    supporters = make_staff(organization, max(1, members // 25), "mixed" if mixed else "sched")
    say(f"creating {members} members due now{' on mixed adaptive schedules' if mixed else ''} ...")
    make_members(organization, program, supporters, members, "311" if mixed else "310", now, mixed=mixed)

    # The floor: the same check-in and prompt rows, bulk inserted in batches of the tick's size.
    say("floor: plain bulk insert of the same rows ...")
    question = program.active_questions()[0]
    member_rows = list(Member.objects.filter(organization=organization).values_list("id", "phone", "next_checkin_at"))
    closes = now + dt.timedelta(minutes=program.checkin_window_minutes)
    body = schedule.first_prompt(Member(name="Bench Member", language="en"), question)
    started = time.perf_counter()
    for offset in range(0, len(member_rows), schedule.BATCH):
        batch = member_rows[offset : offset + schedule.BATCH]
        with transaction.atomic():
            checkins = CheckIn.objects.bulk_create(
                [CheckIn(member_id=pk, scheduled_for=due, started_at=now, closes_at=closes, current_question=question)
                 for pk, _, due in batch]  # fmt: skip
            )
            Message.objects.bulk_create(
                [Message(direction="out", kind="prompt", priority=2, organization=organization, member_id=pk,
                         checkin=checkin, phone=phone, body=body, status="queued", next_attempt_at=now)
                 for (pk, phone, _), checkin in zip(batch, checkins)]  # fmt: skip
            )
    floor = time.perf_counter() - started
    with connection.cursor() as cursor:
        # Only this stage's rows: the plain stage's open check-ins are what the
        # inbound and rules stages answer later. The tick then starts from the
        # same tables as the floor did.
        cursor.execute("DELETE FROM sms_message WHERE organization_id = %s", [organization.pk])
        cursor.execute(
            "DELETE FROM checkins_checkin WHERE member_id IN (SELECT id FROM checkins_member WHERE organization_id = %s)",
            [organization.pk],
        )
        cursor.execute("VACUUM ANALYZE")

    say("the tick: start_due_checkins over every due member ...")
    started = time.perf_counter()
    prompts = schedule.start_due_checkins(now)
    tick = time.perf_counter() - started
    queued = Message.objects.filter(status=Message.Status.QUEUED, kind=Message.Kind.PROMPT).count()
    tasks = broker_backlog(stack)
    say(f"tick: {prompts} prompts in {tick:.1f} s ({queued} queued rows, {tasks} delivery tasks on the broker); "
        f"floor {floor:.1f} s")  # fmt: skip
    mark_prompts_sent()
    flush_broker(stack)
    ok = prompts == members and queued == members and tick < 30 and tick <= 3 * floor
    if mixed:
        changes = organization.members.filter(schedule_changes__isnull=False).count()
        say(f"mixed schedules: {changes} members stepped down in the tick")
        ok = ok and changes == sum(1 for i in range(0, members, 7) if i % 4 != 3)
    what = "on mixed adaptive schedules " if mixed else ""
    return [
        Row(f"schedule {members:,} check-ins {what}in one tick (rows written + queued)", f"{tick:.1f} s "
            f"({tick / floor:.2f}x floor)", f"bulk insert of the same rows {floor:.1f} s", "<= 3x floor, < 30 s", ok)
    ]  # fmt: skip


def bench_inbound(stack: Stack, seconds: int, pool_members: int, quick: bool) -> tuple[list[Row], list[int]]:
    """Throughput (wrk, closed loop) and latency at 100/s offered (open loop), beside the floor."""
    from checkins.models import Member

    rows = []
    phones = list(
        Member.objects.filter(organization__name="Bench scheduling").order_by("id").values_list("phone", flat=True)
    )
    rng = random.Random(6)
    # Each member answers its open check-in: mood, craving, used (a completed check-in), round by round.
    answers = [["4", "3", "five", "like a 4", "2"], ["2", "0", "3/10", "1"], ["no", "nope", "n", "no, stayed clean"]]
    throughput_phones = phones[:pool_members]
    latency_phones = phones[pool_members : pool_members + 1000]
    pool = [signed(phone, rng.choice(answers[r]), f"SMa{r}{i:030d}") for r in range(3)
            for i, phone in enumerate(throughput_phones)]  # fmt: skip
    floor_pool = [signed(p, "4", f"SMf{i:031d}", FLOOR) for i, p in enumerate(throughput_phones[:5000])]
    say(f"inbound throughput: wrk {seconds} s against the floor, then the webhook ({len(pool)} signed requests) ...")
    work = ROOT / "var" / "bench" / "wrk"
    gunicorn = next(p for p in stack.procs if p.name == "gunicorn")
    meter = CpuMeter({"app": lambda: children(gunicorn.pid), "db": lambda: postgres_backends(stack.database)})

    def measured(path: str, requests: list[Signed]):
        meter.start()
        busy, total = machine_cpu()
        load = os.times()
        result = wrk_max(stack.base_url, path, requests, seconds, connections=16, threads=2, work_dir=work)
        cpu = meter.stop()
        busy2, total2 = machine_cpu()
        load2 = os.times()
        n = max(1, result.requests)
        # The machine is shared: whatever used the CPU besides gunicorn, PostgreSQL and
        # wrk (another test run, say) took capacity from the server. Shown, not hidden.
        wrk_cpu = (load2.children_user + load2.children_system) - (load.children_user + load.children_system)
        others = max(0.0, (busy2 - busy) - cpu["app"] - cpu["db"] - wrk_cpu) / (total2 - total)
        say(f"  {path}: CPU per request: gunicorn {cpu['app'] / n * 1000:.2f} ms, PostgreSQL "
            f"{cpu['db'] / n * 1000:.2f} ms, wrk {wrk_cpu / n * 1000:.2f} ms; machine busy "
            f"{(busy2 - busy) / (total2 - total):.0%}, of which other processes {others:.0%}")  # fmt: skip
        return result, {k: v / n * 1000 for k, v in cpu.items()}, (busy2 - busy) / (total2 - total), others

    floor, floor_cpu, _, floor_others = measured(FLOOR, floor_pool)
    hook, hook_cpu, hook_busy, hook_others = measured(INBOUND, pool)
    say(f"floor {floor.rate:.0f}/s p50 {floor.p50_ms:.1f} ms; webhook {hook.rate:.0f}/s p50 {hook.p50_ms:.1f} ms "
        f"p99 {hook.p99_ms:.0f} ms, non-2xx {hook.non_2xx}, socket errors {hook.socket_errors}")  # fmt: skip
    if hook.requests > len(pool):
        say("note: the signed pool ran out and wrapped: later requests were duplicates (cheaper)")
    ratio = hook.rate / floor.rate
    rows.append(Row(
        "inbound webhook, max sustained (wrk, 16 conns, gunicorn + PostgreSQL)",
        f"{hook.rate:.0f} msg/s (p50 {hook.p50_ms:.0f} ms, p99 {hook.p99_ms:.0f} ms; ratio to floor {ratio:.2f}; "
        f"{hook.non_2xx} non-2xx)",
        f"trivial Django view {floor.rate:.0f} req/s (p50 {floor.p50_ms:.0f} ms)",
        f">= {INBOUND_TARGET_RATE} msg/s", hook.rate >= INBOUND_TARGET_RATE and hook.non_2xx == 0,
    ))  # fmt: skip

    rows.append(Row(
        "CPU per request during the wrk runs (gunicorn workers + PostgreSQL backends)",
        f"webhook: app {hook_cpu['app']:.1f} ms + db {hook_cpu['db']:.1f} ms (machine {hook_busy:.0%} busy, "
        f"other processes {hook_others:.0%})",
        f"trivial view: app {floor_cpu['app']:.2f} ms + db {floor_cpu['db']:.2f} ms (other processes "
        f"{floor_others:.0%})",
        "-", None,
    ))  # fmt: skip

    rate, duration = 100, (10 if quick else 20)
    latency_pool = [signed(phone, rng.choice(answers[r]), f"SMb{r}{i:030d}") for r in range(3)
                    for i, phone in enumerate(latency_phones)][: rate * duration]  # fmt: skip
    floor_latency_pool = [signed(p, "4", f"SMe{i:031d}", FLOOR) for i, p in enumerate(latency_phones)][: rate * 5]
    say(f"inbound latency: {rate}/s offered for {duration} s (open loop) ...")
    floor_sent = open_loop(stack.base_url, floor_latency_pool, rate)
    sent = open_loop(stack.base_url, latency_pool, rate)
    lat = [s.latency * 1000 for s in sent]
    floor_lat = [s.latency * 1000 for s in floor_sent]
    bad = sum(1 for s in sent if s.status != 200)
    p50, p99 = percentile(lat, 0.5), percentile(lat, 0.99)
    say(f"webhook at {rate}/s: p50 {p50:.1f} ms, p99 {p99:.1f} ms, non-200 {bad}")
    rows.append(Row(
        f"inbound webhook latency at {rate}/s offered ({len(sent)} requests)",
        f"p50 {p50:.0f} ms, p99 {p99:.0f} ms ({bad} non-200)",
        f"trivial view at {rate}/s: p50 {percentile(floor_lat, 0.5):.0f} ms, p99 {percentile(floor_lat, 0.99):.0f} ms",
        f"p99 < {INBOUND_TARGET_P99_MS} ms", p99 < INBOUND_TARGET_P99_MS and bad == 0,
    ))  # fmt: skip
    # The requirement's figures on one line, easy to find in the output.
    say(f"INBOUND: {hook.rate:.0f} webhooks/s at saturation (target >= {INBOUND_TARGET_RATE}), floor "
        f"{floor.rate:.0f} req/s, ratio {ratio:.2f}; at {rate}/s p50 {p50:.1f} ms, p99 {p99:.1f} ms "
        f"(target < {INBOUND_TARGET_P99_MS} ms); other processes used {hook_others:.0%} of the machine")  # fmt: skip
    # The answers queued one rules task each; nobody was consuming them during the measurement.
    flush_broker(stack)
    return rows, []


def bench_alert_latency(stack: Stack, quick: bool) -> list[Row]:
    """From a concerning reply reaching the webhook to the supporter's alert SMS reaching (local) Twilio."""
    from django.db import connection
    from django.utils import timezone

    from checkins import schedule

    rate, duration = 20, (10 if quick else 20)
    count = rate * duration
    now = timezone.now()
    organization, program = make_org("Bench alerts")
    # One supporter per member, so that each alert text can be matched to the reply that caused it.
    supporters = make_staff(organization, count, "alerts")
    make_members(organization, program, supporters, count, "420", now)
    schedule.start_due_checkins(now)
    mark_prompts_sent()
    flush_broker(stack)
    # The stages before left hundreds of thousands of dead rows (prompts marked
    # sent, check-ins moved on) and unwritten pages: vacuum and checkpoint now,
    # or autovacuum and the next checkpoint do it on the same two cores and
    # disk in the middle of this measurement.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    from checkins.models import Member

    members = list(Member.objects.filter(organization=organization).select_related("supporter").order_by("id"))
    say("alert latency: starting a Celery worker (prefork, concurrency 2) ...")
    worker = stack.start_worker("alert-worker", concurrency=2)
    # First each member answers the mood question (no alert), and the rules tasks drain.
    warm = [signed(m.phone, "4", f"SMd{i:031d}") for i, m in enumerate(members)]
    open_loop(stack.base_url, warm, 50)
    wait_for_drain(stack)
    before = stack.recorder.count()
    concerning = [signed(m.phone, "9", f"SMc{i:031d}") for i, m in enumerate(members)]  # craving 9: urgent
    say(f"alert latency: {rate} concerning replies/s for {duration} s ...")
    sent = open_loop(stack.base_url, concerning, rate)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and stack.recorder.count() < before + count:
        time.sleep(0.2)
    arrived = {}
    for at, to in stack.recorder.snapshot()[before:]:
        arrived.setdefault(to, at)
    delays = []
    for member, result in zip(members, sent):
        at = arrived.get(recipient_key(member.supporter.phone))
        if at is not None:
            delays.append((at - result.due_wall) * 1000)
    missing = count - len(delays)
    p50, p99 = percentile(delays, 0.5), percentile(delays, 0.99)
    hook = [s.latency * 1000 for s in sent]
    say(f"alert SMS: p50 {p50:.0f} ms, p99 {p99:.0f} ms, missing {missing}; webhook p50 {percentile(hook, 0.5):.0f} ms")
    rss = {"worker": max([rss_mb(worker.pid)] + [rss_mb(c) for c in children(worker.pid)])}
    stack.stop(worker)
    return [Row(
        f"concerning reply -> supporter's alert SMS at Twilio ({rate}/s, {count} alerts, 1 worker x2)",
        f"p50 {p50:.0f} ms, p99 {p99:.0f} ms ({missing} missing)",
        f"the webhook's own answer: p50 {percentile(hook, 0.5):.0f} ms, p99 {percentile(hook, 0.99):.0f} ms",
        "p50 < 300 ms, p99 < 1 s", p50 < 300 and p99 < 1000 and missing == 0,
    )], rss  # fmt: skip


def bench_send_rate(stack: Stack, rates: list[int], seconds: int) -> list[Row]:
    from django.utils import timezone

    from sms.models import Message
    from sms.tasks import deliver_outbox

    rows = []
    for rate in rates:
        flush_broker(stack)  # fresh token bucket and sender slots
        say(f"send rate: 2 workers, SMS_MESSAGES_PER_SECOND={rate} ...")
        workers = [stack.start_worker(f"sender{i}", concurrency=1, SMS_MESSAGES_PER_SECOND=str(rate)) for i in (1, 2)]
        count = rate * seconds
        phones = [f"+1777{rate:03d}{i:04d}" for i in range(count)]
        now = timezone.now()
        Message.objects.bulk_create(
            [Message(direction="out", kind="prompt", priority=2, phone=p, body="Bench check-in prompt.",
                     status="queued", next_attempt_at=now) for p in phones],  # fmt: skip
            batch_size=2000,
        )
        before = stack.recorder.count()
        deliver_outbox.delay()
        deliver_outbox.delay()
        deadline = time.monotonic() + seconds * 2 + 30
        while time.monotonic() < deadline and stack.recorder.count() < before + count:
            time.sleep(0.2)
        keys = {recipient_key(p) for p in phones}
        times = sorted(at for at, to in stack.recorder.snapshot()[before:] if to in keys)
        # Steady state: from the first text to the last, (n - 1) intervals.
        measured = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
        gaps = [b - a for a, b in zip(times, times[1:])]
        off = abs(measured - rate) / rate
        doubled = len(times) - len(keys & {to for _, to in stack.recorder.snapshot()[before:]})
        say(f"  {len(times)} sent at {measured:.2f}/s (configured {rate}); shortest gap {min(gaps) * 1000:.0f} ms")
        rows.append(Row(
            f"outbound send rate, 2 workers sharing the Redis bucket ({len(times)} texts)",
            f"{measured:.2f} msg/s ({off:.1%} off; shortest gap {min(gaps) * 1000:.0f} ms, "
            f"median {statistics.median(gaps) * 1000:.0f} ms)",
            f"configured {rate} msg/s", "within 5 %", off <= 0.05 and len(times) == count and doubled == 0,
        ))  # fmt: skip
        for worker in workers:
            stack.stop(worker)
        Message.objects.filter(status=Message.Status.QUEUED).update(status=Message.Status.FAILED)
    return rows


def bench_reader_and_rules() -> list[Row]:
    import re

    from alerts import rules
    from checkins import reader
    from checkins.models import Answer, CheckIn
    from devtools.simulation import MISREAD, NO, NUMBER_WORDS, SCALE_STYLES, YES

    rng = random.Random(11)
    corpus = []
    for _ in range(2000):
        lang = rng.choice(["en", "en", "en", "es"])
        mood = rng.choice(SCALE_STYLES[lang]).format(n=rng.randint(1, 5), w=NUMBER_WORDS[lang][rng.randint(1, 5)], top=5)
        crave = rng.choice(SCALE_STYLES[lang]).format(n=(n := rng.randint(0, 10)), w=NUMBER_WORDS[lang][n], top=10)
        used = rng.choice(YES[lang] + NO[lang] + MISREAD["yes_no"][lang])
        corpus.append((mood, crave, used))

    def read_checkin(mood: str, crave: str, used: str) -> None:
        for text in (mood, crave, used):
            reader.mentions_crisis(text)
        reader.read_scale(mood, 1, 5)
        reader.read_scale(crave, 0, 10)
        reader.read_yes_no(used)

    digits = re.compile(r"\d+")

    def naive_checkin(mood: str, crave: str, used: str) -> None:
        for text in (mood, crave, used):
            digits.search(text.lower())

    def per_call(fn) -> float:
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            for item in corpus:
                fn(*item)
            best = min(best, (time.perf_counter() - started) / len(corpus))
        return best * 1e6

    reader_us, naive_us = per_call(read_checkin), per_call(naive_checkin)

    # 300 check-ins nobody answered in the load runs, given a full set of answers.
    checkins = list(
        CheckIn.objects.filter(status=CheckIn.Status.OPEN, member__organization__name="Bench scheduling",
                               answers__isnull=True).select_related("member__program").order_by("-id")[:300]
    )  # fmt: skip
    for checkin in checkins:
        questions = {q.key: q for q in checkin.member.program.active_questions()}
        Answer.objects.bulk_create([
            Answer(checkin=checkin, question=questions["mood"], text="3", value=3),
            Answer(checkin=checkin, question=questions["craving"], text="4", value=4),
            Answer(checkin=checkin, question=questions["used"], text="no", value=0),
        ])  # fmt: skip
    checkin_ids = [c.pk for c in checkins]
    answers_by_checkin = []
    for checkin_id in checkin_ids:
        answers_by_checkin.append(
            list(Answer.objects.filter(checkin_id=checkin_id).select_related("question", "checkin__member__program"))
        )
    started = time.perf_counter()
    for answers in answers_by_checkin:
        for answer in answers:
            rules.after_answer(answer)
    rules_us = (time.perf_counter() - started) / max(1, len(answers_by_checkin)) * 1e6
    started = time.perf_counter()
    for answers in answers_by_checkin:
        for answer in answers:
            Answer.objects.get(pk=answer.pk)
    query_us = (time.perf_counter() - started) / max(1, len(answers_by_checkin)) * 1e6
    n = len(answers_by_checkin)
    return [
        Row("reply reader per check-in (3 replies: crisis scan x3, 2 scales, 1 yes/no)", f"{reader_us:.0f} µs",
            f"naive digit regex x3: {naive_us:.1f} µs", "-", None),
        Row(f"rules per check-in (3 answers, PostgreSQL, {n} check-ins)", f"{rules_us:.0f} µs",
            f"one primary-key SELECT per answer: {query_us:.0f} µs", "-", None),
    ]  # fmt: skip


def bench_memory(stack: Stack, worker_rss: dict) -> list[Row]:
    gunicorn = next(p for p in stack.procs if p.name == "gunicorn")
    web = [rss_mb(c) for c in children(gunicorn.pid)]
    probe = (
        "import django, os; django.setup(); import config.urls, sms.webhooks; "
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmRSS')][0])"
    )
    bare = subprocess.run([PYTHON, "-c", probe], cwd=ROOT, env=stack.env(), capture_output=True, text=True, check=True)
    floor_mb = int(bare.stdout.strip()) / 1024
    return [
        Row("memory (RSS) per gunicorn worker, after the load", f"{max(web):.0f} MB (max of {len(web)})",
            f"a bare process with Django set up and the URLs imported: {floor_mb:.0f} MB", "-", None),
        Row("memory (RSS) of a Celery worker process, after the alert run", f"{worker_rss['worker']:.0f} MB",
            f"same bare process: {floor_mb:.0f} MB", "-", None),
    ]  # fmt: skip


# --- Main -------------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    header = ["measure", "figure", "reference (same run)", "target", "verdict"]
    cells = [header] + [r.cells() for r in rows]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in cells[1:]]
    return "\n".join(lines)


def machine() -> str:
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())  # fmt: skip
    mem = int(next(l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")))
    pg = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "show server_version"],
                        capture_output=True, text=True).stdout.strip()  # fmt: skip
    redis = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()[2]
    return (f"{os.cpu_count()} cores ({cpu}), {mem / 1024 / 1024:.0f} GB RAM, Linux {platform.release()}, "
            f"Python {platform.python_version()}, PostgreSQL {pg}, Redis {redis.removeprefix('v=')}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=100_000, help="members scheduled in one tick")
    parser.add_argument("--seconds", type=int, default=15, help="length of each wrk run")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--web-threads", type=int, default=1, help="threads per gunicorn worker (gthread when > 1)")
    parser.add_argument("--quick", action="store_true", help="small and short: a smoke test of the bench itself")
    parser.add_argument("--only", choices=["all", "inbound", "scheduling", "alerts"], default="all",
                        help="inbound: only the data it needs (the scheduling tick) and the inbound rows; "
                             "scheduling: the two scheduling ticks (plain and mixed adaptive schedules); "
                             "alerts: only the alert latency (its own members)")
    args = parser.parse_args()
    if args.quick:
        args.members, args.seconds = 10_000, 5

    started = time.time()
    rows: list[Row] = []
    with Stack("bench", database="checkins_bench") as stack:
        stack.apply_env_here()
        say(f"machine: {machine()}")
        say("starting redis, creating and migrating the bench database ...")
        stack.start_redis()
        stack.create_database()
        import django

        django.setup()
        stack.start_twilio()

        if args.only != "alerts":
            rows += bench_scheduling(stack, args.members)
        if args.only not in ("inbound", "alerts"):
            rows += bench_scheduling(stack, args.members, mixed=True)
        if args.only == "scheduling":
            return finish(started, rows)
        say(f"starting gunicorn ({args.web_workers} workers x {args.web_threads} threads) ...")
        stack.start_gunicorn(workers=args.web_workers, threads=args.web_threads)
        if args.only == "alerts":
            alert_rows, _ = bench_alert_latency(stack, args.quick)
            return finish(started, rows + alert_rows)
        inbound_rows, _ = bench_inbound(stack, args.seconds, min(8000, args.members // 2), args.quick)
        rows += inbound_rows
        if args.only == "inbound":
            return finish(started, rows)
        alert_rows, worker_rss = bench_alert_latency(stack, args.quick)
        rows += alert_rows
        rows += bench_send_rate(stack, [10, 50], 10 if args.quick else 15)
        rows += bench_reader_and_rules()
        rows += bench_memory(stack, worker_rss)
    return finish(started, rows)


def finish(started: float, rows: list[Row]) -> int:
    report = "\n".join([
        f"Benchmark run {time.strftime('%Y-%m-%d %H:%M %Z', time.localtime(started))}, "
        f"{(time.time() - started) / 60:.1f} min",
        f"Machine: {machine()}",
        "",
        table(rows),
    ])  # fmt: skip
    out = ROOT / "var" / "bench" / "last.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report + "\n")
    print()
    print(report)
    print(f"\n(also written to {out.relative_to(ROOT)})")
    return 0 if all(r.met is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
