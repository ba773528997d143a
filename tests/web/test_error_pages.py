"""Refused requests get a styled page in the app's own layout, and are logged
as one line, never with a traceback (they are not errors of the service)."""

import logging

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/review/", "/settings/", "/review/log.csv"])
def test_a_supporter_on_a_supervisor_page_gets_the_styled_403(signed_in, supporter, path, caplog):
    with caplog.at_level(logging.INFO, logger="django.request"):
        page = signed_in(supporter).get(path)
    assert page.status_code == 403
    html = page.content.decode()
    assert "This page is not for your role" in html
    assert "Only supervisors can open this page." in html
    assert 'class="brand"' in html and "Sam Rivera" in html, "the app's own layout, signed in"
    refused = [r for r in caplog.records if r.name == "django.request"]
    assert refused and all(r.exc_info is None and r.levelname == "WARNING" for r in refused)


def test_a_signed_in_operator_without_a_staff_record_gets_the_styled_403(client, db, caplog):
    client.force_login(UserFactory(username="operator@example.org"))
    with caplog.at_level(logging.INFO, logger="django.request"):
        page = client.get("/")
    assert page.status_code == 403
    assert "not a staff member of any organization" in page.content.decode()
    assert all(r.exc_info is None for r in caplog.records)


@pytest.mark.parametrize("path", ["/nowhere", "/members/999999", "/alerts/999999"])
def test_missing_or_out_of_scope_pages_get_the_styled_404(signed_in, supporter, path, caplog):
    with caplog.at_level(logging.INFO, logger="django.request"):
        page = signed_in(supporter).get(path)
    assert page.status_code == 404
    assert "Nothing here" in page.content.decode()
    assert all(r.exc_info is None for r in caplog.records)


def test_someone_elses_member_is_a_404_like_a_missing_one(signed_in, supporter, other_member):
    page = signed_in(supporter).get(f"/members/{other_member.pk}")
    assert page.status_code == 404
    assert other_member.name not in page.content.decode()


def test_a_stale_form_gets_a_styled_page_and_changes_nothing(supporter):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(supporter.user)
    page = browser.post("/logout/")
    assert page.status_code == 403
    assert "Please try again" in page.content.decode()
    assert browser.get("/").status_code == 200, "still signed in"
