"""Organizations and the staff who work in them (peer supporters and supervisors),
with the API tokens they sign in with."""

import datetime as dt
import hashlib
import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone

from config import limits
from config.written_once import WrittenOnce


class Organization(models.Model):
    name = models.CharField(max_length=limits.ORGANIZATION_NAME_MAX, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Sent with every disclosure (42 CFR §2.32); empty: the rule's own words
    # (records.models.PART2_NOTICE).
    disclosure_notice = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name

    def supervisors(self) -> models.QuerySet["Staff"]:
        return self.staff.filter(role=Staff.Role.SUPERVISOR, user__is_active=True).select_related("user")


class Staff(models.Model):
    class Role(models.TextChoices):
        SUPPORTER = "supporter", "Peer supporter"
        SUPERVISOR = "supervisor", "Supervisor"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(max_length=limits.PERSON_NAME_MAX)
    role = models.CharField(max_length=20, choices=Role.choices)
    # E.164. Unique across the system, because an inbound text (ACK) is
    # matched to one staff member by the number it comes from.
    phone = models.CharField(max_length=20, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Coverage (coverage.routing): who takes this person's members while they
    # are out of office, and when they work. No working hours set means
    # always working, which is how every staff member starts.
    backup = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="backing_up",
        help_text="Takes this person's members' alerts and texts while they are out of office.",
    )
    timezone = models.CharField(max_length=limits.TIMEZONE_NAME_MAX, default="America/New_York")
    work_starts = models.TimeField(null=True, blank=True, help_text="Local start of the working day; empty: always working.")
    work_ends = models.TimeField(null=True, blank=True, help_text="Local end of the working day.")
    # ISO weekdays, Monday 1 to Sunday 7, as a string of digits ("12345").
    work_days = models.CharField(max_length=7, default="12345")

    class Meta:
        verbose_name_plural = "staff"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def is_supervisor(self) -> bool:
        return self.role == self.Role.SUPERVISOR

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def short_name(self) -> str:
        return short_name(self.name)

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    @property
    def has_working_hours(self) -> bool:
        return self.work_starts is not None and self.work_ends is not None and self.work_starts != self.work_ends

    def is_working_at(self, moment: dt.datetime) -> bool:
        """Within this person's working hours at `moment`, read on their own
        wall clock (so DST moves with them). A shift that ends after midnight
        (22:00 to 06:00) belongs to the day it starts."""
        if not self.has_working_hours:
            return True
        local = moment.astimezone(ZoneInfo(self.timezone))
        clock = local.time()
        today = str(local.isoweekday())
        yesterday = str((local - dt.timedelta(days=1)).isoweekday())
        if self.work_starts < self.work_ends:
            return today in self.work_days and self.work_starts <= clock < self.work_ends
        # Overnight: the evening part today, or the morning part of yesterday's shift.
        return (today in self.work_days and clock >= self.work_starts) or (
            yesterday in self.work_days and clock < self.work_ends
        )

    def absence_at(self, moment: dt.datetime) -> "OutOfOffice | None":
        return self.absences.covering(moment).order_by("ends_at").last()


def short_name(full_name: str) -> str:
    """First name and last initial: how people are named in texts to staff."""
    parts = full_name.split()
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0]}."


class OutOfOfficeQuerySet(models.QuerySet):
    def covering(self, moment: dt.datetime) -> "OutOfOfficeQuerySet":
        return self.filter(starts_at__lte=moment, ends_at__gt=moment, cancelled_at__isnull=True)


class OutOfOffice(models.Model):
    """A period a staff member is away (leave, sickness, a day off). While it
    runs, coverage.routing sends what would reach them to their backup, or to
    the supervisors. Cancelling keeps the row (cancelled_at), so the audit log
    and the alerts' events still make sense afterwards."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="absences")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    set_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = OutOfOfficeQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name_plural = "out of office periods"
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="out_of_office_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.staff.name} out {self.starts_at:%Y-%m-%d} to {self.ends_at:%Y-%m-%d}"


class AuditEntry(WrittenOnce):
    """Who changed what, and when: one line per change a supervisor (or anyone)
    makes to members, staff, coverage and the on-call rota, from the web or the
    API. Written once; never updated or deleted. `changes` maps each field to
    [before, after]; phone numbers in it are masked (accounts.audit)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=20)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=limits.PERSON_NAME_MAX, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    via = models.CharField(max_length=8, default="web")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} {self.target_type} {self.target_id} at {self.at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored: a copy of the database does
    not let anyone call the API. A token works until it expires
    (API_TOKEN_TTL_DAYS after it was issued) or is revoked: by its owner
    (`DELETE /auth/token`, `DELETE /auth/tokens/{id}`), or all of a person's
    tokens at once when their password changes or their account is
    deactivated (see `revoke_tokens_on_credential_change`). Revoking deletes
    the row, so a revoked token cannot come back."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="The first characters, to tell tokens apart.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.staff.name})"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, staff: Staff) -> str:
        """Create a token and return its plaintext, which is shown once and never stored."""
        key = secrets.token_urlsafe(32)
        now = timezone.now()
        cls.objects.create(
            staff=staff,
            key_hash=cls.hash(key),
            prefix=key[:8],
            created_at=now,
            expires_at=now + timedelta(days=settings.API_TOKEN_TTL_DAYS),
        )
        return key

    @classmethod
    def live(cls) -> models.QuerySet["ApiToken"]:
        return cls.objects.filter(expires_at__gt=timezone.now(), staff__user__is_active=True)

    @classmethod
    def find(cls, key: str) -> "ApiToken | None":
        """The live token with this plaintext, its staff member loaded; None if
        unknown, expired, revoked or its owner deactivated."""
        if not key or len(key) > 200:
            return None
        token = cls.live().select_related("staff__user", "staff__organization").filter(key_hash=cls.hash(key)).first()
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token

    @classmethod
    def authenticate(cls, key: str) -> Staff | None:
        token = cls.find(key)
        return token.staff if token is not None else None


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def revoke_tokens_on_credential_change(sender, instance, update_fields=None, **kwargs) -> None:
    """A new password or a deactivation ends every API token of that person.
    Done on the user model's save, so every path is covered: the
    `changepassword` command, the admin, a password form, `is_active=False`.
    (Sessions end too: Django ties them to the password hash, and the web
    pages refuse inactive users.)"""
    if instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. the last_login update at every sign-in
    before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    # Django re-hashes a password at sign-in when its hasher's settings change
    # (check_password saves only "password" and clears _password): the same
    # password, so not a change.
    rehash = update_fields is not None and set(update_fields) == {"password"} and instance._password is None
    password_changed = before["password"] != instance.password and not rehash
    if password_changed or (before["is_active"] and not instance.is_active):
        ApiToken.objects.filter(staff__user_id=instance.pk).delete()
