"""Hostile bodies at the Twilio webhooks: huge, malformed, odd unicode, missing
fields. None may cause a 500, and nothing unsigned may change anything."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.twilio_signing import signed_post
from sms.models import Message
from tests.fuzz.conftest import FUZZ_EXAMPLES
from tests.fuzz.production_server import production_server  # noqa: F401 - a fixture

INBOUND, STATUS = "/sms/twilio/inbound", "/sms/twilio/status"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"MessageSid=SM1&From=%2B1555&Body=" + b"x" * 400_000, "application/x-www-form-urlencoded"),  # huge
        (b'{"MessageSid": "SM1", "From": "+15555550100", "Body": "4"}', "application/json"),
        (b"%%%%&&&===%zz%", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00garbage\x80", "application/x-www-form-urlencoded"),
        (b"--x\r\nContent-Disposition: form-data; name=Body\r\n\r\n4\r\n--x--", "multipart/form-data; boundary=x"),
        (b"", "text/plain"),
    ],
)
@pytest.mark.parametrize("path", [INBOUND, STATUS])
def test_malformed_bodies_are_refused_without_error(client, path, body, content_type):
    response = client.generic("POST", path, body, content_type=content_type, HTTP_X_TWILIO_SIGNATURE="bm9wZQ==")
    assert response.status_code in (400, 403, 413)
    assert not Message.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["MessageSid", "From"])
def test_a_signed_text_missing_a_field_is_a_400(client, missing):
    params = {"MessageSid": "SM" + "1" * 32, "From": "+15555550100", "To": "+15555550000", "Body": "4"}
    del params[missing]
    assert signed_post(client, INBOUND, params).status_code == 400
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_signed_text_of_200_kb_is_stored_once_without_error(client, member):
    params = {"MessageSid": "SM" + "2" * 32, "From": member.phone, "To": "+15555550000", "Body": "ñ😊" * 60_000}
    assert signed_post(client, INBOUND, params).status_code in (200, 400)


fields = st.dictionaries(
    st.sampled_from(["MessageSid", "SmsSid", "From", "To", "Body", "NumMedia", "MessageStatus", "ErrorCode", "Extra"]),
    st.one_of(
        st.text(max_size=80),
        st.sampled_from(["+15555550100", "+1", "15555550100", "+1555555010012345678", "STOP", "delivered", "99999999999"]),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=400),
    ),
)  # fmt: skip


@pytest.mark.django_db
@settings(max_examples=max(20, FUZZ_EXAMPLES // 2), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(params=fields, path=st.sampled_from([INBOUND, STATUS]))
def test_any_signed_form_gets_an_answer_never_a_500(client, member, params, path):
    # Text with NUL characters cannot be form-encoded by the test client the way it
    # can on the wire; the byte-level cases are covered above.
    response = signed_post(client, path, params)
    assert response.status_code in (200, 204, 400), response.status_code


@pytest.mark.django_db
@settings(max_examples=max(20, FUZZ_EXAMPLES // 4), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(params=fields)
def test_an_unsigned_or_wrongly_signed_form_changes_nothing(client, params):
    response = client.post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE="d3Jvbmc=")
    assert response.status_code == 403
    assert not Message.objects.exists()


MALFORMED = [
    (b"MessageSid=SM1&From=%2B1555&Body=" + b"x" * 400_000, "application/x-www-form-urlencoded"),
    (b'{"MessageSid": "SM1", "From": "+15555550100", "Body": "4"}', "application/json"),
    (b"%%%%&&&===%zz%", "application/x-www-form-urlencoded"),
    (b"\xff\xfe\x00garbage\x80", "application/x-www-form-urlencoded"),
    (b"--x\r\nContent-Disposition: form-data; name=Body\r\n\r\n4\r\n--x--", "multipart/form-data; boundary=x"),
]


@pytest.mark.slow
@pytest.mark.postgres
def test_hostile_webhooks_against_the_production_server(production_server, transactional_db):  # noqa: F811
    """The same hostility, signed with the server's token, at gunicorn with DEBUG off."""
    import requests

    from tests.factories import MemberFactory

    log_start = production_server.log_size()
    member = MemberFactory()
    for body, content_type in MALFORMED:
        for path in (INBOUND, STATUS):
            response = requests.post(production_server.url + path, data=body, timeout=30,
                                     headers={"Content-Type": content_type, "X-Twilio-Signature": "bm9wZQ=="})  # fmt: skip
            assert response.status_code in (400, 403, 413)

    @settings(max_examples=max(20, FUZZ_EXAMPLES // 4), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(params=fields, path=st.sampled_from([INBOUND, STATUS]), as_member=st.booleans())
    def run(params, path, as_member):
        if as_member:
            params = {**params, "From": member.phone}
        signed = requests.post(production_server.url + path, data=params, timeout=30,
                               headers={"X-Twilio-Signature": production_server.sign(path, params)})  # fmt: skip
        assert signed.status_code in (200, 204, 400), signed.status_code
        unsigned = requests.post(production_server.url + path, data=params, timeout=30)
        assert unsigned.status_code == 403

    run()
    production_server.assert_no_server_error_logged(since=log_start)
