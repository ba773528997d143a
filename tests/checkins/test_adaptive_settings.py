"""The adaptive schedule's settings (PATCH /programs/{id} and the program
settings page, with the same limits and words), the member's schedule in the
API and on the member page (docs/adaptive.md)."""

import datetime as dt

import pytest
import time_machine

from checkins import adaptive
from checkins.models import Member, ScheduleChange
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory

pytestmark = pytest.mark.django_db

ADAPTIVE_DEFAULTS = {
    "adaptive_schedule": False,
    "schedule_levels": [1, 2, 3, 7],
    "step_down_after": 14,
    "step_up_on_alert": True,
    "step_up_after_missed": 2,
    "step_up_on_worsening": True,
}


# --- API: program settings ---------------------------------------------------------------


def test_programs_show_the_adaptive_settings(api, supervisor):
    program = api.as_(supervisor).get("/programs").json()["items"][0]
    assert {field: program[field] for field in ADAPTIVE_DEFAULTS} == ADAPTIVE_DEFAULTS


def test_a_supervisor_turns_adaptation_on_and_tunes_it(api, org, supervisor):
    program = org.programs.get()
    body = {
        "adaptive_schedule": True,
        "schedule_levels": [1, 3, 7, 14],
        "step_down_after": 10,
        "step_up_on_alert": False,
        "step_up_after_missed": 0,
        "step_up_on_worsening": False,
    }
    response = api.as_(supervisor).patch(f"/programs/{program.id}", body)
    assert response.status_code == 200, response.content
    assert {field: response.json()[field] for field in body} == body
    program.refresh_from_db()
    assert (program.adaptive_schedule, program.schedule_levels, program.step_down_after) == (True, [1, 3, 7, 14], 10)
    assert (program.step_up_on_alert, program.step_up_after_missed, program.step_up_on_worsening) == (False, 0, False)


LEVELS_COUNT = "Give 1 to 6 levels: days between check-ins, most frequent first (such as 1, 2, 3, 7)."
LEVELS_WHOLE = "Each level must be a whole number of days from 1 to 30."
LEVELS_FIRST = "The first level must be every 1 to 7 days."
LEVELS_ORDER = "Levels go from most to least frequent: each must be more days apart than the one before."

INVALID = [
    ({"schedule_levels": []}, "schedule_levels", LEVELS_COUNT),
    ({"schedule_levels": [1, 2, 3, 4, 5, 6, 7]}, "schedule_levels", LEVELS_COUNT),
    ({"schedule_levels": [0, 2]}, "schedule_levels", LEVELS_WHOLE),
    ({"schedule_levels": [1, 2.5]}, "schedule_levels", LEVELS_WHOLE),
    ({"schedule_levels": [1, "2"]}, "schedule_levels", LEVELS_WHOLE),
    ({"schedule_levels": [1, True]}, "schedule_levels", LEVELS_WHOLE),
    ({"schedule_levels": [1, 31]}, "schedule_levels", LEVELS_WHOLE),
    ({"schedule_levels": [8, 14]}, "schedule_levels", LEVELS_FIRST),
    ({"schedule_levels": [1, 1, 7]}, "schedule_levels", LEVELS_ORDER),
    ({"schedule_levels": [1, 7, 3]}, "schedule_levels", LEVELS_ORDER),
    ({"step_down_after": 0}, "step_down_after", "Must be a whole number from 1 to 365."),
    ({"step_down_after": 366}, "step_down_after", "Must be a whole number from 1 to 365."),
    ({"step_up_after_missed": -1}, "step_up_after_missed", "Must be a whole number from 0 to 30."),
    ({"step_up_after_missed": 31}, "step_up_after_missed", "Must be a whole number from 0 to 30."),
]


@pytest.mark.parametrize("body, field, message", INVALID)
def test_invalid_adaptive_settings_are_422_naming_the_field(api, org, supervisor, body, field, message):
    program = org.programs.get()
    response = api.as_(supervisor).patch(f"/programs/{program.id}", {**body, "adaptive_schedule": True})
    assert response.status_code == 422, response.content
    error = response.json()["errors"][0]
    assert error["field"] == field
    assert message in response.json()["detail"]
    program.refresh_from_db()
    assert program.adaptive_schedule is False, "all or nothing"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"schedule_levels": "1, 2, 3"}, "schedule_levels"),
        ({"step_down_after": "often"}, "step_down_after"),
        ({"adaptive_schedule": None}, "adaptive_schedule"),
        ({"step_up_on_alert": "maybe"}, "step_up_on_alert"),
    ],
)
def test_malformed_adaptive_settings_are_422_naming_the_field(api, org, supervisor, body, field):
    response = api.as_(supervisor).patch(f"/programs/{org.programs.get().id}", body)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field


