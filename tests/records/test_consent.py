"""Consent as records (records.consent, checkins.consenting): every way in
and out of being texted leaves a record with how, who and the exact words,
and the API shows and changes them (GET/POST /members/{id}/consent,
POST /members/{id}/consent/revoke)."""

import pytest

from accounts.models import AuditEntry
from checkins.enrollment import enroll_member
from checkins.models import Member
from records import consent
from records.models import ConsentRecord, ConsentText
from sms import outbox
from sms.models import Message
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

WORDS_EN = consent._table()[consent.DEFAULT_VERSION]["en"]
WORDS_ES = consent._table()[consent.DEFAULT_VERSION]["es"]


def enrolment(org, supporter, **changes) -> dict:
    return {
        "name": "Maria Gonzalez",
        "phone": "(312) 555-0142",
        "timezone": "America/Chicago",
        "language": "en",
        "program_id": org.programs.get().id,
        "supporter_id": supporter.id,
        "checkin_time": "09:30",
        "consent": True,
        **changes,
    }


def records_of(member) -> list[tuple[str, str]]:
    return [(r.kind, r.method) for r in member.consent_records.order_by("at", "id")]


def texts_after(member, fn) -> int:
    before = Message.objects.filter(member=member).count()
    fn()
    return Message.objects.filter(member=member).count() - before


# --- Enrolment --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, method_in, method, words",
    [
        ("en", None, "staff", WORDS_EN),  # `consent: true` alone: as given by staff
        ("en", "recorded by staff", "staff", WORDS_EN),
        ("en", "verbal", "verbal", WORDS_EN),
        ("en", "written", "written", WORDS_EN),
        ("en", "carrier", "staff", WORDS_EN),  # never a grant by carrier
        ("es", "written", "written", WORDS_ES),
    ],
)
def test_enrolment_through_the_api_records_the_grant(
    api, org, supervisor, supporter, language, method_in, method, words
):
    body = enrolment(org, supporter, language=language)
    if method_in is not None:
        body["consent_method"] = method_in
    response = api.as_(supervisor).post("/members", body)
    assert response.status_code == 201, response.content
    assert response.json()["consent_state"] == "granted"
    member = Member.objects.get(pk=response.json()["id"])
    record = member.consent_records.get()
    assert (record.kind, record.method, record.staff, record.text_version) == (
        "granted", method, supervisor, consent.DEFAULT_VERSION
    )
    assert record.text == words
    assert member.current_consent == record and member.can_receive_texts
    assert ConsentText.objects.get(version=consent.DEFAULT_VERSION, language=language).body == words


def test_enrolment_through_the_service_records_the_grant(org, supervisor, supporter):
    data = enrolment(org, supporter, language="es", consent_method="verbal")
    data["timezone_name"] = data.pop("timezone")
    member = enroll_member(org, **data, by=supervisor, via="web")
    record = member.consent_records.get()
    assert (record.kind, record.method, record.staff_id) == ("granted", "verbal", supervisor.id)
    assert (record.text_version, record.text) == (consent.DEFAULT_VERSION, WORDS_ES)
    assert Message.objects.filter(member=member, kind="system").count() == 1, "the welcome text"


