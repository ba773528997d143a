"""Contact notes: the unit of peer work (who reached whom, how, for how long,
what was done, the member's response, the plan), and the follow-ups they set.

A contact note is a record, written once: ContactNote.save() refuses an
update and delete() refuses outright, as the escalation log does
(config/written_once.py). A mistake is put right by a new note that
names the note it corrects (`corrects`); the corrected note stays, and the
billing export counts only the newest note of such a chain.

A follow-up is the task a note's follow-up date sets. Its state changes once
each way it can (done, alerted), each a compare-and-set from NULL, so a row
never loses what it said: `done_at` with the note that did it, and
`alerted_at` with the alert the overdue check raised.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from checkins.models import Member
from config import limits
from config.written_once import WrittenOnce

# Billing counts 15-minute units by the "8-minute rule": a unit needs at least
# 8 minutes, and each further unit starts past the midpoint of the next 15
# (8-22 minutes is 1 unit, 23-37 is 2, 38-52 is 3, ...; under 8 is none).
UNIT_MINUTES = 15


def billing_units(minutes: int | None) -> int:
    if not minutes or minutes < 8:
        return 0
    return (minutes + 7) // UNIT_MINUTES


class ContactNoteQuerySet(models.QuerySet):
    def visible_to(self, staff) -> "ContactNoteQuerySet":
        """Notes of the staff member's organization; a supporter sees only
        those about their own members (as Member.objects.visible_to)."""
        notes = self.filter(organization_id=staff.organization_id)
        if not staff.is_supervisor:
            notes = notes.filter(member__in=Member.objects.visible_to(staff))
        return notes

    def current(self) -> "ContactNoteQuerySet":
        """Notes no later note corrects: what a contact finally was."""
        return self.filter(corrections__isnull=True)


class ContactNote(WrittenOnce):
    refusal_hint = ": write a correction note instead"

    class Outcome(models.TextChoices):
        REACHED = "reached", "Reached"
        NOT_REACHED = "not_reached", "Not reached"
        REFERRED = "referred", "Referred"
        EMERGENCY = "emergency_services", "Emergency services"

    class Modality(models.TextChoices):
        CALL = "call", "Call"
        TEXT = "text", "Text"
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video"

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="contact_notes"
    )
    member = models.ForeignKey(
        "checkins.Member", on_delete=models.CASCADE, related_name="contact_notes"
    )
    staff = models.ForeignKey(
        "accounts.Staff", on_delete=models.PROTECT, related_name="contact_notes"
    )
    alert = models.ForeignKey(
        "alerts.Alert",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_notes",
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    modality = models.CharField(max_length=10, choices=Modality.choices)
    # The day of the contact, as the staff member entered it (their time zone);
    # the start and end when given, else only the duration.
    contact_date = models.DateField()
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField()
    intervention = models.TextField("what was done")
    response = models.TextField("the member's response", blank=True)
    plan = models.TextField(blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ContactNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-contact_date", "-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "contact_date"], name="note_org_date_idx"
            )
        ]

    def __str__(self) -> str:
        return f"Contact note {self.pk} ({self.contact_date})"

    @property
    def units(self) -> int:
        return billing_units(self.duration_minutes)

    def problems(self) -> dict[str, str]:
        """What is wrong with this note, by field; empty when it may be stored.
        The web form shows the same words (it asks here)."""
        problems: dict[str, str] = {}
        for field, label in (
            ("intervention", "what was done"),
            ("response", "the response"),
            ("plan", "the plan"),
        ):
            text = getattr(self, field) or ""
            if "\x00" in text:
                problems[field] = "This text holds a character that cannot be stored."
            elif len(text) > limits.NOTE_MAX:
                problems[field] = (
                    f"Keep {label} to {limits.NOTE_MAX:,} characters or fewer (this has {len(text):,})."
                )
        if not (self.intervention or "").strip():
            problems["intervention"] = (
                "Write what was done, for example “called, talked through the safety plan”."
            )
        if self.outcome != self.Outcome.NOT_REACHED:
            if not (self.response or "").strip() and "response" not in problems:
                problems["response"] = (
                    "Write how the member responded (leave it empty only when not reached)."
                )
            if not (self.plan or "").strip() and "plan" not in problems:
                problems["plan"] = (
                    "Write the plan (leave it empty only when not reached)."
                )
        if (self.started_at is None) != (self.ended_at is None):
            problems["ended_at" if self.ended_at is None else "started_at"] = (
                "Give both the start and the end, or neither."
            )
        elif self.started_at is not None and self.ended_at <= self.started_at:
            problems["ended_at"] = "The end must be after the start."
        if self.duration_minutes not in limits.CONTACT_MINUTES:
            problems.setdefault(
                "duration_minutes",
                f"The duration must be {limits.CONTACT_MINUTES.describe()} minutes.",
            )
        if self.follow_up_on is not None:
            if self.follow_up_on < self.contact_date:
                problems["follow_up_on"] = "The follow-up date is before the contact."
            elif self.follow_up_on > self.contact_date + dt.timedelta(
                days=limits.FOLLOW_UP_MAX_DAYS
            ):
                problems["follow_up_on"] = (
                    "Set a follow-up within a year of the contact."
                )
        if self.corrects_id is not None and self.corrects.member_id != self.member_id:
            problems["corrects"] = "A correction must be about the same member."
        return problems

    def clean(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationError(problems)

    def save(self, *args, **kwargs) -> None:
        if self.pk is None:
            self.clean()
        super().save(*args, **kwargs)


class FollowUp(models.Model):
    """The follow-up a note set: due on `due_on`, done when a later contact
    with the member is logged (or the note is corrected), alerted once when
    overdue. Each state is set once, from NULL, by a compare-and-set."""

    note = models.OneToOneField(
        ContactNote, on_delete=models.CASCADE, related_name="follow_up"
    )
    member = models.ForeignKey(
        "checkins.Member", on_delete=models.CASCADE, related_name="follow_ups"
    )
    staff = models.ForeignKey(
        "accounts.Staff", on_delete=models.PROTECT, related_name="follow_ups"
    )
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by_note = models.ForeignKey(
        ContactNote,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="closed_follow_ups",
    )
    alerted_at = models.DateTimeField(null=True, blank=True)
    alert = models.ForeignKey(
        "alerts.Alert",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=models.Q(done_at__isnull=True),
                name="follow_up_open_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Follow-up {self.pk} due {self.due_on}"
