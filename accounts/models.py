"""Organizations and the staff who work in them (peer supporters and supervisors),
with the API tokens they sign in with."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone

from config import limits


class Organization(models.Model):
    name = models.CharField(max_length=limits.ORGANIZATION_NAME_MAX, unique=True)
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
    name = models.CharField(max_length=limits.PERSON_NAME_MAX)
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
