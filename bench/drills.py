"""`make drills`: fault drills against the production shape.

Each drill breaks something for real and checks that nothing was lost or done
twice. Everything runs on services of its own, so the shared PostgreSQL and
Redis are never touched: a throwaway PostgreSQL cluster (initdb in /tmp, its
own port), a throwaway redis-server, gunicorn, Celery workers and beats, and
LocalTwilio in its own process.

    python -m bench.drills [--only NAME ...]

Exit status 0 when every drill passed. Output names phones only as counts.
"""

from __future__ import annotations

import argparse
import http.client
import signal
import sys
import time
import traceback
from collections import Counter
from urllib.parse import urlsplit

from bench.loadgen import Signed, open_loop
from bench.procs import Stack
from devtools.processes import wait_until

RESULTS: list[tuple[str, bool, str]] = []


def say(text: str) -> None:
    print(f"[drills {time.strftime('%H:%M:%S')}] {text}", flush=True)


def post(stack: Stack, request: Signed, timeout: float = 10.0) -> tuple[int, bytes]:
    url = urlsplit(stack.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        conn.request("POST", request.path, body=request.body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": request.signature})  # fmt: skip
        response = conn.getresponse()
        return response.status, response.read()
    except OSError:
        return 0, b""
    finally:
        conn.close()


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def fresh_connection() -> None:
    """This driver's own connections, after a drill restarted the service under them."""
    from django.db import connection

    connection.close()


def population(name: str, count: int, area: str, ack_timeout: int = 900):
    """An organization whose members each have an open check-in at its first question."""
    from django.utils import timezone

    from bench.run import make_members, make_org, make_staff, mark_prompts_sent
    from checkins import schedule
    from checkins.models import Member

    now = timezone.now()
    organization, program = make_org(name)
    program.ack_timeout_seconds = ack_timeout
    program.save(update_fields=["ack_timeout_seconds"])
    supporters = make_staff(organization, max(1, count // 10), f"drill-{area}")
    make_members(organization, program, supporters, count, area, now)
    schedule.start_due_checkins(now)
    mark_prompts_sent()
    return organization, list(Member.objects.filter(organization=organization).order_by("id"))


# --- The drills ----------------------------------------------------------------------------------


def drill_redis_outage(stack: Stack) -> str:
    """Redis stopped for 30 s while webhooks arrive: inbound still stored and
    answered; what needed the broker flows once Redis is back."""
    from alerts.models import Alert
    from bench.run import signed
    from checkins.models import Answer
    from sms.models import Message

    organization, members = population("Drill redis", 150, "501")
    rate = 4
    requests = [signed(m.phone, "1", f"SM1{i:031d}") for i, m in enumerate(members[:120])]  # mood 1: warning
    crisis = [signed(m.phone, "i want to end it all", f"SM2{i:031d}") for i, m in enumerate(members[120:130])]
    beat = stack.start_beat("beat")  # the real schedule: the outbox is swept every 15 s
    say("  stopping redis for 30 s; webhooks keep arriving at 4/s ...")
    stack.stop_redis()
    outage_started = time.monotonic()
    sent = open_loop(stack.base_url, requests + crisis, rate, senders=8)
    statuses = Counter(s.status for s in sent)
    latencies = sorted(s.latency for s in sent)
    time.sleep(max(0.0, 30 - (time.monotonic() - outage_started)))
    outage = time.monotonic() - outage_started
    say(f"  during the outage ({outage:.0f} s): HTTP {dict(statuses)}, slowest answer {latencies[-1] * 1000:.0f} ms")
    stored = Message.objects.filter(provider_sid__in=[r.body.split("MessageSid=")[1].split("&")[0]
                                                      for r in requests + crisis]).count()  # fmt: skip
    stack.start_redis()
    say("  redis is back; waiting for the queued work to flow ...")
    answers = Answer.objects.filter(checkin__member__organization=organization).count()
    wait_until(lambda: Alert.objects.filter(organization=organization, topic="mood").count() >= 120, 60,
               "a mood alert for each low-mood answer")  # fmt: skip
    wait_until(lambda: not Message.objects.filter(organization=organization, status="queued").exists(), 60,
               "the outbox to empty")  # fmt: skip
    # After the outage the web processes publish to the broker again (no in-process fallback),
    # and an alert text leaves within seconds, not at the next sweep.
    log = stack.log_dir / "gunicorn.log"
    fallbacks_before = log.read_text().count("broker unreachable")
    before = stack.recorder.count()
    after = [signed(m.phone, "1", f"SMa{i:031d}") for i, m in enumerate(members[130:140])]
    recovered = Counter(post(stack, r)[0] for r in after)
    started = time.monotonic()
    wait_until(lambda: stack.recorder.count() >= before + len(after), 20, "alert texts after the outage")
    after_latency = time.monotonic() - started
    fallbacks_after = log.read_text().count("broker unreachable") - fallbacks_before
    check(recovered == Counter({200: len(after)}), f"after the outage: {dict(recovered)}")
    check(fallbacks_after == 0, f"{fallbacks_after} tasks still ran in-process after Redis returned")
    stack.stop(beat)
    crisis_alerts = Alert.objects.filter(organization=organization, severity="crisis").count()
    notified = Message.objects.filter(organization=organization, kind="notification", status="sent").count()
    check(statuses == Counter({200: len(requests) + len(crisis)}), f"webhooks during the outage: {dict(statuses)}")
    check(stored == len(requests) + len(crisis), f"{stored} of {len(requests) + len(crisis)} inbound texts stored")
    check(answers >= len(requests), f"{answers} answers stored")
    check(crisis_alerts == len(crisis), f"{crisis_alerts} crisis alerts for {len(crisis)} crisis texts")
    return (f"{len(sent)} webhooks during a {outage:.0f} s Redis outage: all 200 with their reply, all stored; "
            f"after Redis returned: {Alert.objects.filter(organization=organization).count()} alerts raised, "
            f"{notified} staff texts sent, outbox empty; slowest answer during the outage {latencies[-1] * 1000:.0f} ms; "
            f"afterwards tasks go through Redis again (alert texts for 10 new answers within {after_latency:.1f} s)")  # fmt: skip


def drill_worker_sigkill(stack: Stack) -> str:
    """A worker killed with SIGKILL while Twilio holds its send: no text lost or doubled."""
    from django.utils import timezone

    from bench.run import recipient_key
    from sms.models import Message
    from sms.tasks import deliver_outbox

    count = 30
    phones = [f"+1502555{i:04d}" for i in range(count)]
    now = timezone.now()
    Message.objects.bulk_create([
        Message(direction="out", kind="prompt", priority=2, phone=p, body="Drill check-in prompt.",
                status="queued", next_attempt_at=now) for p in phones])  # fmt: skip
    before = stack.recorder.count()
    stack.recorder.command("delay 3")  # Twilio has the text, the answer is slow
    worker = stack.start_worker("victim", concurrency=1)
    deliver_outbox.delay()
    wait_until(lambda: stack.recorder.count() > before + 2, 30, "the victim to send a few texts")
    time.sleep(1.0)  # mid-wait on a create Twilio already recorded
    worker.signal(signal.SIGKILL)
    worker.popen.wait(10)
    stack.stop(worker)
    at_kill = stack.recorder.count() - before
    in_flight = Message.objects.filter(phone__in=phones, status="sending").count()
    say(f"  SIGKILLed the worker: {at_kill} texts at Twilio, {in_flight} row(s) left 'sending' mid-send")
    stack.recorder.command("delay 0")
    rescuer = stack.start_worker("rescuer", concurrency=1)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        deliver_outbox.delay()  # what beat does every 15 s
        if Message.objects.filter(phone__in=phones, status="sent").count() == count:
            break
        time.sleep(2)
    stack.stop(rescuer)
    keys = {recipient_key(p): p for p in phones}
    per_phone = Counter(to for _, to in stack.recorder.snapshot()[before:] if to in keys)
    sent_rows = Message.objects.filter(phone__in=phones, status="sent").exclude(provider_sid=None).count()
    doubled = sum(1 for n in per_phone.values() if n > 1)
    lost = count - len(per_phone)
    check(in_flight >= 1, "the kill did not land mid-send; the drill proved nothing")
    check(sent_rows == count, f"{sent_rows} of {count} rows sent")
    check(lost == 0 and doubled == 0, f"lost {lost}, doubled {doubled}")
    return (f"killed mid-send with {in_flight} text(s) accepted by Twilio but unrecorded; after the lease: "
            f"{count}/{count} sent, 0 lost, 0 doubled (the resend asked Twilio first and adopted the sid)")


def drill_postgres_restart(stack: Stack) -> str:
    """PostgreSQL restarted: webhooks fail with 5xx during the outage (Twilio
    retries), nothing answered 200 is lost, service resumes by itself."""
    from bench.run import signed
    from sms.models import Message

    _, members = population("Drill postgres", 200, "503")
    requests = [signed(m.phone, "3", f"SM3{i:031d}") for i, m in enumerate(members)]
    results: list[tuple[Signed, int]] = []
    import threading

    def traffic() -> None:
        for request in requests:
            started = time.monotonic()
            results.append((request, post(stack, request, timeout=15)[0]))
            time.sleep(max(0.0, 0.1 - (time.monotonic() - started)))

    sender = threading.Thread(target=traffic)
    sender.start()
    time.sleep(4)
    say("  stopping PostgreSQL for 6 s under traffic (10 webhooks/s) ...")
    stack.postgres_stop()
    time.sleep(6)
    stack.postgres_start()
    say("  PostgreSQL is back")
    sender.join()
    fresh_connection()
    statuses = Counter(status for _, status in results)
    failed = [request for request, status in results if status != 200]
    ok_sids = [r.body.split("MessageSid=")[1].split("&")[0] for r, s in results if s == 200]
    stored_ok = Message.objects.filter(provider_sid__in=ok_sids).count()
    check(all(status >= 500 or status == 200 for _, status in results), f"statuses {dict(statuses)}")
    check(stored_ok == len(ok_sids), f"{len(ok_sids) - stored_ok} texts answered 200 but not stored")
    check(len(failed) > 0, "no webhook failed: the outage did not overlap the traffic")
    tail = [status for _, status in results[-30:]]
    check(all(s == 200 for s in tail), f"not recovered by the end: {tail}")
    # Twilio retries what failed (with a `#rc=` override on the webhook URL): the retries go through.
    retried = Counter(post(stack, request)[0] for request in failed)
    all_sids = [r.body.split("MessageSid=")[1].split("&")[0] for r in requests]
    stored = Message.objects.filter(provider_sid__in=all_sids).count()
    check(retried == Counter({200: len(failed)}), f"retries answered {dict(retried)}")
    check(stored == len(requests), f"{stored} of {len(requests)} stored after retries")
    return (f"{len(requests)} webhooks across a 6 s PostgreSQL restart: HTTP {dict(sorted(statuses.items()))}; "
            f"every 200 stored; the {len(failed)} failures retried as Twilio would: all 200, "
            f"{stored}/{len(requests)} stored exactly once")  # fmt: skip


def drill_two_beats(stack: Stack) -> str:
    """Two beat schedulers (2 s intervals) and two workers: no check-in or escalation step happens twice."""
    import datetime as dt

    from django.db.models import Count
    from django.utils import timezone

    from alerts.models import Alert, AlertEvent
    from bench.run import make_members, make_org, make_staff
    from checkins.models import CheckIn
    from sms.models import Message

    now = timezone.now()
    organization, program = make_org("Drill beats")
    program.ack_timeout_seconds = 5
    program.max_reminders = 2
    program.save(update_fields=["ack_timeout_seconds", "max_reminders"])
    supporters = make_staff(organization, 20, "drill-beats", supervisors=2)
    make_members(organization, program, supporters, 400, "504", now + dt.timedelta(seconds=6))
    # 20 members with an alert each (mood 1), through the real rules, so that escalation has work.
    workers = [stack.start_worker(f"beatworker{i}", concurrency=2) for i in (1, 2)]
    beats = [stack.start_beat(f"beat{i}", app="bench.fast_beat") for i in (1, 2)]
    say("  two beats and two workers running; waiting for the check-ins and for escalations ...")
    members = organization.members.order_by("id")
    wait_until(lambda: CheckIn.objects.filter(member__organization=organization).count() >= 400, 60,
               "400 check-ins")  # fmt: skip
    from bench.run import signed

    for i, member in enumerate(members[:20]):
        post(stack, signed(member.phone, "1", f"SMb{i:031d}"))
    # Escalation: at 5 s, then two reminders 5 s apart: 15 s after the alerts, plus ticks.
    wait_until(lambda: Alert.objects.filter(organization=organization, reminders_sent=2).count() == 20, 90,
               "every alert to escalate and send its two reminders")  # fmt: skip
    time.sleep(6)  # a few more ticks from both beats
    for proc in beats + workers:
        stack.stop(proc)
    per_member = CheckIn.objects.filter(member__organization=organization).values("member").annotate(n=Count("id"))
    doubled_checkins = sum(1 for row in per_member if row["n"] != 1)
    prompts = Message.objects.filter(organization=organization, kind="prompt").values("member").annotate(n=Count("id"))
    doubled_prompts = sum(1 for row in prompts if row["n"] != 1)
    alerts = Alert.objects.filter(organization=organization)
    escalated = AlertEvent.objects.filter(alert__in=alerts, type="escalated").values("alert").annotate(n=Count("id"))
    doubled_escalations = sum(1 for row in escalated if row["n"] != 1)
    reminded = AlertEvent.objects.filter(alert__in=alerts, type="reminded").count()
    # Each step texts the 2 supervisors once: escalation + 2 reminders = 6 texts per alert (+1 to the supporter).
    texts = Message.objects.filter(alert__in=alerts, kind="notification").values("alert").annotate(n=Count("id"))
    wrong_texts = sum(1 for row in texts if row["n"] != 7)
    check(per_member.count() == 400 and doubled_checkins == 0, f"{doubled_checkins} members with a double check-in")
    check(prompts.count() == 400 and doubled_prompts == 0, f"{doubled_prompts} members prompted twice")
    check(escalated.count() == 20 and doubled_escalations == 0, f"{doubled_escalations} alerts escalated twice")
    check(reminded == 20 * 2 * 2, f"{reminded} reminder events for 20 alerts x 2 reminders x 2 supervisors")
    check(wrong_texts == 0, f"{wrong_texts} alerts with a wrong number of staff texts")
    return ("two beats ticking every 2 s with two workers: 400 members got exactly one check-in and one prompt; "
            "20 alerts escalated exactly once and reminded exactly twice (7 staff texts each)")


def drill_status_callbacks(stack: Stack) -> str:
    """Duplicate and out-of-order status callbacks: status never moves back, failures handled once."""
    from django.utils import timezone

    from alerts.models import AlertEvent
    from sms.models import Message
    from devtools.twilio_signing import signature_for
    from urllib.parse import urlencode

    from alerts.models import Alert

    def callback(sid: str, status: str, error: str | None = None) -> int:
        params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "b" * 32}
        if error:
            params["ErrorCode"] = error
        path = "/sms/twilio/status"
        return post(stack, Signed(path, signature_for(path, params), urlencode(params)))[0]

    now = timezone.now()
    prompt = Message.objects.create(direction="out", kind="prompt", priority=2, phone="+15055550001", body="x",
                                    status="sent", provider_sid="SM" + "d1" * 16, sent_at=now)  # fmt: skip
    alert = Alert.objects.filter(status="open", severity="warning").exclude(notifications=None).first()
    if alert is None:
        raise AssertionError("no open alert to test a failed notification with (run the beats drill first)")
    note = Message.objects.create(direction="out", kind="notification", priority=0, phone=alert.supporter.phone,
                                  staff=alert.supporter, alert=alert, organization=alert.organization, body="x",
                                  status="sent", provider_sid="SM" + "d2" * 16, sent_at=now)  # fmt: skip
    worker = stack.start_worker("callbacks", concurrency=1)
    answers = [
        callback(prompt.provider_sid, "delivered"),
        callback(prompt.provider_sid, "sent"),  # late
        callback(prompt.provider_sid, "sending"),  # later still
        callback(prompt.provider_sid, "delivered"),  # duplicate
        callback(prompt.provider_sid, "queued"),
    ]
    failures_before = AlertEvent.objects.filter(alert=alert, type="delivery_failed").count()
    answers += [callback(note.provider_sid, "undelivered", "30003") for _ in range(3)]
    answers += [callback(note.provider_sid, "sent"), callback(note.provider_sid, "delivered")]
    time.sleep(3)  # the failure is handled by a task
    stack.stop(worker)
    prompt.refresh_from_db()
    note.refresh_from_db()
    failures = AlertEvent.objects.filter(alert=alert, type="delivery_failed").count() - failures_before
    check(all(a in (200, 204) for a in answers), f"callback answers {answers}")
    check(prompt.status == "delivered", f"prompt ended {prompt.status}")
    check(note.status == "undelivered", f"notification ended {note.status}")
    check(failures == 1, f"{failures} delivery-failed events for one failed text")
    return ("10 callbacks (late 'sent'/'sending'/'queued' after 'delivered', duplicates, 'delivered' after "
            "'undelivered'): all 204; statuses never moved back; the failed alert text was handled once")


def drill_flood(stack: Stack) -> str:
    """A flood of inbound from one number: every text stored, replies rate-limited."""
    from bench.run import signed
    from sms.inbound import REPLY_LIMIT
    from sms.models import Message

    _, members = population("Drill flood", 1, "505")
    phone = members[0].phone
    count = 300
    requests = [signed(phone, f"answer {i % 7}", f"SMf{i:031d}") for i in range(count)]
    sent = open_loop(stack.base_url, requests, 40, senders=8)
    statuses = Counter(s.status for s in sent)
    stored = Message.objects.filter(phone=phone, direction="in").count()
    replies = Message.objects.filter(phone=phone, direction="out", kind="reply").count()
    check(statuses == Counter({200: count}), f"statuses {dict(statuses)}")
    check(stored == count, f"{stored} of {count} stored")
    check(replies <= REPLY_LIMIT, f"{replies} replies (limit {REPLY_LIMIT} per window)")
    return f"{count} texts from one number at 40/s: all 200, all {count} stored, {replies} replies sent (limit {REPLY_LIMIT})"


DRILLS = {
    "redis-outage": drill_redis_outage,
    "worker-sigkill": drill_worker_sigkill,
    "postgres-restart": drill_postgres_restart,
    "two-beats": drill_two_beats,
    "status-callbacks": drill_status_callbacks,
    "flood": drill_flood,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=list(DRILLS), help="run only these drills")
    args = parser.parse_args()
    chosen = args.only or list(DRILLS)
    started = time.monotonic()
    with Stack("drills", database="checkins_drills") as stack:
        say("starting a throwaway PostgreSQL cluster and Redis, gunicorn, LocalTwilio ...")
        stack.start_own_postgres()
        stack.start_redis()
        stack.extra_env.update(OUTBOX_LEASE_SECONDS="8", TWILIO_TIMEOUT_SECONDS="5", SMS_MESSAGES_PER_SECOND="50")
        stack.create_database()
        stack.apply_env_here()
        import django

        django.setup()
        stack.start_twilio()
        stack.start_gunicorn(workers=2)
        # One worker for the drills that need tasks to flow; some drills add their own.
        background = stack.start_worker("worker", concurrency=2)
        for name in chosen:
            say(f"{name}: {DRILLS[name].__doc__.splitlines()[0]}")
            began = time.monotonic()
            if name in ("worker-sigkill", "two-beats", "status-callbacks") and background in stack.procs:
                stack.stop(background)  # these drills run exactly the workers they describe
            elif background not in stack.procs:
                background = stack.start_worker("worker", concurrency=2)
            try:
                fresh_connection()
                detail = DRILLS[name](stack)
                RESULTS.append((name, True, detail))
                say(f"PASS {name} ({time.monotonic() - began:.0f} s): {detail}")
            except Exception as error:  # noqa: BLE001 - report and go on to the next drill
                traceback.print_exc()
                RESULTS.append((name, False, str(error)))
                say(f"FAIL {name} ({time.monotonic() - began:.0f} s): {error}")
    print()
    print(f"Fault drills, {time.strftime('%Y-%m-%d %H:%M %Z')}, {(time.monotonic() - started) / 60:.1f} min")
    for name, passed, detail in RESULTS:
        print(f"  {'PASS' if passed else 'FAIL'}  {name:17} {detail}")
    failed = sum(1 for _, passed, _ in RESULTS if not passed)
    # The closing line CI reads, in the plain form any runner understands.
    print(f"drills: {len(RESULTS) - failed} passed, {failed} failed")
    return 0 if RESULTS and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
