"""Rule settings, alerts, and the append-only escalation log."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.models import Staff
from checkins.models import Member
from config import limits
from config.written_once import WrittenOnce


class Severity(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    URGENT = "urgent", "Urgent"
    CRISIS = "crisis", "Crisis"


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.URGENT: 2, Severity.CRISIS: 3}


class RuleSetting(limits.ErrorsOnShownFields, models.Model):
    """How one rule behaves in one program: on or off, how severe, its threshold.

    The rules that answer danger are locked (LOCKED_AT_LEAST): always on, and
    never below their floor, whatever the API, the settings page or the admin
    is asked to store. A program missing a row runs that rule on DEFAULTS
    (see alerts.rules.RuleBook). docs/limits.md says why.
    """

    class Kind(models.TextChoices):
        CRISIS_LANGUAGE = "crisis_language", "Crisis words in any message"
        SAFETY_YES = "safety_yes", "Safety question answered yes"
        OTHER_IN_DANGER = "other_in_danger", "Someone else in danger right now"
        USED_YES = "used_yes", "Use since the last check-in"
        CRAVING_HIGH = "craving_high", "Craving at or above the threshold"
        MOOD_LOW = "mood_low", "Mood at or below the threshold"
        MISSED = "missed", "Check-ins missed in a row (threshold: how many)"
        MISSED_MANY = "missed_many", "Many check-ins missed in a row (threshold: how many)"
        CRAVING_ABOVE_BASELINE = "craving_above_baseline", "Craving above the member's 14-day median (threshold: points)"
        MOOD_FALLING = "mood_falling", "Mood falling on several check-ins in a row (threshold: how many)"
        UNREACHABLE = "unreachable", "Texts cannot be delivered"
        CONTACT_REQUEST = "contact_request", "Asked to be contacted"
        FOLLOW_UP_OVERDUE = "follow_up_overdue", "A follow-up from a contact note is overdue"
        RECOVERY_CAPITAL = "recovery_capital", "A questionnaire score (BARC-10 …) low or falling (lines set per series)"

    # (severity, threshold) for each rule in a new program: CONTRACT §7 and the trend rules.
    DEFAULTS = {
        Kind.CRISIS_LANGUAGE: (Severity.CRISIS, None),
        Kind.SAFETY_YES: (Severity.CRISIS, None),
        Kind.OTHER_IN_DANGER: (Severity.URGENT, None),
        Kind.USED_YES: (Severity.URGENT, None),
        Kind.CRAVING_HIGH: (Severity.URGENT, 8),
        Kind.MOOD_LOW: (Severity.WARNING, 2),
        Kind.MISSED: (Severity.WARNING, 2),
        Kind.MISSED_MANY: (Severity.URGENT, 4),
        Kind.CRAVING_ABOVE_BASELINE: (Severity.WARNING, 3),
        Kind.MOOD_FALLING: (Severity.WARNING, 3),
        Kind.UNREACHABLE: (Severity.INFO, None),
        # A member asking to be called or to talk (CONTRACT §6): urgent.
        Kind.CONTACT_REQUEST: (Severity.URGENT, None),
        # A follow-up date set in a contact note passed with no contact logged (care.notes).
        Kind.FOLLOW_UP_OVERDUE: (Severity.WARNING, None),
        # A series' score under its line or fallen by its drop (checkins.series; the lines are the series').
        Kind.RECOVERY_CAPITAL: (Severity.INFO, None),
    }
    # Rules that cannot be switched off, and the lowest severity each may have.
    LOCKED_AT_LEAST = {
        Kind.CRISIS_LANGUAGE: Severity.CRISIS,
        Kind.SAFETY_YES: Severity.CRISIS,
        Kind.OTHER_IN_DANGER: Severity.URGENT,
    }
    # The crisis rules (CONTRACT §5): always on and always at `crisis`.
    ALWAYS_ON = (Kind.CRISIS_LANGUAGE, Kind.SAFETY_YES)
    # Rules whose threshold is a value on a question's scale, and that question.
    SCALE_QUESTION = {
        Kind.CRAVING_HIGH: "craving",
        Kind.MOOD_LOW: "mood",
        Kind.CRAVING_ABOVE_BASELINE: "craving",
    }
    # The scale assumed when a program has no such question (the default program's, CONTRACT §6).
    DEFAULT_SCALES = {"mood": (1, 5), "craving": (0, 10)}

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

    @classmethod
    def is_locked(cls, kind: str) -> bool:
        return kind in cls.LOCKED_AT_LEAST

    @classmethod
    def allowed_severities(cls, kind: str) -> list[str]:
        """The severities this rule may have: all of them, or those at or above its floor."""
        floor = SEVERITY_RANK[cls.LOCKED_AT_LEAST.get(kind, Severity.INFO)]
        return [value for value in Severity.values if SEVERITY_RANK[value] >= floor]

    @classmethod
    def locked_reason(cls, kind: str) -> str:
        if kind == cls.Kind.OTHER_IN_DANGER:
            return "someone else in danger right now must always reach staff, at least as urgent"
        return "crisis words and a yes to the safety question must always reach staff at once, as a crisis"

    def threshold_range(self) -> limits.Range | None:
        """The thresholds that keep this rule able to fire, or None for a rule without one.

        A scale rule's threshold lies on its question's scale: a craving
        threshold of 11 on a 0 to 10 scale would switch the rule off without
        saying so.
        """
        if self.kind in limits.COUNT_THRESHOLDS:
            return limits.COUNT_THRESHOLDS[self.kind]
        key = self.SCALE_QUESTION.get(self.kind)
        if key is None:
            return None
        low, high = self.DEFAULT_SCALES[key]
        if self.program_id is not None:
            scale = (
                self.program.questions.filter(key=key, scale_min__isnull=False, scale_max__isnull=False)
                .values_list("scale_min", "scale_max")
                .first()
            )
            if scale is not None and scale[0] < scale[1]:
                low, high = scale
        if self.kind == self.Kind.CRAVING_ABOVE_BASELINE:
            return limits.Range(1, high - low)  # points above the member's usual
        return limits.Range(low, high)

    def problems(self) -> dict[str, str]:
        """What is wrong with this setting, by field; empty when it may be stored."""
        if self.kind not in self.DEFAULTS:
            return {"kind": "Not a rule this system knows."}
        problems = {}
        if self.is_locked(self.kind):
            if not self.enabled:
                problems["enabled"] = f"This rule cannot be switched off: {self.locked_reason(self.kind)}."
            if self.severity not in self.allowed_severities(self.kind):
                floor = self.LOCKED_AT_LEAST[self.kind]
                problems["severity"] = (
                    f"This rule cannot be set below {floor}: {self.locked_reason(self.kind)}."
                )
        bounds = self.threshold_range()
        if bounds is None:
            if self.threshold is not None:
                problems["threshold"] = "This rule has no threshold."
        elif self.threshold is None:
            problems["threshold"] = f"This rule needs a threshold: {bounds.describe()}."
        elif self.threshold not in bounds:
            problems["threshold"] = f"Must be {bounds.describe()}; outside that the rule could never fire."
        return problems

    def clean(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationError(problems)

    def save(self, *args, **kwargs) -> None:
        # The last line of defence: no path stores a silenced or impossible rule.
        self.clean()
        super().save(*args, **kwargs)

    @classmethod
    def install_defaults(cls, program) -> None:
        cls.objects.bulk_create(
            [
                cls(program=program, kind=kind, severity=severity, threshold=threshold)
                for kind, (severity, threshold) in cls.DEFAULTS.items()
            ],
            ignore_conflicts=True,
        )


class AlertQuerySet(models.QuerySet):
    def visible_to(self, staff: Staff) -> "AlertQuerySet":
        """Alerts of the staff member's organization; a supporter sees only
        those of their own members. The API, the web pages and SMS (ACK) all
        ask here, so a supporter sees exactly the same alerts in each."""
        alerts = self.filter(organization_id=staff.organization_id)
        if not staff.is_supervisor:
            # Their members' alerts, and any routed to them while they cover
            # (a backup, on call): the same members Member.visible_to shows.
            alerts = alerts.filter(
                models.Q(member__supporter=staff)
                | models.Q(responder=staff)
                | models.Q(member_id__in=Member.objects.covered_by(staff))
            )
        return alerts


class Alert(models.Model):
    class Topic(models.TextChoices):
        # The topic of the alert's most severe finding (alerts.routing).
        CRISIS = "crisis", "Crisis"
        USE = "use", "Use"
        CRAVING = "craving", "Craving"
        MOOD = "mood", "Mood"
        SILENCE = "silence", "Missed check-ins"
        UNREACHABLE = "unreachable", "Unreachable"
        CONTACT = "contact", "Asked to be contacted"
        FOLLOW_UP = "follow_up", "Follow-up overdue"
        RECOVERY_CAPITAL = "recovery_capital", "Recovery capital"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="alerts")
    member = models.ForeignKey("checkins.Member", on_delete=models.CASCADE, related_name="alerts")
    supporter = models.ForeignKey("accounts.Staff", on_delete=models.PROTECT, related_name="alerts")
    # Who has the alert before it escalates to the supervisors: the supporter,
    # or whoever covers for them (coverage.routing); empty when nobody was
    # available and it went straight to the supervisors.
    responder = models.ForeignKey(
        "accounts.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="routed_alerts"
    )
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

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # One unresolved alert per member, whatever the topic (alerts.routing);
        # info alerts (never texted, not risk) apart, one per member and topic.
        # Migration 0005 says what happens to members who had several before.
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=~models.Q(status="resolved") & ~models.Q(severity="info"),
                name="one_unresolved_alert_per_member",
            ),
            models.UniqueConstraint(
                fields=["member", "topic"],
                condition=~models.Q(status="resolved") & models.Q(severity="info"),
                name="one_unresolved_info_alert_per_member_and_topic",
            ),
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


class AlertEvent(WrittenOnce):
    """One line of the escalation log. Written once; never updated or deleted."""

    class Type(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "New reason added"
        NOTIFIED = "notified", "Notified"
        DELIVERY_FAILED = "delivery_failed", "Delivery failed"
        ESCALATED = "escalated", "Escalated"
        REROUTED = "rerouted", "Rerouted"
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
