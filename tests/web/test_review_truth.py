"""The review tells the truth: crises, which go to supervisors at once by
design, are counted apart from escalations nobody acknowledged; and per
supporter and per program it shows the check-in response rate, members silent
7 days or more, the median time to acknowledge and to first contact, and
overdue follow-ups, for the reviewer's organization only."""

import datetime as dt
import itertools
import re

import pytest
import time_machine

from alerts import escalation
from alerts.acknowledgement import acknowledge
from alerts.models import AlertEvent
from care.models import ContactNote, FollowUp
from checkins.models import CheckIn, Member
from sms.models import Message
from tests.factories import MemberFactory, SupervisorFactory
from tests.web.conftest import raise_alert

NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _at(**ago) -> dt.datetime:
    return NOW - dt.timedelta(**ago)


def _row(page: str, table: str, name: str) -> dict[str, str]:
    """The cells of one row of the table labelled `table`, by data-label."""
    start = page.index(f'aria-label="{table}"')
    body = page[start: page.index("</table>", start)]
    row = body[body.index(f'<th scope="row">{name}</th>'):]
    row = row[: row.index("</tr>")]
    return {
        label: re.sub(r"<[^>]+>", "", text).strip()
        for label, text in re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row)
    }


def _page(signed_in, staff, **params) -> str:
    response = signed_in(staff).get("/review/", params)
    assert response.status_code == 200
    return response.content.decode()


_MINUTES = itertools.count(1)


def _checkin(member, status, ended_days_ago):
    at = _at(days=ended_days_ago, hours=1, minutes=next(_MINUTES))
    ended = None if status == CheckIn.Status.OPEN else _at(days=ended_days_ago)
    return CheckIn.objects.create(member=member, scheduled_for=at, closes_at=at, status=status, ended_at=ended)


def _text_from(member, days_ago):
    Message.objects.create(
        direction=Message.Direction.INBOUND, kind=Message.Kind.TEXT, organization=member.organization,
        member=member, phone=member.phone, body="ok", status=Message.Status.RECEIVED,
        created_at=_at(days=days_ago),
    )


def _note(member, staff, alert=None, follow_up_on=None, when=None):
    when = when or NOW
    return ContactNote.objects.create(
        organization=member.organization, member=member, staff=staff, alert=alert,
        outcome=ContactNote.Outcome.REACHED, modality=ContactNote.Modality.CALL,
        contact_date=when.date(),
        duration_minutes=10, intervention="Called.", response="Talked.", plan="Check in tomorrow.",
        follow_up_on=follow_up_on, created_at=when,
    )


def _follow_up(member, staff, due_days_ago, done=False):
    due = (NOW - dt.timedelta(days=due_days_ago)).date()
    note = _note(member, staff, follow_up_on=due, when=_at(days=max(due_days_ago, 0) + 1))
    return FollowUp.objects.create(
        note=note, member=member, staff=staff, due_on=due, done_at=NOW if done else None
    )


def _enrolled(member, days_ago):
    Member.objects.filter(pk=member.pk).update(created_at=_at(days=days_ago))


@pytest.fixture
def outside_world(outsider):
    """Another organization with a crisis, a no-ACK escalation, check-ins,
    silent members and an overdue follow-up: none of it may be counted."""
    org = outsider.organization
    SupervisorFactory(organization=org, name="Otto Other")
    first = MemberFactory(organization=org, name="Ola Far")
    second = MemberFactory(organization=org, name="Ike Far")
    _enrolled(first, 40)
    _enrolled(second, 40)
    with time_machine.travel(_at(days=2), tick=False):
        raise_alert(first, severity="crisis", rule="crisis_language", reason="Crisis words.")
        raise_alert(second)
    with time_machine.travel(_at(days=2) + dt.timedelta(hours=1), tick=False):
        escalation.escalate_due()
    for status in (CheckIn.Status.MISSED, CheckIn.Status.MISSED, CheckIn.Status.COMPLETED):
        _checkin(first, status, 3)
    _follow_up(first, first.supporter, 5)
    return first, second


