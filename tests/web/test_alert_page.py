"""The alert page (the link in texts to staff) and its actions: acknowledge,
note, resolve, all recorded in the alert's log with the web channel. Anyone
outside the alert's scope gets 404, for the page and for every action."""

import pytest
from django.test import Client

from alerts.escalation import notification_text
from alerts.models import Alert, AlertEvent
from tests.web.conftest import raise_alert


def test_the_link_in_the_text_to_staff_is_the_alert_page(signed_in, settings, supporter, member):
    alert = raise_alert(member)
    link = notification_text(alert).split()[-1]
    path = link.removeprefix(settings.PUBLIC_BASE_URL)
    assert path == f"/alerts/{alert.pk}"
    page = signed_in(supporter).get(path)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Craving 9 of 10." in body
    assert "Texted Sam Rivera." in body  # the timeline


def test_acknowledging_stops_escalation_and_is_logged_as_web(signed_in, supporter, member):
    alert = raise_alert(member)
    response = signed_in(supporter).post(f"/alerts/{alert.pk}/acknowledge", {"back": "home"})
    assert response["Location"] == "/"
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED
    assert alert.next_escalation_at is None
    event = alert.events.get(type=AlertEvent.Type.ACKNOWLEDGED)
    assert (event.actor, event.channel) == (supporter, AlertEvent.Channel.WEB)


def test_a_second_acknowledgement_says_who_was_first(signed_in, supporter, supervisor, member):
    alert = raise_alert(member)
    signed_in(supervisor).post(f"/alerts/{alert.pk}/acknowledge")
    client = signed_in(supporter)
    page = client.post(f"/alerts/{alert.pk}/acknowledge", follow=True).content.decode()
    assert "already acknowledged by Vera Lopez" in page
    assert alert.events.filter(type=AlertEvent.Type.ACKNOWLEDGED).count() == 1


def test_notes_go_into_the_log(signed_in, supporter, member):
    alert = raise_alert(member)
    signed_in(supporter).post(f"/alerts/{alert.pk}/note", {"note": "Left a voicemail."})
    note = alert.events.get(type=AlertEvent.Type.NOTE)
    assert (note.detail, note.channel, note.actor) == ("Left a voicemail.", AlertEvent.Channel.WEB, supporter)


def test_resolving_needs_an_outcome(signed_in, supporter, member):
    alert = raise_alert(member)
    page = signed_in(supporter).post(f"/alerts/{alert.pk}/resolve", {"outcome": "  "}, follow=True)
    assert "Write a short outcome note" in page.content.decode()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


def test_resolving_with_an_outcome_closes_the_alert(signed_in, supporter, member):
    alert = raise_alert(member)
    client = signed_in(supporter)
    client.post(f"/alerts/{alert.pk}/resolve", {"outcome": "Reached by phone, safe"})
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.resolved_by) == ("resolved", "Reached by phone, safe", supporter)
    assert alert.events.get(type=AlertEvent.Type.RESOLVED).channel == AlertEvent.Channel.WEB
    page = client.get(f"/alerts/{alert.pk}").content.decode()
    assert "Reached by phone, safe" in page
    assert 'action="/alerts/%d/resolve"' % alert.pk not in page


@pytest.mark.parametrize("action", ["", "/acknowledge", "/note", "/resolve"])
def test_another_supporters_alert_is_not_found(signed_in, other_supporter, member, action):
    alert = raise_alert(member)
    client = signed_in(other_supporter)
    response = client.get(f"/alerts/{alert.pk}") if not action else client.post(
        f"/alerts/{alert.pk}{action}", {"note": "x", "outcome": "x"}
    )
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN
    assert not alert.events.filter(type=AlertEvent.Type.NOTE).exists()


def test_another_organizations_alert_is_not_found(signed_in, outsider, member):
    alert = raise_alert(member)
    assert signed_in(outsider).get(f"/alerts/{alert.pk}").status_code == 404


def test_supervisors_can_act_on_any_alert_in_their_organization(signed_in, supervisor, member):
    alert = raise_alert(member)
    signed_in(supervisor).post(f"/alerts/{alert.pk}/acknowledge")
    alert.refresh_from_db()
    assert alert.acknowledged_by == supervisor


def test_actions_need_the_csrf_token(supporter, member):
    alert = raise_alert(member)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(supporter.user)
    assert browser.post(f"/alerts/{alert.pk}/acknowledge").status_code == 403
    assert browser.post(f"/alerts/{alert.pk}/resolve", {"outcome": "ok"}).status_code == 403
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


def test_actions_are_posts_only(signed_in, supporter, member):
    alert = raise_alert(member)
    assert signed_in(supporter).get(f"/alerts/{alert.pk}/acknowledge").status_code == 405
