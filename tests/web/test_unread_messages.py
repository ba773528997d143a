"""The home page's "Messages": the signed-in staff member's members who sent
texts they have not read, with how many, newest first; opening the member
page reads them for that staff member only."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from inbox.models import ConversationRead
from sms.models import Message

pytestmark = pytest.mark.django_db


def _text(member, body="a text", minutes_ago=0, direction=Message.Direction.INBOUND, **fields):
    return Message.objects.create(
        direction=direction,
        kind=Message.Kind.TEXT if direction == Message.Direction.INBOUND else Message.Kind.PROMPT,
        organization_id=member.organization_id,
        member=member,
        phone=member.phone,
        body=body,
        status=Message.Status.RECEIVED if direction == Message.Direction.INBOUND else Message.Status.DELIVERED,
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        **fields,
    )


def _messages(client) -> str:
    """The Messages section of the home page."""
    page = client.get("/").content.decode()
    start = page.index('aria-labelledby="messages-title"')
    return page[start : page.index("</section>", start)]


def _entries(section: str) -> list[tuple[str, str]]:
    """(member name, count) in the order shown."""
    return re.findall(r'<a href="/members/\d+#conversation">([^<]+)</a>: <strong>(\d+)</strong>', section)


def test_home_shows_unread_counts_newest_first(signed_in, supporter, member, org):
    from tests.factories import MemberFactory

    other = MemberFactory(organization=org, supporter=supporter, name="Lee Park")
    _text(member, minutes_ago=30)
    _text(member, minutes_ago=20)
    _text(member, direction=Message.Direction.OUTBOUND, minutes_ago=15)  # ours: never unread
    _text(other, minutes_ago=5)
    section = _messages(signed_in(supporter))
    assert '<h2 id="messages-title">Messages</h2>' in section
    assert _entries(section) == [("Lee Park", "1"), (member.name, "2")]
    assert f'href="/members/{member.pk}#conversation"' in section
    assert "2</strong> unread texts" in section and "1</strong> unread text," in section
    assert "a text" not in section  # counts only, never the words


def test_no_unread_texts_says_so(signed_in, supporter, member):
    assert "No unread texts." in _messages(signed_in(supporter))


def test_opening_the_member_page_clears_it_for_that_staff_member_only(
    signed_in, client, supporter, supervisor, member
):
    _text(member, minutes_ago=10)
    _text(member, minutes_ago=5)
    assert _entries(_messages(signed_in(supervisor))) == [(member.name, "2")]
    assert _entries(_messages(signed_in(supporter))) == [(member.name, "2")]

    assert signed_in(supporter).get(f"/members/{member.pk}").status_code == 200
    assert _entries(_messages(signed_in(supporter))) == []
    assert ConversationRead.objects.filter(member=member).count() == 1
    # The supervisor has not read them.
    assert _entries(_messages(signed_in(supervisor))) == [(member.name, "2")]

    # A text after the visit is unread again, and only it counts.
    _text(member, minutes_ago=0)
    assert _entries(_messages(signed_in(supporter))) == [(member.name, "1")]
    signed_in(supporter).get(f"/members/{member.pk}")
    signed_in(supporter).get(f"/members/{member.pk}")  # one row per staff member and member
    assert ConversationRead.objects.filter(member=member).count() == 1
    assert _entries(_messages(signed_in(supporter))) == []


def test_another_supporters_members_are_never_shown(signed_in, supporter, member, other_member, outsider):
    from tests.factories import MemberFactory

    _text(other_member, "someone else's words")
    elsewhere = MemberFactory(organization=outsider.organization, supporter=outsider, name="Far Away")
    _text(elsewhere)
    section = _messages(signed_in(supporter))
    assert _entries(section) == []
    assert other_member.name not in section and "Far Away" not in section
    # Nor can they be read through the member page.
    assert signed_in(supporter).get(f"/members/{other_member.pk}").status_code == 404
    assert not ConversationRead.objects.exists()


def test_texts_to_and_from_staff_are_not_a_members_unread_texts(signed_in, supporter, member):
    # A notice to the supporter about the member, and an ACK from the supporter.
    Message.objects.create(
        direction=Message.Direction.OUTBOUND, kind=Message.Kind.STAFF_NOTICE, staff=supporter,
        organization_id=member.organization_id, phone=supporter.phone, body="New message", status="queued",
    )  # fmt: skip
    Message.objects.create(
        direction=Message.Direction.INBOUND, kind=Message.Kind.TEXT, staff=supporter,
        organization_id=member.organization_id, phone=supporter.phone, body="ACK 1", status="received",
    )  # fmt: skip
    assert _entries(_messages(signed_in(supporter))) == []


def test_answers_and_old_texts_are_not_unread(signed_in, supporter, member):
    from checkins.models import Answer
    from checkins.schedule import start_checkin

    checkin = start_checkin(member)
    answer_text = _text(member, "4", minutes_ago=3)
    Answer.objects.create(checkin=checkin, question=checkin.current_question, text="4", value=4, message=answer_text)
    _text(member, "rough night", minutes_ago=2)
    _text(member, "from last month", minutes_ago=60 * 24 * 30)
    assert _entries(_messages(signed_in(supporter))) == [(member.name, "1")]
