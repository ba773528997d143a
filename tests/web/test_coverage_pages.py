"""The administration and coverage pages (members, staff, My coverage, the
member's pause, the on-call rota, caseload, audit log) through the Django
test client: who may open each, that another organization's ids are not
found and change nothing, each form's happy path, a refused input showing the
service's own message on its field, and the audit entries written with
via="web"."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.html import escape

from accounts import audit
from accounts.models import AuditEntry, OutOfOffice, Staff
from accounts.staffing import CLASH, deactivate_staff, set_out_of_office
from checkins.enrollment import PHONE_TAKEN
from checkins.models import Member
from coverage.models import OnCallPeriod
from coverage.rota import add_on_call
from tests.factories import MemberFactory, StaffFactory
from tests.web.conftest import raise_alert

SUPERVISOR_PAGES = [
    "/members/",
    "/members/?supporter={supporter}&show=all",
    "/members/{member}/edit",
    "/members/{member}/discharge",
    "/staff/",
    "/staff/{supporter}",
    "/staff/{supporter}/deactivate",
    "/settings/{program}/on-call",
    "/caseload/",
    "/caseload/?sort=-alerts",
    "/audit/",
    "/audit/?member={member}",
    "/audit/?staff={supporter}",
]


def _url(template: str, member, supporter) -> str:
    return template.format(member=member.pk, supporter=supporter.pk, program=member.program_id)


def _field_error(page: str, field: str, message: str) -> bool:
    """The message is shown in the field's own block (a `field` paragraph or
    fieldset marked has-error, holding the input named `field`)."""
    for block in re.finditer(r'<(p|fieldset) class="field[^"]*has-error[^"]*">(.*?)</\1>', page, re.S):
        if f'name="{field}"' in block.group(2) and escape(message) in block.group(2):
            return True
    return False


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


def _later(days: int, hour: int, zone: str) -> str:
    """A datetime-local value `days` from now at `hour` o'clock in `zone`."""
    day = timezone.now().astimezone(ZoneInfo(zone)).date() + dt.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


# --- Who may open what -------------------------------------------------------------------


@pytest.mark.parametrize("template", SUPERVISOR_PAGES)
def test_each_page_renders_for_a_supervisor(signed_in, supervisor, supporter, member, template):
    raise_alert(member)
    response = signed_in(supervisor).get(_url(template, member, supporter))
    assert response.status_code == 200
    assert b"field-error" not in response.content


@pytest.mark.parametrize("template", SUPERVISOR_PAGES)
def test_a_supporter_gets_403_on_supervisor_pages(signed_in, supporter, member, template):
    assert signed_in(supporter).get(_url(template, member, supporter)).status_code == 403


@pytest.mark.parametrize("who", ["supervisor", "supporter"])
def test_my_coverage_opens_for_everyone_and_the_nav_matches_the_role(signed_in, request, who):
    staff = request.getfixturevalue(who)
    page = signed_in(staff).get("/me/").content.decode()
    assert 'href="/me/" aria-current="page">My coverage' in page
    for link in ("/members/", "/staff/", "/caseload/"):
        assert (f'href="{link}"' in page) == staff.is_supervisor


def test_signed_out_the_pages_ask_for_a_sign_in(client, member, supporter):
    for template in SUPERVISOR_PAGES + ["/me/"]:
        response = client.get(_url(template, member, supporter))
        assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.fixture
def elsewhere(outsider):
    """Another organization's member, supporter, out-of-office period and on-call period."""
    their_supporter = StaffFactory(organization=outsider.organization, name="Ola Else")
    their_member = MemberFactory(organization=outsider.organization, supporter=their_supporter, name="Eli Else")
    program = their_member.program
    absence = set_out_of_office(
        their_supporter, starts_at=timezone.now(), ends_at=timezone.now() + dt.timedelta(days=2), by=outsider
    )
    period = add_on_call(
        program, staff_id=their_supporter.pk, timezone_name="UTC", starts_day=5, starts_time="17:00",
        ends_day=1, ends_time="09:00", by=outsider,
    )  # fmt: skip
    return {"member": their_member, "supporter": their_supporter, "program": program, "absence": absence,
            "period": period}  # fmt: skip


