"""Load generators.

- `wrk_max()`: wrk (C, closed loop, N connections) cycling through a file of
  pre-signed webhook requests: the most the server sustains. The signature
  depends on the body, so every request is signed in advance; each wrk thread
  takes its own slice of the file, so no MessageSid is sent twice while the
  pool lasts.
- `open_loop()`: requests at a fixed offered rate (a dispatcher thread and a
  pool of sender threads). Latency runs from the moment a request was due, so
  a server that falls behind shows it (no coordinated omission).
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

LUA = r"""
local pool = {}
local counter = 0
local thread_count = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  local path, file, nthreads = args[1], args[2], tonumber(args[3])
  local n = 0
  for line in io.lines(file) do
    if n % nthreads == id then
      local tab = string.find(line, "\t", 1, true)
      local sig, body = string.sub(line, 1, tab - 1), string.sub(line, tab + 1)
      table.insert(pool, wrk.format("POST", path, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = sig,
      }, body))
    end
    n = n + 1
  end
end

function request()
  counter = counter + 1
  return pool[(counter - 1) % #pool + 1]
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors_status": %d, "errors_connect": %d, "errors_read": %d, ' ..
    '"errors_write": %d, "errors_timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
"""


@dataclasses.dataclass
class Signed:
    path: str
    signature: str
    body: str  # application/x-www-form-urlencoded


@dataclasses.dataclass
class WrkResult:
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def wrk_max(base_url: str, path: str, pool: list[Signed], seconds: int, connections: int, threads: int,
            work_dir: Path) -> WrkResult:
    work_dir.mkdir(parents=True, exist_ok=True)
    script = work_dir / "signed_pool.lua"
    script.write_text(LUA)
    data = work_dir / "signed_pool.tsv"
    data.write_text("".join(f"{r.signature}\t{r.body}\n" for r in pool))
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "-s",
         str(script), base_url, "--", path, str(data), str(threads)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(l for l in out.stdout.splitlines() if l.startswith("{"))
    r = json.loads(line)
    return WrkResult(
        requests=r["requests"],
        seconds=r["duration_us"] / 1e6,
        non_2xx=r["errors_status"],
        socket_errors=r["errors_connect"] + r["errors_read"] + r["errors_write"] + r["errors_timeout"],
        p50_ms=r["p50_us"] / 1000,
        p90_ms=r["p90_us"] / 1000,
        p99_ms=r["p99_us"] / 1000,
    )


@dataclasses.dataclass
class Sent:
    due_wall: float  # time.time() when the request was due to leave
    latency: float  # seconds from due to the full response
    status: int  # HTTP status, 0 when the connection failed


def open_loop(base_url: str, pool: list[Signed], rate: float, senders: int = 32, timeout: float = 10.0) -> list[Sent]:
    """Send every request in `pool` at `rate` per second; returns one Sent per request, in order."""
    host = urlsplit(base_url)
    jobs: queue.Queue = queue.Queue()
    results: list[Sent | None] = [None] * len(pool)

    def sender() -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=timeout)
        while True:
            job = jobs.get()
            if job is None:
                conn.close()
                return
            index, due_perf, due_wall = job
            request = pool[index]
            try:
                conn.request(
                    "POST", request.path, body=request.body,
                    headers={"Content-Type": "application/x-www-form-urlencoded",
                             "X-Twilio-Signature": request.signature},
                )  # fmt: skip
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=timeout)
                status = 0
            results[index] = Sent(due_wall, time.perf_counter() - due_perf, status)

    workers = [threading.Thread(target=sender, daemon=True) for _ in range(senders)]
    for worker in workers:
        worker.start()
    start_perf, start_wall = time.perf_counter() + 0.05, time.time() + 0.05
    for index in range(len(pool)):
        offset = index / rate
        delay = start_perf + offset - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        jobs.put((index, start_perf + offset, start_wall + offset))
    for _ in workers:
        jobs.put(None)
    for worker in workers:
        worker.join()
    return [r for r in results if r is not None]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))]
