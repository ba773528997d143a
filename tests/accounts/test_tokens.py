"""API tokens end: they expire, their owner can revoke them (the one in use or
any of their own), and a password change or a deactivation ends all of a
person's tokens, whichever way it is made."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.forms import SetPasswordForm
from django.core.management import call_command
from django.utils import timezone

from accounts.models import ApiToken
from tests.factories import StaffFactory, UserFactory, token_for

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase 42"


def works(api, token: str) -> bool:
    status = api.__class__(api.client, token).get("/members").status_code
    assert status in (200, 401), status
    return status == 200


def test_a_token_expires_after_the_configured_days(api, supporter, settings):
    settings.API_TOKEN_TTL_DAYS = 7
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token = api.post("/auth/token", {"email": supporter.email, "password": PASSWORD}).json()["token"]
        assert ApiToken.objects.get().expires_at == start + dt.timedelta(days=7)
    with time_machine.travel(start + dt.timedelta(days=7) - dt.timedelta(seconds=1), tick=False):
        assert works(api, token)
    with time_machine.travel(start + dt.timedelta(days=7), tick=False):
        assert not works(api, token)


def test_the_default_lifetime_is_30_days(supporter):
    token_for(supporter)
    stored = ApiToken.objects.get()
    assert stored.expires_at - stored.created_at == dt.timedelta(days=30)


def test_delete_auth_token_revokes_the_token_in_use_at_once(api, supporter):
    mine, other = token_for(supporter), token_for(supporter)
    response = api.client.delete("/api/v1/auth/token", HTTP_AUTHORIZATION=f"Bearer {mine}")
    assert response.status_code == 204
    assert not works(api, mine)
    assert works(api, other), "only the token in use is revoked"
    again = api.client.delete("/api/v1/auth/token", HTTP_AUTHORIZATION=f"Bearer {mine}")
    assert again.status_code == 401


def test_delete_auth_token_needs_a_token(client, db):
    assert client.delete("/api/v1/auth/token").status_code == 401


def change_with_set_password(user):
    user.set_password(NEW_PASSWORD)
    user.save()


def change_with_the_password_form(user):
    # The form the admin's "change password" page and Django's password views use.
    form = SetPasswordForm(user, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors
    form.save()


def change_with_the_changepassword_command(user, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", user.username, stdout=open("/dev/null", "w"))


def deactivate(user):
    user.is_active = False
    user.save()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda user, mp: change_with_set_password(user), id="set_password"),
        pytest.param(lambda user, mp: change_with_the_password_form(user), id="password-form"),
        pytest.param(change_with_the_changepassword_command, id="manage.py-changepassword"),
        pytest.param(lambda user, mp: deactivate(user), id="deactivation"),
    ],
)
def test_a_password_change_or_deactivation_ends_every_token_of_that_person(api, org, change, monkeypatch):
    person, colleague = StaffFactory(organization=org), StaffFactory(organization=org)
    tokens = [token_for(person), token_for(person)]
    colleagues = token_for(colleague)
    change(person.user, monkeypatch)
    assert not ApiToken.objects.filter(staff=person).exists()
    assert not any(works(api, token) for token in tokens)
    assert works(api, colleagues)
    if person.user.is_active:
        # reactivating or signing in again gives a new token; the old ones stay dead
        fresh = api.post("/auth/token", {"email": person.email, "password": NEW_PASSWORD}).json()["token"]
        assert works(api, fresh)
        assert not any(works(api, token) for token in tokens)


def test_an_admin_password_change_ends_the_tokens(client, supporter):
    operator = UserFactory(username="operator@example.org", is_staff=True, is_superuser=True)
    token = token_for(supporter)
    client.force_login(operator)
    response = client.post(
        f"/admin/auth/user/{supporter.user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:500]
    assert not ApiToken.objects.filter(key_hash=ApiToken.hash(token)).exists()


def test_reactivation_does_not_bring_old_tokens_back(api, supporter):
    token = token_for(supporter)
    deactivate(supporter.user)
    supporter.user.is_active = True
    supporter.user.save()
    assert not works(api, token)


def test_signing_in_and_other_saves_keep_the_tokens(api, supporter, settings):
    token = token_for(supporter)
    supporter.user.first_name = "Samuel"
    supporter.user.save()
    # A sign-in updates last_login, and re-hashes the password when the hasher
    # changed: the same password, so the tokens stay.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    before = supporter.user.password
    assert api.post("/auth/token", {"email": supporter.email, "password": PASSWORD}).status_code == 200
    supporter.user.refresh_from_db()
    assert supporter.user.password != before, "the sign-in re-hashed the password"
    assert works(api, token)


def test_staff_list_their_own_tokens_never_the_keys(api, org, supporter):
    first, second = token_for(supporter), token_for(supporter)
    token_for(StaffFactory(organization=org))
    response = api.__class__(api.client, second).get("/auth/tokens")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {item["prefix"] for item in body["items"]} == {first[:8], second[:8]}
    assert [item["current"] for item in body["items"]] == [True, False]
    assert set(body["items"][0]) == {"id", "prefix", "created_at", "last_used_at", "expires_at", "current"}
    text = response.content.decode()
    assert first not in text and second not in text
    assert ApiToken.hash(first) not in text


def test_staff_revoke_their_own_tokens_and_no_one_elses(api, org, supporter):
    mine, spare = token_for(supporter), token_for(supporter)
    theirs = token_for(StaffFactory(organization=org))
    spare_id = ApiToken.objects.get(key_hash=ApiToken.hash(spare)).pk
    their_id = ApiToken.objects.get(key_hash=ApiToken.hash(theirs)).pk
    headers = {"HTTP_AUTHORIZATION": f"Bearer {mine}"}
    assert api.client.delete(f"/api/v1/auth/tokens/{their_id}", **headers).status_code == 404
    assert works(api, theirs)
    assert api.client.delete(f"/api/v1/auth/tokens/{spare_id}", **headers).status_code == 204
    assert not works(api, spare)
    assert api.client.delete(f"/api/v1/auth/tokens/{spare_id}", **headers).status_code == 404
    assert works(api, mine)


def test_expired_tokens_are_not_listed(api, supporter):
    start = timezone.now()
    with time_machine.travel(start - dt.timedelta(days=31), tick=False):
        token_for(supporter)
    current = token_for(supporter)
    assert api.__class__(api.client, current).get("/auth/tokens").json()["count"] == 1
