"""A supervisor's disclosures in a real browser: exports the contact notes
with a purpose and a recipient (the notice is the file's first row), prints a
member's page (the notice at its foot), opens that member's accounting of
disclosures for this month, which lists both, and prints it; then the
member's access log lists the views. Real Chromium against the live test
server, as tests/web/test_browser.py."""

import datetime as dt

import pytest
from django.utils import timezone

from care.notes import record_note
from records.models import PART2_NOTICE, AccessEntry, Disclosure
from tests.web.conftest import read_export
from tests.web.test_accessibility import _axe_problems, _layout_problems
from tests.web.test_browser import page, shot, sign_in  # noqa: F401 (page is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_exports_prints_and_reads_the_accounting(page, live_server, supervisor, supporter, member):  # noqa: F811
    from playwright.sync_api import expect

    today = timezone.localdate()
    record_note(member, supporter, outcome="reached", modality="call", contact_date=today, duration_minutes=20,
                intervention="Talked it through.", response="Calmer.", plan="Call Friday.")  # fmt: skip
    sign_in(page, live_server, supervisor)

    # (1) The contact notes CSV, with a purpose and a recipient.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    notes = page.locator("form", has=page.get_by_role("button", name="Export contact notes (CSV)"))
    notes.get_by_label("From").fill((today - dt.timedelta(days=1)).isoformat())
    notes.get_by_label("To").fill((today + dt.timedelta(days=1)).isoformat())
    notes.get_by_label("Purpose").fill("Billing")
    notes.get_by_label("Recipient").fill("Medicaid billing office")
    with page.expect_download() as download:
        notes.get_by_role("button", name="Export contact notes (CSV)").click()
    with open(download.value.path(), newline="") as exported:
        notice, rows = read_export(exported.read().encode())
    assert notice == PART2_NOTICE
    assert [(r["member"], r["intervention"]) for r in rows] == [("Dana W.", "Talked it through.")]
    export = Disclosure.objects.get(channel="export")
    assert (export.recipient, list(export.members.all())) == ("Medicaid billing office", [member])

    # (2) Print the member's page: purpose and recipient first, the notice at the foot.
    page.goto(f"{live_server.url}/members/{member.pk}")
    page.get_by_role("list", name=f"Records of {member.name}").get_by_role("link", name="Print").click()
    page.get_by_label("Purpose").fill("Treatment coordination")
    page.get_by_label("Recipient").fill("Dr. Lee, County Clinic")
    page.get_by_role("button", name="Show the print view").click()
    expect(page.get_by_role("heading", name=member.name, level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Disclosure notice")).to_contain_text("42 CFR part 2")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Print this page")).to_be_hidden()
    expect(page.get_by_text("Federal confidentiality rules")).to_be_visible()
    shot(page, "records-print")
    page.emulate_media(media="screen")
    assert not _axe_problems(page) + _layout_problems(page, 1200)
    assert Disclosure.objects.filter(channel="print", members=member).count() == 1

    # (3) The member's accounting of disclosures for this month lists both; print it.
    page.goto(f"{live_server.url}/members/{member.pk}")
    page.get_by_role("link", name="Accounting of disclosures").click()
    expect(page.get_by_role("heading", name="Accounting of disclosures")).to_be_visible()
    expect(page.get_by_text(member.name).first).to_be_visible()
    table = page.get_by_role("region", name="Disclosures table")
    expect(table.get_by_role("row")).to_have_count(3)  # the header and two disclosures
    expect(table).to_contain_text("File export")
    expect(table).to_contain_text("Medicaid billing office")
    expect(table).to_contain_text("Printout")
    expect(table).to_contain_text("Dr. Lee, County Clinic")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Show")).to_be_hidden()
    expect(table).to_contain_text("Printout")
    shot(page, "records-accounting-print")
    page.emulate_media(media="screen")
    assert not _axe_problems(page)

    # (4) The member's access log lists the views.
    page.goto(f"{live_server.url}/members/{member.pk}")
    page.get_by_role("link", name="Access log").click()
    log = page.get_by_role("region", name="Access log table")
    expect(log).to_contain_text("web:member page")
    expect(log).to_contain_text("web:member print")
    expect(log).to_contain_text(supervisor.name)
    assert AccessEntry.objects.filter(member=member, staff=supervisor, where="web:member page").count() == 3
    shot(page, "records-access-log")