def _others(e) -> list[tuple[str, str, dict]]:
    m, s, p, a, o = e["member"].pk, e["supporter"].pk, e["program"].pk, e["absence"].pk, e["period"].pk
    return [
        ("get", f"/members/{m}/edit", {}),
        ("post", f"/members/{m}/edit", {"name": "Taken Over"}),
        ("get", f"/members/{m}/discharge", {}),
        ("post", f"/members/{m}/discharge", {}),
        ("post", f"/members/{m}/status", {"action": "pause", "reason": "travel"}),
        ("get", f"/staff/{s}", {}),
        ("post", f"/staff/{s}", {"name": "Taken Over", "role": "supervisor"}),
        ("get", f"/staff/{s}/deactivate", {}),
        ("post", f"/staff/{s}/deactivate", {}),
        ("post", f"/staff/{s}/out-of-office", {"starts_at": _later(1, 9, "UTC"), "ends_at": _later(2, 9, "UTC")}),
        ("post", f"/staff/{s}/out-of-office/{a}/cancel", {}),
        ("get", f"/settings/{p}/on-call", {}),
        ("post", f"/settings/{p}/on-call", {"remove": str(o)}),
        ("get", f"/audit/?member={m}", {}),
        ("get", f"/audit/?staff={s}", {}),
    ]


def test_another_organizations_ids_are_not_found_and_nothing_changes(signed_in, supervisor, elsewhere):
    client = signed_in(supervisor)
    before = AuditEntry.objects.count()
    for method, path, data in _others(elsewhere):
        response = getattr(client, method)(path, data)
        assert response.status_code == 404, (method, path, response.status_code)
    their_member, their_supporter = elsewhere["member"], elsewhere["supporter"]
    their_member.refresh_from_db()
    their_supporter.refresh_from_db()
    elsewhere["absence"].refresh_from_db()
    assert (their_member.name, their_member.status) == ("Eli Else", Member.Status.ACTIVE)
    assert (their_supporter.name, their_supporter.role, their_supporter.user.is_active) == ("Ola Else", "supporter", True)
    assert elsewhere["absence"].cancelled_at is None
    assert OnCallPeriod.objects.filter(pk=elsewhere["period"].pk).exists()
    assert AuditEntry.objects.count() == before


def test_another_organizations_ids_in_a_form_are_refused_and_change_nothing(signed_in, supervisor, supporter, member, elsewhere):
    client = signed_in(supervisor)
    their = elsewhere["member"]
    page = client.post("/members/reassign", {"member_ids": [member.pk, their.pk], "supporter": supporter.pk})
    assert page.status_code == 400
    assert escape("One or more of these members are not in your organization.") in page.content.decode()
    page = client.post("/members/reassign", {"member_ids": [member.pk], "supporter": elsewhere["supporter"].pk})
    assert _field_error(page.content.decode(), "supporter", "No such staff member in your organization.")
    page = client.post(f"/staff/{supporter.pk}", {**_staff_form(supporter), "backup": elsewhere["supporter"].pk})
    assert _field_error(page.content.decode(), "backup", "No such active staff member in your organization.")
    page = client.post(f"/settings/{member.program_id}/on-call", {**ON_CALL, "staff": elsewhere["supporter"].pk})
    assert _field_error(page.content.decode(), "staff", "No such active staff member in your organization.")
    their.refresh_from_db()
    assert their.supporter == elsewhere["supporter"]
    member.refresh_from_db()
    assert member.supporter == supporter
    assert not AuditEntry.objects.filter(organization=supervisor.organization).exists()


def test_my_coverage_cannot_cancel_someone_elses_period(signed_in, supporter, other_supporter):
    theirs = set_out_of_office(
        other_supporter, starts_at=timezone.now(), ends_at=timezone.now() + dt.timedelta(days=1), by=other_supporter
    )
    assert signed_in(supporter).post(f"/me/out-of-office/{theirs.pk}/cancel").status_code == 404
    theirs.refresh_from_db()
    assert theirs.cancelled_at is None


# --- Forms: the happy path and a refusal with the service's message ------------------------


def _enrolment(staff, **changes) -> dict:
    return {
        "name": "Robin Ng", "phone": "+1 (312) 555-7788", "timezone": "America/Chicago", "language": "es",
        "program": str(staff.organization.programs.first().pk), "supporter": str(staff.pk),
        "checkin_time": "10:30", "consent": "on", "consent_method": "verbal", **changes,
    }  # fmt: skip


