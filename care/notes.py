"""Recording contact notes, and the follow-ups they set.

- record_note: one contact, checked (ContactNote.problems) and stored once.
  A new contact with a member closes that member's open follow-ups (someone
  followed up); a correction closes only the follow-up of the note it
  corrects, and sets its own if it has a date.
- resolve_with_note: the alert page's resolve: the note, then
  alerts.acknowledgement.resolve, in one transaction (both or neither).
- due_follow_ups: what the home page lists for the signed-in staff member.
- overdue_follow_ups / raise_overdue_follow_ups: the periodic check. A
  follow-up is overdue at OVERDUE_AT (member's local time) on the day after
  its date, so nobody is texted at midnight about a day that just ended.
  It raises one `follow_up_overdue` finding (warning) through
  alerts.routing, once: `alerted_at` is set by a compare-and-set, so two
  beats, or a check run twice, raise it once.

Locks: a follow-up row is changed before the member's alert is locked, in
every path (record_note then resolve; the claim then raise_alerts), so the
two never wait on each other in opposite orders. Nothing here logs a note's
words.
"""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from accounts.models import Staff
from alerts import routing, rules
from alerts.acknowledgement import resolve
from alerts.models import Alert
from care.models import ContactNote, FollowUp
from checkins.models import Member
from coverage.routing import supporters_covered_by

log = logging.getLogger(__name__)

# When a follow-up becomes overdue: this local time on the day after its date.
OVERDUE_AT = dt.time(9, 0)


class NoteError(ValueError):
    """The note cannot be stored; `problems` says why, by field."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__(next(iter(problems.values()), "Check the note."))


def _text(value: str | None) -> str:
    # PostgreSQL text cannot hold NUL, and it means nothing in a note.
    return (value or "").replace("\x00", "").strip()


def build_note(
    member: Member,
    staff: Staff,
    *,
    outcome: str,
    modality: str,
    contact_date: dt.date,
    intervention: str,
    response: str = "",
    plan: str = "",
    duration_minutes: int | None = None,
    started_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
    follow_up_on: dt.date | None = None,
    alert: Alert | None = None,
    corrects: ContactNote | None = None,
) -> ContactNote:
    """The note as it would be stored, unsaved; NoteError if it cannot be."""
    problems: dict[str, str] = {}
    if staff.organization_id != member.organization_id:
        problems["member"] = "This member is not in your organization."
    if alert is not None and alert.member_id != member.pk:
        problems["alert"] = "This alert is about another member."
    if outcome not in ContactNote.Outcome.values:
        problems["outcome"] = (
            "Choose how the contact ended: reached, not reached, referred or emergency services."
        )
    if modality not in ContactNote.Modality.values:
        problems["modality"] = (
            "Choose the kind of contact: call, text, in person or video."
        )
    if started_at is not None and ended_at is not None and ended_at > started_at:
        minutes = round((ended_at - started_at).total_seconds() / 60)
        if duration_minutes is not None and duration_minutes != minutes:
            problems["duration_minutes"] = (
                f"The start and end make {minutes} minutes, not {duration_minutes}: give one or the other."
            )
        duration_minutes = minutes
    elif started_at is None and ended_at is None and duration_minutes is None:
        problems["duration_minutes"] = (
            "Give the start and end, or the duration in minutes."
        )
    note = ContactNote(
        organization_id=member.organization_id,
        member=member,
        staff=staff,
        alert=alert
        if alert is not None
        else (corrects.alert if corrects is not None else None),
        corrects=corrects,
        outcome=outcome,
        modality=modality,
        contact_date=contact_date,
        started_at=started_at,
        ended_at=ended_at,
        duration_minutes=duration_minutes or 0,
        intervention=_text(intervention),
        response=_text(response),
        plan=_text(plan),
        follow_up_on=follow_up_on,
    )
    for field, problem in note.problems().items():
        problems.setdefault(field, problem)
    if problems:
        raise NoteError(problems)
    return note


def record_note(member: Member, staff: Staff, **fields) -> ContactNote:
    """Check and store one contact note, close the follow-ups it answers and
    open the one it sets. Keyword fields as build_note."""
    note = build_note(member, staff, **fields)
    now = timezone.now()
    with transaction.atomic():
        note.save()
        open_follow_ups = FollowUp.objects.filter(member=member, done_at__isnull=True)
        if note.corrects_id is not None:
            open_follow_ups = open_follow_ups.filter(note_id=note.corrects_id)
        open_follow_ups.update(done_at=now, done_by_note=note)
        if note.follow_up_on is not None:
            FollowUp.objects.create(
                note=note, member=member, staff=staff, due_on=note.follow_up_on
            )
    log.info(
        "contact note %s recorded for member %s by staff %s",
        note.pk,
        member.pk,
        staff.pk,
    )
    return note


def resolve_with_note(
    alert: Alert, staff: Staff, channel: str, resolve_outcome: str = "", **fields
) -> ContactNote:
    """Record the contact note and resolve the alert with it, both or neither.
    The alert's outcome text is `resolve_outcome`, or else what was done.
    Raises NoteError (nothing stored) or alerts' ResolveError (already
    resolved: the note is rolled back too)."""
    with transaction.atomic():
        note = record_note(alert.member, staff, alert=alert, **fields)
        resolve(
            alert,
            by=staff,
            channel=channel,
            outcome=_text(resolve_outcome) or note.intervention,
        )
    return note


def due_follow_ups(staff: Staff, today: dt.date):
    """The staff member's open follow-ups due today or earlier, for members
    they can still see, oldest first; and, while they cover for someone out of
    office (coverage.routing), that person's follow-ups too."""
    owners = [staff.pk, *supporters_covered_by(staff).values_list("pk", flat=True)]
    return (
        FollowUp.objects.filter(staff_id__in=owners, done_at__isnull=True, due_on__lte=today)
        .filter(member__in=Member.objects.visible_to(staff))
        .exclude(member__status=Member.Status.DISCHARGED)
        .select_related("member", "note")
        .order_by("due_on", "id")
    )


