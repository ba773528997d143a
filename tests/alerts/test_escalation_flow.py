"""End to end through signed webhooks: a concerning reply, the supporter's
text, escalation to supervisors when nobody acknowledges, ACK by text."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from alerts import escalation
from alerts.models import Alert, AlertEvent
from checkins.schedule import start_checkin
from sms.models import Message
from config.written_once import AppendOnlyError
from tests.conftest import replies
from tests.factories import MemberFactory, StaffFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(org, supervisor, supporter, member):
    second_supervisor = SupervisorFactory(organization=org, name="Omar Haddad")
    return {"supervisors": [supervisor, second_supervisor], "supporter": supporter, "member": member}


def reply_used_yes(phone, member):
    start_checkin(member)
    phone.text(member.phone, "4")
    phone.text(member.phone, "2")
    phone.text(member.phone, "yes")


def event_types(alert) -> list[str]:
    return list(alert.events.values_list("type", flat=True))


def test_used_yes_raises_urgent_and_texts_the_supporter(phone, team, twilio, deliver):
    member, supporter = team["member"], team["supporter"]
    reply_used_yes(phone, member)
    alert = Alert.objects.get()
    assert (alert.severity, alert.status, alert.escalation_level) == ("urgent", "open", 0)
    assert alert.reasons == ["Said yes to a slip since the last check-in."]
    deliver()
    texts = twilio.messages_to(supporter.phone)
    assert len(texts) == 1
    body = texts[0].body
    assert f"alert {alert.pk}" in body and "URGENT" in body and "Dana W." in body
    assert f"https://checkins.test/alerts/{alert.pk}" in body
    for secret in ("Whitfield", "slip", "yes", "use", member.phone):
        assert secret not in body.replace("URGENT", "").replace("Reply ACK", "")


def test_no_ack_escalates_to_supervisors_after_the_timeout(phone, team, twilio, deliver):
    member = team["member"]
    reply_used_yes(phone, member)
    alert = Alert.objects.get()
    timeout = member.program.ack_timeout_seconds
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=timeout - 5)):
        assert escalation.escalate_due() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=timeout + 1)):
        assert escalation.escalate_due() == 1
        deliver()
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    assert event_types(alert) == ["created", "notified", "escalated", "notified", "notified"]
    for supervisor in team["supervisors"]:
        assert len(twilio.messages_to(supervisor.phone)) == 1


def test_supervisors_are_reminded_up_to_the_limit(phone, team):
    member = team["member"]
    member.program.max_reminders = 2
    member.program.save()
    reply_used_yes(phone, member)
    now = timezone.now()
    for step in range(1, 6):
        with time_machine.travel(now + dt.timedelta(seconds=step * (member.program.ack_timeout_seconds + 1))):
            escalation.escalate_due()
    alert = Alert.objects.get()
    assert alert.reminders_sent == 2 and alert.next_escalation_at is None
    assert event_types(alert).count("reminded") == 4  # two reminders, two supervisors each


def test_ack_by_text_stops_the_chain(phone, team, deliver):
    member, supporter = team["member"], team["supporter"]
    reply_used_yes(phone, member)
    alert = Alert.objects.get()
    confirmation = replies(phone.text(supporter.phone, f"ACK {alert.pk}"))
    assert confirmation == [f"Acknowledged alert {alert.pk} (Dana W.). Thank you."]
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.acknowledged_by == supporter
    assert alert.next_escalation_at is None
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        assert escalation.escalate_due() == 0
    assert event_types(alert) == ["created", "notified", "acknowledged"]
    event = alert.events.get(type="acknowledged")
    assert event.channel == "sms" and event.actor == supporter


def test_plain_ack_takes_the_newest_alert_notified_to_me(phone, team, org):
    supporter = team["supporter"]
    older_member = team["member"]
    reply_used_yes(phone, older_member)
    newer_member = MemberFactory(organization=org, supporter=supporter)
    reply_used_yes(phone, newer_member)
    phone.text(supporter.phone, "ack")
    assert Alert.objects.get(member=newer_member).status == "acknowledged"
    assert Alert.objects.get(member=older_member).status == "open"


def test_ack_for_someone_elses_alert_is_refused_politely(phone, team, org):
    reply_used_yes(phone, team["member"])
    alert = Alert.objects.get()
    stranger = StaffFactory(organization=org, name="Other Supporter")
    assert replies(phone.text(stranger.phone, f"ACK {alert.pk}")) == [
        f"Alert {alert.pk} is not one of yours, so it was not acknowledged."
    ]
    alert.refresh_from_db()
    assert alert.status == "open"


def test_a_duplicated_escalation_step_does_nothing(phone, team):
    reply_used_yes(phone, team["member"])
    alert = Alert.objects.get()
    token = alert.escalation_token
    assert escalation.step(alert.pk, token) is True
    assert escalation.step(alert.pk, token) is False
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    assert event_types(alert).count("escalated") == 1


def test_a_step_after_an_ack_does_nothing(phone, team):
    reply_used_yes(phone, team["member"])
    alert = Alert.objects.get()
    stale = alert.escalation_token
    phone.text(team["supporter"].phone, f"ACK {alert.pk}")
    assert escalation.step(alert.pk, stale) is False


def test_crisis_text_outside_a_checkin(phone, team, twilio, deliver):
    member = team["member"]
    response = phone.text(member.phone, "i took too many pills")
    assert "988" in replies(response)[0]
    alert = Alert.objects.get()
    assert alert.severity == "crisis" and alert.escalation_level == 1
    deliver()
    texted = {m.to for m in twilio.messages}
    assert texted == {team["supporter"].phone} | {s.phone for s in team["supervisors"]}
    assert event_types(alert) == ["created", "notified", "escalated", "notified", "notified"]


def test_safety_yes_is_the_crisis_path(phone, team):
    member = team["member"]
    start_checkin(member)
    phone.text(member.phone, "1")
    phone.text(member.phone, "3")
    phone.text(member.phone, "no")
    reply = replies(phone.text(member.phone, "yes"))
    assert "988" in reply[0]
    assert Alert.objects.get(topic="crisis").severity == "crisis"


def test_a_second_trigger_adds_to_the_open_alert(phone, team):
    member = team["member"]
    start_checkin(member)
    phone.text(member.phone, "4")
    phone.text(member.phone, "9")
    alert = Alert.objects.get(topic="craving")
    start_checkin(member)
    phone.text(member.phone, "4")
    phone.text(member.phone, "10")
    alert.refresh_from_db()
    assert Alert.objects.filter(topic="craving").count() == 1
    assert alert.reasons == ["Craving 9 of 10.", "Craving 10 of 10."]
    assert Message.objects.filter(kind="notification").count() == 1


def test_a_failed_notification_is_logged_and_escalates_at_once(phone, team, twilio, deliver):
    supporter = team["supporter"]
    twilio.final_status_for(supporter.phone, status="undelivered", error_code=30003)
    reply_used_yes(phone, team["member"])
    deliver()
    sent = twilio.messages_to(supporter.phone)[0]
    phone.status(sent.sid, "undelivered", error_code="30003")
    alert = Alert.objects.get()
    assert alert.escalation_level == 1
    assert event_types(alert)[:4] == ["created", "notified", "delivery_failed", "escalated"]


def test_the_log_is_append_only(phone, team):
    reply_used_yes(phone, team["member"])
    event = AlertEvent.objects.first()
    event.detail = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_crisis_words_again_reach_everyone_even_on_an_acknowledged_alert(phone, team):
    member, supporter = team["member"], team["supporter"]
    phone.text(member.phone, "i want to end it all")
    alert = Alert.objects.get()
    phone.text(supporter.phone, f"ACK {alert.pk}")
    notified = Message.objects.filter(kind="notification").count()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        phone.text(member.phone, "i really want to die")
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    assert Message.objects.filter(kind="notification").count() == notified + 3  # supporter and both supervisors
    assert event_types(alert)[-4:] == ["updated", "notified", "notified", "notified"]


def test_a_second_crisis_text_within_minutes_does_not_spam_staff(phone, team):
    member = team["member"]
    phone.text(member.phone, "i want to end it all")
    notified = Message.objects.filter(kind="notification").count()
    phone.text(member.phone, "suicide")
    assert Message.objects.filter(kind="notification").count() == notified


def test_an_escalated_warning_raised_to_crisis_tells_everyone(team):
    # A program may make a rule a crisis (here: a very high craving).
    from alerts.routing import raise_alerts
    from alerts.rules import Finding

    member = team["member"]
    alert = raise_alerts(member, [Finding("craving_above_baseline", "warning", "Craving 7 of 10, 4 above their usual (3).")])[0]
    escalation.step(alert.pk, alert.escalation_token)
    before = Message.objects.filter(kind="notification").count()
    raise_alerts(member, [Finding("craving_high", "crisis", "Craving 10 of 10.")])
    alert.refresh_from_db()
    assert alert.severity == "crisis"
    assert Message.objects.filter(kind="notification").count() == before + 3
