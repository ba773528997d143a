"""Programs, their questions, members, and the check-ins members answer."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils.timezone import now as utc_now

from accounts.models import Organization, Staff, short_name
from checkins import reader
from config import limits, plain_sql
from config.written_once import WrittenOnce
from records import consent

LANGUAGES = [("en", "English"), ("es", "Español")]


def default_schedule_levels() -> list[int]:
    return [1, 2, 3, 7]


def schedule_levels_problem(levels) -> str | None:
    """What is wrong with a program's adaptive levels (checkins.adaptive), in
    words a supervisor can act on; None when nothing is."""
    count, first, days = limits.SCHEDULE_LEVEL_COUNT, limits.SCHEDULE_FIRST_LEVEL_DAYS, limits.SCHEDULE_LEVEL_DAYS
    if not isinstance(levels, list) or len(levels) not in count:
        return (
            f"Give {count.min} to {count.max} levels: days between check-ins, most frequent first (such as 1, 2, 3, 7)."
        )
    if not all(level in days for level in levels):
        return f"Each level must be a whole number of days from {days.min} to {days.max}."
    if levels[0] not in first:
        return f"The first level must be every {first.min} to {first.max} days."
    if any(later <= earlier for earlier, later in zip(levels, levels[1:])):
        return "Levels go from most to least frequent: each must be more days apart than the one before."
    return None


class Program(limits.ErrorsOnShownFields, models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="programs")
    name = models.CharField(max_length=limits.PROGRAM_NAME_MAX)
    checkin_window_minutes = models.PositiveIntegerField(
        default=180,
        validators=[
            MinValueValidator(limits.CHECKIN_WINDOW_MINUTES.min),
            MaxValueValidator(limits.CHECKIN_WINDOW_MINUTES.max),
        ],
        help_text="How long a member has to answer a check-in before it counts as missed.",
    )
    send_window_start = models.TimeField(default=dt.time(8, 0), help_text="Earliest local time for scheduled prompts.")
    send_window_end = models.TimeField(default=dt.time(20, 0), help_text="Latest local time for scheduled prompts.")
    ack_timeout_seconds = models.PositiveIntegerField(
        default=900,
        validators=[MinValueValidator(limits.ACK_TIMEOUT_SECONDS.min)],
        help_text="How long a notified person has to acknowledge an alert before it escalates.",
    )
    max_reminders = models.PositiveIntegerField(
        default=3, help_text="How many times supervisors are reminded of an alert nobody acknowledged."
    )
    crisis_text_en = models.TextField(
        default="If you are thinking about harming yourself or might be in danger, call or text 988 "
        "(Suicide & Crisis Lifeline) now, any time. In an emergency call 911. We have let your peer supporter know."
    )
    crisis_text_es = models.TextField(
        default="Si estás pensando en hacerte daño o podrías estar en peligro, llama o envía un texto al 988 "
        "(Línea de Prevención del Suicidio y Crisis) ahora, a cualquier hora. En una emergencia llama al 911. "
        "Le avisamos a tu compañero de apoyo."
    )
    help_text_en = models.TextField(
        default="Check-ins by text with your peer supporter. Reply STOP to stop all texts, START to restart. "
        "In a crisis call or text 988."
    )
    help_text_es = models.TextField(
        default="Mensajes de seguimiento con tu compañero de apoyo. Responde STOP para dejar de recibirlos, "
        "START para volver. En una crisis llama o envía un texto al 988."
    )
    # Risk-adaptive schedules (checkins.adaptive): off by default, so a program
    # checks in daily until a supervisor turns adaptation on.
    adaptive_schedule = models.BooleanField(default=False)
    # Days between check-ins at each level, most frequent first: daily, every
    # other day, twice a week (every 3 or 4 days), weekly.
    schedule_levels = models.JSONField(default=default_schedule_levels)
    step_down_after = models.PositiveIntegerField(
        default=14, help_text="Clear check-ins in a row that move a member one level less frequent."
    )
    step_up_on_alert = models.BooleanField(default=True, help_text="Any alert moves the member straight back to daily.")
    step_up_after_missed = models.PositiveIntegerField(
        default=2, help_text="Missed check-ins in a row that move the member back to daily (0: never)."
    )
    step_up_on_worsening = models.BooleanField(
        default=True, help_text="A worsening trend (mood falling, craving above usual) moves the member back to daily."
    )
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    # Bounds that live in config.limits rather than in field validators, so
    # that changing a limit needs no migration. The API and forms check the same.
    LIMITED = {
        "checkin_window_minutes": limits.CHECKIN_WINDOW_MINUTES,
        "ack_timeout_seconds": limits.ACK_TIMEOUT_SECONDS,
        "max_reminders": limits.MAX_REMINDERS,
        "step_down_after": limits.STEP_DOWN_AFTER,
        "step_up_after_missed": limits.STEP_UP_AFTER_MISSED,
    }
    TEXTS = {
        "crisis_text_en": "The crisis reply in English",
        "crisis_text_es": "The crisis reply in Spanish",
        "help_text_en": "The HELP reply in English",
        "help_text_es": "The HELP reply in Spanish",
    }

    def clean(self) -> None:
        problems = {}
        for field, bounds in self.LIMITED.items():
            if getattr(self, field) not in bounds:
                problems[field] = f"Must be {bounds.describe()}."
        for field, label in self.TEXTS.items():
            if not limits.PROGRAM_TEXT.min <= len(getattr(self, field) or "") <= limits.PROGRAM_TEXT.max:
                problems[field] = f"{label} must be {limits.PROGRAM_TEXT.min} to {limits.PROGRAM_TEXT.max} characters."
        if self.send_window_start and self.send_window_end and self.send_window_start >= self.send_window_end:
            problems["send_window_end"] = "Must be later than the start of the window."
        if (levels_problem := schedule_levels_problem(self.schedule_levels)) is not None:
            problems["schedule_levels"] = levels_problem
        if problems:
            raise ValidationError(problems)

    def crisis_text(self, language: str) -> str:
        return self.crisis_text_es if language == "es" else self.crisis_text_en

    def help_text(self, language: str) -> str:
        return f"{self.name}: {self.help_text_es if language == 'es' else self.help_text_en}"

    def in_send_window(self, local_time: dt.time) -> bool:
        return self.send_window_start <= local_time <= self.send_window_end

    def active_questions(self) -> list["Question"]:
        """The daily check-in's questions (a series' questions are its own).
        Plain SQL: every answered text reads them (config/plain_sql.py)."""
        sql = (
            f"SELECT {plain_sql.columns(Question, 'q')} FROM {Question._meta.db_table} q"
            " WHERE q.program_id = %s AND q.is_active = %s AND q.series_id IS NULL ORDER BY q.position, q.id"
        )
        return [question for (question,) in plain_sql.select(sql, [self.pk, True], [Question])]


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", "Number on a scale"
        YES_NO = "yes_no", "Yes or no"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questions")
    # Empty: a question of the daily check-in. Otherwise one of a series (a
    # questionnaire such as BARC-10, or one a supervisor wrote).
    series = models.ForeignKey("Series", null=True, blank=True, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=40, help_text="Stable name used by the rules: mood, craving, used, safety …")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    scale_min = models.IntegerField(null=True, blank=True)
    scale_max = models.IntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    text_en = models.TextField()
    text_es = models.TextField()
    # A follow-up is asked only when an earlier answer is at most this value
    # (the default program asks `safety` when mood is 1 or 2).
    ask_if_key = models.SlugField(max_length=40, blank=True)
    ask_if_at_most = models.IntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["program", "key"], name="question_key_unique_in_program")]

    def __str__(self) -> str:
        return f"{self.program}: {self.key}"

    def text(self, language: str) -> str:
        return self.text_es if language == "es" else self.text_en

    def asked(self) -> reader.Asked:
        """This question as the reader sees it: key, kind, scale and the prompt
        texts in both languages (their anchor words are read as answers)."""
        kind = reader.SCALE if self.kind == self.Kind.SCALE else reader.YES_NO
        prompts = tuple(text for text in (self.text_en, self.text_es) if text)
        return reader.Asked(self.key, kind, self.scale_min or 0, self.scale_max or 0, prompts)

    def reask_text(self, language: str) -> str:
        """The expected form, said plainly, for a reply that was not understood."""
        if self.kind == self.Kind.SCALE:
            if language == "es":
                return f"Perdón, no entendí. Responde con un número del {self.scale_min} al {self.scale_max}."
            return f"Sorry, I didn't get that. Please reply with a number from {self.scale_min} to {self.scale_max}."
        if language == "es":
            return "Perdón, no entendí. Responde SÍ o NO."
        return "Sorry, I didn't get that. Please reply YES or NO."

    def should_ask(self, values_by_key: dict[str, int | None]) -> bool:
        if not self.ask_if_key:
            return True
        value = values_by_key.get(self.ask_if_key)
        return value is not None and self.ask_if_at_most is not None and value <= self.ask_if_at_most


class MemberQuerySet(models.QuerySet):
    def visible_to(self, staff: Staff) -> "MemberQuerySet":
        """Members of the staff member's organization; a supporter sees only
        their own, and those they cover for now (covered_by). The API, the web
        pages and SMS all ask here, so a supporter sees exactly the same
        members in each."""
        members = self.filter(organization_id=staff.organization_id)
        if not staff.is_supervisor:
            members = members.filter(models.Q(supporter=staff) | models.Q(pk__in=Member.objects.covered_by(staff)))
        return members

    def covered_by(self, staff: Staff, moment: dt.datetime | None = None) -> models.QuerySet:
        """The ids of other supporters' members that `staff` covers for at
        `moment`: members of a supporter who is out of office with `staff` as
        their backup, and members whose unresolved alert was routed to
        `staff` (a backup, or the person on call; coverage.routing)."""
        moment = moment or utc_now()
        away = (
            Member.objects.filter(
                supporter__backup=staff,
                supporter__absences__starts_at__lte=moment,
                supporter__absences__ends_at__gt=moment,
                supporter__absences__cancelled_at__isnull=True,
            )
            .values("pk")
        )
        routed = Member.objects.filter(
            alerts__responder=staff, alerts__status__in=("open", "acknowledged")
        ).values("pk")
        return Member.objects.filter(models.Q(pk__in=away) | models.Q(pk__in=routed)).values("pk")

    def texting_from(self, phone: str) -> list["Member"]:
        """Every member with this number, in the default order, with their
        program, supporter and the supporter's user attached. Only the member
        rows are locked, FOR NO KEY UPDATE, which does not block inserts that
        reference them: texts must not queue behind enrolments or program
        changes, nor deadlock with them (docs/architecture.md, lock order).
        Plain SQL: every inbound text runs it (config/plain_sql.py)."""
        user = Staff._meta.get_field("user").related_model
        sql = (
            f"SELECT {plain_sql.columns(Member, 'm')}, {plain_sql.columns(Program, 'p')},"
            f" {plain_sql.columns(Staff, 's')}, {plain_sql.columns(user, 'u')}"
            f" FROM {Member._meta.db_table} m"
            f" JOIN {Program._meta.db_table} p ON p.id = m.program_id"
            f" JOIN {Staff._meta.db_table} s ON s.id = m.supporter_id"
            f" JOIN {user._meta.db_table} u ON u.id = s.user_id"
            " WHERE m.phone = %s ORDER BY m.name, m.id" + plain_sql.lock_rows_of("m")
        )
        members = []
        for member, program, supporter, supporter_user in plain_sql.select(sql, [phone], [Member, Program, Staff, user]):
            Staff._meta.get_field("user").set_cached_value(supporter, supporter_user)
            Member._meta.get_field("program").set_cached_value(member, program)
            Member._meta.get_field("supporter").set_cached_value(member, supporter)
            members.append(member)
        return members


class Member(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        OPTED_OUT = "opted_out", "Opted out"
        DISCHARGED = "discharged", "Discharged"

    class PauseReason(models.TextChoices):
        # Categories only: the reason reaches staff lists, never health details.
        INPATIENT = "inpatient", "Inpatient stay"
        TRAVEL = "travel", "Travel"
        BREAK = "break", "Asked for a break"
        OTHER = "other", "Other"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="members")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="members")
    supporter = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="members")
    name = models.CharField(max_length=limits.PERSON_NAME_MAX)
    phone = models.CharField(max_length=20, help_text="E.164")
    timezone = models.CharField(max_length=limits.TIMEZONE_NAME_MAX, default="America/New_York")
    language = models.CharField(max_length=2, choices=LANGUAGES, default="en")
    checkin_time = models.TimeField(help_text="Local time of the daily check-in.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    consent_at = models.DateTimeField()
    consent_method = models.CharField(
        max_length=limits.CONSENT_FIELD_MAX, help_text="How consent was given: verbal, written, web form …"
    )
    consent_text_version = models.CharField(max_length=limits.CONSENT_FIELD_MAX)
    # The newest consent record (records.consent): sending asks it. The three
    # fields above repeat the grant in force, as the API shows it.
    current_consent = models.ForeignKey(
        "records.ConsentRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The schedule's timer lives here: the tick claims rows whose time has come.
    next_checkin_at = models.DateTimeField(null=True, blank=True, db_index=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    # Set when a text could not be delivered; cleared by the next delivery or reply.
    unreachable_since = models.DateTimeField(null=True, blank=True)
    # Shown on the alert page, for whoever picks up the alert. Optional; the
    # phone is stored as E.164 (accounts.phones.to_e164, checked by the form).
    emergency_contact_name = models.CharField(max_length=limits.EMERGENCY_CONTACT_NAME_MAX, blank=True)
    emergency_contact_phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    safety_plan = models.TextField(max_length=limits.SAFETY_PLAN_MAX, blank=True)
    # A pause (checkins.pausing): no check-ins and no missed-check-in alerts
    # until the member's local morning of `paused_until`, then a welcome-back
    # text. Empty `paused_until` while paused: paused until staff resume.
    paused_until = models.DateField(null=True, blank=True)
    pause_reason = models.CharField(max_length=12, choices=PauseReason.choices, blank=True)
    # When the last pause ended: silence before it never counts towards
    # missed check-ins in a row (alerts.rules.missed_in_a_row).
    resumed_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    # Where the member is on the program's adaptive schedule (checkins.adaptive):
    # the level (0: most frequent), clear check-ins in a row at it, and why.
    schedule_level = models.PositiveSmallIntegerField(default=0)
    clear_in_a_row = models.PositiveIntegerField(default=0)
    schedule_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=utc_now)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "phone"], name="member_phone_unique_in_organization"),
            # One owner per phone across the deployment (checkins.enrollment.phone_is_taken).
            models.UniqueConstraint(
                fields=["phone"], condition=~models.Q(status="discharged"), name="member_phone_one_active_owner"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_checkin_at"], name="member_due_idx"),
            # Every inbound text looks its sender up by number alone (the unique
            # constraint's index leads with the organization, so it cannot help).
            models.Index(fields=["phone"], name="member_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.short_name

    @property
    def short_name(self) -> str:
        return short_name(self.name)

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else ""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def open_checkin_locked(self) -> "CheckIn | None":
        """The open check-in, newest first, its row locked FOR NO KEY UPDATE
        (after the member's: the documented lock order), with its current
        question attached. Plain SQL: every answer runs it (config/plain_sql.py)."""
        sql = (
            f"SELECT {plain_sql.columns(CheckIn, 'c')}, {plain_sql.columns(Question, 'q')}"
            f" FROM {CheckIn._meta.db_table} c LEFT JOIN {Question._meta.db_table} q ON q.id = c.current_question_id"
            " WHERE c.member_id = %s AND c.status = %s ORDER BY c.scheduled_for DESC, c.id DESC LIMIT 1"
            + plain_sql.lock_rows_of("c")
        )
        found = plain_sql.select(sql, [self.pk, CheckIn.Status.OPEN.value], [CheckIn, Question])
        if not found:
            return None
        checkin, question = found[0]
        CheckIn._meta.get_field("member").set_cached_value(checkin, self)
        CheckIn._meta.get_field("current_question").set_cached_value(checkin, question)
        return checkin

    @property
    def can_receive_texts(self) -> bool:
        """Active or paused, and the newest consent record is a grant."""
        return self.status in (self.Status.ACTIVE, self.Status.PAUSED) and consent.is_granted(self)

    def next_checkin_after(self, moment: dt.datetime) -> dt.datetime:
        """The first local `checkin_time` strictly after `moment`, as an aware UTC time.

        On a spring-forward day a time that does not exist (02:30) is read with
        the offset before the change, which lands an hour later on the wall
        clock; on a fall-back day the first of the two 01:30s is used, so a
        member gets exactly one check-in either way.
        """
        local = moment.astimezone(self.tz)
        day = local.date()
        for _ in range(3):
            candidate = dt.datetime.combine(day, self.checkin_time, tzinfo=self.tz)
            # Round-trip through UTC to normalise times that fall in a DST gap.
            candidate_utc = candidate.astimezone(dt.UTC)
            if candidate_utc > moment:
                return candidate_utc
            day += dt.timedelta(days=1)
        raise AssertionError("unreachable: a later day always exists")

    def opt_out(self, by_carrier: bool = False, staff: Staff | None = None, reason: str = "") -> bool:
        """Stop every text at once, and record the revocation: the member's own
        text, a carrier's opt-out, or staff with a reason. Returns False if the
        member was already out."""
        now = utc_now()
        # All or nothing: a revocation refused (staff without a reason) leaves the member as they were.
        with transaction.atomic():
            changed = Member.objects.filter(pk=self.pk, status__in=[self.Status.ACTIVE, self.Status.PAUSED]).update(
                status=self.Status.OPTED_OUT, opted_out_at=now, next_checkin_at=None
            )
            if changed:
                method = consent.Method.CARRIER if by_carrier else consent.Method.STAFF if staff else consent.Method.TEXT_REPLY
                consent.revoke(self, method=method, staff=staff, reason=reason)
                self.status, self.opted_out_at, self.next_checkin_at = self.Status.OPTED_OUT, now, None
        self.checkins.filter(status=CheckIn.Status.OPEN).update(status=CheckIn.Status.INCOMPLETE, ended_at=now)
        return bool(changed)

    def opt_in(self) -> bool:
        """The member's own START (or YES while out): texts resume, and the
        grant is recorded as by text reply, with today's consent words."""
        if self.status != self.Status.OPTED_OUT:
            return False
        self.status = self.Status.ACTIVE
        self.opted_out_at = None
        self.schedule_next_checkin()
        self.save(update_fields=["status", "opted_out_at", "next_checkin_at"])
        consent.grant(self, method=consent.Method.TEXT_REPLY, staff=None)
        return True

    def schedule_next_checkin(self, now: dt.datetime | None = None) -> None:
        now = now or utc_now()
        self.next_checkin_at = self.next_checkin_after(now) if self.status == self.Status.ACTIVE else None


class CheckIn(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Waiting for replies"
        COMPLETED = "completed", "Completed"
        INCOMPLETE = "incomplete", "Incomplete"
        MISSED = "missed", "Missed"
        SKIPPED = "skipped", "Not sent"

    class Source(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        STAFF = "staff", "Started by staff"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="checkins")
    scheduled_for = models.DateTimeField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SCHEDULE)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField(default=utc_now)
    closes_at = models.DateTimeField(db_index=True)
    current_question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Empty: the daily check-in. Otherwise the series this check-in asks.
    series = models.ForeignKey("Series", null=True, blank=True, on_delete=models.PROTECT, related_name="checkins")
    reasked = models.BooleanField(default=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Set when the check-in was counted as clear (checkins.adaptive.record_clear),
    # so that a task delivered twice counts it once.
    counted_clear = models.BooleanField(default=False)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        constraints = [
            # A double tick, or two schedulers, cannot create the same check-in twice.
            models.UniqueConstraint(fields=["member", "scheduled_for"], name="checkin_once_per_member_and_time"),
        ]
        indexes = [models.Index(fields=["status", "closes_at"], name="checkin_open_idx")]

    def __str__(self) -> str:
        return f"Check-in {self.pk} for {self.member}"

    def close(self, status: str) -> None:
        self.status = status
        self.ended_at = utc_now()
        self.save(update_fields=["status", "ended_at"])

    def next_question(self) -> "Question | None":
        """The first active question after the current one whose condition holds.
        Earlier answers are read only for a question that depends on one."""
        current = self.current_question
        answered = None
        questions = self.series.active_questions() if self.series_id else self.member.program.active_questions()
        for question in questions:
            if current is not None and (question.position, question.pk) <= (current.position, current.pk):
                continue
            if question.ask_if_key and answered is None:
                answered = dict(self.answers.values_list("question__key", "value"))
            if question.should_ask(answered or {}):
                return question
        return None


class Answer(models.Model):
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(help_text="The reply as the member wrote it.")
    # Scales store the number; yes/no stores 1 or 0; null when not understood.
    value = models.IntegerField(null=True, blank=True)
    message = models.ForeignKey("sms.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["checkin", "question"], name="answer_once_per_question")]

    def __str__(self) -> str:
        return f"Answer {self.pk} to {self.question.key}"

    @property
    def display_value(self) -> int | bool | None:
        """The value as the API shows it: a number for scales, true/false for yes/no."""
        if self.value is None:
            return None
        if self.question.kind == Question.Kind.YES_NO:
            return bool(self.value)
        return self.value


class CannedReply(models.Model):
    """A ready-made text staff can pick on the reply form and edit before
    sending; supervisors keep a program's list on its settings page. Bodies
    reach a member's lock screen, so they stay neutral, like the questions."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="canned_replies")
    label = models.CharField(max_length=limits.CANNED_LABEL_MAX, help_text="What staff pick from: a few words.")
    body = models.TextField(help_text="The text as it is put in the reply box.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["program", "position", "id"]

    def __str__(self) -> str:
        return f"{self.program}: {self.label}"

    def clean(self) -> None:
        problems = {}
        label = (self.label or "").strip()
        if not label:
            problems["label"] = "Give the canned reply a short label."
        elif len(label) > limits.CANNED_LABEL_MAX:
            problems["label"] = f"Keep the label to {limits.CANNED_LABEL_MAX} characters or fewer."
        body = (self.body or "").strip()
        if not body:
            problems["body"] = "Write the text of the canned reply."
        elif len(body) > limits.STAFF_TEXT_MAX:
            problems["body"] = f"Keep the text to {limits.STAFF_TEXT_MAX:,} characters or fewer."
        if problems:
            raise ValidationError(problems)


class ScheduleChange(WrittenOnce):
    """A member moved on the adaptive schedule, and why. Written once."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="schedule_changes")
    at = models.DateTimeField(default=utc_now)
    from_level = models.PositiveSmallIntegerField()
    to_level = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Member {self.member_id}: level {self.from_level} to {self.to_level}"


class Series(models.Model):
    """A questionnaire asked by text on the same conversation engine as the
    daily check-in: its own questions (scales with word anchors, yes/no, skip
    logic), its own rhythm, and a score (checkins.series). BARC-10 is one a
    supervisor can turn on; they can also write their own."""

    class Scoring(models.TextChoices):
        NONE = "none", "No score"
        SUM = "sum", "Sum of the answers"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="series")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    # Built-in definitions (checkins/tables/series.toml) keep their key here.
    builtin = models.CharField(max_length=20, blank=True)
    every_days = models.PositiveIntegerField(default=30, help_text="Days between two askings.")
    at_enrolment = models.BooleanField(default=True, help_text="Ask first right after enrolment (or when turned on).")
    scoring = models.CharField(max_length=8, choices=Scoring.choices, default=Scoring.SUM)
    # An info alert when a score is under `alert_below`, or falls by `alert_drop` or more since the last one.
    alert_below = models.IntegerField(null=True, blank=True)
    alert_drop = models.PositiveIntegerField(null=True, blank=True)
    intro_en = models.TextField(blank=True, help_text="Sent before the first question.")
    intro_es = models.TextField(blank=True)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["program", "name", "id"]
        verbose_name_plural = "series"
        constraints = [models.UniqueConstraint(fields=["program", "key"], name="series_key_unique_in_program")]

    def __str__(self) -> str:
        return f"{self.program}: {self.name}"

    def active_questions(self) -> list[Question]:
        return list(self.questions.filter(is_active=True).order_by("position", "id"))


class SeriesDue(models.Model):
    """When a member is next asked a series: the series' timer, as
    Member.next_checkin_at is the daily check-in's."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="series_due")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="due")
    next_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "series"], name="series_due_once")]


class SeriesScore(models.Model):
    """A completed series' score for a member (a BARC-10 total, say)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="series_scores")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="scores")
    checkin = models.OneToOneField(CheckIn, on_delete=models.CASCADE, related_name="score")
    score = models.IntegerField()
    at = models.DateTimeField(default=utc_now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["series", "member", "-at"], name="series_score_idx")]
