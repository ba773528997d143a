"""Profile one scheduling tick over 10,000 due members: SQL time by statement and functions by own time.

    python -m bench.profile_tick
"""

import cProfile, pstats, time
from bench.procs import Stack
with Stack("profile-tick", database="checkins_profile_tick") as stack:
    stack.apply_env_here(); stack.start_redis(); stack.create_database()
    import django; django.setup()
    from django.utils import timezone
    from django.db import connection
    from bench.run import make_members, make_org, make_staff
    from checkins import schedule
    now = timezone.now()
    org, program = make_org("P"); sup = make_staff(org, 400, "pt")
    make_members(org, program, sup, 10000, "310", now)
    times = {}
    def rec(execute, sql, params, many, context):
        t = time.perf_counter()
        try: return execute(sql, params, many, context)
        finally:
            k = sql[:60]; times[k] = times.get(k, 0) + time.perf_counter() - t
    p = cProfile.Profile()
    t = time.perf_counter()
    with connection.execute_wrapper(rec):
        p.enable(); schedule.start_due_checkins(now); p.disable()
    print("tick", time.perf_counter() - t)
    for k, v in sorted(times.items(), key=lambda kv: -kv[1])[:8]: print(f"{v:.2f}s {k}")
    pstats.Stats(p).sort_stats("tottime").print_stats(15)
