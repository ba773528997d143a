"""Contact notes: logged from the member page or with resolving an alert,
checked, append-only (a correction is a new note), follow-ups due on the home
page and overdue as one warning alert, and the supervisors' billing CSV."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from alerts.models import Alert, AlertEvent, RuleSetting
from care.models import ContactNote, FollowUp, billing_units
from care.notes import (
    NoteError,
    due_follow_ups,
    overdue_follow_ups,
    raise_overdue_follow_ups,
    record_note,
)
from config import limits
from config.written_once import AppendOnlyError
from tests.web.conftest import DISCLOSE, raise_alert, read_export

TODAY = dt.date(2026, 3, 10)


def note_post(**overrides) -> dict:
    post = {
        "contact_outcome": "reached",
        "modality": "call",
        "contact_date": TODAY.isoformat(),
        "start": "10:00",
        "end": "10:25",
        "intervention": "Called, went through the safety plan.",
        "response": "Engaged, agreed to meeting.",
        "plan": "Meeting Thursday.",
        "follow_up_on": "",
    }
    post.update(overrides)
    return {k: v for k, v in post.items() if v is not None}


def a_note(member, staff, **overrides) -> ContactNote:
    fields = {
        "outcome": "reached",
        "modality": "call",
        "contact_date": TODAY,
        "duration_minutes": 20,
        "intervention": "Called.",
        "response": "Fine.",
        "plan": "Call again.",
    }
    fields.update(overrides)
    return record_note(member, staff, **fields)


# --- The member page -------------------------------------------------------------


def test_a_contact_is_logged_from_the_member_page(signed_in, supporter, member):
    client = signed_in(supporter)
    assert "Log a contact" in client.get(f"/members/{member.pk}").content.decode()
    response = client.post(
        f"/members/{member.pk}/contact", note_post(follow_up_on="2026-03-12")
    )
    assert response.status_code == 302
    note = ContactNote.objects.get()
    assert (note.member, note.staff, note.alert, note.organization_id) == (
        member,
        supporter,
        None,
        member.organization_id,
    )
    assert (note.outcome, note.modality, note.duration_minutes, note.units) == (
        "reached",
        "call",
        25,
        2,
    )
    assert note.started_at == dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
    assert note.follow_up_on == dt.date(2026, 3, 12)
    assert FollowUp.objects.get().due_on == dt.date(2026, 3, 12)
    page = client.get(f"/members/{member.pk}").content.decode()
    assert "Called, went through the safety plan." in page


@pytest.mark.parametrize(
    "overrides, field_error",
    [
        ({"end": "09:50"}, "The end must be after the start."),
        ({"end": ""}, "Give both the start and the end, or neither."),
        (
            {"start": "", "end": ""},
            "Give the start and end, or the duration in minutes.",
        ),
        (
            {"start": "", "end": "", "duration_minutes": "481"},
            "The duration must be a whole number from 1 to 480 minutes.",
        ),
        (
            {"start": "", "end": "", "duration_minutes": "0"},
            "The duration must be a whole number from 1 to 480 minutes.",
        ),
        ({"intervention": "  "}, "Write what was done"),
        (
            {"intervention": "x" * (limits.NOTE_MAX + 1)},
            f"Keep what was done to {limits.NOTE_MAX:,} characters",
        ),
        (
            {"plan": "y" * (limits.NOTE_MAX + 1)},
            f"Keep the plan to {limits.NOTE_MAX:,} characters",
        ),
        ({"response": ""}, "Write how the member responded"),
        ({"contact_outcome": ""}, "Choose how the contact ended"),
        ({"modality": "fax"}, "Select a valid choice"),
        ({"follow_up_on": "2026-03-01"}, "The follow-up date is before the contact."),
    ],
)
def test_a_refused_note_says_why_and_stores_nothing(
    signed_in, supporter, member, overrides, field_error
):
    response = signed_in(supporter).post(
        f"/members/{member.pk}/contact", note_post(**overrides)
    )
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not ContactNote.objects.exists()


def test_not_reached_needs_no_response_or_plan(signed_in, supporter, member):
    post = note_post(contact_outcome="not_reached", modality="text", response="", plan="", start="", end="",
                     duration_minutes="5")  # fmt: skip
    assert (
        signed_in(supporter).post(f"/members/{member.pk}/contact", post).status_code
        == 302
    )
    assert ContactNote.objects.get().units == 0


def test_another_supporters_member_is_not_found(
    signed_in, other_supporter, member, outsider
):
    for staff in (other_supporter, outsider):
        response = signed_in(staff).post(f"/members/{member.pk}/contact", note_post())
        assert response.status_code == 404
    assert not ContactNote.objects.exists()


# --- Append-only, corrections ----------------------------------------------------


def test_notes_are_append_only(supporter, member):
    note = a_note(member, supporter)
    note.plan = "Something else."
    with pytest.raises(AppendOnlyError):
        note.save()
    with pytest.raises(AppendOnlyError):
        note.delete()
    assert ContactNote.objects.get().plan == "Call again."


def test_a_correction_is_a_new_note_and_replaces_the_old_one_in_the_export(
    signed_in, supporter, supervisor, member
):
    wrong = a_note(
        member,
        supporter,
        duration_minutes=50,
        follow_up_on=TODAY + dt.timedelta(days=2),
    )
    client = signed_in(supporter)
    form = client.get(f"/members/{member.pk}?correct={wrong.pk}").content.decode()
    assert f'value="{wrong.pk}"' in form
    client.post(
        f"/members/{member.pk}/contact",
        note_post(start="", end="", duration_minutes="15", corrects=str(wrong.pk)),
    )
    fixed = ContactNote.objects.exclude(pk=wrong.pk).get()
    assert fixed.corrects == wrong
    assert ContactNote.objects.count() == 2
    # The corrected note's follow-up is closed by its correction (which set none).
    assert FollowUp.objects.get(note=wrong).done_by_note == fixed
    rows = export(signed_in(supervisor), TODAY, TODAY)
    assert [r["note_id"] for r in rows] == [str(fixed.pk)]
    assert rows[0]["corrects_note_id"] == str(wrong.pk)


def test_a_correction_of_another_members_note_is_refused(
    supporter, member, other_member
):
    note = a_note(other_member, other_member.supporter)
    with pytest.raises(NoteError) as error:
        a_note(member, supporter, corrects=note)
    assert "same member" in str(error.value.problems)


# --- Resolving an alert with a note ------------------------------------------------


def test_resolving_records_a_contact_note(signed_in, supporter, member):
    alert = raise_alert(member)
    response = signed_in(supporter).post(
        f"/alerts/{alert.pk}/resolve", note_post(outcome="")
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    note = ContactNote.objects.get()
    assert (alert.status, alert.outcome, alert.resolved_by) == (
        "resolved",
        note.intervention,
        supporter,
    )
    assert (note.alert, note.member, note.staff) == (alert, member, supporter)
    assert (
        alert.events.get(type=AlertEvent.Type.RESOLVED).channel
        == AlertEvent.Channel.WEB
    )


def test_resolving_keeps_its_own_outcome_text_when_given(signed_in, supporter, member):
    alert = raise_alert(member)
    signed_in(supporter).post(
        f"/alerts/{alert.pk}/resolve", note_post(outcome="Reached by phone, safe")
    )
    alert.refresh_from_db()
    assert alert.outcome == "Reached by phone, safe"
    assert ContactNote.objects.get().alert == alert


def test_a_refused_note_leaves_the_alert_open(signed_in, supporter, member):
    alert = raise_alert(member)
    page = signed_in(supporter).post(
        f"/alerts/{alert.pk}/resolve", note_post(end="09:00")
    )
    assert page.status_code == 200
    assert "The end must be after the start." in page.content.decode()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN
    assert not ContactNote.objects.exists()


def test_a_resolved_alert_takes_no_second_note(signed_in, supporter, member):
    alert = raise_alert(member)
    client = signed_in(supporter)
    client.post(f"/alerts/{alert.pk}/resolve", note_post())
    page = client.post(
        f"/alerts/{alert.pk}/resolve", note_post(), follow=True
    ).content.decode()
    assert "already resolved" in page
    assert ContactNote.objects.count() == 1


# --- Follow-ups ----------------------------------------------------------------------


def test_a_follow_up_shows_on_the_authors_home_page_when_due(
    signed_in, supporter, supervisor, member
):
    a_note(member, supporter, follow_up_on=TODAY + dt.timedelta(days=2))
    client = signed_in(supporter)
    with time_machine.travel(dt.datetime(2026, 3, 11, 12, tzinfo=dt.UTC), tick=False):
        assert "My follow-ups due" not in client.get("/").content.decode()
    with time_machine.travel(dt.datetime(2026, 3, 12, 12, tzinfo=dt.UTC), tick=False):
        page = client.get("/").content.decode()
        assert "My follow-ups due" in page and "Dana Whitfield" in page
        # Someone else's follow-up is not on a supervisor's list.
        assert (
            "My follow-ups due" not in signed_in(supervisor).get("/").content.decode()
        )


def test_a_later_contact_closes_the_follow_up(supporter, member):
    a_note(member, supporter, follow_up_on=TODAY + dt.timedelta(days=1))
    later = a_note(
        member,
        supporter,
        contact_date=TODAY + dt.timedelta(days=1),
        intervention="Met.",
    )
    follow_up = FollowUp.objects.get()
    assert follow_up.done_by_note == later and follow_up.done_at is not None
    assert not list(due_follow_ups(supporter, TODAY + dt.timedelta(days=5)))


def test_an_overdue_follow_up_raises_one_warning_alert(supporter, member):
    # The member's zone is New York: the follow-up is overdue at 09:00 there
    # the day after its date (14:00 UTC in March, after DST starts on the 8th).
    member.timezone = "America/New_York"
    member.save(update_fields=["timezone"])
    a_note(member, supporter, follow_up_on=TODAY)
    with time_machine.travel(
        dt.datetime(2026, 3, 11, 12, 59, tzinfo=dt.UTC), tick=False
    ):
        assert overdue_follow_ups() == []
        assert raise_overdue_follow_ups() == 0
    with time_machine.travel(
        dt.datetime(2026, 3, 11, 13, 0, tzinfo=dt.UTC), tick=False
    ):
        assert raise_overdue_follow_ups() == 1
        assert raise_overdue_follow_ups() == 0  # once
    alert = Alert.objects.get()
    assert (alert.severity, alert.topic, alert.member) == (
        "warning",
        "follow_up",
        member,
    )
    assert alert.reasons == [
        "Follow-up planned for Mar 10 is overdue: no contact logged since."
    ]
    follow_up = FollowUp.objects.get()
    assert follow_up.alert == alert and follow_up.alerted_at is not None
    # Resolving it with a note closes the follow-up.
    from care.notes import resolve_with_note

    resolve_with_note(alert, supporter, "web", outcome="reached", modality="call", contact_date=TODAY,
                      duration_minutes=10, intervention="Called.", response="OK.", plan="Weekly.")  # fmt: skip
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None


def test_the_periodic_check_is_on_the_beat_schedule():
    from config.celery import app

    entries = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "care.tasks.raise_overdue_follow_ups" in entries


def test_a_switched_off_rule_raises_nothing(supporter, member):
    RuleSetting.objects.filter(program=member.program, kind="follow_up_overdue").update(
        enabled=False
    )
    a_note(member, supporter, follow_up_on=TODAY)
    with time_machine.travel(dt.datetime(2026, 3, 14, tzinfo=dt.UTC), tick=False):
        raise_overdue_follow_ups()
    assert not Alert.objects.exists()


def test_new_programs_have_the_rule_on_as_a_warning(member):
    rule = member.program.rules.get(kind="follow_up_overdue")
    assert (rule.enabled, rule.severity) == (True, "warning")


# --- The billing CSV ---------------------------------------------------------------


def export(client, start, end):
    response = client.post(
        "/review/notes.csv", {"from": start.isoformat(), "to": end.isoformat(), **DISCLOSE}
    )
    assert response.status_code == 200, response.content
    return read_export(response.content)[1]


@pytest.mark.parametrize(
    "minutes, units",
    [
        (1, 0),
        (7, 0),
        (8, 1),
        (15, 1),
        (22, 1),
        (23, 2),
        (37, 2),
        (38, 3),
        (52, 3),
        (53, 4),
        (480, 32),
    ],
)
def test_units_follow_the_8_minute_rule(minutes, units):
    assert billing_units(minutes) == units


def test_the_csv_has_the_billing_fields(signed_in, supervisor, supporter, member):
    record_note(member, supporter, outcome="referred", modality="in_person", contact_date=TODAY,
                started_at=dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC),
                ended_at=dt.datetime(2026, 3, 10, 14, 23, tzinfo=dt.UTC),
                intervention="=Met at the center.", response="Open.", plan="Referral to housing.")  # fmt: skip
    a_note(
        member, supporter, contact_date=TODAY - dt.timedelta(days=1)
    )  # outside the period
    response = signed_in(supervisor).post(
        "/review/notes.csv", {"from": "2026-03-10", "to": "2026-03-31", **DISCLOSE}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = read_export(response.content)[1]
    assert list(rows[0]) == [
        "note_id", "date", "start", "end", "duration_minutes", "units_15_min", "modality", "staff", "member",
        "intervention", "response", "plan", "outcome", "follow_up_on", "alert_id", "corrects_note_id",
    ]  # fmt: skip
    assert len(rows) == 1
    row = rows[0]
    assert (
        row["date"],
        row["start"],
        row["end"],
        row["duration_minutes"],
        row["units_15_min"],
    ) == ("2026-03-10", "14:00", "14:23", "23", "2")
    assert (row["modality"], row["staff"], row["member"], row["outcome"]) == (
        "In person",
        "Sam Rivera",
        "Dana W.",
        "Referred",
    )
    # Free text cannot run as a spreadsheet formula.
    assert (row["intervention"], row["response"], row["plan"]) == (
        "'=Met at the center.",
        "Open.",
        "Referral to housing.",
    )


def test_only_supervisors_export_notes(signed_in, supporter, member):
    a_note(member, supporter)
    assert (
        signed_in(supporter)
        .post("/review/notes.csv", {"from": "2026-03-01", "to": "2026-03-31", **DISCLOSE})
        .status_code
        == 403
    )


def test_the_csv_needs_a_sensible_period(signed_in, supervisor):
    client = signed_in(supervisor)
    assert client.post("/review/notes.csv", DISCLOSE).status_code == 400
    assert (
        client.post("/review/notes.csv", {"from": "2026-03-10", "to": "2026-03-01", **DISCLOSE}).status_code == 400
    )
    assert (
        client.post("/review/notes.csv", {"from": "2025-01-01", "to": "2026-03-01", **DISCLOSE}).status_code == 400
    )


def test_another_organizations_notes_are_never_visible(
    signed_in, supervisor, supporter, member, outsider
):
    from tests.factories import MemberFactory, StaffFactory

    their_staff = StaffFactory(organization=outsider.organization, name="Theo Else")
    their_member = MemberFactory(
        organization=outsider.organization, supporter=their_staff, name="Ivy Other"
    )
    a_note(their_member, their_staff, intervention="Their note.")
    a_note(member, supporter, intervention="Our note.")
    ours = export(signed_in(supervisor), TODAY, TODAY)
    assert [r["intervention"] for r in ours] == ["Our note."]
    theirs = export(signed_in(outsider), TODAY, TODAY)
    assert [r["intervention"] for r in theirs] == ["Their note."]
    # Nor can a note be recorded across organizations, nor a member's page show another's notes.
    with pytest.raises(NoteError):
        a_note(member, their_staff)
    assert signed_in(outsider).get(f"/members/{member.pk}").status_code == 404
    assert not list(due_follow_ups(outsider, TODAY))


def test_notes_never_reach_the_logs(caplog, supporter, member):
    with caplog.at_level("DEBUG"):
        a_note(
            member,
            supporter,
            intervention="Private words about using.",
            follow_up_on=TODAY,
        )
        with time_machine.travel(timezone.now() + dt.timedelta(days=3), tick=False):
            raise_overdue_follow_ups()
    assert "Private words" not in caplog.text
    assert member.phone not in caplog.text


def test_the_overdue_alert_page_and_settings_page_show(signed_in, supporter, supervisor, member):
    a_note(member, supporter, follow_up_on=TODAY)
    with time_machine.travel(dt.datetime(2026, 3, 12, tzinfo=dt.UTC), tick=False):
        raise_overdue_follow_ups()
    alert = Alert.objects.get()
    page = signed_in(supporter).get(f"/alerts/{alert.pk}").content.decode()
    assert "Follow-up planned for Mar 10 is overdue" in page
    assert "Log the contact with it" in page
    assert "No words raised this alert." in page
    settings_page = signed_in(supervisor).get("/settings/").content.decode()
    assert "A follow-up from a contact note is overdue" in settings_page