def overdue_at(follow_up: FollowUp) -> dt.datetime:
    """When this follow-up becomes overdue: OVERDUE_AT, member's time, the day after."""
    day = follow_up.due_on + dt.timedelta(days=1)
    return dt.datetime.combine(day, OVERDUE_AT, tzinfo=follow_up.member.tz)


def overdue_follow_ups(now: dt.datetime | None = None) -> list[FollowUp]:
    """Open follow-ups past overdue_at not yet alerted, across organizations."""
    now = now or timezone.now()
    # Overdue needs the member's local date past the due date, and a local
    # date is at most a day ahead of UTC's: nothing due after today (UTC) is.
    latest = now.astimezone(dt.UTC).date()
    candidates = (
        FollowUp.objects.filter(
            done_at__isnull=True, alerted_at__isnull=True, due_on__lte=latest
        )
        .exclude(member__status=Member.Status.DISCHARGED)
        .select_related("member__program")
        .order_by("due_on", "id")
    )
    return [f for f in candidates.iterator(chunk_size=200) if now >= overdue_at(f)]


def raise_overdue_follow_ups(now: dt.datetime | None = None) -> int:
    """Raise one warning for each overdue follow-up, once. Returns how many
    follow-ups this run claimed."""
    now = now or timezone.now()
    claimed = 0
    for follow_up in overdue_follow_ups(now):
        with transaction.atomic():
            # Compare-and-set: another beat, or a contact logged a moment ago, wins.
            if not FollowUp.objects.filter(
                pk=follow_up.pk, alerted_at__isnull=True, done_at__isnull=True
            ).update(alerted_at=now):
                continue
            claimed += 1
            finding = rules.follow_up_overdue(follow_up.member, follow_up.due_on)
            if finding is None:  # the program switched the rule off
                continue
            raised = routing.raise_alerts(follow_up.member, [finding])
            if raised:
                FollowUp.objects.filter(pk=follow_up.pk).update(alert=raised[0])
        log.info("follow-up %s overdue: member %s", follow_up.pk, follow_up.member_id)
    return claimed
