"""Schemathesis over the OpenAPI schema, against the live app (a real HTTP
server in this process): no 500s, and every documented response matches the
schema. FUZZ_EXAMPLES raises the number of cases per operation."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from tests.fuzz.conftest import FUZZ_EXAMPLES

pytestmark = [pytest.mark.slow]

# Its first run found three faults, since fixed and guarded here: a limit or
# offset beyond 64 bits (now bounded, config/pagination.py), a NUL character in
# JSON text (dropped by the API's parser) and the sending window declared as
# JSON Schema "time" without an offset (now "HH:MM" strings).


@pytest.fixture
def api_schema(live_server, transactional_db):
    return schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")


@pytest.fixture
def token(transactional_db):
    from tests.factories import MemberFactory, OrganizationFactory, StaffFactory, SupervisorFactory, token_for

    org = OrganizationFactory(name="Fuzzed Org")
    supervisor = SupervisorFactory(organization=org)
    supporter = StaffFactory(organization=org)
    MemberFactory(organization=org, supporter=supporter)
    return token_for(supervisor)


def test_the_api_never_fails_and_matches_its_schema(api_schema, token):
    # Schemathesis's pytest plugin does not support this pytest; drive its
    # strategies with hypothesis directly, one operation after another.
    from hypothesis import given

    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 10

    for operation in operations:

        @settings(max_examples=max(5, FUZZ_EXAMPLES // 10), deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)  # fmt: skip
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"},
                checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
            )

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - collect every failure, then report
            failures.append(f"{operation.label}: {str(error)[:600]}")
    assert not failures, "\n\n".join(failures)
