"""A member's own copy (checkins.member_copy): their answers, their texts,
their consent and the notice; nothing about anyone else, and what retention
removed says so."""

import datetime as dt

import pytest
from django.utils import timezone

from checkins.member_copy import member_copy
from checkins.retention import redact_past_retention
from records import consent
from sms.models import Message
from tests.factories import MemberFactory
from tests.records.conftest import answered_checkin, text

pytestmark = pytest.mark.django_db

NOTICE = "NOTICE: protected by 42 CFR part 2."
REMOVED = "[removed after the retention period]"


@pytest.fixture
def copy_world(member, supervisor, supporter):
    consent.grant(member, method="written", staff=supervisor)
    mine = answered_checkin(member, days_ago=3, mood=3, words="about a 3, long week")
    text(member, Message.Direction.INBOUND, "can we talk tomorrow?", timezone.now() - dt.timedelta(days=2))
    # Not the member's: another member's words, and a notification to staff about this member.
    other = MemberFactory(organization=member.organization, supporter=supporter, name="Robin Neighbour")
    answered_checkin(other, days_ago=3, mood=1, words="someone else's awful day")
    text(
        member, Message.Direction.OUTBOUND, "URGENT alert for Dana W.", timezone.now() - dt.timedelta(days=1),
        kind=Message.Kind.NOTIFICATION, staff=supporter,
    )
    return mine


def test_the_copy_holds_the_members_answers_texts_consent_and_the_notice(member, copy_world):
    copy = member_copy(member, NOTICE)
    assert copy.startswith(f"Your record with {member.program.name}")
    assert f"Name: {member.name}" in copy and f"Phone: {member.phone}" in copy
    assert "mood: about a 3, long week (recorded as 3)" in copy
    assert "You: can we talk tomorrow?" in copy
    assert f"Program: {copy_world['prompt'].body}" in copy
    assert "Granted (Written (signed form)), consent text version 2026-01" in copy
    assert "Agreed to: I agree to receive automated check-in text messages" in copy
    assert copy.rstrip().endswith(NOTICE)


def test_the_copy_holds_nothing_about_other_members(member, copy_world):
    copy = member_copy(member, NOTICE)
    assert "Robin" not in copy and "someone else's awful day" not in copy
    assert "(recorded as 1)" not in copy
    assert "URGENT" not in copy, "a text to staff about the member is staff's, not the member's"


def test_the_copy_is_in_the_members_time_zone_oldest_first(member, copy_world):
    copy = member_copy(member, NOTICE)
    local = copy_world["reply"].created_at.astimezone(member.tz).strftime("%Y-%m-%d %H:%M")
    assert f"{local}  You: about a 3, long week" in copy
    assert copy.index("about a 3, long week") < copy.index("can we talk tomorrow?")


def test_redacted_words_say_so_and_keep_the_value(member, copy_world):
    redact_past_retention(days=1)
    copy = member_copy(member, NOTICE)
    assert "about a 3, long week" not in copy and "can we talk tomorrow?" not in copy
    assert f"mood: {REMOVED} (recorded as 3)" in copy
    assert f"You: {REMOVED}" in copy


@pytest.mark.parametrize("language, words", [("es", "Español"), ("en", "English")])
def test_the_copy_names_the_members_language(org, supporter, language, words):
    member = MemberFactory(organization=org, supporter=supporter, language=language)
    assert f"Language: {words}" in member_copy(member, NOTICE)
