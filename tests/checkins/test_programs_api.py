import pytest

from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_supervisor_lists_programs_with_defaults(api, supervisor):
    listing = api.as_(supervisor).get("/programs").json()
    assert listing["count"] == 1
    program = listing["items"][0]
    assert program["ack_timeout_seconds"] == 900
    assert (program["send_window_start"], program["send_window_end"]) == ("08:00", "20:00")
    assert [q["key"] for q in program["questions"]] == ["mood", "craving", "used", "safety"]
    assert all(q["text_es"] for q in program["questions"])
    rules = {r["kind"]: r for r in program["rules"]}
    assert rules["craving_high"]["threshold"] == 8 and rules["craving_high"]["severity"] == "urgent"
    assert rules["mood_low"]["threshold"] == 2 and rules["mood_low"]["severity"] == "warning"
    assert rules["used_yes"]["severity"] == "urgent"
    assert rules["safety_yes"]["severity"] == "crisis"


def test_supervisor_tunes_ack_timeout_and_a_rule(api, org, supervisor):
    program = org.programs.get()
    response = api.as_(supervisor).patch(
        f"/programs/{program.id}",
        {"ack_timeout_seconds": 5, "rules": [{"kind": "craving_high", "threshold": 7}]},
    )
    assert response.status_code == 200, response.content
    program.refresh_from_db()
    assert program.ack_timeout_seconds == 5
    assert program.rules.get(kind="craving_high").threshold == 7


@pytest.mark.parametrize(
    "body, field",
    [
        ({"ack_timeout_seconds": 4}, "ack_timeout_seconds"),
        ({"ack_timeout_seconds": "soon"}, "ack_timeout_seconds"),
        ({"ack_timeout_seconds": 1.5}, "ack_timeout_seconds"),
        ({"send_window_start": "21:00"}, "send_window_end"),
        ({"send_window_start": "8am"}, "send_window_start"),
        ({"send_window_end": "24:00"}, "send_window_end"),
        ({"rules": [{"kind": "crisis_language", "enabled": False}]}, "rules.0.enabled"),
        ({"rules": [{"kind": "made_up"}]}, "rules.0.kind"),
        ({"name": None}, "name"),
    ],
)
def test_invalid_program_changes_are_422(api, org, supervisor, body, field):
    response = api.as_(supervisor).patch(f"/programs/{org.programs.get().id}", body)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field


def test_sending_window_is_set_as_hh_mm(api, org, supervisor):
    program = org.programs.get()
    body = api.as_(supervisor).patch(f"/programs/{program.id}", {"send_window_start": "09:30"}).json()
    assert body["send_window_start"] == "09:30"
    program.refresh_from_db()
    assert program.send_window_start.isoformat() == "09:30:00"


def test_supporter_cannot_see_or_change_programs(api, org, supporter):
    as_supporter = api.as_(supporter)
    assert as_supporter.get("/programs").status_code == 403
    assert as_supporter.patch(f"/programs/{org.programs.get().id}", {"ack_timeout_seconds": 60}).status_code == 403


def test_other_organizations_program_is_404(api, supervisor):
    other = OrganizationFactory().programs.get()
    assert api.as_(supervisor).patch(f"/programs/{other.id}", {"ack_timeout_seconds": 60}).status_code == 404
