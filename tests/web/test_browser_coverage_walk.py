"""A supervisor runs the program's coverage in a real browser: enrols a
member, sets a supporter out of office, adds an on-call period, reassigns a
member, reads the caseload on a phone (no sideways scroll), deactivates a
supporter and finds their members on the home page's "Needs reassignment"
list. Real Chromium against the live test server, as tests/web/test_browser.py."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import AuditEntry, OutOfOffice, Staff
from checkins.models import Member
from coverage.models import OnCallPeriod
from tests.web.test_accessibility import _axe_problems, _layout_problems
from tests.web.test_browser import page, shot, sign_in  # noqa: F401 (page is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESK = {"width": 1280, "height": 900}


def _no_sideways_scroll(page) -> bool:  # noqa: F811
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_supervisor_enrols_covers_reassigns_and_deactivates(
    page, live_server, supervisor, supporter, other_supporter, member  # noqa: F811
):
    from playwright.sync_api import expect

    Staff.objects.filter(pk=supporter.pk).update(timezone="America/Chicago")
    # Office hours for the colleague who takes over: the rota has gaps outside them.
    Staff.objects.filter(pk=other_supporter.pk).update(work_starts=dt.time(9), work_ends=dt.time(17))
    page.set_viewport_size(DESK)
    sign_in(page, live_server, supervisor)

    # (1) Enrol a member from the members list.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members", exact=True).click()
    page.wait_for_url(live_server.url + "/members/")
    enrol = page.locator("#enrol")
    enrol.get_by_text("Enrol a member").click()
    enrol.get_by_label("Name").fill("Robin Ng")
    enrol.get_by_label("Mobile phone").fill("+1 312 555 7788")
    enrol.get_by_label("Time zone").fill("America/Chicago")
    enrol.get_by_label("Language of the texts").select_option("es")
    enrol.get_by_label("Supporter").select_option(label=supporter.name)
    enrol.get_by_label("Daily check-in at").fill("10:30")
    # Without consent the service refuses, and says so on the field.
    enrol.get_by_role("button", name="Enrol").click()
    expect(page.locator("#enrol .has-error")).to_contain_text("The member must consent to receive texts")
    page.locator("#enrol").get_by_label("The member agreed to receive check-in texts").check()
    page.locator("#enrol").get_by_role("button", name="Enrol").click()
    expect(page.get_by_text("Robin Ng enrolled: the welcome text is on its way.")).to_be_visible()
    robin = Member.objects.get(name="Robin Ng")
    assert (robin.supporter, robin.language, robin.checkin_time) == (supporter, "es", dt.time(10, 30))
    members_table = page.get_by_role("region", name="Members table")
    expect(members_table.get_by_role("row", name="Robin Ng")).to_contain_text("…7788")
    expect(members_table).not_to_contain_text("+13125557788")
    shot(page, "coverage-members-desk")

    # (2) Set the supporter out of office, on their own clock.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("region", name="Active staff table").get_by_role("link", name=supporter.name).click()
    page.wait_for_url(f"{live_server.url}/staff/{supporter.pk}")
    chicago = ZoneInfo("America/Chicago")
    day = timezone.now().astimezone(chicago).date()
    away = page.locator("#out-of-office")
    away.get_by_label("From").fill(f"{day + dt.timedelta(days=1)}T09:00")
    away.get_by_label("Until").fill(f"{day + dt.timedelta(days=3)}T17:00")
    away.get_by_role("button", name="Set out of office").click()
    expect(page.get_by_text(f"{supporter.name} is out of office until")).to_be_visible()
    absence = OutOfOffice.objects.get(staff=supporter)
    assert absence.starts_at == dt.datetime.combine(day + dt.timedelta(days=1), dt.time(9), tzinfo=chicago)
    expect(page.locator("#out-of-office .periods")).to_contain_text("From")

    # (3) Add an on-call period from the program's settings.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="On-call rota of").click()
    page.wait_for_url(f"{live_server.url}/settings/{member.program_id}/on-call")
    add = page.locator("form", has=page.get_by_role("heading", name="Add a period"))
    add.get_by_label("Who is on call").select_option(label=other_supporter.name)
    add.get_by_label("Starts on").select_option(label="Friday")
    add.get_by_label("Starts at").fill("17:00")
    add.get_by_label("Ends on").select_option(label="Monday")
    add.get_by_label("Ends at").fill("09:00")
    add.get_by_label("Time zone").fill("America/Chicago")
    add.get_by_role("button", name="Add the period").click()
    expect(page.get_by_text(f"Added: {other_supporter.name}, Friday 17:00 to Monday 09:00 (America/Chicago).")).to_be_visible()
    assert OnCallPeriod.objects.get().staff == other_supporter
    shot(page, "coverage-on-call-desk")

    # (4) Reassign a member to another supporter from the list.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members", exact=True).click()
    page.get_by_label("Reassign Robin Ng").check()
    page.get_by_label("New supporter").select_option(label=other_supporter.name)
    page.get_by_role("button", name="Reassign", exact=True).click()
    expect(page.get_by_text(f"1 member now with {other_supporter.name}.")).to_be_visible()
    robin.refresh_from_db()
    assert robin.supporter == other_supporter

    # (5) The caseload on a phone: no sideways scroll, sortable from the links.
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/caseload/")
    caseload = page.get_by_role("region", name="Caseload table")
    expect(caseload).to_contain_text(other_supporter.name)
    assert _no_sideways_scroll(page)
    page.get_by_role("navigation", name="Sort the caseload").get_by_role("link", name="Members", exact=True).click()
    page.wait_for_url(live_server.url + "/caseload/?sort=members")
    assert _no_sideways_scroll(page)
    shot(page, "coverage-caseload-phone")
    page.set_viewport_size(DESK)

    # (6) Deactivate the supporter: their member waits on the home page.
    page.goto(f"{live_server.url}/staff/{supporter.pk}")
    page.get_by_role("link", name=f"Deactivate {supporter.name}…").click()
    expect(page.get_by_role("heading", name=f"Deactivate {supporter.name}?")).to_be_visible()
    page.get_by_role("button", name=f"Yes, deactivate {supporter.name}").click()
    expect(page.get_by_text(f"{supporter.name} deactivated: they can no longer sign in.")).to_be_visible()
    supporter.user.refresh_from_db()
    assert not supporter.user.is_active
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Alerts & members").click()
    needs = page.get_by_role("region", name="Needs reassignment")
    expect(needs).to_contain_text(f"{supporter.name} (deactivated)")
    expect(needs.get_by_role("link", name=member.name)).to_be_visible()
    shot(page, "coverage-needs-reassignment-desk")
    expect(page.get_by_role("region", name="On-call gaps in the next 7 days")).to_contain_text(other_supporter.name)
    assert not _axe_problems(page)
    page.set_viewport_size(PHONE)
    assert not _layout_problems(page, PHONE["width"])
    shot(page, "coverage-needs-reassignment-phone")
    page.set_viewport_size(DESK)
    needs.get_by_role("link", name=f"Reassign {supporter.name}’s members").click()
    page.wait_for_url(f"{live_server.url}/members/?supporter={supporter.pk}")
    expect(page.get_by_role("region", name="Members table").get_by_role("row", name=member.name)).to_be_visible()
    assert not _axe_problems(page)

    assert {e.via for e in AuditEntry.objects.all()} == {"web"}
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "member.enrolled", "out_of_office.set", "on_call.added", "member.reassigned", "staff.deactivated",
    }  # fmt: skip
