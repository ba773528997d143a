"""Starting and stopping the real processes the benchmarks and drills measure:
a throwaway Redis, a fresh PostgreSQL database (or a throwaway cluster),
gunicorn, Celery workers and beat, and a recording LocalTwilio.

Everything started here is stopped by its own pid (process group) when the
`Stack` closes, whatever happened. The shared PostgreSQL and Redis on their
usual ports are never stopped: drills that need an outage get their own.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from devtools.processes import BIN, PYTHON, ROOT, free_port, wait_for_port

ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-auth-token"
FROM_NUMBER = "+15555550000"
PG_BIN_CANDIDATES = ["/usr/local/bin", *sorted(map(str, Path("/usr/lib/postgresql").glob("*/bin")), reverse=True)]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_backends(database: str) -> list[int]:
    """Server processes serving connections to `database` (their title names it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres:") and f" {database} " in title:
                pids.append(int(entry.name))
    return pids


class CpuMeter:
    """CPU used by groups of processes between start() and stop()."""

    def __init__(self, groups: dict):
        self.groups = groups  # name -> callable returning pids
        self.before: dict[int, float] = {}

    def start(self) -> None:
        self.before = {pid: cpu_seconds(pid) for pids in self.groups.values() for pid in pids()}

    def stop(self) -> dict[str, float]:
        return {
            name: sum(cpu_seconds(pid) - self.before.get(pid, 0.0) for pid in pids())
            for name, pids in self.groups.items()
        }


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values) - idle) / tick, sum(values) / tick


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Proc:
    """A child process in its own process group, with its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path, capture: bool = False):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE if capture else subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else self.log,
            stderr=self.log,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 10.0) -> None:
        if not self.alive():
            self.log.close()
            return
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.popen.wait(5)
        self.log.close()


class Recorder:
    """The LocalTwilio subprocess, and what it accepted: (wall time, recipient hash)."""

    def __init__(self, proc: Proc):
        self.proc = proc
        self.lock = threading.Lock()
        self.sent: list[tuple[float, str]] = []
        self.ready = threading.Event()
        self.base_url = ""
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(20):
            raise RuntimeError("LocalTwilio did not start; see " + str(proc.log_path))

    def _read(self) -> None:
        for raw in self.proc.popen.stdout:
            line = json.loads(raw)
            if "ready" in line:
                self.base_url = line["ready"]
                self.ready.set()
                continue
            with self.lock:
                self.sent.append((line["t"], line["to"]))

    def command(self, line: str) -> None:
        """`delay SECONDS`: answer every create that much later (after recording it)."""
        self.proc.popen.stdin.write((line + "\n").encode())
        self.proc.popen.stdin.flush()

    def snapshot(self) -> list[tuple[float, str]]:
        with self.lock:
            return list(self.sent)

    def count(self) -> int:
        with self.lock:
            return len(self.sent)


def find_pg_bin(name: str) -> str:
    for directory in PG_BIN_CANDIDATES:
        if (Path(directory) / name).exists():
            return str(Path(directory) / name)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found (PostgreSQL server binaries)")
    return found


class Stack:
    """The processes of one run. Use as a context manager: everything stops on exit."""

    def __init__(self, name: str, *, database: str | None = None, pg_url: str = "postgres://postgres@127.0.0.1:5432"):
        self.name = name
        self.log_dir = ROOT / "var" / name
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.procs: list[Proc] = []
        self.pg_url = pg_url
        self.database = database or f"checkins_{name}"
        self.redis_port = free_port()
        self.web_port = free_port()
        self.twilio_port = free_port()
        self.recorder: Recorder | None = None
        self.redis: Proc | None = None
        self.own_pg: dict | None = None
        self.extra_env: dict[str, str] = {}

    # -- environment ------------------------------------------------------------------
    @property
    def database_url(self) -> str:
        return f"{self.pg_url}/{self.database}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self, **overrides: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TWILIO_", "SMS_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            SECRET_KEY="bench-secret-key",
            DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            PUBLIC_BASE_URL=self.base_url,
            SMS_BACKEND="twilio",
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            TWILIO_FROM_NUMBER=FROM_NUMBER,
            TWILIO_API_BASE_URL=f"http://127.0.0.1:{self.twilio_port}",
            TWILIO_TIMEOUT_SECONDS="5",
            SMS_MESSAGES_PER_SECOND="100",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        env.update(overrides)
        return env

    def apply_env_here(self, **overrides: str) -> None:
        """Point this process's Django at the same services (before django.setup())."""
        os.environ.update(self.env(**overrides))

    # -- services -------------------------------------------------------------------------
    def start_redis(self) -> Proc:
        self.redis = self._spawn(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
             "no", "--loglevel", "warning"],
        )  # fmt: skip
        wait_for_port(self.redis_port)
        return self.redis

    def stop_redis(self) -> None:
        if self.redis is not None:
            self.redis.stop()
            self.procs.remove(self.redis)
            self.redis = None

    def start_own_postgres(self) -> None:
        """A throwaway cluster on its own port, so that restarting it touches nobody else."""
        port = free_port()
        data = Path(tempfile.mkdtemp(prefix=f"pg-{self.name}-", dir="/tmp"))
        run_as = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        if run_as:
            shutil.chown(data, "postgres", "postgres")
        subprocess.run(
            [*run_as, find_pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.own_pg = {"port": port, "data": data, "run_as": run_as}
        self.pg_url = f"postgres://postgres@127.0.0.1:{port}"
        self.postgres_start()

    def postgres_start(self) -> None:
        pg = self.own_pg
        log = self.log_dir / "postgres.log"
        if pg["run_as"]:
            log.touch()
            shutil.chown(log, "postgres", "postgres")
        subprocess.run(
            [*pg["run_as"], find_pg_bin("pg_ctl"), "-D", str(pg["data"]), "-l", str(log), "-w", "-o",
             f"-p {pg['port']} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def postgres_stop(self) -> None:
        pg = self.own_pg
        subprocess.run(
            [*pg["run_as"], find_pg_bin("pg_ctl"), "-D", str(pg["data"]), "-w", "-m", "fast", "stop"],
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(f"{self.pg_url}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.database}"')
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=self.env(), check=True)

    def drop_database(self) -> None:
        import psycopg

        try:
            with psycopg.connect(f"{self.pg_url}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        except psycopg.Error:
            pass

    def start_twilio(self) -> Recorder:
        proc = self._spawn(
            "twilio",
            [PYTHON, "-m", "bench.twilio_recorder", "--port", str(self.twilio_port), "--auth-token", AUTH_TOKEN],
            capture=True,
        )
        self.recorder = Recorder(proc)
        return self.recorder

    def start_gunicorn(self, workers: int = 4, threads: int = 1, **env: str) -> Proc:
        # No access log, as in docker-compose.yml: gunicorn formats every
        # access line even for --access-logfile /dev/null (3 % of a webhook's
        # CPU under py-spy), which production does not pay.
        args = [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{self.web_port}", "--workers",
                str(workers), "--log-level", "warning", "--backlog", "2048", "--timeout", "60"]  # fmt: skip
        if threads > 1:
            args += ["--worker-class", "gthread", "--threads", str(threads)]
        proc = self._spawn("gunicorn", args, env=env)
        wait_for_port(self.web_port)
        return proc

    def start_worker(self, name: str = "worker", concurrency: int = 2, **env: str) -> Proc:
        log = self.log_dir / f"{name}.log"
        offset = log.stat().st_size if log.exists() else 0
        proc = self._spawn(
            name,
            [str(BIN / "celery"), "-A", "config", "worker", "-n", f"{name}@%h", "--concurrency", str(concurrency),
             "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=env,
        )  # fmt: skip
        # The worker logs "<name>@<host> ready." once it consumes (task lines name ids, never arguments).
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            with open(log, "rb") as handle:
                handle.seek(offset)
                if f"{name}@".encode() in handle.read() and b" ready." in log.read_bytes()[offset:]:
                    return proc
            if not proc.alive():
                break
            time.sleep(0.2)
        raise TimeoutError(f"celery worker {name} did not become ready; see {log}")

    def start_beat(self, name: str = "beat", app: str = "config", **env: str) -> Proc:
        schedule = self.log_dir / f"{name}-schedule"
        for stale in self.log_dir.glob(f"{name}-schedule*"):
            stale.unlink()
        return self._spawn(
            name,
            [str(BIN / "celery"), "-A", app, "beat", "--loglevel", "WARNING", "--schedule", str(schedule)],
            env=env,
        )

    def _spawn(self, name: str, args: list[str], capture: bool = False, env: dict | None = None) -> Proc:
        proc = Proc(name, args, self.env(**(env or {})), self.log_dir, capture=capture)
        self.procs.append(proc)
        return proc

    def stop(self, proc: Proc) -> None:
        proc.stop()
        if proc in self.procs:
            self.procs.remove(proc)

    # -- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> "Stack":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        for proc in reversed(self.procs):
            try:
                proc.stop()
            except Exception:  # noqa: BLE001 - keep stopping the rest
                pass
        self.procs.clear()
        if self.own_pg is not None:
            self.postgres_stop()
            shutil.rmtree(self.own_pg["data"], ignore_errors=True)
            self.own_pg = None
        else:
            self.drop_database()
