"""The rules that answer danger cannot be configured away (docs/limits.md).

Crisis words and a yes to the safety question stay on and at `crisis`;
"someone else in danger right now" stays on and at least `urgent`. Every
path that could store less is refused with a reason: the API (422 naming
the field, nothing changed), the settings page and the admin (a form error),
and the model itself. A row changed behind the model's back still cannot
silence the rule: the rule book reads it at its floor.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from alerts import rules
from alerts.models import RuleSetting
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

Kind = RuleSetting.Kind

# (kind, change, field refused, words in the reason)
SILENCING = [
    pytest.param(Kind.CRISIS_LANGUAGE, {"enabled": False}, "enabled", "cannot be switched off", id="crisis-words-off"),
    pytest.param(Kind.CRISIS_LANGUAGE, {"severity": "urgent"}, "severity", "below crisis", id="crisis-words-urgent"),
    pytest.param(Kind.CRISIS_LANGUAGE, {"severity": "info"}, "severity", "below crisis", id="crisis-words-info"),
    pytest.param(Kind.SAFETY_YES, {"enabled": False}, "enabled", "cannot be switched off", id="safety-yes-off"),
    pytest.param(Kind.SAFETY_YES, {"severity": "warning"}, "severity", "below crisis", id="safety-yes-warning"),
    pytest.param(Kind.OTHER_IN_DANGER, {"enabled": False}, "enabled", "cannot be switched off", id="other-off"),
    pytest.param(Kind.OTHER_IN_DANGER, {"severity": "warning"}, "severity", "below urgent", id="other-warning"),
    pytest.param(Kind.OTHER_IN_DANGER, {"severity": "info"}, "severity", "below urgent", id="other-info"),
]


def stored(program, kind) -> tuple[bool, str]:
    rule = program.rules.get(kind=kind)
    return rule.enabled, rule.severity


# --- The model ------------------------------------------------------------------------


@pytest.mark.parametrize("kind, change, field, words", SILENCING)
def test_the_model_refuses_to_store_a_silenced_rule(org, kind, change, field, words):
    program = org.programs.get()
    before = stored(program, kind)
    rule = program.rules.get(kind=kind)
    for name, value in change.items():
        setattr(rule, name, value)
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert words in refused.value.message_dict[field][0]
    with pytest.raises(ValidationError):
        rule.save()
    assert stored(program, kind) == before


@pytest.mark.parametrize(
    "kind, severity",
    [(Kind.CRISIS_LANGUAGE, "crisis"), (Kind.SAFETY_YES, "crisis"), (Kind.OTHER_IN_DANGER, "urgent"),
     (Kind.OTHER_IN_DANGER, "crisis")],
    ids=["crisis-words", "safety-yes", "other-urgent", "other-raised-to-crisis"],
)  # fmt: skip
def test_the_allowed_settings_of_a_locked_rule_are_stored(org, kind, severity):
    rule = org.programs.get().rules.get(kind=kind)
    rule.severity = severity
    rule.full_clean()
    rule.save()
    assert stored(org.programs.get(), kind) == (True, severity)


@pytest.mark.parametrize(
    "kind, floor",
    [(Kind.CRISIS_LANGUAGE, "crisis"), (Kind.SAFETY_YES, "crisis"), (Kind.OTHER_IN_DANGER, "urgent")],
    ids=["crisis-words", "safety-yes", "other-in-danger"],
)
def test_a_row_silenced_behind_the_models_back_still_fires_at_its_floor(org, kind, floor):
    member = MemberFactory(organization=org)
    member.program.rules.filter(kind=kind).update(enabled=False, severity="info")
    setting = rules.RuleBook(member.program).get(kind)
    assert (setting.enabled, setting.severity) == (True, floor)


def test_someone_else_in_danger_is_an_urgent_crisis_topic_finding(org):
    finding = rules.other_in_danger(MemberFactory(organization=org))
    assert (finding.rule, finding.severity, finding.topic) == ("other_in_danger", "urgent", "crisis")
    assert finding.reason == "Said someone else is in danger right now."


def test_every_new_program_has_the_someone_else_in_danger_rule(org):
    assert stored(org.programs.get(), Kind.OTHER_IN_DANGER) == (True, "urgent")


# --- The API ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind, change, field, words", SILENCING)
def test_the_api_refuses_with_422_and_changes_nothing(api, org, supervisor, kind, change, field, words):
    program = org.programs.get()
    before = stored(program, kind)
    body = {"ack_timeout_seconds": 60, "rules": [{"kind": "craving_high", "threshold": 7}, {"kind": kind, **change}]}
    response = api.as_(supervisor).patch(f"/programs/{program.id}", body)
    assert response.status_code == 422, response.content
    error = response.json()["errors"][0]
    assert error["field"] == f"rules.1.{field}"
    assert words in response.json()["detail"]
    program.refresh_from_db()
    assert program.ack_timeout_seconds == 900, "the whole PATCH changes nothing"
    assert program.rules.get(kind="craving_high").threshold == 8
    assert stored(program, kind) == before


def test_the_api_may_raise_someone_else_in_danger_to_crisis(api, org, supervisor):
    program = org.programs.get()
    body = {"rules": [{"kind": "other_in_danger", "severity": "crisis"}]}
    response = api.as_(supervisor).patch(f"/programs/{program.id}", body)
    assert response.status_code == 200, response.content
    assert {r["kind"]: r["severity"] for r in response.json()["rules"]}["other_in_danger"] == "crisis"


# --- The settings page -----------------------------------------------------------------


def settings_form(client, program) -> dict:
    from tests.web.test_program_settings import _form

    return _form(client, program)


def rule_index(program, kind) -> int:
    return list(program.rules.order_by("id").values_list("kind", flat=True)).index(kind)


@pytest.mark.parametrize("kind, change, field, words", SILENCING)
def test_the_settings_page_refuses_with_a_form_error(client, org, supervisor, kind, change, field, words):
    program = org.programs.get()
    client.force_login(supervisor.user)
    data = settings_form(client, program)
    data["program-ack_timeout_seconds"] = 60
    index = rule_index(program, kind)
    if "severity" in change:
        data[f"rules-{index}-severity"] = change["severity"]
    else:
        data[f"rules-{index}-enabled"] = "false"  # the checkbox is disabled: only a crafted post says this
    before = stored(program, kind)

    response = client.post(f"/settings/{program.pk}", data)

    assert response.status_code == 400
    assert words in response.content.decode()
    assert stored(program, kind) == before
    program.refresh_from_db()
    assert program.ack_timeout_seconds == 900


def test_the_settings_page_shows_locked_rules_as_always_on(client, org, supervisor):
    program = org.programs.get()
    client.force_login(supervisor.user)
    page = client.get(f"/settings/{program.pk}")
    forms = {form.instance.kind: form for form in page.context["rules"]}
    for kind in RuleSetting.LOCKED_AT_LEAST:
        assert forms[kind].fields["enabled"].disabled
    assert [c for c, _ in forms[Kind.CRISIS_LANGUAGE].fields["severity"].choices] == ["crisis"]
    assert [c for c, _ in forms[Kind.OTHER_IN_DANGER].fields["severity"].choices] == ["urgent", "crisis"]


# --- The admin -------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root@example.org", "root@example.org", "correct horse battery")
    client.force_login(user)
    return client


@pytest.mark.parametrize("kind, change, field, words", SILENCING)
def test_the_admin_refuses_with_a_form_error(admin_client, org, kind, change, field, words):
    program = org.programs.get()
    rule = program.rules.get(kind=kind)
    data = {"severity": change.get("severity", rule.severity)}
    if change.get("enabled", True):
        data["enabled"] = "on"
    response = admin_client.post(f"/admin/alerts/rulesetting/{rule.pk}/change/", data)
    assert response.status_code == 200, "the form is shown again with its error"
    body = response.content.decode()
    assert "errornote" in body
    assert words in body
    assert stored(program, kind) == (True, RuleSetting.DEFAULTS[kind][0])


def test_the_admin_cannot_turn_the_crisis_row_into_another_rule_or_delete_it(admin_client, org):
    rule = org.programs.get().rules.get(kind=Kind.CRISIS_LANGUAGE)
    admin_client.post(f"/admin/alerts/rulesetting/{rule.pk}/change/", {"kind": "used_yes", "enabled": "on",
                                                                         "severity": "crisis"})  # fmt: skip
    rule.refresh_from_db()
    assert rule.kind == Kind.CRISIS_LANGUAGE
    assert admin_client.post(f"/admin/alerts/rulesetting/{rule.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RuleSetting.objects.filter(pk=rule.pk).exists()


def test_the_program_admins_rule_rows_refuse_too(admin_client, org):
    """The rules inline on the program's admin page goes through the same model check."""
    program = org.programs.get()
    page = admin_client.get(f"/admin/checkins/program/{program.pk}/change/")
    assert page.status_code == 200
    data = {}
    for form in [page.context["adminform"].form]:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if hasattr(value, "strftime"):
                value = value.strftime("%H:%M")
            if value is not None:
                data[name] = value
    for formset in page.context["inline_admin_formsets"]:
        formset = formset.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for form in formset.forms:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                if value is True:
                    value = "on"
                if value not in (None, False):
                    data[form.add_prefix(name)] = value
    crisis = program.rules.get(kind=Kind.CRISIS_LANGUAGE)
    (rules,) = [f.formset for f in page.context["inline_admin_formsets"] if f.formset.model is RuleSetting]
    (index,) = [i for i, form in enumerate(rules.forms) if form.instance.pk == crisis.pk]
    data[f"{rules.prefix}-{index}-severity"] = "info"

    response = admin_client.post(f"/admin/checkins/program/{program.pk}/change/", data)

    assert response.status_code == 200
    assert "cannot be set below crisis" in response.content.decode()
    assert stored(program, Kind.CRISIS_LANGUAGE) == (True, "crisis")