def test_a_supporter_cannot_change_the_schedule(api, org, supporter):
    response = api.as_(supporter).patch(f"/programs/{org.programs.get().id}", {"adaptive_schedule": True})
    assert response.status_code == 403


# --- API: the member's schedule --------------------------------------------------------------


def _on_level(member, level: int, reason: str) -> Member:
    Member.objects.filter(pk=member.pk).update(schedule_level=level, schedule_reason=reason)
    ScheduleChange.objects.create(member=member, from_level=level - 1, to_level=level, reason=reason)
    member.refresh_from_db()
    return member


def test_a_member_shows_their_level_interval_and_reason(api, org, supervisor, member):
    as_supervisor = api.as_(supervisor)
    shown = as_supervisor.get(f"/members/{member.id}").json()
    assert (shown["schedule_level"], shown["schedule_interval_days"], shown["schedule_reason"]) == (0, 1, "")
    program = org.programs.get()
    program.adaptive_schedule = True
    program.save()
    _on_level(member, 2, "14 clear check-ins in a row")
    shown = as_supervisor.get(f"/members/{member.id}").json()
    assert (shown["schedule_level"], shown["schedule_interval_days"]) == (2, 3)
    assert shown["schedule_reason"] == "14 clear check-ins in a row"
    listed = as_supervisor.get("/members").json()["items"]
    assert [(m["id"], m["schedule_interval_days"]) for m in listed] == [(member.id, 3)]


def test_with_adaptation_off_every_member_shows_daily(api, supervisor, member):
    _on_level(member, 3, "14 clear check-ins in a row")
    shown = api.as_(supervisor).get(f"/members/{member.id}").json()
    assert (shown["schedule_level"], shown["schedule_interval_days"], shown["schedule_reason"]) == (0, 1, "")


def test_schedule_changes_newest_first(api, supervisor, member):
    with time_machine.travel(dt.datetime(2026, 5, 7, 13, tzinfo=dt.UTC), tick=False):
        _on_level(member, 1, "14 clear check-ins in a row")
    with time_machine.travel(dt.datetime(2026, 5, 9, 13, tzinfo=dt.UTC), tick=False):
        ScheduleChange.objects.create(member=member, from_level=1, to_level=0, reason="Alert: Craving 9 of 10.")
    listing = api.as_(supervisor).get(f"/members/{member.id}/schedule-changes").json()
    assert listing["count"] == 2
    assert [(c["from_level"], c["to_level"], c["reason"]) for c in listing["items"]] == [
        (1, 0, "Alert: Craving 9 of 10."),
        (0, 1, "14 clear check-ins in a row"),
    ]
    assert listing["items"][0]["at"].startswith("2026-05-09T13:00:00")


def test_schedule_changes_are_scoped_like_every_member_route(api, org, supporter, member):
    other = StaffFactory(organization=org, name="Kim Osei")
    outsider = StaffFactory(organization=OrganizationFactory(name="Elsewhere"), name="Olga Outside")
    assert api.as_(supporter).get(f"/members/{member.id}/schedule-changes").status_code == 200
    assert api.as_(other).get(f"/members/{member.id}/schedule-changes").status_code == 404
    assert api.as_(outsider).get(f"/members/{member.id}/schedule-changes").status_code == 404
    assert api.get(f"/members/{member.id}/schedule-changes").status_code == 401


def test_schedule_changes_cannot_be_changed():
    change = ScheduleChange(member_id=1, from_level=0, to_level=1, reason="x")
    change.pk = 5
    with pytest.raises(ValueError):
        change.save()


# --- The program settings page ------------------------------------------------------------


def _form(client, program) -> dict:
    page = client.get(f"/settings/{program.pk}")
    data = {}
    for field in page.context["form"]:
        value = field.value()
        if value is False:
            continue  # an unticked checkbox is not posted
        data[field.html_name] = value.strftime("%H:%M") if isinstance(value, dt.time) else value
    for formset in (page.context["questions"], page.context["rules"]):
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for form in formset:
            for field in form:
                value = field.value()
                if value is None or value is False:
                    continue
                data[field.html_name] = "on" if value is True else value
    return data


