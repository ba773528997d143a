"""Staff sign in with a Django session; failures count towards the same
lockout as the API's token call; sign-out is a POST."""

import pytest
from django.test import Client

from tests.factories import UserFactory

PASSWORD = "correct horse battery"


def test_the_sign_in_page_says_who_resets_passwords(client, db):
    page = client.get("/login/")
    assert page.status_code == 200
    assert "Forgot your password? Ask your operator" in page.content.decode()
    assert "manage.py changepassword" in page.content.decode()


def test_staff_sign_in_with_email_and_password_and_land_on_their_queue(client, supporter):
    response = client.post("/login/", {"email": supporter.user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(client, supporter):
    response = client.post("/login/?next=/alerts/7", {"email": supporter.user.email, "password": PASSWORD})
    assert response["Location"] == "/alerts/7"
    client.logout()
    response = client.post("/login/", {"email": supporter.user.email, "password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_pages_ask_for_sign_in_first(client, db):
    response = client.get("/alerts/5")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/alerts/5"


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, supporter):
    page = client.post("/login/", {"email": supporter.user.email, "password": "nope nope"})
    assert page.status_code == 200
    assert "do not match" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_email_out_even_with_the_right_password(client, supporter, settings):
    settings.LOGIN_FAILURES_ALLOWED = 3
    for _ in range(3):
        client.post("/login/", {"email": supporter.user.email, "password": "wrong guess"})
    page = client.post("/login/", {"email": supporter.user.email, "password": PASSWORD})
    assert page.status_code == 429
    assert "Too many failed sign-ins" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_web_failures_count_towards_the_api_lockout(client, api, supporter, settings):
    settings.LOGIN_FAILURES_ALLOWED = 2
    for _ in range(2):
        client.post("/login/", {"email": supporter.user.email, "password": "wrong guess"})
    assert api.post("/auth/token", {"email": supporter.user.email, "password": PASSWORD}).status_code != 200


def test_an_account_without_a_staff_record_cannot_sign_in(client, db):
    user = UserFactory(username="operator@example.org", email="operator@example.org")
    page = client.post("/login/", {"email": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert page.status_code == 200


def test_sign_in_needs_the_csrf_token(supporter):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post("/login/", {"email": supporter.user.email, "password": PASSWORD}).status_code == 403
    page = browser.get("/login/")
    token = page.cookies["csrftoken"].value
    response = browser.post(
        "/login/", {"email": supporter.user.email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_sign_out_is_a_post_and_ends_the_session(signed_in, supporter):
    client = signed_in(supporter)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_signing_in_rotates_the_session_key(client, supporter):
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    client.post("/login/", {"email": supporter.user.email, "password": PASSWORD})
    assert client.session.session_key != before


def test_staff_pages_are_never_cached(signed_in, supporter):
    response = signed_in(supporter).get("/")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("debug, secure", [(False, True), (True, False)])
def test_cookies_are_secure_outside_development(debug, secure, monkeypatch):
    """The settings module decides it from DEBUG alone."""
    import importlib

    import config.settings as module

    monkeypatch.setenv("DEBUG", "true" if debug else "false")
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    reloaded = importlib.reload(module)
    try:
        assert reloaded.SESSION_COOKIE_SECURE is secure
        assert reloaded.CSRF_COOKIE_SECURE is secure
    finally:
        monkeypatch.setenv("DEBUG", "true")
        importlib.reload(module)