def test_an_unknown_consent_text_version_is_422_and_enrols_nobody(api, org, supervisor, supporter):
    response = api.as_(supervisor).post("/members", enrolment(org, supporter, consent_text_version="1999-01"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "consent_text_version"
    assert not Member.objects.exists() and not ConsentRecord.objects.exists()


# --- The member's own texts and the carrier -------------------------------------------------


@pytest.fixture
def enrolled(org, supervisor, supporter):
    data = enrolment(org, supporter)
    data["timezone_name"] = data.pop("timezone")
    return enroll_member(org, **data, by=supervisor)


def test_stop_by_text_records_a_revocation_and_nothing_is_queued_afterwards(phone, enrolled):
    phone.text(enrolled.phone, "STOP")
    enrolled.refresh_from_db()
    assert enrolled.status == "opted_out"
    assert records_of(enrolled) == [("granted", "staff"), ("revoked", "text_reply")]
    revocation = enrolled.current_consent
    assert (revocation.staff, revocation.reason, revocation.text) == (None, "", "")
    assert not enrolled.can_receive_texts
    assert outbox.queue(phone=enrolled.phone, body="hi", kind="prompt", priority=2, member=enrolled) is None


@pytest.mark.parametrize("language, words", [("en", WORDS_EN), ("es", WORDS_ES)])
def test_start_by_text_records_a_grant_by_text_reply_in_the_members_language(phone, enrolled, language, words):
    Member.objects.filter(pk=enrolled.pk).update(language=language)
    phone.text(enrolled.phone, "STOP")
    phone.text(enrolled.phone, "START")
    enrolled.refresh_from_db()
    assert enrolled.status == "active" and enrolled.can_receive_texts
    assert records_of(enrolled)[-2:] == [("revoked", "text_reply"), ("granted", "text_reply")]
    grant = enrolled.current_consent
    assert (grant.staff, grant.text_version, grant.text) == (None, consent.DEFAULT_VERSION, words)


def test_carrier_opt_out_records_method_carrier(enrolled):
    enrolled.opt_out(by_carrier=True)
    enrolled.refresh_from_db()
    assert records_of(enrolled)[-1] == ("revoked", "carrier")
    assert enrolled.status == "opted_out"


# --- Staff: revoking -------------------------------------------------------------------------


def test_staff_revocation_needs_a_reason_and_stops_texts(api, supporter, enrolled):
    as_supporter = api.as_(supporter)
    for body, field in (({}, "reason"), ({"reason": "   "}, "reason"), ({"reason": "x" * 1001}, "reason")):
        refused = as_supporter.post(f"/members/{enrolled.id}/consent/revoke", body)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"] == field
    enrolled.refresh_from_db()
    assert enrolled.status == "active" and enrolled.can_receive_texts, "a refused revocation changes nothing"

    response = as_supporter.post(f"/members/{enrolled.id}/consent/revoke", {"reason": "Asked by phone to stop texts"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["method"], body["staff_id"]) == ("revoked", "staff", supporter.id)
    assert body["staff"] == "Sam Rivera"
    assert body["reason"] == "Asked by phone to stop texts"
    enrolled.refresh_from_db()
    assert enrolled.status == "opted_out" and enrolled.next_checkin_at is None
    assert outbox.queue(phone=enrolled.phone, body="hi", kind="prompt", priority=2, member=enrolled) is None
    assert api.as_(supporter).get(f"/members/{enrolled.id}").json()["consent_state"] == "revoked"
    entry = AuditEntry.objects.get(action="member.consent_revoked")
    assert (entry.actor, entry.via, entry.changes) == (supporter, "api", {"status": ["active", "opted_out"]})

    again = as_supporter.post(f"/members/{enrolled.id}/consent/revoke", {"reason": "again"})
    assert again.status_code == 409
    assert enrolled.consent_records.filter(kind="revoked").count() == 1


def test_opt_out_by_staff_without_a_reason_changes_nothing(enrolled, supporter):
    """The model's own opt_out is all or nothing too."""
    with pytest.raises(consent.ConsentError):
        enrolled.opt_out(staff=supporter, reason="")
    enrolled.refresh_from_db()
    assert enrolled.status == "active" and enrolled.opted_out_at is None
    assert records_of(enrolled) == [("granted", "staff")]


# --- Staff: granting -------------------------------------------------------------------------


def test_staff_regrant_after_a_staff_revocation_makes_the_member_active_again(api, supervisor, enrolled):
    as_supervisor = api.as_(supervisor)
    as_supervisor.post(f"/members/{enrolled.id}/consent/revoke", {"reason": "Asked by phone to stop"})
    sent = texts_after(
        enrolled, lambda: as_supervisor.post(f"/members/{enrolled.id}/consent", {"method": "written"})
    )
    assert sent == 0, "no text on coming back: the next check-in comes at its time"
    enrolled.refresh_from_db()
    assert enrolled.status == "active" and enrolled.can_receive_texts and enrolled.next_checkin_at is not None
    assert enrolled.opted_out_at is None
    grant = enrolled.current_consent
    assert (grant.kind, grant.method, grant.staff, grant.text_version, grant.text) == (
        "granted", "written", supervisor, consent.DEFAULT_VERSION, WORDS_EN
    )
    assert (enrolled.consent_method, enrolled.consent_at) == ("written", grant.at)
    assert AuditEntry.objects.get(action="member.consent_granted").changes == {"status": ["opted_out", "active"]}
    assert outbox.queue(phone=enrolled.phone, body="hi", kind="prompt", priority=2, member=enrolled) is not None


def test_a_paused_member_revoked_by_staff_comes_back_active_without_the_old_pause(api, supervisor, enrolled):
    as_supervisor = api.as_(supervisor)
    assert as_supervisor.post(f"/members/{enrolled.id}/pause", {"until": None, "reason": "travel"}).status_code == 200
    as_supervisor.post(f"/members/{enrolled.id}/consent/revoke", {"reason": "Asked to stop"})
    body = as_supervisor.post(f"/members/{enrolled.id}/consent", {"method": "verbal"})
    assert body.status_code == 201
    member = as_supervisor.get(f"/members/{enrolled.id}").json()
    assert (member["status"], member["pause_reason"], member["consent_state"]) == ("active", "", "granted")


@pytest.mark.parametrize("how", ["text", "carrier"])
def test_a_member_who_opted_out_themselves_comes_back_only_by_texting_start(api, supervisor, phone, enrolled, how):
    if how == "text":
        phone.text(enrolled.phone, "STOP")
    else:
        enrolled.opt_out(by_carrier=True)
    response = api.as_(supervisor).post(f"/members/{enrolled.id}/consent", {"method": "written"})
    assert response.status_code == 409
    assert "START" in response.json()["detail"]
    enrolled.refresh_from_db()
    assert enrolled.status == "opted_out" and enrolled.current_consent.kind == "revoked"


def test_granting_an_active_member_again_records_new_words(api, supporter, enrolled):
    response = api.as_(supporter).post(
        f"/members/{enrolled.id}/consent", {"method": "verbal", "text_version": consent.DEFAULT_VERSION}
    )
    assert response.status_code == 201
    assert records_of(enrolled) == [("granted", "staff"), ("granted", "verbal")]
    enrolled.refresh_from_db()
    assert enrolled.status == "active"


def test_a_discharged_member_cannot_be_granted(api, supervisor, enrolled):
    api.as_(supervisor).post(f"/members/{enrolled.id}/discharge")
    assert api.as_(supervisor).post(f"/members/{enrolled.id}/consent", {"method": "verbal"}).status_code == 409
    assert api.as_(supervisor).post(f"/members/{enrolled.id}/consent/revoke", {"reason": "x"}).status_code == 409


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "method"),
        ({"method": "carrier"}, "method"),
        ({"method": "text_reply"}, "method"),
        ({"method": "staff"}, "method"),
        ({"method": None}, "method"),
        ({"method": "verbal", "text_version": "1999-01"}, "text_version"),
        ({"method": "verbal", "text_version": "9" * 41}, "text_version"),
        ({"method": "verbal", "extra": 1}, "extra"),
    ],
)
def test_invalid_grants_are_422_naming_the_field(api, supervisor, enrolled, body, field):
    response = api.as_(supervisor).post(f"/members/{enrolled.id}/consent", body)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    assert enrolled.consent_records.count() == 1


