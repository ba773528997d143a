"""The in-process scheduler for the embedded mode (no Redis): a thread that
runs the same periodic tasks as Celery beat, on the same intervals, in the
web process. Each run is a short tick over the database, exactly as on a
worker; tasks those ticks dispatch run in-process too (CELERY_TASK_ALWAYS_EAGER).
"""

import importlib
import logging
import threading
import time

from django.db import close_old_connections

log = logging.getLogger(__name__)

_wake = threading.Event()


def wake() -> None:
    """Ask the scheduler to run the outbox now (new messages to send)."""
    _wake.set()


class EmbeddedScheduler(threading.Thread):
    def __init__(self, schedule: dict):
        super().__init__(name="embedded-scheduler", daemon=True)
        self.entries = [(entry["task"], float(entry["schedule"])) for entry in schedule.values()]
        self.next_run = {name: 0.0 for name, _ in self.entries}
        self.stopping = threading.Event()

    def run(self) -> None:
        from config.celery import app

        # Tasks register when their module is imported; beat's worker would
        # import them through autodiscovery, which a plain thread never runs.
        for name, _ in self.entries:
            importlib.import_module(name.rsplit(".", 1)[0])
        log.info("embedded scheduler started: %s", ", ".join(name for name, _ in self.entries))
        while not self.stopping.is_set():
            woken = _wake.is_set()
            _wake.clear()
            now = time.monotonic()
            for name, interval in self.entries:
                if now >= self.next_run[name] or (woken and name == "sms.tasks.deliver_outbox"):
                    self.next_run[name] = now + interval
                    self._run_one(app.tasks[name])
            _wake.wait(timeout=1.0)

    def _run_one(self, task) -> None:
        close_old_connections()
        try:
            task.apply(throw=True)
        except Exception:
            # Names only: task arguments and results may carry health information.
            log.exception("periodic task %s failed", task.name)
        finally:
            close_old_connections()

    def stop(self) -> None:
        self.stopping.set()
        _wake.set()
