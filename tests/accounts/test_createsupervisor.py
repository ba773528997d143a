import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ApiToken, Organization, Staff

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("createsupervisor", *args, stdout=out)
    return out.getvalue().strip().splitlines()


ARGS = ["--org", "Harbor Recovery", "--email", "lead@example.org", "--phone", "+15555550100", "--password", "pass phrase 123"]


def test_creates_organization_program_and_supervisor_and_prints_token():
    lines = run(*ARGS)
    organization = Organization.objects.get(name="Harbor Recovery")
    program = organization.programs.get()
    assert [q.key for q in program.active_questions()] == ["mood", "craving", "used", "safety"]
    from alerts.models import RuleSetting

    assert program.rules.count() == len(RuleSetting.DEFAULTS), "every default rule"
    staff = Staff.objects.get(user__email="lead@example.org")
    assert staff.role == "supervisor" and staff.phone == "+15555550100"
    assert ApiToken.authenticate(lines[-1]) == staff


def test_token_works_against_the_api(api):
    token = run(*ARGS)[-1]
    response = api.__class__(api.client, token).get("/programs")
    assert response.status_code == 200
    assert response.json()["items"][0]["ack_timeout_seconds"] == 900


def test_existing_organization_gets_a_second_supervisor_without_a_second_program():
    run(*ARGS)
    run("--org", "Harbor Recovery", "--email", "two@example.org", "--phone", "+15555550101", "--password", "pass phrase 123")
    assert Organization.objects.get(name="Harbor Recovery").programs.count() == 1
    assert Staff.objects.filter(role="supervisor").count() == 2


def test_bad_phone_is_a_clear_error():
    with pytest.raises(CommandError, match="phone"):
        run("--org", "X", "--email", "a@example.org", "--phone", "12", "--password", "pass phrase 123")
