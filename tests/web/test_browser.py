"""The web app in a real browser (Debian's Chromium, headless) against the
live test server: the supporter's loop, the supervisor's review and CSV, the
SMS sandbox round trip, and scope. Screenshots go to test-artifacts/web/."""

import datetime as dt
import os
import re
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from alerts import escalation
from alerts.models import Alert
from checkins.schedule import start_checkin
from devtools.twilio_signing import signature_for
from tests.web.conftest import read_export

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# test makes between browser steps are ordinary blocking calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
PASSWORD = "correct horse battery"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WAIT_MS = 15_000  # live regions poll every few seconds


@pytest.fixture
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a new, empty --user-data-dir
            executable_path="/usr/bin/chromium",
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 900},
            accept_downloads=True,
        )
        context.set_default_timeout(WAIT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()
            # Inside sync_playwright() the ORM runs in Playwright's context
            # and opens its own connection: close it here, or it would keep
            # the test database from being dropped at the end of the run.
            connections.close_all()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, live_server, staff) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Email").fill(staff.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")


def text_from(live_server, phone: str, body: str) -> int:
    """A text from a member's phone, as Twilio delivers it: a signed form POST over HTTP."""
    path = "/sms/twilio/inbound"
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": phone, "To": "+15555550000", "Body": body}
    request = urllib.request.Request(
        live_server.url + path,
        data=urllib.parse.urlencode(params).encode(),
        headers={"X-Twilio-Signature": signature_for(path, params)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_a_supporter_handles_an_alert_and_the_supervisor_reviews_it(page, live_server, supporter, supervisor, member):
    from playwright.sync_api import expect

    sign_in(page, live_server, supporter)
    expect(page.get_by_text("No open alerts")).to_be_visible()

    # A signed webhook raises the alert while the queue is open: it appears without a reload.
    start_checkin(member)
    assert text_from(live_server, member.phone, "4") == 200
    assert text_from(live_server, member.phone, "9") == 200
    alert = Alert.objects.get(member=member)
    row = page.locator(f"#alert-{alert.pk}")
    expect(row).to_contain_text("Craving 9 of 10.")
    expect(row).to_contain_text("Urgent")
    shot(page, "home")

    row.get_by_role("button", name=re.compile("^Acknowledge")).click()
    expect(page.get_by_text(f"Alert {alert.pk} acknowledged")).to_be_visible()
    page.locator(f"#alert-{alert.pk}").get_by_role("link", name=re.compile("Note or resolve")).click()
    page.get_by_label("Add a note to the log").fill("Called, no answer; texted back.")
    page.get_by_role("button", name="Add note").click()
    page.get_by_label("Outcome").fill("Reached by phone, safe")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text(f"Alert {alert.pk} resolved.")).to_be_visible()
    shot(page, "alert")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "alert-phone")
    page.set_viewport_size({"width": 1200, "height": 900})

    page.get_by_role("link", name=member.name).click()
    expect(page.get_by_role("img", name="Mood and craving over time")).to_be_visible()
    expect(page.locator(".thread")).to_contain_text("9")
    shot(page, "member")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, supervisor)
    page.get_by_role("link", name="Review").click()
    page.get_by_label("Status").select_option("resolved")
    page.get_by_role("button", name="Filter").click()
    shot(page, "review")
    page.get_by_role("link", name=str(alert.pk), exact=True).click()
    timeline = page.locator(".timeline")
    for step in ("Created", "Notified", "Acknowledged", "Note", "Resolved"):
        expect(timeline).to_contain_text(step)
    expect(timeline).to_contain_text(f"{supporter.name} · Web")

    page.go_back()
    # An export is a disclosure: the purpose and the recipient first.
    page.get_by_role("link", name="Export CSV").click()
    page.get_by_label("Purpose").fill("Quality review")
    page.get_by_label("Recipient").fill("Riverside board")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the CSV").click()
    with open(download.value.path(), newline="") as exported:
        notice, rows = read_export(exported.read().encode())
    assert "42 CFR part 2" in notice
    assert [(int(r["alert_id"]), r["status"], r["outcome"]) for r in rows] == [
        (alert.pk, "resolved", "Reached by phone, safe")
    ]

    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Acknowledge within (seconds)")).to_have_value("900")
    shot(page, "settings")


def test_the_sandbox_round_trip_from_checkin_to_escalation(page, live_server, supervisor, supporter, member):
    from playwright.sync_api import expect

    program = member.program
    program.ack_timeout_seconds = 60  # as in the demo
    program.save(update_fields=["ack_timeout_seconds"])
    sign_in(page, live_server, supervisor)
    page.get_by_role("link", name="SMS sandbox").click()

    dana = page.locator(f"#phone-m{member.pk}")
    vera = page.locator(f"#thread-s{supervisor.pk}")
    # Only the supervisor's own staff phone is here: nobody texts as a colleague.
    expect(page.locator(f"#thread-s{supporter.pk}")).to_have_count(0)
    dana.get_by_role("button", name="Start a check-in for Dana Whitfield").click()
    expect(dana.locator(".screen")).to_contain_text("How is your mood today")

    reply = dana.get_by_label("Text from Dana Whitfield")
    for answer, next_question in (("3", "How strong are your urges"), ("craving 9", "did you have a slip"),
                                  ("no", "Thanks for checking in")):
        reply.fill(answer)
        reply.press("Enter")
        expect(dana.locator(".screen")).to_contain_text(next_question)

    alert = Alert.objects.get(member=member)
    assert supporter.messages.filter(body__contains=f"URGENT check-in alert for Dana W. (alert {alert.pk})").exists()
    expect(vera).to_contain_text("No texts yet.")

    # Nobody acknowledges: a minute later the escalation tick texts the supervisor.
    escalation.escalate_due(now=timezone.now() + dt.timedelta(seconds=61))
    expect(vera).to_contain_text(f"URGENT check-in alert for Dana W. (alert {alert.pk})")

    ack = page.get_by_label("Text from Vera Lopez")
    ack.fill(f"ACK {alert.pk}")
    ack.press("Enter")
    expect(vera).to_contain_text(f"Acknowledged alert {alert.pk}")
    alert.refresh_from_db()
    assert (alert.status, alert.escalation_level, alert.acknowledged_by) == ("acknowledged", 1, supervisor)
    shot(page, "sandbox")


def test_a_supporter_cannot_open_another_supporters_member(page, live_server, member):
    from tests.factories import StaffFactory

    kim = StaffFactory(organization=member.organization, name="Kim Osei")
    sign_in(page, live_server, kim)
    response = page.goto(f"{live_server.url}/members/{member.pk}")
    assert response.status == 404
    assert member.name not in page.content()