def test_a_crisis_is_counted_apart_from_an_escalation_nobody_acknowledged(
    signed_in, supervisor, supporter, other_supporter, member, other_member, outside_world
):
    with time_machine.travel(_at(days=1), tick=False):
        crisis = raise_alert(member, severity="crisis", rule="crisis_language", reason="Crisis words.")
        waited = raise_alert(other_member)
    with time_machine.travel(_at(days=1) + dt.timedelta(minutes=3), tick=False):
        acknowledge(crisis, by=supporter, channel=AlertEvent.Channel.SMS)
    with time_machine.travel(_at(days=1) + dt.timedelta(hours=1), tick=False):
        escalation.escalate_due()
    crisis.refresh_from_db()
    waited.refresh_from_db()
    assert crisis.escalation_level == 1 and waited.escalation_level == 1
    assert crisis.events.filter(type="escalated").get().detail == escalation.CRISIS_WHY

    page = _page(signed_in, supervisor)
    assert "<strong>1</strong> crisis alert, sent to supervisors at once" in page
    assert "<strong>1</strong> escalated because nobody acknowledged in time (100% of the alerts that waited" in page
    assert _row(page, "Escalations by cause table", "Sam Rivera") == {
        "Alerts": "1", "Crisis, sent at once": "1", "Not acknowledged in time": "0",
        "Share of alerts that waited": "—",
    }
    assert _row(page, "Escalations by cause table", "Kim Osei") == {
        "Alerts": "1", "Crisis, sent at once": "0", "Not acknowledged in time": "1",
        "Share of alerts that waited": "100%",
    }
    assert _row(page, "Escalations by cause table", "Everyone")["Alerts"] == "2"
    # The response-times table no longer calls a crisis a delay: Sam's only alert was a
    # crisis, so none of his alerts waited for an acknowledgement ("—", not "100%").
    sam = page[page.index('<th scope="row">Sam Rivera</th>'):]
    assert sam[: sam.index("</tr>")].endswith("<td>—</td>")


def test_response_rate_counts_answered_and_incomplete_of_all_ended_check_ins(
    signed_in, supervisor, member, other_member, outside_world
):
    for status in (CheckIn.Status.COMPLETED, CheckIn.Status.INCOMPLETE, CheckIn.Status.MISSED):
        _checkin(member, status, 2)
    _checkin(member, CheckIn.Status.SKIPPED, 2)  # never sent: not counted
    _checkin(member, CheckIn.Status.OPEN, 0)  # not ended: not counted
    _checkin(member, CheckIn.Status.MISSED, 45)  # before the period: not counted
    _checkin(other_member, CheckIn.Status.MISSED, 4)

    page = _page(signed_in, supervisor)
    sam = _row(page, "Engagement per supporter table", "Sam Rivera")
    assert (sam["Check-ins ended"], sam["Response rate"]) == ("3", "67%")
    kim = _row(page, "Engagement per supporter table", "Kim Osei")
    assert (kim["Check-ins ended"], kim["Response rate"]) == ("1", "0%")
    program = _row(page, "Engagement per program table", member.program.name)
    assert (program["Check-ins ended"], program["Response rate"]) == ("4", "50%")
    # The chart says the same, in words as well as bars.
    assert 'role="img"' in page and "Kim Osei: 0%; Sam Rivera: 67%" in page
    chart = page[page.index('<svg class="bar-chart"'): page.index("</svg>", page.index('<svg class="bar-chart"'))]
    assert "<a " not in chart and "tabindex" not in chart

    # A period from the filter: only the old missed check-in.
    old = (NOW - dt.timedelta(days=50)).date().isoformat()
    older = _page(signed_in, supervisor, date_from=old, date_to=(NOW - dt.timedelta(days=40)).date().isoformat())
    sam = _row(older, "Engagement per supporter table", "Sam Rivera")
    assert (sam["Check-ins ended"], sam["Response rate"]) == ("1", "0%")


def test_members_silent_seven_days_or_more(signed_in, supervisor, supporter, org, member, other_member, outside_world):
    _enrolled(member, 30)
    _text_from(member, 8)  # last text 8 days ago: silent
    _enrolled(other_member, 30)
    _text_from(other_member, 2)  # texted 2 days ago: not silent
    never = MemberFactory(organization=org, supporter=supporter, name="Nia Never")
    _enrolled(never, 10)  # enrolled 10 days ago, never texted: silent
    new = MemberFactory(organization=org, supporter=supporter, name="Nico New")
    _enrolled(new, 3)  # enrolled 3 days ago: not yet
    gone = MemberFactory(organization=org, supporter=supporter, name="Dee Gone", status=Member.Status.DISCHARGED)
    _enrolled(gone, 60)  # discharged: never counted

    page = _page(signed_in, supervisor)
    sam = _row(page, "Engagement per supporter table", "Sam Rivera")
    assert (sam["Members"], sam["Silent 7+ days"]) == ("3", "2")
    assert _row(page, "Engagement per supporter table", "Kim Osei")["Silent 7+ days"] == "0"
    assert _row(page, "Engagement per program table", "Everyone")["Silent 7+ days"] == "2"


