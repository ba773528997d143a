"""Program settings for supervisors: question texts, sending window and
schedule, rule thresholds and ack_timeout_seconds, with the API's limits."""

import datetime as dt

from django.test import Client

from alerts.models import RuleSetting


def _form(client, program) -> dict:
    """The settings form as the page renders it, ready to post back."""
    page = client.get(f"/settings/{program.pk}")
    data = {}
    for field in page.context["form"]:
        value = field.value()
        data[field.html_name] = value.strftime("%H:%M") if isinstance(value, dt.time) else value
    for formset in (page.context["questions"], page.context["rules"]):
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for form in formset:
            for field in form:
                value = field.value()
                if value is None or (field.name == "enabled" and value is False):
                    continue
                data[field.html_name] = "on" if value is True else value
    return data


def test_a_supervisor_changes_timeout_window_question_text_and_threshold(signed_in, supervisor, org):
    program = org.programs.get()
    client = signed_in(supervisor)
    data = _form(client, program)
    data["program-ack_timeout_seconds"] = 120
    data["program-send_window_start"] = "09:00"
    mood = program.questions.get(key="mood")
    index = [q.pk for q in program.questions.filter(is_active=True).order_by("position", "id")].index(mood.pk)
    data[f"questions-{index}-text_es"] = "¿Cómo te sientes hoy, del 1 al 5?"
    craving_rule = program.rules.get(kind="craving_high")
    rule_index = list(program.rules.order_by("id").values_list("pk", flat=True)).index(craving_rule.pk)
    data[f"rules-{rule_index}-threshold"] = 7

    response = client.post(f"/settings/{program.pk}", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    program.refresh_from_db()
    assert program.ack_timeout_seconds == 120
    assert program.send_window_start == dt.time(9, 0)
    assert program.questions.get(key="mood").text_es == "¿Cómo te sientes hoy, del 1 al 5?"
    assert program.rules.get(kind="craving_high").threshold == 7


def test_the_api_limits_hold_on_the_web_too(signed_in, supervisor, org):
    program = org.programs.get()
    client = signed_in(supervisor)
    data = _form(client, program)
    data["program-ack_timeout_seconds"] = 4
    data["program-send_window_end"] = "07:00"
    response = client.post(f"/settings/{program.pk}", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "greater than or equal to 5" in body
    assert "Must be later than the start of the window." in body
    program.refresh_from_db()
    assert program.ack_timeout_seconds == 900


def test_crisis_rules_cannot_be_switched_off(signed_in, supervisor, org):
    program = org.programs.get()
    client = signed_in(supervisor)
    data = _form(client, program)
    crisis = program.rules.get(kind=RuleSetting.Kind.CRISIS_LANGUAGE)
    index = list(program.rules.order_by("id").values_list("pk", flat=True)).index(crisis.pk)
    data.pop(f"rules-{index}-enabled", None)
    client.post(f"/settings/{program.pk}", data)
    crisis.refresh_from_db()
    assert crisis.enabled


def test_new_questions_or_rules_cannot_be_slipped_in(signed_in, supervisor, org):
    program = org.programs.get()
    client = signed_in(supervisor)
    data = _form(client, program)
    total = int(data["questions-TOTAL_FORMS"])
    data["questions-TOTAL_FORMS"] = total + 1
    data[f"questions-{total}-text_en"] = "Injected?"
    data[f"questions-{total}-text_es"] = "Injected?"
    client.post(f"/settings/{program.pk}", data)
    assert not program.questions.filter(text_en="Injected?").exists()


def test_another_organizations_program_is_not_found(signed_in, outsider, org):
    assert signed_in(outsider).get(f"/settings/{org.programs.get().pk}").status_code == 404


def test_settings_need_the_csrf_token(supervisor, org):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(supervisor.user)
    assert browser.post(f"/settings/{org.programs.get().pk}", {}).status_code == 403