def _staff_form(person: Staff, **changes) -> dict:
    return {
        "name": person.name, "phone": person.phone, "role": person.role, "backup": "", "timezone": person.timezone,
        "work_starts": "", "work_ends": "", "work_days": list(person.work_days), **changes,
    }  # fmt: skip


ON_CALL = {"starts_day": "5", "starts_time": "17:00", "ends_day": "1", "ends_time": "09:00", "timezone": "America/Chicago"}


def test_enrolling_a_member(signed_in, supervisor, supporter):
    response = signed_in(supervisor).post("/members/", _enrolment(supporter), follow=True)
    assert "Robin Ng enrolled" in response.content.decode()
    robin = Member.objects.get(name="Robin Ng")
    assert (robin.phone, robin.timezone, robin.language, robin.supporter, robin.checkin_time) == (
        "+13125557788", "America/Chicago", "es", supporter, dt.time(10, 30),
    )  # fmt: skip
    assert robin.consent_method == "verbal"
    [entry] = _entries("member.enrolled")
    assert (entry.via, entry.actor, entry.target_id) == ("web", supervisor, robin.pk)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"consent": ""}, "consent", "The member must consent to receive texts (consent must be true)."),
        ({"checkin_time": "06:00"}, "checkin_time",
         "The check-in time must be between 08:00 and 20:00, the program's sending window."),
        ({"checkin_time": "soon"}, "checkin_time", 'Write the check-in time as "HH:MM", for example "09:30".'),
        ({"timezone": "Mars/Olympus"}, "timezone", "Unknown time zone; use an IANA name such as America/New_York."),
        ({"name": "  "}, "name", "Enter a name of 1 to 200 characters."),
        ({"language": "fr"}, "language", "Language must be 'en' or 'es'."),
        ({"supporter": ""}, "supporter", "No such staff member in your organization."),
        ({"program": "x"}, "program", "No such program in your organization."),
        ({"phone": "{member_phone}"}, "phone", PHONE_TAKEN),
    ],
)  # fmt: skip
def test_a_refused_enrolment_shows_the_services_message_on_its_field(
    signed_in, supervisor, supporter, member, changes, field, message
):
    changes = {k: v.replace("{member_phone}", member.phone) for k, v in changes.items()}
    response = signed_in(supervisor).post("/members/", _enrolment(supporter, **changes))
    assert response.status_code == 400
    assert _field_error(response.content.decode(), field, message), message
    assert not Member.objects.filter(name="Robin Ng").exists()
    assert not _entries("member.enrolled")


def test_the_member_list_shows_only_the_last_four_digits(signed_in, supervisor, member):
    page = signed_in(supervisor).get("/members/").content.decode()
    assert member.name in page
    assert f"…{member.phone[-4:]}" in page
    assert member.phone not in page
    assert member.phone not in signed_in(supervisor).get(f"/members/{member.pk}/edit").content.decode()


def test_editing_a_member(signed_in, supervisor, supporter, other_supporter, member):
    form = {"name": "Dana W. Whitfield", "phone": "", "timezone": "America/Denver", "language": "en",
            "program": str(member.program_id), "supporter": str(other_supporter.pk), "checkin_time": "18:15"}  # fmt: skip
    response = signed_in(supervisor).post(f"/members/{member.pk}/edit", form, follow=True)
    assert "details saved" in response.content.decode()
    member.refresh_from_db()
    assert (member.name, member.timezone, member.supporter, member.checkin_time) == (
        "Dana W. Whitfield", "America/Denver", other_supporter, dt.time(18, 15),
    )  # fmt: skip
    assert member.phone.startswith("+1312555")  # left empty: kept
    [entry] = _entries("member.updated")
    assert entry.via == "web" and {"name", "timezone", "supporter_id", "checkin_time"} <= entry.changes.keys()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"timezone": "Nowhere"}, "timezone", "Unknown time zone; use an IANA name such as America/New_York."),
        ({"checkin_time": "23:00"}, "checkin_time",
         "The check-in time must be between 08:00 and 20:00, the program's sending window."),
        ({"phone": "12"}, "phone", None),  # accounts.phones' own words
    ],
)  # fmt: skip
def test_a_refused_member_edit_shows_the_services_message(signed_in, supervisor, member, changes, field, message):
    from accounts.phones import InvalidPhone, to_e164

    if message is None:
        with pytest.raises(InvalidPhone) as refused:
            to_e164(changes["phone"])
        message = str(refused.value)
    form = {"name": member.name, "phone": "", "timezone": member.timezone, "language": member.language,
            "program": str(member.program_id), "supporter": str(member.supporter_id), "checkin_time": "09:00", **changes}  # fmt: skip
    response = signed_in(supervisor).post(f"/members/{member.pk}/edit", form)
    assert response.status_code == 400
    assert _field_error(response.content.decode(), field, message)
    assert not _entries("member.updated")


