"""One source for every limit (config.limits), held the same by the model,
the settings page and the API; thresholds inside their question's scale; and
no 500 from a limit: a refused value is a 422 or a form error before anything
is stored."""

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from alerts.models import Alert, AlertEvent, RuleSetting
from checkins.api import ProgramPatch
from config import limits
from tests.web.conftest import raise_alert
from tests.web.test_program_settings import _form
from web.forms import NoteForm, ProgramForm, ResolveForm

pytestmark = pytest.mark.django_db


def rule_index(program, kind) -> int:
    return list(program.rules.order_by("id").values_list("kind", flat=True)).index(kind)


# --- Thresholds lie inside their question's scale ------------------------------------------

# (kind, threshold, accepted): the default program's scales are mood 1 to 5, craving 0 to 10.
THRESHOLDS = [
    pytest.param("craving_high", 0, True, id="craving-high-scale-bottom"),
    pytest.param("craving_high", 10, True, id="craving-high-scale-top"),
    pytest.param("craving_high", 11, False, id="craving-high-above-scale"),
    pytest.param("craving_high", 100, False, id="craving-high-far-above"),
    pytest.param("mood_low", 1, True, id="mood-low-scale-bottom"),
    pytest.param("mood_low", 5, True, id="mood-low-scale-top"),
    pytest.param("mood_low", 0, False, id="mood-low-below-scale"),
    pytest.param("mood_low", 6, False, id="mood-low-above-scale"),
    pytest.param("craving_above_baseline", 1, True, id="baseline-one-point"),
    pytest.param("craving_above_baseline", 10, True, id="baseline-whole-span"),
    pytest.param("craving_above_baseline", 0, False, id="baseline-zero"),
    pytest.param("craving_above_baseline", 11, False, id="baseline-beyond-span"),
    pytest.param("mood_falling", 1, True, id="mood-falling-one"),
    pytest.param("mood_falling", 0, False, id="mood-falling-zero"),
    pytest.param("mood_falling", 11, False, id="mood-falling-too-many"),
    pytest.param("missed", 1, True, id="missed-one"),
    pytest.param("missed", 14, True, id="missed-two-weeks"),
    pytest.param("missed", 0, False, id="missed-zero"),
    pytest.param("missed", 15, False, id="missed-too-many"),
    pytest.param("missed_many", 30, True, id="missed-many-a-month"),
    pytest.param("missed_many", 31, False, id="missed-many-too-many"),
    pytest.param("used_yes", 3, False, id="no-threshold-rule"),
    pytest.param("crisis_language", 1, False, id="crisis-has-no-threshold"),
]


@pytest.mark.parametrize("kind, threshold, accepted", THRESHOLDS)
def test_api_thresholds(api, org, supervisor, kind, threshold, accepted):
    program = org.programs.get()
    before = program.rules.get(kind=kind).threshold
    body = {"max_reminders": 1, "rules": [{"kind": kind, "threshold": threshold}]}
    response = api.as_(supervisor).patch(f"/programs/{program.id}", body)
    if accepted:
        assert response.status_code == 200, response.content
        assert program.rules.get(kind=kind).threshold == threshold
    else:
        assert response.status_code == 422, response.content
        assert response.json()["errors"][0]["field"] == "rules.0.threshold"
        assert program.rules.get(kind=kind).threshold == before
        program.refresh_from_db()
        assert program.max_reminders == 3, "nothing of a refused PATCH is stored"


@pytest.mark.parametrize("kind, threshold, accepted", THRESHOLDS)
def test_settings_page_thresholds(client, org, supervisor, kind, threshold, accepted):
    program = org.programs.get()
    client.force_login(supervisor.user)
    data = _form(client, program)
    data[f"rules-{rule_index(program, kind)}-threshold"] = threshold
    before = program.rules.get(kind=kind).threshold
    response = client.post(f"/settings/{program.pk}", data)
    if RuleSetting.DEFAULTS[kind][1] is None:
        # The page offers no threshold for this rule (a disabled field): what is posted is ignored.
        assert response.status_code == 302
        assert program.rules.get(kind=kind).threshold is None
    elif accepted:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert program.rules.get(kind=kind).threshold == threshold
    else:
        assert response.status_code == 400
        assert "could never fire" in response.content.decode() or "less than or equal" in response.content.decode()
        assert program.rules.get(kind=kind).threshold == before


def test_the_scale_is_the_programs_own(api, org, supervisor):
    program = org.programs.get()
    program.questions.filter(key="craving").update(scale_min=1, scale_max=7)
    as_supervisor = api.as_(supervisor)
    refused = as_supervisor.patch(f"/programs/{program.id}", {"rules": [{"kind": "craving_high", "threshold": 8}]})
    assert refused.status_code == 422
    assert "from 1 to 7" in refused.json()["detail"]
    accepted = as_supervisor.patch(f"/programs/{program.id}", {"rules": [{"kind": "craving_high", "threshold": 7}]})
    assert accepted.status_code == 200


