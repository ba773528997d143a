"""The question series API: supervisors write, install and switch series; staff read a member's scores."""

import datetime as dt

import pytest

from checkins.models import CheckIn, SeriesDue, SeriesScore
from records.models import Disclosure
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory

pytestmark = pytest.mark.django_db

MEETINGS = {
    "name": "Meetings attended",
    "key": "meetings",
    "every_days": 7,
    "at_enrolment": False,
    "scoring": "sum",
    "alert_below": 1,
    "questions": [
        {
            "key": "meetings",
            "kind": "scale",
            "scale_min": 0,
            "scale_max": 7,
            "text_en": "How many meetings did you go to this week, 0 to 7?",
            "text_es": "¿A cuántas reuniones fuiste esta semana, del 0 al 7?",
        }
    ],
}


def test_a_supervisor_writes_a_series_and_turns_it_on(api, org, supervisor, member):
    program = org.programs.get()
    client = api.as_(supervisor)
    response = client.post(f"/programs/{program.pk}/series", MEETINGS)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["is_active"], created["max_score"], created["every_days"]) == (False, 7, 7)
    assert [q["key"] for q in created["questions"]] == ["meetings"]
    assert not SeriesDue.objects.exists()

    response = client.patch(f"/series/{created['id']}", {"is_active": True, "alert_drop": 3})
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is True and response.json()["alert_drop"] == 3
    assert SeriesDue.objects.filter(member=member).count() == 1

    listing = client.get(f"/programs/{program.pk}/series").json()
    assert [s["key"] for s in listing] == ["meetings"]
    # The daily check-in's questions are unchanged.
    assert [q["key"] for q in client.get("/programs").json()["items"][0]["questions"]] == [
        "mood", "craving", "used", "safety",
    ]  # fmt: skip

    assert client.patch(f"/series/{created['id']}", {"is_active": False}).json()["is_active"] is False
    assert not SeriesDue.objects.exists()


def test_install_barc10_is_off_and_installing_again_returns_it(api, org, supervisor):
    program = org.programs.get()
    client = api.as_(supervisor)
    first = client.post(f"/programs/{program.pk}/series/barc10")
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["key"], body["builtin"], body["is_active"], body["max_score"]) == ("barc10", "barc10", False, 60)
    assert (body["alert_below"], body["alert_drop"], body["every_days"]) == (None, 6, 30)
    assert len(body["questions"]) == 10
    again = client.post(f"/programs/{program.pk}/series/barc10")
    assert again.status_code == 200 and again.json()["id"] == body["id"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": ""}, "name"),
        ({"key": "Not a key"}, "key"),
        ({"every_days": 0}, "every_days"),
        ({"questions": []}, "questions"),
        ({"questions": [{"key": "q", "text_en": "One?"}] * 11}, "questions"),
        ({"questions": [{"key": "mood", "kind": "yes_no", "text_en": "Again?"}]}, "questions.0.key"),
        ({"questions": [{"key": "q", "kind": "scale", "text_en": "How many?", "scale_min": 3}]}, "questions.0.scale_max"),
        ({"questions": [{"key": "q", "kind": "maybe", "text_en": "How many?"}]}, "questions.0.kind"),
        ({"questions": [{"key": "q", "kind": "yes_no", "text_en": "x", "ask_if_key": "z"}]}, "questions.0.ask_if_key"),
        ({"scoring": "none"}, "scoring"),
    ],
)
def test_a_series_that_cannot_be_stored_is_422_naming_the_field(api, org, supervisor, change, field):
    response = api.as_(supervisor).post(f"/programs/{org.programs.get().pk}/series", {**MEETINGS, **change})
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]], response.json()


def test_a_duplicate_key_is_422(api, org, supervisor):
    client = api.as_(supervisor)
    program = org.programs.get()
    assert client.post(f"/programs/{program.pk}/series", MEETINGS).status_code == 201
    response = client.post(f"/programs/{program.pk}/series", MEETINGS)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "key"


def test_supporters_cannot_change_series_and_other_organizations_are_404(api, org, supervisor, supporter):
    program = org.programs.get()
    assert api.as_(supporter).post(f"/programs/{program.pk}/series", MEETINGS).status_code == 403
    assert api.as_(supporter).get(f"/programs/{program.pk}/series").status_code == 403
    series_id = api.as_(supervisor).post(f"/programs/{program.pk}/series/barc10").json()["id"]
    assert api.as_(supporter).patch(f"/series/{series_id}", {"is_active": True}).status_code == 403
    other = StaffFactory(organization=OrganizationFactory(name="Elsewhere"), role="supervisor")
    assert api.as_(other).patch(f"/series/{series_id}", {"is_active": True}).status_code == 404
    assert api.as_(other).get(f"/programs/{program.pk}/series").status_code == 404


def test_member_scores_are_scoped_filtered_and_recorded(api, org, supervisor, supporter, member):
    client = api.as_(supervisor)
    program = org.programs.get()
    barc = client.post(f"/programs/{program.pk}/series/barc10").json()
    now = dt.datetime(2026, 11, 3, 15, tzinfo=dt.UTC)
    for days, score in ((0, 50), (30, 42)):
        at = now + dt.timedelta(days=days)
        checkin = CheckIn.objects.create(
            member=member, series_id=barc["id"], scheduled_for=at, closes_at=at, status="completed"
        )
        SeriesScore.objects.create(member=member, series_id=barc["id"], checkin=checkin, score=score, at=at)
    response = api.as_(supporter).get(f"/members/{member.pk}/scores", series="barc10", purpose="treatment review")
    assert response.status_code == 200, response.content
    assert [(s["score"], s["max_score"], s["series_key"]) for s in response.json()] == [
        (42, 60, "barc10"), (50, 60, "barc10"),
    ]  # fmt: skip
    assert client.get(f"/members/{member.pk}/scores", series=str(barc["id"])).json()[0]["score"] == 42
    assert client.get(f"/members/{member.pk}/scores", series="meetings").json() == []
    assert Disclosure.objects.filter(data="questionnaire scores").count() == 3
    someone_else = MemberFactory(organization=org)
    assert api.as_(supporter).get(f"/members/{someone_else.pk}/scores").status_code == 404