def test_editing_a_member_of_a_deactivated_supporter_keeps_them_until_reassigned(signed_in, supervisor, supporter, member):
    deactivate_staff(supporter, by=supervisor)
    form = {"name": "Dana Renamed", "phone": "", "timezone": member.timezone, "language": member.language,
            "program": str(member.program_id), "supporter": str(supporter.pk), "checkin_time": "09:00"}  # fmt: skip
    signed_in(supervisor).post(f"/members/{member.pk}/edit", form)
    member.refresh_from_db()
    assert (member.name, member.supporter) == ("Dana Renamed", supporter)


def test_discharging_asks_first_then_discharges(signed_in, supervisor, member):
    client = signed_in(supervisor)
    page = client.get(f"/members/{member.pk}/discharge").content.decode()
    assert f"Discharge {member.name}?" in page
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE
    client.post(f"/members/{member.pk}/discharge")
    member.refresh_from_db()
    assert member.status == Member.Status.DISCHARGED
    [entry] = _entries("member.discharged")
    assert entry.via == "web"
    again = client.post(f"/members/{member.pk}/discharge", follow=True).content.decode()
    assert "This member is already discharged." in again


def test_reassigning_members_in_bulk(signed_in, org, supervisor, supporter, other_supporter, member):
    second = MemberFactory(organization=org, supporter=supporter, name="Lee Park")
    response = signed_in(supervisor).post(
        "/members/reassign", {"member_ids": [member.pk, second.pk], "supporter": other_supporter.pk}, follow=True
    )
    assert f"2 members now with {other_supporter.name}" in response.content.decode()
    assert set(Member.objects.filter(supporter=other_supporter).values_list("pk", flat=True)) == {member.pk, second.pk}
    entries = _entries("member.reassigned")
    assert len(entries) == 2 and {e.via for e in entries} == {"web"}


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"member_ids": [], "supporter": "{other}"}, "member_ids", "Choose at least one member."),
        ({"member_ids": ["{member}"], "supporter": ""}, "supporter", "No such staff member in your organization."),
    ],
)
def test_a_refused_reassignment_shows_the_services_message(
    signed_in, supervisor, other_supporter, member, data, field, message
):
    def fill(value):
        return value.replace("{member}", str(member.pk)).replace("{other}", str(other_supporter.pk))

    data = {k: [fill(v) for v in value] if isinstance(value, list) else fill(value) for k, value in data.items()}
    response = signed_in(supervisor).post("/members/reassign", data)
    assert response.status_code == 400
    page = response.content.decode()
    if field == "member_ids":
        assert f'<p class="field-error" role="alert">{escape(message)}</p>' in page
    else:
        assert _field_error(page, field, message)
    assert not _entries("member.reassigned")


def test_adding_a_staff_member(signed_in, supervisor):
    form = {"name": "Noor Haddad", "email": "Noor@Example.org", "phone": "+1 202 555 0999", "role": "supporter",
            "password": "a long enough passphrase"}  # fmt: skip
    response = signed_in(supervisor).post("/staff/", form, follow=True)
    assert "Noor Haddad added" in response.content.decode()
    noor = Staff.objects.get(name="Noor Haddad")
    assert (noor.email, noor.phone, noor.role, noor.organization) == (
        "noor@example.org", "+12025550999", "supporter", supervisor.organization,
    )  # fmt: skip
    [entry] = _entries("staff.added")
    assert (entry.via, entry.actor) == ("web", supervisor)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"role": "boss"}, "role", "Role must be 'supporter' or 'supervisor'."),
        ({"phone": "{supporter_phone}"}, None, CLASH),
    ],
)
def test_a_refused_new_staff_member_shows_the_services_message(signed_in, supervisor, supporter, changes, field, message):
    changes = {k: v.replace("{supporter_phone}", supporter.phone) for k, v in changes.items()}
    form = {"name": "Noor Haddad", "email": "noor@example.org", "phone": "+1 202 555 0999", "role": "supporter",
            "password": "a long enough passphrase", **changes}  # fmt: skip
    response = signed_in(supervisor).post("/staff/", form)
    assert response.status_code == 400
    page = response.content.decode()
    if field is None:
        assert f'<p class="field-error" role="alert">{escape(message)}</p>' in page
    else:
        assert _field_error(page, field, message)
    assert not Staff.objects.filter(name="Noor Haddad").exists()


