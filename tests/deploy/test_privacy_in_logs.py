"""What reaches the logs: never a message body, an answer, a full phone
number, a password or a token, whatever path a request takes."""

import logging

import pytest

from tests.factories import token_for

pytestmark = pytest.mark.django_db

SECRET_BODY = "i relapsed on heroin and want to kill myself"


def test_texts_webhooks_and_sign_ins_leave_no_private_detail_in_the_logs(
    caplog, client, phone, member, supporter, settings
):
    settings.LOGIN_FAILURES_ALLOWED = 1
    with caplog.at_level(logging.DEBUG):
        phone.text(member.phone, SECRET_BODY)  # a crisis text: alerts, notifications, a reply
        phone.text(member.phone, SECRET_BODY, signature="forged")  # refused
        phone.text(supporter.phone, "ACK")
        client.post("/api/v1/auth/token", {"email": supporter.email, "password": "hunter2-secret"},
                    content_type="application/json")  # fmt: skip
        client.post("/api/v1/auth/token", {"email": supporter.email, "password": "hunter2-secret"},
                    content_type="application/json")  # fmt: skip  (throttled now)
        token = token_for(supporter)
        client.get("/api/v1/members", HTTP_AUTHORIZATION=f"Bearer {token}")
        client.get("/api/v1/members/999999", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert len(caplog.records) > 3, "the paths above do log"
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for private in (SECRET_BODY, "heroin", member.phone, supporter.phone, "hunter2-secret", token):
        assert private not in logged, private
