"""Profile the inbound webhook in-process (cProfile + the SQL it runs), on a
database shaped like the benchmark's: many members with open check-ins.

    python -m bench.profile_inbound [--members 20000] [--requests 300]

Prints the slowest queries (with EXPLAIN for the worst) and the functions
with the most cumulative time. Tasks go to a throwaway Redis, as in production.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import re
import time
from collections import defaultdict

from bench.procs import ROOT, Stack


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=40, help="functions listed per table")
    parser.add_argument("--timing", action="store_true",
                        help="no profiler: only the wall and CPU time per webhook, in rounds of --requests")
    parser.add_argument("--rounds", type=int, default=3, help="with --timing: rounds, each with other members")
    args = parser.parse_args()
    with Stack("profile", database="checkins_profile") as stack:
        stack.apply_env_here(ALLOWED_HOSTS="*")
        stack.start_redis()
        stack.create_database()
        import django

        django.setup()
        from django.db import connection
        from django.test import Client
        from django.utils import timezone

        from bench.run import make_members, make_org, make_staff, mark_prompts_sent, signed
        from checkins import schedule
        from checkins.models import Member

        now = timezone.now()
        organization, program = make_org("Profile")
        supporters = make_staff(organization, max(1, args.members // 25), "prof")
        make_members(organization, program, supporters, args.members, "310", now)
        schedule.start_due_checkins(now)
        mark_prompts_sent()
        phones = list(Member.objects.order_by("id").values_list("phone", flat=True))
        rng = random.Random(1)
        client = Client(HTTP_HOST=stack.base_url.split("//")[1])
        if args.timing:
            time_only(client, phones, rng, args.requests, args.rounds)
            return
        chosen = rng.sample(phones, args.requests)
        requests = [signed(p, "4", f"SM3{i:031d}") for i, p in enumerate(chosen)]

        timings: dict[str, list[float]] = defaultdict(list)

        def record(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings[sql].append(time.perf_counter() - started)

        profile = cProfile.Profile()
        started = time.perf_counter()
        with connection.execute_wrapper(record):
            profile.enable()
            for request in requests:
                response = client.post(
                    request.path, request.body, content_type="application/x-www-form-urlencoded",
                    HTTP_X_TWILIO_SIGNATURE=request.signature,
                )  # fmt: skip
                assert response.status_code == 200, response.status_code
            profile.disable()
        elapsed = time.perf_counter() - started
        print(f"{args.requests} webhooks in {elapsed:.2f} s: {elapsed / args.requests * 1000:.1f} ms each, "
              f"{sum(len(v) for v in timings.values()) / args.requests:.1f} queries each")  # fmt: skip
        print("\nSQL by total time (ms per webhook, calls per webhook):")
        worst = sorted(timings.items(), key=lambda kv: -sum(kv[1]))
        for sql, times in worst[:10]:
            print(f"  {sum(times) / args.requests * 1000:7.2f} ms  x{len(times) / args.requests:.1f}  {sql[:150]}")
        print("\nfunctions by cumulative time (the project's code, Django's handler and middleware, Celery's publish):")
        root = re.escape(str(ROOT))
        pstats.Stats(profile).sort_stats("cumulative").print_stats(
            rf"{root}/(sms|checkins|alerts|accounts|config)|django/core/handlers|middleware|celery/app/task|"
            r"kombu.*publish|request_validator|django/db/models/(query|sql/compiler)|django/db/backends", args.top)
        print("\nfunctions by own time:")
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)


def post(client, request) -> None:
    response = client.post(
        request.path, request.body, content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=request.signature,
    )  # fmt: skip
    assert response.status_code == 200, response.status_code


def time_only(client, phones: list[str], rng: random.Random, requests: int, rounds: int) -> None:
    """Each round: other members answer their open check-in's first question,
    then the second. Wall and this process's CPU per webhook (PostgreSQL's
    CPU is not in it)."""
    from bench.run import signed

    chosen = rng.sample(phones, requests * rounds)
    post(client, signed(chosen[0], "4", "SM4" + "f" * 31))  # warm up: imports, connection
    for number in range(rounds):
        group = chosen[number * requests:(number + 1) * requests]
        for step, body in enumerate(["4", "5"]):
            batch = [signed(p, body, f"SM{number}{step}{i:030d}") for i, p in enumerate(group)]
            wall, cpu = time.perf_counter(), time.process_time()
            for request in batch:
                post(client, request)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"round {number + 1}, answer {step + 1}: {wall / requests * 1000:.2f} ms wall, "
                  f"{cpu / requests * 1000:.2f} ms CPU per webhook")


if __name__ == "__main__":
    main()