@pytest.fixture
def signed_in(client):
    def sign_in(staff):
        client.force_login(staff.user)
        return client

    return sign_in


def test_the_settings_page_shows_the_adaptive_schedule(signed_in, supervisor, org):
    page = signed_in(supervisor).get(f"/settings/{org.programs.get().pk}").content.decode()
    assert "<legend>Adaptive schedule</legend>" in page
    assert 'value="1, 2, 3, 7"' in page
    assert "Clear check-ins in a row to step down" in page


def test_a_supervisor_sets_the_adaptive_schedule_on_the_page(signed_in, supervisor, org):
    program = org.programs.get()
    client = signed_in(supervisor)
    data = _form(client, program)
    data.update({
        "program-adaptive_schedule": "on", "program-schedule_levels": "1, 2, 4, 7", "program-step_down_after": "10",
        "program-step_up_after_missed": "3",
    })  # fmt: skip
    data.pop("program-step_up_on_worsening")
    response = client.post(f"/settings/{program.pk}", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    program.refresh_from_db()
    assert (program.adaptive_schedule, program.schedule_levels, program.step_down_after) == (True, [1, 2, 4, 7], 10)
    assert (program.step_up_on_alert, program.step_up_after_missed, program.step_up_on_worsening) == (True, 3, False)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("schedule_levels", "1, 1, 7", LEVELS_ORDER),
        ("schedule_levels", "8, 14", LEVELS_FIRST),
        ("schedule_levels", "1, two", LEVELS_WHOLE),
        ("schedule_levels", "1, 2, 3, 4, 5, 6, 7", LEVELS_COUNT),
        ("schedule_levels", "", LEVELS_COUNT),
        ("step_down_after", "0", "Must be a whole number from 1 to 365."),
        ("step_down_after", "-3", "Must be a whole number from 1 to 365."),
        ("step_up_after_missed", "31", "Must be a whole number from 0 to 30."),
    ],
)
def test_the_page_refuses_what_the_api_refuses_with_the_same_words(signed_in, supervisor, org, field, value, message):
    program = org.programs.get()
    client = signed_in(supervisor)
    data = _form(client, program)
    data[f"program-{field}"] = value
    data["program-adaptive_schedule"] = "on"
    response = client.post(f"/settings/{program.pk}", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    program.refresh_from_db()
    assert program.adaptive_schedule is False


# --- The member page --------------------------------------------------------------------


def test_the_member_page_says_how_often_why_and_when_next(signed_in, supervisor, org, supporter):
    program = org.programs.get()
    program.adaptive_schedule = True
    program.save()
    with time_machine.travel(dt.datetime(2026, 5, 3, 16, tzinfo=dt.UTC), tick=False):
        member = MemberFactory(organization=org, supporter=supporter)
        _on_level(member, 1, "14 clear check-ins in a row")
        Member.objects.filter(pk=member.pk).update(clear_in_a_row=5)
        page = signed_in(supervisor).get(f"/members/{member.pk}").content.decode()
    assert "Check-ins every other day (level 2 of 4) · 14 clear check-ins in a row · next check-in" in page
    assert "Mon May 4, 13:00 UTC" in page
    assert "5 of 14 clear check-ins in a row before every 3 days." in page
    assert "Schedule changes" in page and "level 1 → level 2: 14 clear check-ins in a row" in page


def test_the_member_page_of_a_daily_program_is_as_before(signed_in, supervisor, member):
    page = signed_in(supervisor).get(f"/members/{member.pk}").content.decode()
    assert "Next check-in <time" in page and "daily at 09:00" in page
    assert "level 1 of" not in page and "Schedule changes" not in page


def test_summary_of_a_member_on_the_last_level(org, member):
    program = org.programs.get()
    program.adaptive_schedule = True
    member.schedule_level = 3
    shown = adaptive.summary(member, program)
    assert (shown["every"], shown["level_shown"], shown["levels"], shown["toward"]) == ("every 7 days", 4, 4, None)
    # A list made shorter: the member is on its last level until the tick records the move.
    program.schedule_levels = [1, 2]
    assert adaptive.interval_days(member, program) == 2