def test_editing_a_staff_member_and_their_coverage(signed_in, supervisor, supporter, other_supporter):
    form = _staff_form(supporter, name="Sam R. Rivera", backup=str(other_supporter.pk), timezone="America/Chicago",
                       work_starts="08:30", work_ends="17:00", work_days=["1", "2", "3", "4"])  # fmt: skip
    response = signed_in(supervisor).post(f"/staff/{supporter.pk}", form, follow=True)
    assert "details saved" in response.content.decode()
    supporter.refresh_from_db()
    assert (supporter.name, supporter.backup, supporter.timezone) == ("Sam R. Rivera", other_supporter, "America/Chicago")
    assert (supporter.work_starts, supporter.work_ends, supporter.work_days) == (dt.time(8, 30), dt.time(17), "1234")
    [entry] = _entries("staff.updated")
    assert entry.via == "web" and {"name", "backup", "work_days"} <= entry.changes.keys()


@pytest.mark.parametrize(
    "who, changes, field, message",
    [
        ("supporter", {"work_starts": "09:00"}, "work_ends", "Set both the start and the end of the working day, or neither."),
        ("supporter", {"work_starts": "9am", "work_ends": "17:00"}, "work_starts",
         'Write the time as "HH:MM", for example "09:00".'),
        ("supporter", {"work_days": []}, "work_days",
         "Working days are ISO weekdays 1 (Monday) to 7 (Sunday), at least one."),
        ("supporter", {"timezone": "Atlantis"}, "timezone", "Unknown time zone; use an IANA name such as America/New_York."),
        ("supervisor", {"role": "supporter"}, "role", "You cannot change your own role; ask another supervisor."),
    ],
)  # fmt: skip
def test_a_refused_staff_edit_shows_the_services_message(signed_in, request, supervisor, who, changes, field, message):
    person = request.getfixturevalue(who)
    response = signed_in(supervisor).post(f"/staff/{person.pk}", _staff_form(person, **changes))
    assert response.status_code == 400
    assert _field_error(response.content.decode(), field, message)
    assert not _entries("staff.updated")


def test_deactivating_asks_first_and_the_members_need_reassignment(signed_in, supervisor, supporter, member):
    client = signed_in(supervisor)
    page = client.get(f"/staff/{supporter.pk}/deactivate").content.decode()
    assert f"Deactivate {supporter.name}?" in page and "1 member stays with them" in page
    client.post(f"/staff/{supporter.pk}/deactivate")
    supporter.refresh_from_db()
    assert not supporter.user.is_active
    [entry] = _entries("staff.deactivated")
    assert entry.via == "web"
    home = client.get("/").content.decode()
    section = home[home.index('id="reassign-title"'):]
    assert member.name in section and f'href="/members/?supporter={supporter.pk}"' in section
    staff_page = client.get("/staff/").content.decode()
    assert staff_page.index("Deactivated <span") < staff_page.index(f'href="/staff/{supporter.pk}"')


def test_a_supervisor_cannot_deactivate_themselves(signed_in, supervisor):
    page = signed_in(supervisor).post(f"/staff/{supervisor.pk}/deactivate", follow=True).content.decode()
    assert "You cannot deactivate yourself; ask another supervisor." in page
    supervisor.user.refresh_from_db()
    assert supervisor.user.is_active


def test_setting_and_cancelling_someones_out_of_office_in_their_time_zone(signed_in, supervisor, supporter):
    Staff.objects.filter(pk=supporter.pk).update(timezone="America/Chicago")
    client = signed_in(supervisor)
    starts, ends = _later(1, 9, "America/Chicago"), _later(3, 17, "America/Chicago")
    response = client.post(f"/staff/{supporter.pk}/out-of-office", {"starts_at": starts, "ends_at": ends}, follow=True)
    assert f"{supporter.name} is out of office until" in response.content.decode()
    absence = OutOfOffice.objects.get(staff=supporter)
    chicago = ZoneInfo("America/Chicago")
    assert absence.starts_at == dt.datetime.fromisoformat(starts).replace(tzinfo=chicago)
    assert absence.ends_at == dt.datetime.fromisoformat(ends).replace(tzinfo=chicago)
    assert absence.set_by == supervisor
    client.post(f"/staff/{supporter.pk}/out-of-office/{absence.pk}/cancel")
    absence.refresh_from_db()
    assert absence.cancelled_at is not None
    assert [e.via for e in _entries("out_of_office.set") + _entries("out_of_office.cancelled")] == ["web", "web"]


