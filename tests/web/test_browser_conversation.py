"""On a phone (375 px wide): a supporter opens an alert raised by a member's
text, reads the words that raised it, finds the member's number as a tel:
link, and texts the member back from the alert page. Real Chromium against
the live test server, as tests/web/test_browser.py."""

import re

import pytest

from alerts.models import Alert
from sms.models import Message
from tests.web.test_browser import page, shot, sign_in, text_from  # noqa: F401 (page is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def test_a_supporter_on_a_phone_reads_the_words_and_replies(page, live_server, supporter, supervisor, member):  # noqa: F811
    from playwright.sync_api import expect

    page.set_viewport_size(PHONE)
    sign_in(page, live_server, supporter)
    assert text_from(live_server, member.phone, "rough night, can someone call me?") == 200
    alert = Alert.objects.get(member=member, topic=Alert.Topic.CONTACT)

    page.reload()
    page.locator(f"#alert-{alert.pk}").get_by_role("link", name=f"{member.name} · alert {alert.pk}").click()
    page.wait_for_url(f"{live_server.url}/alerts/{alert.pk}")
    words = page.locator("section.words")
    expect(words).to_contain_text("rough night, can someone call me?")
    call = page.get_by_role("link", name=f"Call {member.phone}")
    expect(call).to_be_visible()
    assert call.get_attribute("href") == f"tel:{member.phone}"
    expect(page.locator(".reach")).to_contain_text(f"{member.first_name} texted")
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "alert-words-phone")

    page.get_by_label(f"Text {member.first_name}").fill("I'll call you in 10 minutes.")
    page.get_by_role("button", name="Send text").click()
    expect(page.get_by_text(f"Text to {member.first_name} queued")).to_be_visible()
    sent = Message.objects.get(kind=Message.Kind.STAFF_REPLY, member=member)
    assert sent.body == "I'll call you in 10 minutes."
    assert sent.staff is None  # the member's conversation, not a text to staff

    page.get_by_role("link", name="The whole conversation").click()
    thread = page.locator("#conversation .thread")
    expect(thread.locator("li").last).to_contain_text("I'll call you in 10 minutes.")
    expect(thread.locator("li").last.locator(".delivery")).to_have_text(re.compile("^(queued|sending|sent|delivered)$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "member-conversation-phone")