def test_the_model_refuses_an_out_of_scale_threshold_on_any_path(org):
    rule = org.programs.get().rules.get(kind="mood_low")
    rule.threshold = 9
    with pytest.raises(ValidationError, match="could never fire"):
        rule.save()
    rule.refresh_from_db()
    assert rule.threshold == 2


# --- One source: the model, the form and the schema agree at every edge ------------------------

SCHEDULE = [
    pytest.param("ack_timeout_seconds", limits.ACK_TIMEOUT_SECONDS, id="ack-timeout"),
    pytest.param("checkin_window_minutes", limits.CHECKIN_WINDOW_MINUTES, id="checkin-window"),
    pytest.param("max_reminders", limits.MAX_REMINDERS, id="max-reminders"),
]


@pytest.mark.parametrize("field, bounds", SCHEDULE)
def test_schema_and_form_take_their_bounds_from_the_limits(field, bounds):
    schema = ProgramPatch.model_json_schema()["properties"][field]["anyOf"][0]
    assert (schema["minimum"], schema["maximum"]) == (bounds.min, bounds.max)
    form_field = ProgramForm.base_fields[field]
    assert (form_field.min_value, form_field.max_value) == (bounds.min, bounds.max)


@pytest.mark.parametrize("field, bounds", SCHEDULE)
@pytest.mark.parametrize("edge", ["below", "min", "max", "above"])
def test_schedule_limits_hold_alike_in_api_form_and_model(api, client, org, supervisor, field, bounds, edge):
    value = {"below": bounds.min - 1, "min": bounds.min, "max": bounds.max, "above": bounds.max + 1}[edge]
    accepted = edge in ("min", "max")
    program = org.programs.get()

    response = api.as_(supervisor).patch(f"/programs/{program.id}", {field: value})
    assert response.status_code == (200 if accepted else 422), response.content
    if not accepted:
        assert response.json()["errors"][0]["field"] == field

    program.refresh_from_db()
    client.force_login(supervisor.user)
    data = _form(client, program)
    data[f"program-{field}"] = value
    assert client.post(f"/settings/{program.pk}", data).status_code == (302 if accepted else 400)

    setattr(program, field, value)
    if accepted:
        program.clean()
    else:
        with pytest.raises(ValidationError):
            program.clean()


@pytest.mark.parametrize(
    "form, field",
    [(NoteForm, "note"), (ResolveForm, "outcome")],
    ids=["note", "outcome"],
)
def test_note_forms_share_the_note_limit(form, field):
    assert form.base_fields[field].max_length == limits.NOTE_MAX


# --- No 500 from a limit: notes ---------------------------------------------------------------

LONG_NOTE = "Called twice, left voicemail, will try the emergency contact next. " * 22  # about 1,500 characters
TOO_LONG = "x" * (limits.NOTE_MAX + 1)


def test_the_long_note_is_about_1500_characters():
    assert 1400 < len(LONG_NOTE.strip()) < 1600


@pytest.mark.parametrize("body", [{"note": LONG_NOTE}, {"note": "x" * limits.NOTE_MAX}], ids=["1500", "at-limit"])
def test_api_ack_with_a_long_note_is_accepted_whole(api, supporter, member, body):
    alert = raise_alert(member)
    response = api.as_(supporter).post(f"/alerts/{alert.pk}/acknowledge", body)
    assert response.status_code == 200, response.content
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED
    assert alert.events.get(type=AlertEvent.Type.NOTE).detail == body["note"].strip()


@pytest.mark.parametrize(
    "body", [{"note": TOO_LONG}, {"note": 42}, {"note": ["a"]}], ids=["too-long", "number", "list"]
)
def test_api_ack_with_a_refused_note_changes_nothing(api, supporter, member, body):
    alert = raise_alert(member)
    events = alert.events.count()
    response = api.as_(supporter).post(f"/alerts/{alert.pk}/acknowledge", body)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "note"
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN
    assert alert.events.count() == events


def test_api_ack_note_with_nul_characters_is_stored_without_them(api, supporter, member):
    alert = raise_alert(member)
    response = api.as_(supporter).post(f"/alerts/{alert.pk}/acknowledge", raw='{"note": "calling\\u0000 now"}')
    assert response.status_code == 200, response.content
    assert alert.events.get(type=AlertEvent.Type.NOTE).detail == "calling now"


@pytest.mark.parametrize("path", ["resolve", "notes"])
@pytest.mark.parametrize("note, status", [(LONG_NOTE, 201), (TOO_LONG, 422)], ids=["1500", "too-long"])
def test_api_resolve_and_notes_share_the_limit(api, supporter, member, path, note, status):
    alert = raise_alert(member)
    response = api.as_(supporter).post(f"/alerts/{alert.pk}/{path}", {"note": note})
    expected = 200 if (status == 201 and path == "resolve") else status
    assert response.status_code == expected, response.content
    if status == 422:
        alert.refresh_from_db()
        assert alert.status == Alert.Status.OPEN


