"""The flood limit's single capped query (sms/inbound.py `_within_reply_limit`)
answers exactly what the COUNT and EXISTS it replaced did: at most REPLY_LIMIT
replies per window, one crisis reply per window whatever the flood, and
replies older than the window no longer count (docs/performance.md)."""

import pytest

from sms import inbound
from sms.models import Message
from tests.conftest import replies

pytestmark = pytest.mark.django_db


def test_one_crisis_reply_per_window_in_a_flood(phone, member):
    for _ in range(12):
        phone.text(member.phone, "HELP")
    first = replies(phone.text(member.phone, "i want to kill myself"))
    second = replies(phone.text(member.phone, "i want to kill myself"))
    assert any("988" in r for r in first)
    assert second == []
    # Every text is stored all the same.
    assert Message.objects.filter(direction="in", phone=member.phone).count() == 14


def test_replies_outside_the_window_do_not_count(phone, member):
    for _ in range(10):
        phone.text(member.phone, "HELP")
    assert replies(phone.text(member.phone, "HELP")) == []
    oldest = Message.objects.order_by("created_at").first().created_at
    Message.objects.filter(direction="out").update(created_at=oldest - inbound.REPLY_WINDOW)
    assert replies(phone.text(member.phone, "HELP")) != []


def test_replies_to_another_number_do_not_count(phone, member):
    from tests.factories import MemberFactory

    other = MemberFactory(organization=member.organization, supporter=member.supporter)
    for _ in range(10):
        phone.text(other.phone, "HELP")
    assert replies(phone.text(other.phone, "HELP")) == []
    assert replies(phone.text(member.phone, "HELP")) != []
