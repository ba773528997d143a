"""Rule settings, alerts, and the append-only escalation log."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Severity(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    URGENT = "urgent", "Urgent"
    CRISIS = "crisis", "Crisis"


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.URGENT: 2, Severity.CRISIS: 3}


class RuleSetting(models.Model):
    """How one rule behaves in one program: on or off, how severe, its threshold."""

    class Kind(models.TextChoices):
        CRISIS_LANGUAGE = "crisis_language", "Crisis words in any message"
        SAFETY_YES = "safety_yes", "Safety question answered yes"
        USED_YES = "used_yes", "Use since the last check-in"
        CRAVING_HIGH = "craving_high", "Craving at or above the threshold"
        MOOD_LOW = "mood_low", "Mood at or below the threshold"
        MISSED = "missed", "Check-ins missed in a row (threshold: how many)"
        MISSED_MANY = "missed_many", "Many check-ins missed in a row (threshold: how many)"
        CRAVING_ABOVE_BASELINE = "craving_above_baseline", "Craving above the member's 14-day median (threshold: points)"
        MOOD_FALLING = "mood_falling", "Mood falling on several check-ins in a row (threshold: how many)"
        UNREACHABLE = "unreachable", "Texts cannot be delivered"

    # (severity, threshold) for each rule in a new program: CONTRACT §7 and the trend rules.
    DEFAULTS = {
        Kind.CRISIS_LANGUAGE: (Severity.CRISIS, None),
        Kind.SAFETY_YES: (Severity.CRISIS, None),
        Kind.USED_YES: (Severity.URGENT, None),
        Kind.CRAVING_HIGH: (Severity.URGENT, 8),
        Kind.MOOD_LOW: (Severity.WARNING, 2),
        Kind.MISSED: (Severity.WARNING, 2),
        Kind.MISSED_MANY: (Severity.URGENT, 4),
        Kind.CRAVING_ABOVE_BASELINE: (Severity.WARNING, 3),
        Kind.MOOD_FALLING: (Severity.WARNING, 3),
        Kind.UNREACHABLE: (Severity.INFO, None),
    }
    # Crisis rules can be tuned in severity but never switched off.
    ALWAYS_ON = (Kind.CRISIS_LANGUAGE, Kind.SAFETY_YES)

    program = models.ForeignKey("checkins.Program", on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    enabled = models.BooleanField(default=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    threshold = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["program", "id"]
        constraints = [models.UniqueConstraint(fields=["program", "kind"], name="rule_once_per_program")]

    def __str__(self) -> str:
        return f"{self.program}: {self.get_kind_display()}"

    def clean(self) -> None:
        if self.kind in self.ALWAYS_ON and not self.enabled:
            raise ValidationError({"enabled": "Crisis rules cannot be switched off."})
        if self.DEFAULTS[self.kind][1] is not None and self.threshold is None:
            raise ValidationError({"threshold": "This rule needs a threshold."})

    @classmethod
    def install_defaults(cls, program) -> None:
        cls.objects.bulk_create(
            [
                cls(program=program, kind=kind, severity=severity, threshold=threshold)
                for kind, (severity, threshold) in cls.DEFAULTS.items()
            ],
            ignore_conflicts=True,
        )


class Alert(models.Model):
    class Topic(models.TextChoices):
        # One open alert per member per topic: a new trigger adds to it.
        CRISIS = "crisis", "Crisis"
        USE = "use", "Use"
        CRAVING = "craving", "Craving"
        MOOD = "mood", "Mood"
        SILENCE = "silence", "Missed check-ins"
        UNREACHABLE = "unreachable", "Unreachable"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="alerts")
    member = models.ForeignKey("checkins.Member", on_delete=models.CASCADE, related_name="alerts")
    supporter = models.ForeignKey("accounts.Staff", on_delete=models.PROTECT, related_name="alerts")
    topic = models.CharField(max_length=16, choices=Topic.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    reasons = models.JSONField(default=list)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    # The escalation timer, claimed by the periodic tick, and the fencing token
    # a step must match: every step and every acknowledgement moves it on.
    next_escalation_at = models.DateTimeField(null=True, blank=True, db_index=True)
    escalation_token = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey("accounts.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "topic"],
                condition=~models.Q(status="resolved"),
                name="one_unresolved_alert_per_member_and_topic",
            )
        ]
        indexes = [models.Index(fields=["organization", "status", "severity"], name="alert_queue_idx")]

    def __str__(self) -> str:
        return f"Alert {self.pk} ({self.severity})"

    @property
    def severity_rank(self) -> int:
        return SEVERITY_RANK[self.severity]

    @property
    def time_to_acknowledge(self) -> float | None:
        if self.acknowledged_at is None:
            return None
        return (self.acknowledged_at - self.created_at).total_seconds()


class AppendOnlyError(Exception):
    pass


class AlertEvent(models.Model):
    """One line of the escalation log. Written once; never updated or deleted."""

    class Type(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "New reason added"
        NOTIFIED = "notified", "Notified"
        DELIVERY_FAILED = "delivery_failed", "Delivery failed"
        ESCALATED = "escalated", "Escalated"
        REMINDED = "reminded", "Reminded"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"
        NOTE = "note", "Note"

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        WEB = "web", "Web"
        API = "api", "API"
        SYSTEM = "system", "System"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=16, choices=Type.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey("accounts.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.SYSTEM)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.type} at {self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def actor_label(self) -> str:
        return self.actor.name if self.actor else "system"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Escalation log events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Escalation log events cannot be deleted.")