@pytest.mark.parametrize(
    "period, field, message",
    [
        ({"starts_at": _later(3, 9, "UTC"), "ends_at": _later(2, 9, "UTC")}, "ends_at", "The period must end after it starts."),
        ({"starts_at": _later(-3, 9, "UTC"), "ends_at": _later(-2, 9, "UTC")}, "ends_at", "The period must end in the future."),
        ({"starts_at": "", "ends_at": _later(2, 9, "UTC")}, "starts_at", "Give a date and time with its time zone."),
        ({"starts_at": _later(1, 9, "UTC"), "ends_at": _later(400, 9, "UTC")}, "ends_at",
         "An out-of-office period can last at most 366 days."),
    ],
)  # fmt: skip
@pytest.mark.parametrize("page", ["staff", "me"])
def test_a_refused_out_of_office_shows_the_services_message(signed_in, supervisor, supporter, period, field, message, page):
    if page == "staff":
        response = signed_in(supervisor).post(f"/staff/{supporter.pk}/out-of-office", period)
    else:
        response = signed_in(supporter).post("/me/out-of-office", period)
    assert response.status_code == 400
    assert _field_error(response.content.decode(), field, message)
    assert not OutOfOffice.objects.exists()


def test_my_coverage_sets_my_own_period_backup_and_hours(signed_in, supporter, other_supporter):
    client = signed_in(supporter)
    form = {"backup": str(other_supporter.pk), "timezone": "Europe/Madrid", "work_starts": "22:00", "work_ends": "06:00",
            "work_days": ["5", "6", "7"]}  # fmt: skip
    assert "Your coverage settings are saved." in client.post("/me/", form, follow=True).content.decode()
    supporter.refresh_from_db()
    assert (supporter.backup, supporter.timezone, supporter.work_days) == (other_supporter, "Europe/Madrid", "567")
    assert (supporter.work_starts, supporter.work_ends) == (dt.time(22), dt.time(6))
    starts, ends = _later(1, 8, "Europe/Madrid"), _later(5, 18, "Europe/Madrid")
    page = client.post("/me/out-of-office", {"starts_at": starts, "ends_at": ends}, follow=True).content.decode()
    assert "You are out of office until" in page
    absence = OutOfOffice.objects.get(staff=supporter)
    assert absence.starts_at == dt.datetime.fromisoformat(starts).replace(tzinfo=ZoneInfo("Europe/Madrid"))
    client.post(f"/me/out-of-office/{absence.pk}/cancel")
    absence.refresh_from_db()
    assert absence.cancelled_at is not None
    actions = list(AuditEntry.objects.order_by("at", "id").values_list("action", "via", "actor"))
    assert actions == [("staff.updated", "web", supporter.pk), ("out_of_office.set", "web", supporter.pk),
                       ("out_of_office.cancelled", "web", supporter.pk)]  # fmt: skip


def test_my_coverage_refuses_myself_as_my_backup(signed_in, supporter):
    form = {"backup": str(supporter.pk), "timezone": supporter.timezone, "work_starts": "", "work_ends": "",
            "work_days": ["1"]}  # fmt: skip
    response = signed_in(supporter).post("/me/", form)
    assert _field_error(response.content.decode(), "backup", "A person cannot be their own backup.")


def test_whoever_covers_sees_whom_for_and_until_when(signed_in, supervisor, supporter, other_supporter, member):
    Staff.objects.filter(pk=supporter.pk).update(backup=other_supporter)
    ends = timezone.now() + dt.timedelta(days=2)
    set_out_of_office(supporter, starts_at=timezone.now() - dt.timedelta(hours=1), ends_at=ends, by=supervisor)
    for path in ("/", "/me/"):
        page = signed_in(other_supporter).get(path).content.decode()
        assert f"You are covering for <strong>{supporter.name}</strong> until" in page
        assert ends.astimezone(dt.UTC).strftime("%b") in page
    assert "You are covering for" not in signed_in(supervisor).get("/").content.decode()


