"""Starting check-ins when they are due, and closing them when their window ends.

The due time is a column (`Member.next_checkin_at`), not a countdown on the
broker: the tick claims due members with SKIP LOCKED, starts their check-ins
and moves the column on, all in one transaction. A second tick running at
the same moment skips the locked rows, and the unique (member, scheduled_for)
key stops anything that slips past.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from checkins import adaptive
from checkins.models import Answer, CheckIn, Member, Program, ScheduleChange
from checkins.signals import checkins_missed
from checkins.texts import say
from sms import outbox
from sms.models import Message

BATCH = 1000


def first_prompt(member: Member, question) -> str:
    return say("greeting", member.language, first_name=member.first_name) + question.text(member.language)


def _new_checkin(
    member: Member, program: Program, scheduled_for: dt.datetime, source: str, now: dt.datetime, questions=None
):
    # The tick passes the program's questions in: one query per program, not one per member.
    questions = program.active_questions() if questions is None else questions
    return CheckIn(
        member=member,
        scheduled_for=scheduled_for,
        source=source,
        started_at=now,
        closes_at=now + dt.timedelta(minutes=program.checkin_window_minutes),
        current_question=questions[0] if questions else None,
    )


@transaction.atomic
def start_checkin(member: Member, source: str = CheckIn.Source.STAFF) -> CheckIn:
    """Start a check-in now (staff asked for it) and send its first question.
    An open check-in is closed as incomplete first."""
    now = timezone.now()
    member = Member.objects.select_for_update().get(pk=member.pk)
    member.checkins.filter(status=CheckIn.Status.OPEN).update(status=CheckIn.Status.INCOMPLETE, ended_at=now)
    checkin = _new_checkin(member, member.program, now, source, now)
    checkin.save()
    if checkin.current_question is not None:
        outbox.queue(
            phone=member.phone,
            body=first_prompt(member, checkin.current_question),
            kind=Message.Kind.PROMPT,
            priority=Message.Priority.REPLY,
            member=member,
            checkin=checkin,
        )
    return checkin


def start_due_checkins(now: dt.datetime | None = None) -> int:
    """Start every check-in that is due. Returns how many prompts were queued."""
    now = now or timezone.now()
    started = 0
    while True:
        count, claimed = _start_batch(now)
        started += count
        if claimed < BATCH:
            return started


@transaction.atomic
def _start_batch(now: dt.datetime) -> tuple[int, int]:
    members = list(
        Member.objects.select_for_update(skip_locked=True)
        .filter(status=Member.Status.ACTIVE, next_checkin_at__lte=now)
        .order_by("next_checkin_at")[:BATCH]
    )
    if not members:
        return 0, 0
    programs = {p.pk: p for p in Program.objects.filter(pk__in={m.program_id for m in members})}
    questions = {pk: p.active_questions() for pk, p in programs.items()}
    first_questions = {pk: (qs or [None])[0] for pk, qs in questions.items()}
    CheckIn.objects.filter(member__in=members, status=CheckIn.Status.OPEN).update(
        status=CheckIn.Status.INCOMPLETE, ended_at=now
    )

    checkins, prompts = [], []
    # Adaptive schedules (checkins.adaptive): levels move in memory here and
    # are written below in bulk, only for members whose level or count moved.
    changes: list[ScheduleChange] = []
    moved: list[Member] = []
    for member in members:
        program = programs[member.program_id]
        checkin = _new_checkin(
            member, program, member.next_checkin_at, CheckIn.Source.SCHEDULE, now, questions[program.pk]
        )
        local_now = now.astimezone(member.tz).time()
        # Scheduled prompts only go out inside the program's sending window; a
        # tick that comes late (after an outage) skips the day, on the record.
        if first_questions[program.pk] is None or not program.in_send_window(local_now):
            checkin.status = CheckIn.Status.SKIPPED
            checkin.ended_at = now
        checkins.append(checkin)
        before = (member.schedule_level, member.clear_in_a_row)
        if (change := adaptive.step_down_due(member, program, now)) is not None:
            changes.append(change)
        if (member.schedule_level, member.clear_in_a_row) != before:
            moved.append(member)
        member.next_checkin_at = adaptive.next_checkin(member, program, max(now, member.next_checkin_at))

    CheckIn.objects.bulk_create(checkins)
    for member, checkin in zip(members, checkins):
        if checkin.status == CheckIn.Status.OPEN:
            prompts.append(
                Message.outbound(
                    phone=member.phone,
                    body=first_prompt(member, checkin.current_question),
                    kind=Message.Kind.PROMPT,
                    priority=Message.Priority.BULK,
                    member=member,
                    checkin=checkin,
                    now=now,
                )
            )
    Message.objects.bulk_create(prompts)
    # Members due together mostly share their next time (same local check-in
    # time and zone) and, on an adaptive schedule, their new level: one UPDATE
    # per distinct (time, level, count, reason), each row written once, is far
    # cheaper than bulk_update's CASE over every row. Members whose level did
    # not move keep the values they were read with (their rows are locked).
    moved_ids = {member.pk for member in moved}
    groups: dict[tuple, list[int]] = {}
    for member in members:
        key = (member.next_checkin_at,)
        if member.pk in moved_ids:
            key += (member.schedule_level, member.clear_in_a_row, member.schedule_reason)
        groups.setdefault(key, []).append(member.pk)
    for key, member_ids in groups.items():
        fields = {"next_checkin_at": key[0]}
        if len(key) > 1:
            fields.update(schedule_level=key[1], clear_in_a_row=key[2], schedule_reason=key[3])
        Member.objects.filter(pk__in=member_ids).update(**fields)
    if changes:
        ScheduleChange.objects.bulk_create(changes)
    if prompts:
        outbox.request_delivery()
    return len(prompts), len(members)


def close_expired_checkins(now: dt.datetime | None = None) -> int:
    """Check-ins whose window has closed: `missed` with no answer, else `incomplete`."""
    now = now or timezone.now()
    closed = 0
    while True:
        with transaction.atomic():
            expired = list(
                CheckIn.objects.select_for_update(skip_locked=True)
                .filter(status=CheckIn.Status.OPEN, closes_at__lte=now)
                .values_list("pk", "member_id")[:BATCH]
            )
            if not expired:
                return closed
            ids = [pk for pk, _ in expired]
            answered = set(Answer.objects.filter(checkin_id__in=ids).values_list("checkin_id", flat=True))
            CheckIn.objects.filter(pk__in=answered).update(status=CheckIn.Status.INCOMPLETE, ended_at=now)
            CheckIn.objects.filter(pk__in=set(ids) - answered).update(status=CheckIn.Status.MISSED, ended_at=now)
            # An unanswered questionnaire (checkins.series) is not silence on the daily check-in.
            of_series = set(
                CheckIn.objects.filter(pk__in=set(ids) - answered, series__isnull=False).values_list("pk", flat=True)
            )
            missed_members = {member_id for pk, member_id in expired if pk not in answered and pk not in of_series}
            checkins_missed.send(sender=CheckIn, member_ids=missed_members)
            closed += len(ids)
        # Missed or incomplete: not clear (checkins.adaptive). After the
        # commit, so no member row is locked while check-ins are.
        adaptive.break_streaks(ids)