def test_median_time_to_first_contact(signed_in, supervisor, supporter, org, member, other_member, outside_world):
    third = MemberFactory(organization=org, supporter=supporter, name="Tia Third")
    fourth = MemberFactory(organization=org, supporter=supporter, name="Fay Fourth")
    raised = _at(days=1)
    with time_machine.travel(raised, tick=False):
        noted = raise_alert(member)
        texted = raise_alert(other_member)
        late = raise_alert(third)
        raise_alert(fourth)  # nobody has contacted Fay: left out of the median
    # A staff text before the alert is not a contact for it.
    Message.objects.create(
        direction=Message.Direction.OUTBOUND, kind=Message.Kind.STAFF_REPLY, organization=org, member=other_member,
        phone=other_member.phone, body="Hi", status=Message.Status.SENT, created_at=raised - dt.timedelta(hours=1),
    )
    _note(member, supporter, alert=noted, when=raised + dt.timedelta(minutes=10))
    _note(member, supporter, alert=noted, when=raised + dt.timedelta(minutes=90))  # not the first
    Message.objects.create(
        direction=Message.Direction.OUTBOUND, kind=Message.Kind.STAFF_REPLY, organization=org, member=other_member,
        phone=other_member.phone, body="Are you OK?", status=Message.Status.SENT,
        created_at=raised + dt.timedelta(minutes=30),
    )
    _note(third, supporter, alert=late, when=raised + dt.timedelta(minutes=50))
    assert texted.pk

    page = _page(signed_in, supervisor)
    sam = _row(page, "Engagement per supporter table", "Sam Rivera")
    assert sam["Median to first contact"] == "30 min (2 of 3 contacted)"  # 10 and 50 min
    kim = _row(page, "Engagement per supporter table", "Kim Osei")
    assert kim["Median to first contact"] == "30 min (1 of 1 contacted)"
    everyone = _row(page, "Engagement per supporter table", "Everyone")
    assert everyone["Median to first contact"] == "30 min (3 of 4 contacted)"  # 10, 30, 50


def test_median_time_to_acknowledge_per_supporter(signed_in, supervisor, supporter, member, other_member):
    with time_machine.travel(_at(days=1), tick=False):
        alert = raise_alert(member)
    with time_machine.travel(_at(days=1) + dt.timedelta(minutes=4), tick=False):
        acknowledge(alert, by=supporter, channel=AlertEvent.Channel.WEB)
    page = _page(signed_in, supervisor)
    assert _row(page, "Engagement per supporter table", "Sam Rivera")["Median to acknowledge"] == "4 min"


def test_overdue_follow_ups(signed_in, supervisor, supporter, other_supporter, org, member, other_member, outside_world):
    _follow_up(member, supporter, 2)  # due two days ago, open: overdue
    _follow_up(member, supporter, 3, done=True)  # done: not overdue
    _follow_up(member, supporter, 0)  # due today: not yet overdue
    _follow_up(other_member, other_supporter, 1)  # due yesterday, now past 09:00 New York today: overdue
    gone = MemberFactory(organization=org, supporter=supporter, name="Dee Gone", status=Member.Status.DISCHARGED)
    _follow_up(gone, supporter, 5)  # discharged: not counted

    page = _page(signed_in, supervisor)
    assert _row(page, "Engagement per supporter table", "Sam Rivera")["Overdue follow-ups"] == "1"
    assert _row(page, "Engagement per supporter table", "Kim Osei")["Overdue follow-ups"] == "1"
    assert _row(page, "Engagement per program table", member.program.name)["Overdue follow-ups"] == "2"
    assert _row(page, "Engagement per program table", "Everyone")["Overdue follow-ups"] == "2"


def test_another_organization_is_never_counted(signed_in, supervisor, outsider, member, outside_world):
    page = _page(signed_in, supervisor)
    assert "Ola Far" not in page and "Otto Other" not in page
    assert "<strong>0</strong> crisis alerts" in page
    assert "<strong>0</strong> escalated because nobody acknowledged" in page
    everyone = _row(page, "Engagement per program table", "Everyone")
    assert everyone == {
        "Members": "1", "Check-ins ended": "0", "Response rate": "—", "Silent 7+ days": "0", "Alerts": "0",
        "Median to acknowledge": "—", "Median to first contact": "—", "Overdue follow-ups": "0",
    }
    # The other organization sees its own figures, and none of ours.
    theirs = _page(signed_in, outsider)
    assert "Sam Rivera" not in theirs and "Dana W." not in theirs
    assert "<strong>1</strong> crisis alert, sent to supervisors at once" in theirs
    assert "<strong>1</strong> escalated because nobody acknowledged in time" in theirs
    everyone = _row(theirs, "Engagement per program table", "Everyone")
    assert (everyone["Check-ins ended"], everyone["Response rate"], everyone["Silent 7+ days"]) == ("3", "33%", "2")
    assert everyone["Overdue follow-ups"] == "1"