def test_pausing_until_a_date_with_a_reason_and_resuming(signed_in, supporter, member):
    client = signed_in(supporter)
    until = (timezone.now().astimezone(member.tz).date() + dt.timedelta(days=10))
    page = client.post(f"/members/{member.pk}/status", {"action": "pause", "until": until.isoformat(), "reason": "travel"},
                       follow=True).content.decode()  # fmt: skip
    member.refresh_from_db()
    assert (member.status, member.paused_until, member.pause_reason) == ("paused", until, "travel")
    assert f"Paused until <time datetime=\"{until.isoformat()}\">" in page and "(travel)" in page
    assert "Resume check-ins" in page
    client.post(f"/members/{member.pk}/status", {"action": "resume"})
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE
    page = client.get(f"/members/{member.pk}").content.decode()
    assert "Next check-in <time" in page
    assert [(e.action, e.via) for e in AuditEntry.objects.order_by("at", "id")] == [
        ("member.paused", "web"), ("member.resumed", "web"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"until": "{today}", "reason": "travel"}, "until", "The pause must end after today."),
        ({"until": "next week", "reason": "travel"}, "until", 'Write the date as "YYYY-MM-DD".'),
        ({"until": "", "reason": "holiday"}, "reason", "Reason must be one of 'inpatient', 'travel', 'break', 'other'."),
    ],
)
def test_a_refused_pause_shows_the_services_message(signed_in, supporter, member, data, field, message):
    today = timezone.now().astimezone(member.tz).date().isoformat()
    data = {"action": "pause", **{k: v.replace("{today}", today) for k, v in data.items()}}
    response = signed_in(supporter).post(f"/members/{member.pk}/status", data)
    assert response.status_code == 400
    assert _field_error(response.content.decode(), field, message)
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE
    assert not AuditEntry.objects.exists()


def test_adding_and_removing_an_on_call_period(signed_in, supervisor, supporter, member):
    client = signed_in(supervisor)
    url = f"/settings/{member.program_id}/on-call"
    assert f'href="{url}"' in client.get(f"/settings/{member.program_id}").content.decode()
    page = client.post(url, {**ON_CALL, "staff": str(supporter.pk)}, follow=True).content.decode()
    period = OnCallPeriod.objects.get()
    assert (period.staff, period.starts_day, period.starts_time, period.ends_day, period.timezone) == (
        supporter, 5, dt.time(17), 1, "America/Chicago",
    )  # fmt: skip
    assert "Friday 17:00 to Monday 09:00 (America/Chicago)" in page
    client.post(url, {"remove": str(period.pk)})
    assert not OnCallPeriod.objects.exists()
    assert [(e.action, e.via) for e in AuditEntry.objects.order_by("at", "id")] == [
        ("on_call.added", "web"), ("on_call.removed", "web"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"staff": ""}, "staff", "No such active staff member in your organization."),
        ({"timezone": "Moon/Base"}, "timezone", "Unknown time zone; use an IANA name such as America/New_York."),
        ({"starts_day": "8"}, "starts_day", "Days are 1 (Monday) to 7 (Sunday)."),
        ({"ends_time": "late"}, "ends_time", 'Write the time as "HH:MM", for example "17:00".'),
    ],
)
def test_a_refused_on_call_period_shows_the_services_message(signed_in, supervisor, supporter, member, changes, field, message):
    data = {**ON_CALL, "staff": str(supporter.pk), **changes}
    response = signed_in(supervisor).post(f"/settings/{member.program_id}/on-call", data)
    assert response.status_code == 400
    assert _field_error(response.content.decode(), field, message)
    assert not OnCallPeriod.objects.exists()


def test_gaps_in_the_coming_week_are_named_on_the_rota_and_the_home_page(signed_in, supervisor, supporter, member):
    Staff.objects.filter(pk=supporter.pk).update(work_starts=dt.time(9), work_ends=dt.time(17), work_days="12345")
    client = signed_in(supervisor)
    home = client.get("/").content.decode()
    assert "On-call gaps in the next 7 days" in home and f"off the clock: {supporter.name}" in home
    rota = client.get(f"/settings/{member.program_id}/on-call").content.decode()
    assert f"off the clock: {supporter.name}" in rota
    # On call all week long (a period ending where it starts): no gap.
    add_on_call(member.program, staff_id=supervisor.pk, timezone_name="UTC", starts_day=1, starts_time="00:00",
                ends_day=1, ends_time="00:00", by=supervisor)  # fmt: skip
    assert "On-call gaps" not in client.get("/").content.decode()
    assert "None: someone is working or on call" in client.get(f"/settings/{member.program_id}/on-call").content.decode()
    # A supporter's home has no such warning.
    assert "On-call gaps" not in signed_in(supporter).get("/").content.decode()


