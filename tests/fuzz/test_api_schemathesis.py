"""Schemathesis over every operation of the OpenAPI schema, against the app as
it runs in production (gunicorn, DEBUG off, PostgreSQL: see
production_server.py), signed in with a supervisor's bearer token: no 5xx,
every documented response matches the schema, and nothing the fuzzer sent
left a traceback in the server's log. FUZZ_EXAMPLES raises the number of
cases per operation."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from tests.fuzz.conftest import FUZZ_EXAMPLES
from tests.fuzz.production_server import production_server  # noqa: F401 - a fixture

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

# Its first run found three faults, since fixed and guarded here: a limit or
# offset beyond 64 bits (now bounded, config/pagination.py), a NUL character in
# JSON text (dropped by the API's parser) and the sending window declared as
# JSON Schema "time" without an offset (now "HH:MM" strings).
#
# Known answers that are not faults: POST /auth/token answers 429 once the
# fuzzer's guesses pass the sign-in throttle's allowance; the revoking
# operations run last, each case with a token of its own, so that they do not
# sign the rest of the run out.
REVOKING = {"DELETE /api/v1/auth/token", "DELETE /api/v1/auth/tokens/{token_id}"}


@pytest.fixture
def people(transactional_db):
    from tests.factories import MemberFactory, OrganizationFactory, StaffFactory, SupervisorFactory

    org = OrganizationFactory(name="Fuzzed Org")
    supervisor = SupervisorFactory(organization=org)
    supporter = StaffFactory(organization=org)
    MemberFactory(organization=org, supporter=supporter)
    return supervisor


def test_every_operation_never_fails_and_matches_its_schema(production_server, people):  # noqa: F811
    log_start = production_server.log_size()
    from tests.factories import token_for

    token = token_for(people)
    schema = schemathesis.openapi.from_url(
        f"{production_server.url}/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"}
    )
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: op.label in REVOKING)
    assert len(operations) > 20
    assert REVOKING <= {op.label for op in operations}

    failures = []
    for operation in operations:
        revoking = operation.label in REVOKING

        # Schemathesis's pytest plugin does not support this pytest; drive its
        # strategies with hypothesis directly, one operation after another.
        @settings(max_examples=max(5, FUZZ_EXAMPLES // 10), deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)  # fmt: skip
        @given(case=operation.as_strategy())
        def run(case):
            bearer = token_for(people) if revoking else token
            case.call_and_validate(
                base_url=production_server.url,
                headers={"Authorization": f"Bearer {bearer}"},
                checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
            )

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - collect every failure, then report
            failures.append(f"{operation.label}: {str(error)[:600]}")
    assert not failures, "\n\n".join(failures)
    production_server.assert_no_server_error_logged(since=log_start)


def test_the_schema_and_docs_are_not_public_with_debug_off(production_server, transactional_db):  # noqa: F811
    import requests

    schema = requests.get(f"{production_server.url}/api/v1/openapi.json", timeout=10)
    assert schema.status_code == 401 and "no-store" in schema.headers["Cache-Control"]
    docs = requests.get(f"{production_server.url}/api/v1/docs", timeout=10, allow_redirects=False)
    assert docs.status_code == 302 and docs.headers["Location"].startswith("/login/")