# --- Reading ---------------------------------------------------------------------------------


def test_consent_records_are_listed_newest_first(api, supervisor, phone, enrolled):
    phone.text(enrolled.phone, "STOP")
    phone.text(enrolled.phone, "START")
    response = api.as_(supervisor).get(f"/members/{enrolled.id}/consent")
    assert response.status_code == 200
    assert response["Cache-Control"].count("no-store") == 1
    body = response.json()
    assert body["count"] == 3
    assert [(r["kind"], r["method"]) for r in body["items"]] == [
        ("granted", "text_reply"), ("revoked", "text_reply"), ("granted", "staff")
    ]
    first = body["items"][-1]
    assert set(first) == {"id", "kind", "method", "staff_id", "staff", "text_version", "text", "reason", "at"}
    assert (first["staff"], first["text"]) == ("Vera Lopez", WORDS_EN)
    page = api.as_(supervisor).get(f"/members/{enrolled.id}/consent", limit=1, offset=1).json()
    assert page["count"] == 3 and [r["kind"] for r in page["items"]] == ["revoked"]


def test_consent_texts_are_listed(api, supporter):
    body = api.as_(supporter).get("/consent-texts").json()
    assert {(t["version"], t["language"]) for t in body["items"]} >= {
        (consent.DEFAULT_VERSION, "en"), (consent.DEFAULT_VERSION, "es")
    }
    current = [t for t in body["items"] if t["current"]]
    assert {t["body"] for t in current} == {WORDS_EN, WORDS_ES}


def test_consent_scope_is_the_members_staff(api, org, enrolled):
    other_supporter = StaffFactory(organization=org)
    elsewhere = OrganizationFactory(name="Elsewhere Recovery")
    outsider = SupervisorFactory(organization=elsewhere)
    stranger_member = MemberFactory(organization=elsewhere)
    for staff, member_id in ((other_supporter, enrolled.id), (outsider, enrolled.id), (outsider, 99999999)):
        as_them = api.as_(staff)
        assert as_them.get(f"/members/{member_id}/consent").status_code == 404
        assert as_them.post(f"/members/{member_id}/consent", {"method": "verbal"}).status_code == 404
        assert as_them.post(f"/members/{member_id}/consent/revoke", {"reason": "x"}).status_code == 404
    assert api.as_(other_supporter).get(f"/members/{stranger_member.id}/consent").status_code == 404
    assert enrolled.consent_records.count() == 1
    assert api.get(f"/members/{enrolled.id}/consent").status_code == 401