# --- Caseload and audit log ----------------------------------------------------------------


def test_the_caseload_has_a_row_per_supporter_and_sorts_by_each_column(signed_in, org, supervisor, supporter, other_supporter, member):
    MemberFactory(organization=org, supporter=other_supporter, name="Kai One")
    MemberFactory(organization=org, supporter=other_supporter, name="Kai Two", status=Member.Status.PAUSED)
    raise_alert(member, severity="crisis", rule="crisis_language", reason="Crisis words.")
    client = signed_in(supervisor)
    page = client.get("/caseload/").content.decode()
    assert page.index(f">{other_supporter.name}<") < page.index(f">{supporter.name}<")  # A to Z: Kim before Sam
    assert "(1 paused)" in page
    assert 'aria-sort="ascending"' in page and 'href="?sort=-name"' in page
    for column in ("members", "alerts", "overdue", "silent", "last_contact"):
        assert f'href="?sort={column}"' in page
    by_members = client.get("/caseload/?sort=members").content.decode()
    assert by_members.index(f">{other_supporter.name}<") < by_members.index(f">{supporter.name}<")
    by_alerts = client.get("/caseload/?sort=alerts").content.decode()
    assert by_alerts.index(f">{supporter.name}<") < by_alerts.index(f">{other_supporter.name}<")
    assert 'href="?sort=-alerts"' in by_alerts
    assert "Crisis</span> 1" in by_alerts
    assert client.get("/caseload/?sort=nonsense").status_code == 200
    assert "rough" not in page  # never message bodies


def test_the_caseload_marks_whoever_is_out_of_office(signed_in, supervisor, supporter, member):
    set_out_of_office(supporter, starts_at=timezone.now(), ends_at=timezone.now() + dt.timedelta(days=1), by=supervisor)
    page = signed_in(supervisor).get("/caseload/").content.decode()
    row = page[page.index(f">{supporter.name}<"):]
    assert "Out of office" in row[: row.index("</tr>")]


def test_the_audit_log_lists_newest_first_filters_and_pages(signed_in, org, supervisor, supporter, other_supporter, member, other_member):
    client = signed_in(supervisor)
    client.post(f"/members/{member.pk}/edit", {"name": "Dana Two", "phone": "", "timezone": member.timezone,
                "language": "en", "program": member.program_id, "supporter": supporter.pk, "checkin_time": "09:00"})  # fmt: skip
    client.post(f"/staff/{other_supporter.pk}", _staff_form(other_supporter, name="Kim O. Osei"))
    page = client.get("/audit/").content.decode()
    assert page.index("Staff details changed") < page.index("Details changed")
    assert "Dana Two" in page and "web" in page
    only_member = client.get(f"/audit/?member={member.pk}").content.decode()
    assert "Details changed" in only_member and "Staff details changed" not in only_member
    only_staff = client.get(f"/audit/?staff={other_supporter.pk}").content.decode()
    only_staff = only_staff[only_staff.index('class="audit"'):]
    assert "Staff details changed" in only_staff and "Dana Two" not in only_staff
    for _ in range(55):
        audit.record(org, supervisor, "member.updated", other_member, {"language": ["en", "es"]}, via="api")
    first = client.get("/audit/").content.decode()
    assert "Page 1 of 2" in first and "?page=2" in first
    assert "Page 2 of 2" in client.get("/audit/?page=2").content.decode()
    assert client.get("/audit/?member=abc").status_code == 404


def test_the_audit_log_never_shows_a_full_phone(signed_in, supervisor, supporter, member):
    client = signed_in(supervisor)
    client.post(f"/members/{member.pk}/edit", {"name": member.name, "phone": "+1 312 555 4242", "timezone": member.timezone,
                "language": "en", "program": member.program_id, "supporter": supporter.pk, "checkin_time": "09:00"})  # fmt: skip
    member.refresh_from_db()
    assert member.phone == "+13125554242"
    page = client.get("/audit/").content.decode()
    assert "…4242" in page and "+13125554242" not in page