@pytest.mark.parametrize(
    "action, field, value, stored",
    [
        ("acknowledge", "note", LONG_NOTE, True),
        ("acknowledge", "note", TOO_LONG, False),
        ("note", "note", LONG_NOTE, True),
        ("note", "note", TOO_LONG, False),
        ("note", "note", "a\x00b", False),
        ("resolve", "outcome", LONG_NOTE, True),
        ("resolve", "outcome", TOO_LONG, False),
        ("resolve", "outcome", "safe\x00", False),
    ],
    ids=["ack-1500", "ack-too-long", "note-1500", "note-too-long", "note-nul", "resolve-1500", "resolve-too-long",
         "resolve-nul"],
)  # fmt: skip
def test_web_alert_actions_take_a_long_note_whole_or_refuse_it_first(client, supporter, member, action, field,
                                                                     value, stored):  # fmt: skip
    alert = raise_alert(member)
    client.force_login(supporter.user)
    events = alert.events.count()
    response = client.post(f"/alerts/{alert.pk}/{action}", {field: value}, follow=True)
    assert response.status_code == 200
    alert.refresh_from_db()
    if stored:
        assert alert.events.count() > events
        assert value.strip() in {alert.outcome, *alert.events.values_list("detail", flat=True)}
    else:
        assert alert.status == Alert.Status.OPEN
        assert alert.events.count() == events
        page = response.content.decode()
        assert "characters or fewer" in page or "Null characters" in page


# --- No 500 from a crafted settings form --------------------------------------------------------


def crafted(data: dict, program, change: str) -> QueryDict | dict:
    rules = f"rules-{rule_index(program, 'craving_high')}"
    crisis = f"rules-{rule_index(program, 'crisis_language')}"
    data = dict(data)
    if change == "wrong-types":
        data.update({"program-ack_timeout_seconds": "soon", f"{rules}-threshold": "high", "program-send_window_start":
                     "noon", f"{crisis}-severity": 3})  # fmt: skip
    elif change == "missing-fields":
        for name in ["program-name", "program-max_reminders", f"{rules}-severity", "rules-TOTAL_FORMS"]:
            data.pop(name)
    elif change == "huge-numbers":
        data.update({"program-ack_timeout_seconds": "9" * 40, f"{rules}-threshold": "9" * 40,
                     "program-max_reminders": "1e309", "rules-INITIAL_FORMS": "9" * 30,
                     "rules-TOTAL_FORMS": "9" * 30})  # fmt: skip
    elif change == "unknown-rule-row":
        data.update({f"{rules}-id": "999999999", f"{crisis}-id": "not-a-number"})
    elif change == "another-programs-rule":
        data[f"{rules}-id"] = RuleSetting.objects.exclude(program=program).values_list("pk", flat=True).first()
    elif change == "added-rule-row":
        total = int(data["rules-TOTAL_FORMS"])
        data.update({"rules-TOTAL_FORMS": total + 1, f"rules-{total}-severity": "info", f"rules-{total}-threshold": 1})
    elif change == "nul-characters":
        data.update({"program-name": "Daily\x00", f"{rules}-severity": "urgent\x00", "questions-0-text_en": "\x00"})
    elif change == "duplicate-fields":
        query = QueryDict(mutable=True)
        for name, value in data.items():
            query.setlist(name, [value, value] if name != f"{crisis}-severity" else ["crisis", "info"])
        return query
    elif change == "no-management-form":
        data = {k: v for k, v in data.items() if "FORMS" not in k}
    return data


@pytest.mark.parametrize(
    "change",
    ["wrong-types", "missing-fields", "huge-numbers", "unknown-rule-row", "another-programs-rule", "added-rule-row",
     "nul-characters", "duplicate-fields", "no-management-form"],
)  # fmt: skip
def test_crafted_settings_posts_get_a_form_error_never_a_500(client, org, supervisor, change):
    from tests.factories import OrganizationFactory

    OrganizationFactory(name="Another Org")
    program = org.programs.get()
    client.force_login(supervisor.user)
    data = crafted(_form(client, program), program, change)
    before = list(program.rules.order_by("id").values_list("kind", "enabled", "severity", "threshold"))
    response = client.post(f"/settings/{program.pk}", data)
    assert response.status_code == 400, change
    assert list(program.rules.order_by("id").values_list("kind", "enabled", "severity", "threshold")) == before
    program.refresh_from_db()
    assert program.name == "Daily check-in" and program.ack_timeout_seconds == 900


def test_a_stored_text_over_the_limit_is_named_not_a_500(api, client, org, supervisor):
    """A crisis text made too long in the admin before the limit held: the
    schedule form (which does not show it) and the API both say what to fix."""
    program = org.programs.get()
    Program = type(program)
    Program.objects.filter(pk=program.pk).update(crisis_text_en="x" * (limits.PROGRAM_TEXT.max + 1))
    client.force_login(supervisor.user)
    response = client.post(f"/settings/{program.pk}", _form(client, program))
    assert response.status_code == 400
    assert f"{limits.PROGRAM_TEXT.min} to {limits.PROGRAM_TEXT.max} characters" in response.content.decode()
    refused = api.as_(supervisor).patch(f"/programs/{program.id}", {"max_reminders": 2})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "crisis_text_en"
    fixed = api.as_(supervisor).patch(f"/programs/{program.id}", {"crisis_text_en": "Call or text 988 now."})
    assert fixed.status_code == 200, fixed.content
