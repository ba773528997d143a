"""The records pages of issue 15 through the Django test client: consent on
the member page (withdraw with a reason, record again), the exports and the
printout as recorded disclosures carrying the notice, the member's own copy,
the accounting of disclosures, the access logs, the disclosures register and
the organization's notice. Who may open each, and that another supporter's
member or another organization's ids are not found."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from care.notes import record_note
from checkins import member_copy
from checkins.models import Member
from records import consent
from records.disclosure import record_disclosure
from records.models import PART2_NOTICE, AccessEntry, ConsentRecord, Disclosure
from sms.models import Message
from tests.factories import MemberFactory
from tests.web.conftest import DISCLOSE, raise_alert, read_export

SUPERVISOR_PAGES = [
    "/members/{member}",
    "/members/{member}/print",
    "/members/{member}/disclosures",
    "/members/{member}/disclosures?from=2026-01-01&to=2026-01-31",
    "/members/{member}/access",
    "/staff/{supporter}/access",
    "/disclosures/",
    "/disclosures/?channel=print",
    "/settings/notice",
    "/review/log.csv",
    "/review/notes.csv?from=2026-01-01&to=2026-01-31",
]
# What a supervisor alone may open: a supporter gets 403 (their own member included).
SUPERVISOR_ONLY = [
    "/members/{member}/access",
    "/staff/{supporter}/access",
    "/disclosures/",
    "/settings/notice",
    "/review/log.csv",
    "/review/notes.csv",
]
# Member pages: another supporter's member, or another organization's, is not found.
MEMBER_PAGES = [
    "/members/{member}/print",
    "/members/{member}/disclosures",
    "/members/{member}/access",
]


def _url(template: str, member, supporter) -> str:
    return template.format(member=member.pk, supporter=supporter.pk)


def _text(member, direction: str, body: str) -> Message:
    return Message.objects.create(
        direction=direction, kind="text", member=member, phone=member.phone, body=body,
        status="received" if direction == "in" else "delivered",
    )  # fmt: skip


def _disclosure(org, staff, member, purpose="Care coordination", channel="export", at=None) -> Disclosure:
    disclosure = record_disclosure(
        organization=org, staff=staff, channel=channel, data="Answers", purpose=purpose,
        recipient="County clinic", member_ids=[member.pk],
    )  # fmt: skip
    if at is not None:
        Disclosure.objects.filter(pk=disclosure.pk).update(at=at)
    return disclosure


# --- Who may open what -------------------------------------------------------------------


@pytest.mark.parametrize("template", SUPERVISOR_PAGES)
def test_each_page_renders_for_a_supervisor(signed_in, supervisor, supporter, member, template):
    raise_alert(member)
    response = signed_in(supervisor).get(_url(template, member, supporter))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"field-error" not in response.content
    assert not Disclosure.objects.exists(), "opening a page discloses nothing"


@pytest.mark.parametrize("template", SUPERVISOR_ONLY)
def test_a_supporter_gets_403_on_supervisor_pages(signed_in, supporter, member, template):
    assert signed_in(supporter).get(_url(template, member, supporter)).status_code == 403


@pytest.mark.parametrize("template", ["/members/{member}/print", "/members/{member}/disclosures"])
def test_the_assigned_supporter_may_print_and_read_the_accounting(signed_in, supporter, member, template):
    assert signed_in(supporter).get(_url(template, member, supporter)).status_code == 200


@pytest.mark.parametrize("template", MEMBER_PAGES)
def test_another_supporters_member_is_not_found(signed_in, supporter, other_member, template):
    assert signed_in(supporter).get(_url(template, other_member, supporter)).status_code == 404


def test_a_supporter_cannot_copy_another_supporters_member(signed_in, supporter, other_member):
    assert signed_in(supporter).post(f"/members/{other_member.pk}/copy").status_code == 404
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("template", MEMBER_PAGES + ["/staff/{supporter}/access"])
def test_another_organizations_ids_are_not_found(signed_in, outsider, supporter, member, template):
    assert signed_in(outsider).get(_url(template, member, supporter)).status_code == 404


def test_another_organization_cannot_print_copy_or_change_consent(signed_in, outsider, member):
    client = signed_in(outsider)
    assert client.post(f"/members/{member.pk}/print", DISCLOSE).status_code == 404
    assert client.post(f"/members/{member.pk}/copy").status_code == 404
    assert client.post(f"/members/{member.pk}/consent/withdraw", {"reason": "asked"}).status_code == 404
    assert not Disclosure.objects.exists() and not AccessEntry.objects.exists()
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE


# --- Exports: a purpose and a recipient first, the notice in the file -------------------


@pytest.mark.parametrize("path", ["/review/log.csv", "/review/notes.csv?from=2026-01-01&to=2026-01-31"])
def test_an_export_without_a_purpose_gives_no_file(signed_in, supervisor, member, path):
    raise_alert(member)
    client = signed_in(supervisor)
    asked = client.get(path)
    assert asked.status_code == 200 and asked["Content-Type"].startswith("text/html")
    assert b"Purpose" in asked.content and b"first row" in asked.content
    refused = client.post(path, {"from": "2026-01-01", "to": "2026-01-31", "recipient": "Riverside board"})
    assert refused.status_code == 400 and refused["Content-Type"].startswith("text/html")
    assert "State the purpose of this disclosure" in refused.content.decode()
    no_recipient = client.post(path, {"from": "2026-01-01", "to": "2026-01-31", "purpose": "Billing"})
    assert no_recipient.status_code == 400
    assert not Disclosure.objects.exists()


def test_the_log_export_records_one_disclosure_with_its_members(
    signed_in, supervisor, member, other_member, outsider
):
    raise_alert(member)
    raise_alert(other_member)
    bystander = MemberFactory(organization=member.organization, supporter=member.supporter, name="No Alerts")
    response = signed_in(supervisor).post("/review/log.csv", {"purpose": "  Quality   review ", "recipient": "Board"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    notice, rows = read_export(response.content)
    assert notice == PART2_NOTICE
    assert {r["member"] for r in rows} == {"Dana W.", "Marcus B."}
    disclosure = Disclosure.objects.get()
    assert (disclosure.channel, disclosure.purpose, disclosure.recipient) == ("export", "Quality review", "Board")
    assert (disclosure.staff, disclosure.organization) == (supervisor, supervisor.organization)
    assert set(disclosure.members.values_list("pk", flat=True)) == {member.pk, other_member.pk}
    assert bystander.pk not in disclosure.members.values_list("pk", flat=True)
    assert disclosure.member_count == 2 and disclosure.notice == PART2_NOTICE
    assert "Escalation log" in disclosure.data


def test_the_log_export_keeps_the_filters_in_the_query(signed_in, supervisor, member, other_member, other_supporter):
    raise_alert(member)
    raise_alert(other_member)
    response = signed_in(supervisor).post(f"/review/log.csv?supporter_id={other_supporter.pk}", DISCLOSE)
    assert [r["member"] for r in read_export(response.content)[1]] == ["Marcus B."]
    assert list(Disclosure.objects.get().members.all()) == [other_member]


def test_the_notes_export_records_one_disclosure_with_the_organizations_notice(
    signed_in, supervisor, supporter, member, other_member
):
    org = supervisor.organization
    org.disclosure_notice = "Our own notice, checked by counsel."
    org.save()
    today = timezone.localdate()
    record_note(member, supporter, outcome="reached", modality="call", contact_date=today,
                duration_minutes=15, intervention="Talked it through.", response="Open.", plan="Call Friday.")  # fmt: skip
    period = {"from": (today - dt.timedelta(days=1)).isoformat(), "to": (today + dt.timedelta(days=1)).isoformat()}
    response = signed_in(supervisor).post("/review/notes.csv", {**period, **DISCLOSE})
    notice, rows = read_export(response.content)
    assert notice == "Our own notice, checked by counsel."
    assert [r["member"] for r in rows] == ["Dana W."]
    disclosure = Disclosure.objects.get()
    assert list(disclosure.members.all()) == [member]
    assert (disclosure.purpose, disclosure.recipient) == (DISCLOSE["purpose"], DISCLOSE["recipient"])
    assert disclosure.notice == "Our own notice, checked by counsel."


# --- Print and the member's own copy ----------------------------------------------------


def test_printing_asks_why_then_records_one_disclosure_and_shows_the_notice(signed_in, supervisor, member):
    _text(member, "in", "rough day")
    client = signed_in(supervisor)
    assert b"Show the print view" in client.get(f"/members/{member.pk}/print").content
    assert client.post(f"/members/{member.pk}/print", {"purpose": "Court-ordered"}).status_code == 400
    assert not Disclosure.objects.exists()
    page = client.post(f"/members/{member.pk}/print", {"purpose": "Treatment coordination", "recipient": "Dr. Lee"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "rough day" in html and "Dr. Lee" in html
    assert html.index("Federal confidentiality rules") > html.index("Contact notes"), "the notice at the foot"
    disclosure = Disclosure.objects.get()
    assert (disclosure.channel, disclosure.recipient, list(disclosure.members.all())) == ("print", "Dr. Lee", [member])
    assert AccessEntry.objects.filter(member=member, staff=supervisor, where="web:member print").count() == 1


def test_the_member_copy_is_a_download_recorded_as_a_disclosure(signed_in, supporter, member):
    _text(member, "in", "I am doing better this week")
    _text(member, "out", "Glad to hear it")
    client = signed_in(supporter)
    assert client.get(f"/members/{member.pk}/copy").status_code == 405
    response = client.post(f"/members/{member.pk}/copy")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content.decode()
    assert "You: I am doing better this week" in body and "Program: Glad to hear it" in body
    assert PART2_NOTICE in body
    disclosure = Disclosure.objects.get()
    assert (disclosure.channel, disclosure.recipient, disclosure.purpose) == (
        "member_copy", "The member", member_copy.PURPOSE,
    )  # fmt: skip
    assert list(disclosure.members.all()) == [member] and disclosure.staff == supporter
    assert AccessEntry.objects.filter(member=member, staff=supporter, where="web:member copy").count() == 1


# --- The access log ---------------------------------------------------------------------


def test_opening_the_member_and_alert_pages_writes_access_entries(signed_in, supporter, member):
    alert = raise_alert(member)
    client = signed_in(supporter)
    client.get(f"/members/{member.pk}")
    assert list(AccessEntry.objects.values_list("where", "staff", "member", "organization_id")) == [
        ("web:member page", supporter.pk, member.pk, member.organization_id)
    ]
    client.get(f"/alerts/{alert.pk}")
    assert AccessEntry.objects.filter(where="web:alert page", member=member, staff=supporter).count() == 1
    client.get("/")  # the home page lists members without their words: no entry
    assert AccessEntry.objects.count() == 2


def test_the_access_logs_list_the_views_newest_first(signed_in, supervisor, supporter, member):
    signed_in(supporter).get(f"/members/{member.pk}")
    client = signed_in(supervisor)
    client.get(f"/members/{member.pk}")
    page = client.get(f"/members/{member.pk}/access").content.decode()
    assert page.index(supervisor.name, page.index("<tbody>")) < page.index(supporter.name, page.index("<tbody>"))
    assert page.count("web:member page") == 2
    theirs = client.get(f"/staff/{supporter.pk}/access").content.decode()
    assert "Dana W." in theirs and theirs.count("web:member page") == 1
    assert member.phone not in page + theirs
    member_page = client.get(f"/members/{member.pk}").content.decode()
    assert f'href="/members/{member.pk}/access"' in member_page
    assert f'href="/staff/{supporter.pk}/access"' in client.get(f"/staff/{supporter.pk}").content.decode()


def test_the_access_log_is_paginated(signed_in, supervisor, member):
    AccessEntry.objects.bulk_create(
        [AccessEntry(organization_id=member.organization_id, staff=supervisor, member=member, where=f"w{i}")
         for i in range(55)]
    )  # fmt: skip
    client = signed_in(supervisor)
    assert "Page 1 of 2" in client.get(f"/members/{member.pk}/access").content.decode()
    assert "Page 2 of 2" in client.get(f"/members/{member.pk}/access?page=2").content.decode()


# --- The accounting of disclosures and the register ---------------------------------------


def test_the_accounting_lists_the_members_disclosures_in_the_period(
    signed_in, supervisor, supporter, member, other_member
):
    org = supervisor.organization
    _disclosure(org, supervisor, member, purpose="Billing audit", at=dt.datetime(2026, 2, 10, 15, tzinfo=dt.UTC))
    _disclosure(org, supervisor, member, purpose="Too early", at=dt.datetime(2026, 1, 5, 15, tzinfo=dt.UTC))
    _disclosure(org, supervisor, other_member, purpose="Someone else", at=dt.datetime(2026, 2, 11, 15, tzinfo=dt.UTC))
    page = signed_in(supporter).get(f"/members/{member.pk}/disclosures?from=2026-02-01&to=2026-02-28")
    html = page.content.decode()
    assert member.name in html and "Feb 1, 2026" in html and "Feb 28, 2026" in html
    assert "Billing audit" in html and "County clinic" in html and supervisor.name in html
    assert "Too early" not in html and "Someone else" not in html
    assert signed_in(supervisor).get(f"/members/{member.pk}/disclosures?from=2026-03-01&to=2026-02-01").status_code == 400


def test_the_register_lists_the_organizations_disclosures_by_channel(signed_in, supervisor, member, outsider):
    org = supervisor.organization
    _disclosure(org, supervisor, member, purpose="A file", channel="export")
    _disclosure(org, supervisor, member, purpose="A printout", channel="print")
    _text(member, "in", "private words")
    client = signed_in(supervisor)
    everything = client.get("/disclosures/").content.decode()
    assert "A file" in everything and "A printout" in everything
    assert "private words" not in everything and member.phone not in everything
    printed = client.get("/disclosures/?channel=print").content.decode()
    assert "A printout" in printed and "A file" not in printed
    assert "A file" not in signed_in(outsider).get("/disclosures/").content.decode()
    assert 'href="/disclosures/"' in client.get("/").content.decode(), "in the nav"


# --- Consent ------------------------------------------------------------------------------


def test_the_member_page_shows_consent_and_its_history(signed_in, supervisor, supporter, member):
    consent.grant(member, method="written", staff=supporter)
    html = signed_in(supervisor).get(f"/members/{member.pk}").content.decode()
    section = html[html.index('id="consent"'):]
    assert "Granted" in section and "Written (signed form)" in section.split("History")[0].replace("written", "Written")
    assert "recorded by Sam Rivera" in section and "consent text version 2026-01" in section
    assert "The words agreed to" in section
    assert "Withdraw consent" in section and "Record consent again" not in section


def test_withdrawing_consent_needs_a_reason_and_stops_texts(signed_in, supporter, member):
    client = signed_in(supporter)
    refused = client.post(f"/members/{member.pk}/consent/withdraw", {"reason": "  "})
    assert refused.status_code == 400
    assert "Say why consent is withdrawn" in refused.content.decode()
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE and member.can_receive_texts
    done = client.post(f"/members/{member.pk}/consent/withdraw", {"reason": "Asked by phone to stop the texts"})
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.status == Member.Status.OPTED_OUT and not member.can_receive_texts
    assert member.next_checkin_at is None
    record = member.current_consent
    assert (record.kind, record.method, record.staff, record.reason) == (
        "revoked", "staff", supporter, "Asked by phone to stop the texts",
    )  # fmt: skip
    assert AuditEntry.objects.filter(action="member.consent_revoked", via="web").count() == 1
    html = client.get(f"/members/{member.pk}").content.decode()
    assert "Withdrawn" in html and "Asked by phone to stop the texts" in html and "Record consent again" in html


def test_consent_recorded_again_after_a_staff_withdrawal_resumes_texts(signed_in, supporter, member):
    member.opt_out(staff=supporter, reason="Asked to stop for now")
    response = signed_in(supporter).post(f"/members/{member.pk}/consent/again", {"method": "verbal"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE and member.can_receive_texts and member.next_checkin_at
    assert (member.current_consent.kind, member.current_consent.method) == ("granted", "verbal")
    assert member.current_consent.staff == supporter
    assert AuditEntry.objects.filter(action="member.consent_granted", via="web").count() == 1


def test_consent_cannot_be_recorded_again_after_the_members_own_stop(signed_in, supporter, member):
    member.opt_out()  # the member's own STOP
    response = signed_in(supporter).post(f"/members/{member.pk}/consent/again", {"method": "written"})
    assert response.status_code == 400
    assert "START" in response.content.decode()
    member.refresh_from_db()
    assert member.status == Member.Status.OPTED_OUT and not member.can_receive_texts
    assert ConsentRecord.objects.filter(member=member, kind="granted").count() == 0


# --- The notice ---------------------------------------------------------------------------


def test_a_supervisor_edits_and_resets_the_notice(signed_in, supervisor):
    client = signed_in(supervisor)
    assert 'href="/settings/notice"' in client.get("/settings/").content.decode()
    assert client.post("/settings/notice", {"notice": "Our words."}).status_code == 302
    supervisor.organization.refresh_from_db()
    assert supervisor.organization.disclosure_notice == "Our words."
    assert AuditEntry.objects.filter(action="organization.notice_changed").count() == 1
    too_long = client.post("/settings/notice", {"notice": "x" * 5001})
    assert too_long.status_code == 400 and "5,000 characters" in too_long.content.decode()
    assert client.post("/settings/notice", {"notice": "  "}).status_code == 302
    supervisor.organization.refresh_from_db()
    assert supervisor.organization.disclosure_notice == ""
    assert "Federal confidentiality rules" in client.get("/settings/notice").content.decode()


def test_withdrawing_twice_says_why_at_the_top(signed_in, supporter, member):
    member.opt_out()  # the member's own STOP, while the page was open
    response = signed_in(supporter).post(f"/members/{member.pk}/consent/withdraw", {"reason": "Asked by phone"})
    assert response.status_code == 302
    page = signed_in(supporter).get(response["Location"]).content.decode()
    assert "texts are already stopped" in page
    assert ConsentRecord.objects.filter(member=member, method="staff").count() == 0
