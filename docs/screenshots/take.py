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
import os
import shutil
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from devtools.demo_history import DAYS, PASSWORD, SAM, SEED, VERA, play  # noqa: E402  (ROOT first)
OUT_DIR = Path(__file__).resolve().parent
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

PREFERRED_PORT = 8765  # stable links in the staff texts when it is free; any free port otherwise
DESKTOP = {"width": 1100, "height": 760}
PHONE = {"width": 390, "height": 844}
TIME_ZONE = "America/New_York"  # the browser's, as a Riverside supporter's would be

# The application's own settings: none of them may leak in from the caller's shell.
APP_VARIABLES = [
    "DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "PUBLIC_BASE_URL", "CSRF_TRUSTED_ORIGINS",
    "SMS_BACKEND", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "TWILIO_MESSAGING_SERVICE_SID",
    "TWILIO_API_BASE_URL", "SMS_MESSAGES_PER_SECOND", "DJANGO_SETTINGS_MODULE",
]  # fmt: skip

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


def play_history(env: dict[str, str]) -> dict[str, int]:
    """Set Django up in this process on the demo database, play the story, and
    return the ids the screenshots need."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connections

    from alerts.models import Alert
    from checkins.models import Member

    story = play(DAYS, SEED)
    print(story.summary())
    members = {m.name: m.pk for m in Member.objects.all()}
    ids = {
        "dana": members["Dana Whitfield"],
        "rosa": members["Rosa Jimenez"],
        "program": Member.objects.get(pk=members["Dana Whitfield"]).program_id,
        "dana_alert": Alert.objects.filter(member_id=members["Dana Whitfield"], status=Alert.Status.OPEN)
        .values_list("pk", flat=True)
        .get(),
        "escalated_alert": Alert.objects.filter(member_id=members["Marcus Bell"], escalation_level__gte=1)
        .values_list("pk", flat=True)
        .first(),
    }
    from devtools.demo_series import seed_scores

    print(f"{seed_scores()} BARC-10 scores over six months (devtools.demo_series)")
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

            # Running the program: the caseload (also on a phone), members, staff, the on-call rota, the
            # audit log, and a member's accounting of disclosures.
            page.goto(base + "/caseload/")
            shots.append(shoot(page, "caseload", full_page=True))
            vera_phone = sign_in(browser, base, VERA, PHONE)
            vera_phone.goto(base + "/caseload/")
            shots.append(shoot(vera_phone, "caseload-phone", full_page=True))
            page.goto(base + "/members/")
            shots.append(shoot(page, "members", full_page=True))
            page.goto(base + "/staff/")
            shots.append(shoot(page, "staff", full_page=True))
            page.goto(base + "/settings/")
            page.get_by_role("link", name=re.compile("On-call rota")).first.click()
            shots.append(shoot(page, "on-call", full_page=True))
            page.goto(base + "/audit/")
            shots.append(shoot(page, "audit", full_page=True))
            page.goto(f"{base}/members/{ids['dana']}/disclosures")
            shots.append(shoot(page, "accounting", full_page=True))
            sam_mine = sign_in(browser, base, SAM, PHONE)
            sam_mine.goto(base + "/me/")
            shots.append(shoot(sam_mine, "my-coverage-phone", full_page=True))

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
