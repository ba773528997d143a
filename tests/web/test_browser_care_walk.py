"""The whole care loop in a real browser, as a member (through the signed
webhook), a supporter on a phone and a supervisor on a desk: a free text, the
alert it raises, a reply, a contact note with the resolve, the follow-up on
the home page, and the review's figures. Real Chromium against the live test
server, as tests/web/test_browser.py."""

import pytest
from django.utils import timezone

from alerts.models import Alert
from care.models import ContactNote
from sms.models import Message
from tests.web.test_browser import page, shot, sign_in, text_from  # noqa: F401 (page is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESK = {"width": 1280, "height": 900}
WORDS = "rough night, can someone call me?"


def test_a_free_text_is_answered_noted_followed_up_and_reviewed(
    page, live_server, supporter, supervisor, member
):  # noqa: F811
    from playwright.sync_api import expect

    # (1) The member texts in free words: an urgent "asked to be contacted" alert.
    assert text_from(live_server, member.phone, WORDS) == 200
    alert = Alert.objects.get(member=member)
    assert (alert.topic, alert.severity, alert.reasons) == (
        Alert.Topic.CONTACT,
        "urgent",
        ["Asked to be contacted."],
    )

    # (2) The supporter, on a phone, sees the alert and the unread text on home.
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, supporter)
    row = page.locator(f"#alert-{alert.pk}")
    expect(row).to_contain_text("Asked to be contacted.")
    expect(row).to_contain_text("Urgent")
    unread = page.get_by_role("list", name="Members with unread texts, newest first")
    expect(unread.get_by_role("listitem")).to_have_count(1)
    expect(unread.get_by_role("listitem")).to_contain_text(
        f"{member.name}: 1 unread text"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "walk-home-phone")

    row.get_by_role("link", name=f"{member.name} · alert {alert.pk}").click()
    page.wait_for_url(f"{live_server.url}/alerts/{alert.pk}")
    expect(page.locator("section.words")).to_contain_text(WORDS)
    call = page.get_by_role("link", name=f"Call {member.phone}")
    expect(call).to_be_visible()
    assert call.get_attribute("href") == f"tel:{member.phone}"

    page.get_by_label(f"Text {member.first_name}").fill("I'll call you in 10 minutes.")
    page.get_by_role("button", name="Send text").click()
    expect(page.get_by_text(f"Text to {member.first_name} queued")).to_be_visible()
    sent = Message.objects.get(kind=Message.Kind.STAFF_REPLY, member=member)
    assert (sent.direction, sent.phone, sent.body, sent.staff) == (
        Message.Direction.OUTBOUND, member.phone, "I'll call you in 10 minutes.", None,
    )  # fmt: skip

    # (3) The call happened: resolve the alert with the contact note.
    today = timezone.localdate()
    resolve = page.locator("form#resolve")
    resolve.get_by_text("Log the contact with it").click()
    resolve.get_by_role("group", name="Outcome").get_by_label(
        "Reached", exact=True
    ).check()
    resolve.get_by_role("group", name="Contact type").get_by_label(
        "Call", exact=True
    ).check()
    expect(resolve.get_by_label("Date", exact=True)).to_have_value(today.isoformat())
    resolve.get_by_label("or duration (minutes)").fill("20")
    resolve.get_by_label("What was done").fill(
        "Called, talked through the safety plan."
    )
    resolve.get_by_label("Their response").fill("Calmer, going to a meeting tonight.")
    resolve.get_by_label("Plan").fill("Check in by phone tomorrow.")
    resolve.get_by_label("Follow up on").fill(today.isoformat())
    # The outcome above stays empty: with a contact note, what was done is used.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "walk-resolve-phone")
    resolve.get_by_role("button", name="Resolve").click()
    expect(
        page.get_by_text(f"Alert {alert.pk} resolved and the contact logged.")
    ).to_be_visible()

    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by, alert.outcome) == (
        Alert.Status.RESOLVED, supporter, "Called, talked through the safety plan.",
    )  # fmt: skip
    note = ContactNote.objects.get(member=member)
    assert (note.alert, note.staff, note.outcome, note.modality, note.duration_minutes) == (
        alert, supporter, ContactNote.Outcome.REACHED, ContactNote.Modality.CALL, 20,
    )  # fmt: skip
    assert (note.intervention, note.response, note.plan) == (
        "Called, talked through the safety plan.", "Calmer, going to a meeting tonight.", "Check in by phone tomorrow.",
    )  # fmt: skip
    assert (note.contact_date, note.follow_up_on) == (today, today)

    # (4) Home: the alert is gone from the queue and the follow-up is due.
    page.get_by_role("link", name="← All alerts").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.locator(f"#alert-{alert.pk}")).to_have_count(0)
    follow_ups = page.get_by_role("region", name="My follow-ups due")
    expect(follow_ups.get_by_role("link", name=member.name)).to_be_visible()
    expect(follow_ups).to_contain_text("plan: Check in by phone tomorrow.")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "walk-follow-up-phone")

    # (5) The supervisor, on a desk, sees the contact in the review's figures.
    page.get_by_role("button", name="Sign out").click()
    page.set_viewport_size(DESK)
    sign_in(page, live_server, supervisor)
    page.get_by_role("link", name="Review").click()
    per_supporter = page.get_by_role("region", name="Engagement per supporter table")
    sam = per_supporter.get_by_role("row", name=supporter.name)
    expect(sam.get_by_role("cell").nth(4)).to_have_text("1")  # Alerts
    expect(sam).to_contain_text("(1 of 1 contacted)")
    expect(per_supporter.locator("tfoot")).to_contain_text("(1 of 1 contacted)")
    log = page.get_by_role("region", name="Escalation log table")
    expect(log.get_by_role("link", name=str(alert.pk), exact=True)).to_be_visible()
    billing = page.get_by_role("region", name="Contact notes for billing")
    expect(billing.get_by_label("From")).to_be_visible()
    expect(billing.get_by_label("To", exact=True)).to_be_visible()
    expect(
        billing.get_by_role("button", name="Export contact notes (CSV)")
    ).to_be_visible()
    shot(page, "walk-review-desk")
