"""The conversation with a member: what a text from them means and what we say back.

Order matters and is the same for every text (inbox/router.py):
1. crisis: the member in danger gets the 988 reply and a crisis alert (an
   open check-in keeps what it could read and closes); someone else in danger
   now gets the 911 reply and an urgent alert. This comes first and holds in
   every state: opted out, discharged, mid-check-in;
2. keywords: opt-out words, or a plain-language request to stop, stop
   everything at once (one confirmation, then silence); while opted out or
   discharged nothing else does anything but an opt-in word; HELP answers
   with the program's name, how to stop, and the crisis line;
3. inside an open check-in the text answers the current question;
4. anything else is stored for the supporter and acknowledged; a request to
   be called or to talk also raises an urgent alert.

What a text means is the reader's job (checkins/reader, docs/reader.md).
Replies are returned to the webhook, which answers Twilio with them as TwiML,
so a member hears back within the same request.
"""

from django.db import transaction
from django.utils import timezone

from alerts import rules
from alerts.crisis import raise_crisis, raise_other_in_danger
from alerts.routing import raise_alerts
from alerts.tasks import count_if_clear, evaluate_answer
from checkins import reader, series
from checkins.models import Answer, CheckIn, Member, Question
from checkins.texts import say
from config import dispatch, plain_sql
from inbox.notices import notify_supporter_of_text
from sms.keywords import Keyword, classify
from sms.models import Message


def member_text(member: Member, message: Message) -> list[str]:
    language = member.language
    replies = _in_danger(member, message)

    keyword = classify(message.body, opted_out=member.status == Member.Status.OPTED_OUT)
    if keyword is Keyword.OPT_OUT or (keyword is None and _asks_to_stop(member, message)):
        # Someone in danger hears the crisis line even as they ask us to stop.
        return replies + ([say("opted_out", language)] if member.opt_out() else [])
    if member.status == Member.Status.OPTED_OUT:
        if keyword is Keyword.OPT_IN and member.opt_in():
            return replies + [say("opted_in", language)]
        return replies
    if member.status == Member.Status.DISCHARGED:
        # No texts go to a discharged member, but what they send still counts,
        # and crisis words get the 988 reply (CONTRACT §6).
        return replies
    if replies:
        return replies
    if keyword is Keyword.HELP:
        return [member.program.help_text(language)]
    if keyword is Keyword.OPT_IN:
        return [say("already_in", language)]

    checkin = member.open_checkin_locked()
    if checkin is not None:
        return answer(checkin, message)
    return _free_text(member, message)


def _in_danger(member: Member, message: Message) -> list[str]:
    """The replies to a text saying someone is in danger; none otherwise."""
    if not message.is_crisis:
        return []
    danger = reader.read_crisis(message.body)
    if danger.is_crisis:
        checkin = member.open_checkin_locked()
        if checkin is not None:
            _record_answer(checkin, message, understood_only=True)
            checkin.close(CheckIn.Status.INCOMPLETE)
        return _raise_crisis(member, message)
    if danger.kind == reader.OTHER_IN_DANGER:
        raise_other_in_danger(member, message)
        return [say("other_in_danger", member.language)]
    return []


def _asks_to_stop(member: Member, message: Message) -> bool:
    """A request to stop in words. "Alto" alone is one, except as the reply
    to a number question, where it means "high" and is asked again. The
    open check-in is looked up only for such a text, not for every one."""
    if not reader.asks_to_stop(message.body):
        return False
    if reader.asks_to_stop(message.body, answering_a_number=True):
        return True  # a request whatever was asked
    checkin = member.open_checkin_locked() if member.status == Member.Status.ACTIVE else None
    question = checkin.current_question if checkin is not None else None
    return question is None or question.kind != Question.Kind.SCALE


def answer(checkin: CheckIn, message: Message) -> list[str]:
    """Read the reply to the current question, then ask the next or say thanks."""
    member = checkin.member
    question = checkin.current_question
    if question is None:
        checkin.close(CheckIn.Status.COMPLETED)
        return _free_text(member, message)
    if read_value(question, message.body) is None and not checkin.reasked:
        checkin.reasked = True
        checkin.save(update_fields=["reasked"])
        return [question.reask_text(member.language)]

    saved = _record_answer(checkin, message, understood_only=False)
    if saved is not None and question.key == "safety" and saved.value == 1:
        checkin.close(CheckIn.Status.COMPLETED)
        return _raise_crisis(member, message, answer=saved)

    next_question = checkin.next_question()
    if next_question is None:
        checkin.close(CheckIn.Status.COMPLETED)
        if checkin.series_id is not None:
            # A questionnaire (checkins.series): its score, then its own thanks.
            return [series.finish(checkin)]
        if member.program.adaptive_schedule:  # clear or not, once its answers' rules can be read (checkins.adaptive)
            transaction.on_commit(lambda: dispatch.send(count_if_clear, checkin.pk))
        return [say("thanks", member.language, supporter=member.supporter.name.split()[0])]
    checkin.current_question = next_question
    checkin.reasked = False
    plain_sql.update(checkin, ["current_question", "reasked"])  # most answers do this
    if checkin.series_id is not None:
        return series.ask(checkin, next_question)
    return [next_question.text(member.language)]


def read_value(question: Question, text: str) -> int | None:
    """The reader's value for a reply to this question (None: ask again)."""
    return reader.read_answer(text, question.asked())


def _record_answer(checkin: CheckIn, message: Message, understood_only: bool) -> Answer | None:
    """Store the reply to the current question (value null when not understood,
    after the one re-ask), and have the rules look at it once committed."""
    question = checkin.current_question
    if question is None:
        return None
    value = read_value(question, message.body)
    if understood_only and value is None:
        return None
    # The check-in row is locked and its current question is by construction
    # unanswered, so a plain insert is enough (the unique key still guards it).
    saved = plain_sql.insert(
        Answer(checkin=checkin, question=question, text=message.body, value=value, message=message)
    )
    transaction.on_commit(lambda: dispatch.send(evaluate_answer, saved.pk))
    return saved


def _raise_crisis(member: Member, message: Message, answer: Answer | None = None) -> list[str]:
    raise_crisis(member, message=message, answer=answer)
    # The 988 reply answers the member's own text, so it goes back even to a
    # member who opted out or was discharged (CONTRACT §6).
    return [member.program.crisis_text(member.language)]


# A member who keeps texting outside a check-in hears back once in a while,
# not after every line.
FREE_TEXT_REPLY_EVERY = timezone.timedelta(hours=6)


def _free_text(member: Member, message: Message) -> list[str]:
    # The text itself reaches the supporter through GET /members/{id}/messages
    # and the member page; a request to be called or to talk also raises an
    # urgent alert (CONTRACT §6), whose reason and staff texts never carry the
    # member's words. Any other free text gets the supporter a privacy-safe
    # notice, at most once an hour per member (inbox/notices.py).
    alerted = False
    if reader.asks_for_contact(message.body):
        finding = rules.contact_request(member)
        if finding is not None:  # None: the program switched the rule off
            alerted = bool(raise_alerts(member, [finding]))
    if not alerted:
        notify_supporter_of_text(member)
    recently_told = Message.objects.filter(
        member=member,
        direction=Message.Direction.OUTBOUND,
        kind=Message.Kind.REPLY,
        created_at__gte=timezone.now() - FREE_TEXT_REPLY_EVERY,
    ).exists()
    if recently_told:
        return []
    return [say("free_text", member.language, supporter=member.supporter.name.split()[0])]
