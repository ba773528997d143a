"""Organizations and the staff who work in them (peer supporters and supervisors),
with the API tokens they sign in with."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    def supervisors(self) -> models.QuerySet["Staff"]:
        return self.staff.filter(role=Staff.Role.SUPERVISOR, user__is_active=True)


class Staff(models.Model):
    class Role(models.TextChoices):
        SUPPORTER = "supporter", "Peer supporter"
        SUPERVISOR = "supervisor", "Supervisor"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=Role.choices)
    # E.164. Unique across the system, because an inbound text (ACK) is
    # matched to one staff member by the number it comes from.
    phone = models.CharField(max_length=20, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

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


def short_name(full_name: str) -> str:
    """First name and last initial: how people are named in texts to staff."""
    parts = full_name.split()
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0]}."


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored: a copy of the database does
    not let anyone call the API."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="The first characters, to tell tokens apart.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.staff.name})"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, staff: Staff) -> str:
        """Create a token and return its plaintext, which is shown once and never stored."""
        key = secrets.token_urlsafe(32)
        cls.objects.create(staff=staff, key_hash=cls.hash(key), prefix=key[:8])
        return key

    @classmethod
    def authenticate(cls, key: str) -> Staff | None:
        if not key or len(key) > 200:
            return None
        token = (
            cls.objects.select_related("staff__user", "staff__organization")
            .filter(key_hash=cls.hash(key), staff__user__is_active=True)
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.staff
