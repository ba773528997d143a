"""The crisis fast path. It runs inside the inbound webhook, right after the
text is stored: no queue, no sending window, no rate of its own stands
between crisis words and the people who must know. The member's 988 reply
goes back in the webhook's own answer; the texts to the supporter and every
supervisor are queued as urgent in the same transaction."""

from alerts import rules
from alerts.models import Alert
from alerts.routing import raise_alerts
from checkins.models import Answer, Member
from sms.models import Message


def raise_crisis(member: Member, message: Message | None = None, answer: Answer | None = None) -> Alert:
    findings = []
    if message is not None and message.is_crisis:
        findings.append(rules.crisis_language(member))
    if answer is not None:
        book = rules.RuleBook(member.program)
        findings.extend(f for f in (rules.safety_yes(book, answer),) if f is not None)
    return raise_alerts(member, findings)[0]


def raise_other_in_danger(member: Member, message: Message) -> Alert:
    """The member says someone else is in danger right now: an urgent alert,
    at once, beside the 911 reply the member gets."""
    return raise_alerts(member, [rules.other_in_danger(member)])[0]
