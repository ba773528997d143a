"""Hostile posts to every form of the web app (sign-in, program settings,
sandbox, acknowledge / note / resolve, member status), against the app as it
runs in production (gunicorn, DEBUG off: see production_server.py). Each answer
is a page or a refusal, never a 5xx, and nothing leaves a traceback in the
server's log."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ_EXAMPLES
from tests.fuzz.production_server import Browser, forms_on, production_server  # noqa: F401 - a fixture

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

EXAMPLES = max(10, FUZZ_EXAMPLES // 10)
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
hostile = st.one_of(
    text,
    st.sampled_from(["", " ", "\x00", "0", "-1", "5", "99999999999999999999", "1e309", "NaN", "on", "off", "true",
                     "25:61", "00:00", "23:59", "2024-02-30", "crisis", "info", "urgent", "<script>alert(1)</script>",
                     "'; DROP TABLE accounts_staff; --", "%00", "../../etc/passwd", "ACK", "STOP", "https://evil.example/"]),
    st.builds(lambda ch, n: ch * n, st.sampled_from(["x", "é", "😊", "\n"]), st.integers(1_000, 20_000)),
)  # fmt: skip
hypothesis_settings = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def never_a_server_error(response) -> None:
    assert response.status_code < 500, f"{response.request.method} {response.request.url}: {response.status_code}"


@pytest.fixture
def team(transactional_db, settings):
    from django.conf import global_settings

    # The server checks passwords with the real hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    from tests.factories import MemberFactory, OrganizationFactory, StaffFactory, SupervisorFactory
    from tests.web.conftest import raise_alert

    org = OrganizationFactory(name="Fuzzed Forms Org")
    supervisor = SupervisorFactory(organization=org)
    supporter = StaffFactory(organization=org)
    member = MemberFactory(organization=org, supporter=supporter)
    alert = raise_alert(member)
    return {"supervisor": supervisor, "supporter": supporter, "member": member, "alert": alert,
            "program": org.programs.first()}  # fmt: skip


def test_hostile_sign_ins(production_server, team):  # noqa: F811
    log_start = production_server.log_size()
    @hypothesis_settings
    @given(email=hostile, password=hostile, next_url=hostile)
    def run(email, password, next_url):
        response = Browser(production_server).post("/login/", {"email": email, "password": password, "next": next_url})
        never_a_server_error(response)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/"), "never sent off-site"

    run()
    production_server.assert_no_server_error_logged(since=log_start)


def test_hostile_program_settings(production_server, team):  # noqa: F811
    log_start = production_server.log_size()
    browser = Browser(production_server).sign_in(team["supervisor"].email)
    path = f"/settings/{team['program'].pk}"
    page = browser.get(path)
    assert page.status_code == 200
    (form,) = [f for f in forms_on(page.text) if "program-name" in f["fields"]]
    names = sorted(form["fields"])

    @hypothesis_settings
    @given(changes=st.dictionaries(st.sampled_from(names), hostile, max_size=6),
           dropped=st.sets(st.sampled_from(names), max_size=3))  # fmt: skip
    def run(changes, dropped):
        data = {name: value for name, value in {**form["fields"], **changes}.items() if name not in dropped}
        never_a_server_error(browser.post(path, data))

    run()
    # The crisis rules are still on and still at crisis, whatever was posted.
    from alerts.models import RuleSetting

    crisis_rules = team["program"].rules.filter(kind__in=[RuleSetting.Kind.CRISIS_LANGUAGE, RuleSetting.Kind.SAFETY_YES])
    assert crisis_rules.count() == 2
    for rule in crisis_rules:
        assert rule.enabled and rule.severity == "crisis"
    production_server.assert_no_server_error_logged(since=log_start)


def test_hostile_alert_forms(production_server, team):  # noqa: F811
    log_start = production_server.log_size()
    browser = Browser(production_server).sign_in(team["supporter"].email)
    alert_id = team["alert"].pk

    @hypothesis_settings
    @given(action=st.sampled_from(["acknowledge", "note", "resolve"]), alert=st.sampled_from([str(alert_id), "0",
           "999999999"]), note=hostile, outcome=hostile, back=hostile)  # fmt: skip
    def run(action, alert, note, outcome, back):
        response = browser.post(f"/alerts/{alert}/{action}", {"note": note, "outcome": outcome, "back": back})
        never_a_server_error(response)

    run()
    production_server.assert_no_server_error_logged(since=log_start)


def test_hostile_member_and_sandbox_forms(production_server, team):  # noqa: F811
    log_start = production_server.log_size()
    browser = Browser(production_server).sign_in(team["supervisor"].email)
    member_id = team["member"].pk
    other_staff = team["supporter"].pk
    keys = st.one_of(st.sampled_from([f"m{member_id}", f"s{team['supervisor'].pk}", f"s{other_staff}", "m0", "x1",
                                      "m99999999999999999999", "s-1"]), st.from_regex(r"[a-z0-9%._~-]{1,30}", fullmatch=True))  # fmt: skip

    @hypothesis_settings
    @given(target=st.sampled_from(["status", "checkin", "sandbox-send", "sandbox-start"]), key=keys, body=hostile,
           action=hostile)  # fmt: skip
    def run(target, key, body, action):
        path = {
            "status": f"/members/{member_id}/status",
            "checkin": f"/members/{member_id}/checkin",
            "sandbox-send": f"/sandbox/{key}/send",
            "sandbox-start": f"/sandbox/members/{member_id}/start",
        }[target]
        response = browser.post(path, {"body": body, "action": action})
        never_a_server_error(response)
        if target == "sandbox-send" and key == f"s{other_staff}":
            assert response.status_code == 404, "nobody texts as another staff member"

    run()
    production_server.assert_no_server_error_logged(since=log_start)
