"""Thin Celery wrappers: each loads what it needs and calls the service."""

from celery import shared_task
from django.db import transaction

from alerts import escalation, rerouting, routing, rules
from alerts.models import RuleSetting
from checkins import adaptive
from checkins.models import Answer, CheckIn, Member, SeriesScore
from config import dispatch
from sms.models import Message


@shared_task(acks_late=True)
def evaluate_answer(answer_id: int) -> int:
    """The rules on one answer, as it arrives. The answers of one check-in are
    each evaluated by their own task, and their findings meet in the member's
    one unresolved alert (alerts.routing): one alert, one text, unless a later
    finding raises the severity."""
    answer = Answer.objects.select_related("question", "checkin__member__program").filter(pk=answer_id).first()
    if answer is None:
        return 0
    # Crisis findings were raised in the webhook already; raising again only
    # finds the open alert and adds nothing.
    findings = rules.after_answer(answer)
    return len(routing.raise_alerts(answer.checkin.member, findings))


@shared_task(acks_late=True)
def evaluate_silence(member_id: int) -> int:
    member = Member.objects.select_related("program").filter(pk=member_id).first()
    if member is None:
        return 0
    if member.program.adaptive_schedule:
        # A missed streak steps the schedule up (checkins.adaptive), before any alert.
        adaptive.after_missed(member, rules.missed_in_a_row(member))
    return len(routing.raise_alerts(member, rules.after_missed(member)))


@shared_task(acks_late=True)
def count_if_clear(checkin_id: int) -> bool:
    """A completed check-in of an adaptive program: one more clear check-in
    in a row if none of its answers has a risk finding (alerts.routing)."""
    checkin = CheckIn.objects.select_related("member__program").filter(pk=checkin_id).first()
    return checkin is not None and routing.count_if_clear(checkin)


@shared_task(acks_late=True)
def handle_delivery_failure(message_id: int) -> None:
    message = Message.objects.select_related("alert", "staff", "member__program").filter(pk=message_id).first()
    if message is not None:
        routing.handle_delivery_failure(message)


def on_delivery_failed(sender, message_id: int, **kwargs) -> None:
    """Receiver of sms.signals.delivery_failed (connected in AlertsConfig.ready):
    the sms app reports a failed text, alerts decides what it means, in a task."""
    dispatch.send(handle_delivery_failure, message_id)


def on_checkins_missed(sender, member_ids: set[int], **kwargs) -> None:
    """Receiver of checkins.signals.checkins_missed: once the closing commits,
    the silence rules look at each member who missed a check-in."""
    for member_id in member_ids:
        transaction.on_commit(lambda member_id=member_id: dispatch.send(evaluate_silence, member_id))


def on_program_created(sender, program, **kwargs) -> None:
    """Receiver of checkins.signals.program_created: a new program gets the
    default rule settings in the same transaction."""
    RuleSetting.install_defaults(program)


@shared_task(acks_late=True)
def evaluate_series_score(score_id: int) -> int:
    """The recovery_capital rule on one stored questionnaire score."""
    score = SeriesScore.objects.select_related("series", "member__program").filter(pk=score_id).first()
    if score is None:
        return 0
    return len(routing.raise_alerts(score.member, rules.recovery_capital(score)))


def on_series_scored(sender, score, **kwargs) -> None:
    """Receiver of checkins.signals.series_scored: once the score commits, the rule looks at it."""
    score_id = score.pk
    transaction.on_commit(lambda: dispatch.send(evaluate_series_score, score_id))


@shared_task
def escalate_due_alerts() -> int:
    return escalation.escalate_due()


@shared_task(acks_late=True)
def escalate_alert(alert_id: int, token: int) -> bool:
    return escalation.step(alert_id, token)


@shared_task
def reroute_alerts() -> int:
    """The coverage tick (alerts.rerouting)."""
    return rerouting.reroute_due()


def on_availability_changed(sender, staff, **kwargs) -> None:
    """Receiver of accounts.signals.availability_changed: once the change
    commits, the alerts that person holds (and their members') are re-routed."""
    transaction.on_commit(lambda: rerouting.reroute_for_staff(staff.pk))


def on_members_reassigned(sender, member_ids, **kwargs) -> None:
    """Receiver of checkins.signals.members_reassigned."""
    ids = list(member_ids)
    transaction.on_commit(lambda: rerouting.reroute_members(ids))
