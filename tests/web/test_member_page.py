"""A member's page: chart, check-in history, message thread, and pause /
resume / discharge. Only the assigned supporter and supervisors of the
organization may open it; everyone else gets 404."""

import pytest
from django.test import Client
from django.utils import timezone

from checkins.models import Answer, CheckIn, Member
from sms.models import Message
from tests.web.conftest import raise_alert


def _checkin(member, status=CheckIn.Status.COMPLETED, mood=None, craving=None):
    checkin = CheckIn.objects.create(member=member, scheduled_for=timezone.now(), closes_at=timezone.now(), status=status)
    questions = {q.key: q for q in member.program.questions.all()}
    for key, value in (("mood", mood), ("craving", craving)):
        if value is not None:
            Answer.objects.create(checkin=checkin, question=questions[key], text=str(value), value=value)
    return checkin


def test_the_assigned_supporter_sees_chart_history_and_thread(signed_in, supporter, member):
    _checkin(member, mood=2, craving=8)
    _checkin(member, status=CheckIn.Status.MISSED)
    alert = raise_alert(member)
    Message.objects.create(direction="in", kind="text", member=member, phone=member.phone, body="rough day", status="received")
    page = signed_in(supporter).get(f"/members/{member.pk}").content.decode()
    assert '<svg class="chart"' in page
    assert "Missed check-in" in page  # marked on the chart
    assert f'href="/alerts/{alert.pk}"' in page  # marked on the chart, as a link
    assert "mood: 2" in page and "craving: 8" in page
    assert "rough day" in page


def test_supervisors_see_every_member_of_their_organization(signed_in, supervisor, member):
    assert signed_in(supervisor).get(f"/members/{member.pk}").status_code == 200


@pytest.mark.parametrize("who", ["other_supporter", "outsider"])
def test_anyone_else_gets_not_found_and_no_message_bodies(signed_in, request, member, who):
    Message.objects.create(direction="in", kind="text", member=member, phone=member.phone, body="secret", status="received")
    response = signed_in(request.getfixturevalue(who)).get(f"/members/{member.pk}")
    assert response.status_code == 404
    assert b"secret" not in response.content


def test_pause_resume_and_discharge(signed_in, supporter, member):
    client = signed_in(supporter)
    client.post(f"/members/{member.pk}/status", {"action": "pause"})
    member.refresh_from_db()
    assert member.status == Member.Status.PAUSED and member.next_checkin_at is None
    client.post(f"/members/{member.pk}/status", {"action": "resume"})
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE and member.next_checkin_at is not None
    client.post(f"/members/{member.pk}/status", {"action": "discharge"})
    member.refresh_from_db()
    assert member.status == Member.Status.DISCHARGED


def test_a_member_who_opted_out_can_only_resume_by_text(signed_in, supporter, member):
    member.opt_out()
    page = signed_in(supporter).post(f"/members/{member.pk}/status", {"action": "resume"}, follow=True)
    assert "only their own START" in page.content.decode()
    member.refresh_from_db()
    assert member.status == Member.Status.OPTED_OUT


def test_another_supporter_cannot_change_a_member(signed_in, other_supporter, member):
    assert signed_in(other_supporter).post(f"/members/{member.pk}/status", {"action": "pause"}).status_code == 404
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE


def test_starting_a_checkin_sends_the_first_question(signed_in, supporter, member):
    signed_in(supporter).post(f"/members/{member.pk}/checkin")
    assert member.checkins.get().status == CheckIn.Status.OPEN
    assert Message.objects.get(member=member, kind=Message.Kind.PROMPT).body.startswith("Hi Dana")


def test_no_checkin_is_started_for_a_paused_member(signed_in, supporter, member):
    Member.objects.filter(pk=member.pk).update(status=Member.Status.PAUSED)
    signed_in(supporter).post(f"/members/{member.pk}/checkin")
    assert not member.checkins.exists()


def test_status_changes_need_the_csrf_token(supporter, member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(supporter.user)
    assert browser.post(f"/members/{member.pk}/status", {"action": "discharge"}).status_code == 403
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE
