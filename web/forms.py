"""Forms for the web app. Validation that matters beyond the form (lockout,
enrolment rules, resolve rules) lives in the service functions the views call.

One idea in one module (a little over 400 lines): every form of the web app
that checks input itself, side by side, so that each limit from config.limits
is applied the same way. The administration and coverage forms, which leave
every check to their service, are in web.service_forms.
"""

import datetime as dt

from django import forms
from django.utils import timezone

from accounts.models import Staff
from accounts.phones import InvalidPhone, to_e164
from alerts.models import Alert, RuleSetting, Severity
from alerts.review import LogFilter
from care.models import ContactNote
from checkins import adaptive
from checkins.models import CannedReply, Member, Program, Question, schedule_levels_problem
from config import limits


class SignInForm(forms.Form):
    email = forms.EmailField(max_length=limits.EMAIL_MAX, widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(max_length=limits.PASSWORD_MAX, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


NOTE_TOO_LONG = f"Keep the note to {limits.NOTE_MAX:,} characters or fewer."


class ProblemForm(forms.Form):
    """A one-field form whose first error is shown as a page message."""

    def problem(self) -> str:
        return next(iter(error for errors in self.errors.values() for error in errors), "Check the form and try again.")


class NoteForm(ProblemForm):
    note = forms.CharField(
        max_length=limits.NOTE_MAX,
        error_messages={"required": "Write a note first.", "max_length": NOTE_TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AcknowledgeForm(ProblemForm):
    note = forms.CharField(required=False, max_length=limits.NOTE_MAX, error_messages={"max_length": NOTE_TOO_LONG})


class ResolveForm(ProblemForm):
    outcome = forms.CharField(
        max_length=limits.NOTE_MAX,
        label="Outcome",
        help_text="What happened, in a few words: “reached by phone, safe”.",
        error_messages={
            "required": "Write a short outcome note, for example “reached by phone, safe”.",
            "max_length": NOTE_TOO_LONG,
        },
        widget=forms.TextInput(attrs={"list": "outcomes", "autocomplete": "off"}),
    )


class LogFilterForm(forms.Form):
    """The supervisor's filters; the same fields as GET /api/v1/review/log."""

    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    supporter_id = forms.TypedChoiceField(required=False, label="Supporter", coerce=int, empty_value=None)
    severity = forms.ChoiceField(required=False, choices=[("", "Any")] + list(Severity.choices))
    outcome = forms.ChoiceField(required=False, label="Status", choices=[("", "Any")] + list(Alert.Status.choices))
    escalated = forms.TypedChoiceField(
        required=False,
        choices=[("", "Either"), ("yes", "Escalated"), ("no", "Not escalated")],
        coerce=lambda value: value == "yes",
        empty_value=None,
    )

    def __init__(self, *args, organization_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        staff = Staff.objects.filter(organization_id=organization_id).order_by("name")
        self.fields["supporter_id"].choices = [("", "Anyone")] + [(s.pk, s.name) for s in staff]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("The start date is after the end date.")
        return data

    def log_filter(self) -> LogFilter:
        """The filter to apply; an invalid form filters nothing rather than failing the page."""
        if not self.is_valid():
            return LogFilter()
        data = self.cleaned_data
        return LogFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            supporter_id=data.get("supporter_id"),
            severity=data.get("severity") or None,
            outcome=data.get("outcome") or None,
            escalated=data.get("escalated"),
        )


class LevelsField(forms.CharField):
    """A program's adaptive levels typed as "1, 2, 3, 7"; the list is checked
    by Program.clean(), with the API's words."""

    def prepare_value(self, value):
        return adaptive.show_levels(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value)
        levels = adaptive.parse_levels(text)
        if isinstance(levels, str):
            raise forms.ValidationError(levels)
        return levels


class ProgramForm(forms.ModelForm):
    """The schedule part of a program. Bounds come from config.limits, as in
    PATCH /api/v1/programs/{id}; Program.clean() checks them again."""

    # Shown in a fieldset of their own (docs/adaptive.md).
    ADAPTIVE = ("adaptive_schedule", "schedule_levels", "step_down_after", "step_up_on_alert",
                "step_up_after_missed", "step_up_on_worsening")  # fmt: skip

    ack_timeout_seconds = forms.IntegerField(
        min_value=limits.ACK_TIMEOUT_SECONDS.min,
        max_value=limits.ACK_TIMEOUT_SECONDS.max,
        label="Acknowledge within (seconds)",
        help_text="After this long without an acknowledgement an alert escalates to supervisors (at most 7 days).",
    )
    max_reminders = forms.IntegerField(
        min_value=limits.MAX_REMINDERS.min, max_value=limits.MAX_REMINDERS.max, label="Reminders to supervisors"
    )
    checkin_window_minutes = forms.IntegerField(
        min_value=limits.CHECKIN_WINDOW_MINUTES.min, max_value=limits.CHECKIN_WINDOW_MINUTES.max,
        label="Check-in stays open (minutes)",
        help_text="How long a member has to answer before the check-in counts as missed.",
    )  # fmt: skip

    schedule_levels = LevelsField(
        label="Levels: days between check-ins",
        max_length=60,
        error_messages={"required": schedule_levels_problem([])},
        help_text="Most frequent first, for example 1, 2, 3, 7: daily, every other day, twice a week, weekly.",
    )
    # No bounds here: Program.clean() says what is wrong, in the API's words.
    step_down_after = forms.IntegerField(
        label="Clear check-ins in a row to step down",
        widget=forms.NumberInput(attrs={"min": limits.STEP_DOWN_AFTER.min, "max": limits.STEP_DOWN_AFTER.max}),
        help_text="A completed check-in with no risk finding is clear; after this many in a row, one level less often.",
    )
    step_up_after_missed = forms.IntegerField(
        label="Missed check-ins in a row to step back up",
        widget=forms.NumberInput(
            attrs={"min": limits.STEP_UP_AFTER_MISSED.min, "max": limits.STEP_UP_AFTER_MISSED.max}
        ),
        help_text="0: never.",
    )

    class Meta:
        model = Program
        fields = ["name", "send_window_start", "send_window_end", "checkin_window_minutes", "ack_timeout_seconds",
                  "max_reminders", "adaptive_schedule", "schedule_levels", "step_down_after", "step_up_on_alert",
                  "step_up_after_missed", "step_up_on_worsening"]
        labels = {
            "send_window_start": "Send prompts from",
            "send_window_end": "Send prompts until",
            "adaptive_schedule": "Adapt how often members are checked in on",
            "step_up_on_alert": "Back to the first level on any alert",
            "step_up_on_worsening": "Back to the first level on a worsening trend",
        }
        help_texts = {
            "adaptive_schedule": "Off: every member daily. On: members step down after clear check-ins and straight "
            "back up when risk shows.",
            "step_up_on_worsening": "Mood falling, or craving above the member's usual.",
        }
        widgets = {
            "send_window_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "send_window_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
    # The sending window's order and every bound are checked again by
    # Program.clean(), which is what makes them hold in the admin and the API too.


class QuestionForm(forms.ModelForm):
    text_en = forms.CharField(
        label="English", max_length=limits.QUESTION_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    text_es = forms.CharField(
        label="Español", max_length=limits.QUESTION_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Question
        fields = ["text_en", "text_es"]


class RuleForm(forms.ModelForm):
    """One rule's row on the settings page. The model's clean() has the last
    word (locked rules, thresholds on the question's scale); this form only
    offers what the model will accept and says why where it cannot."""

    threshold = forms.IntegerField(
        required=False, min_value=limits.THRESHOLD_ANY.min, max_value=limits.THRESHOLD_ANY.max
    )

    class Meta:
        model = RuleSetting
        fields = ["enabled", "severity", "threshold"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.instance.kind
        if RuleSetting.is_locked(kind):
            # Always on: the checkbox is shown ticked and what is posted is ignored.
            self.fields["enabled"].disabled = True
            self.fields["severity"].choices = [
                choice for choice in Severity.choices if choice[0] in RuleSetting.allowed_severities(kind)
            ]
            self.fields["severity"].error_messages["invalid_choice"] = self.locked_severity_message()
        bounds = self.instance.threshold_range() if kind in RuleSetting.DEFAULTS else None
        if bounds is None:
            self.fields["threshold"].disabled = True  # this rule has no threshold
        else:
            self.fields["threshold"].widget.attrs.update(min=bounds.min, max=bounds.max)

    def locked_severity_message(self) -> str:
        kind = self.instance.kind
        return f"This rule cannot be set below {RuleSetting.LOCKED_AT_LEAST[kind]}: {RuleSetting.locked_reason(kind)}."

    def clean(self) -> dict:
        data = super().clean()
        kind = self.instance.kind
        if RuleSetting.is_locked(kind):
            # The disabled checkbox ignores what is posted; a post that asks
            # in so many words to switch the rule off hears why it stays on.
            name = self.add_prefix("enabled")
            if name in self.data and not forms.CheckboxInput().value_from_datadict(self.data, self.files, name):
                self.add_error(None, f"This rule cannot be switched off: {RuleSetting.locked_reason(kind)}.")
        return data


class _EditOnlyFormSet(forms.BaseModelFormSet):
    def clean(self) -> None:
        super().clean()
        # edit_only never saves extra forms; a post that adds some was not made
        # by this page, and says so rather than being half-applied.
        if self.total_form_count() > self.initial_form_count():
            raise forms.ValidationError("Rows cannot be added here.")


QuestionFormSet = forms.modelformset_factory(
    Question, form=QuestionForm, formset=_EditOnlyFormSet, extra=0, can_delete=False, edit_only=True,
    max_num=100, absolute_max=100, validate_max=True,
)  # fmt: skip
RuleFormSet = forms.modelformset_factory(
    RuleSetting, form=RuleForm, formset=_EditOnlyFormSet, extra=0, can_delete=False, edit_only=True,
    max_num=len(RuleSetting.Kind), absolute_max=len(RuleSetting.Kind), validate_max=True,
)  # fmt: skip


class CannedReplyForm(forms.ModelForm):
    """One canned reply on the settings page, to add or edit. The limits are
    config.limits'; CannedReply.clean() checks them again."""

    label = forms.CharField(
        max_length=limits.CANNED_LABEL_MAX,
        label="Label",
        help_text="What staff pick from, in a few words: “Call me”.",
        error_messages={
            "required": "Give the canned reply a short label.",
            "max_length": f"Keep the label to {limits.CANNED_LABEL_MAX} characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = forms.CharField(
        max_length=limits.STAFF_TEXT_MAX,
        label="Text",
        help_text="Put in the reply box as it is; staff can change it before sending.",
        error_messages={
            "required": "Write the text of the canned reply.",
            "max_length": f"Keep the text to {limits.STAFF_TEXT_MAX:,} characters or fewer.",
        },
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = CannedReply
        fields = ["label", "body"]


class SandboxTextForm(forms.Form):
    body = forms.CharField(
        max_length=limits.STAFF_TEXT_MAX, label="Reply", widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class ReplyForm(forms.Form):
    """A text from staff to a member. The sending rule (the length after
    stripping, opted out, discharged) is inbox.replies.send_staff_text's; a
    refusal is added here as the form's error."""

    body = forms.CharField(
        max_length=limits.STAFF_TEXT_MAX,
        label="Text to the member",
        help_text="Sent from the program's number through the outbox; its delivery status shows in the messages.",
        error_messages={
            "required": "Write the text first.",
            "max_length": f"Keep the text to {limits.STAFF_TEXT_MAX:,} characters or fewer.",
        },
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )


class SafetyForm(forms.ModelForm):
    """The member's emergency contact and safety plan: optional, shown on
    every alert page for whoever picks the alert up."""

    emergency_contact_name = forms.CharField(
        required=False,
        max_length=limits.EMERGENCY_CONTACT_NAME_MAX,
        label="Emergency contact",
        error_messages={"max_length": f"Keep the name to {limits.EMERGENCY_CONTACT_NAME_MAX} characters or fewer."},
    )
    emergency_contact_phone = forms.CharField(
        required=False,
        max_length=limits.PHONE_INPUT_MAX,
        label="Their phone",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        error_messages={"max_length": "This phone number is too long; write it like +1 555 555 0100."},
    )
    safety_plan = forms.CharField(
        required=False,
        max_length=limits.SAFETY_PLAN_MAX,
        label="Safety plan",
        help_text="A few lines: warning signs, what helps, who to call.",
        error_messages={"max_length": f"Keep the safety plan to {limits.SAFETY_PLAN_MAX:,} characters or fewer."},
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Member
        fields = ["emergency_contact_name", "emergency_contact_phone", "safety_plan"]

    def clean_emergency_contact_phone(self) -> str:
        raw = self.cleaned_data["emergency_contact_phone"].strip()
        if not raw:
            return ""
        try:
            return to_e164(raw)
        except InvalidPhone as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self) -> dict:
        data = super().clean()
        if data.get("emergency_contact_phone") and not data.get("emergency_contact_name"):
            self.add_error("emergency_contact_name", "Write whose number this is.")
        return data


class ContactNoteForm(forms.Form):
    """A contact note, from the member page or with the alert page's resolve.
    The form checks what it can show next to a field (lengths, the duration's
    bounds, the end after the start); care.notes.record_note checks the whole
    note again (ContactNote.problems) and its problems are shown here too
    (add_problems)."""

    # Where each of ContactNote.problems' fields is shown on this form.
    FIELD_OF = {"outcome": "contact_outcome", "started_at": "start", "ended_at": "end"}

    contact_outcome = forms.ChoiceField(
        label="Outcome", choices=ContactNote.Outcome.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose how the contact ended: reached, not reached, referred or emergency services."},
    )  # fmt: skip
    modality = forms.ChoiceField(
        label="Contact type", choices=ContactNote.Modality.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of contact: call, text, in person or video."},
    )  # fmt: skip
    contact_date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(required=False, label="Start", widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(required=False, label="End", widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        required=False, label="or duration (minutes)",
        min_value=limits.CONTACT_MINUTES.min, max_value=limits.CONTACT_MINUTES.max,
        error_messages={
            "min_value": f"The duration must be {limits.CONTACT_MINUTES.describe()} minutes.",
            "max_value": f"The duration must be {limits.CONTACT_MINUTES.describe()} minutes.",
        },
    )  # fmt: skip
    intervention = forms.CharField(
        label="What was done", max_length=limits.NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write what was done, for example “called, talked through the safety plan”.",
                        "max_length": f"Keep what was done to {limits.NOTE_MAX:,} characters or fewer."},
    )  # fmt: skip
    response = forms.CharField(
        required=False, label="Their response", max_length=limits.NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": f"Keep the response to {limits.NOTE_MAX:,} characters or fewer."},
    )  # fmt: skip
    plan = forms.CharField(
        required=False, label="Plan", max_length=limits.NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": f"Keep the plan to {limits.NOTE_MAX:,} characters or fewer."},
    )  # fmt: skip
    follow_up_on = forms.DateField(
        required=False, label="Follow up on", widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: it shows on your home page that day, and raises an alert the morning after if no contact is logged.",
    )  # fmt: skip
    corrects = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        start, end, day = data.get("start"), data.get("end"), data.get("contact_date")
        if (start is None) != (end is None) and "start" not in self.errors and "end" not in self.errors:
            self.add_error("end" if end is None else "start", "Give both the start and the end, or neither.")
        elif start is not None and end is not None and end <= start:
            self.add_error("end", "The end must be after the start.")
        elif start is None and data.get("duration_minutes") is None and "duration_minutes" not in self.errors:
            self.add_error("duration_minutes", "Give the start and end, or the duration in minutes.")
        if day and data.get("follow_up_on") and data["follow_up_on"] < day:
            self.add_error("follow_up_on", "The follow-up date is before the contact.")
        return data

    def note_fields(self) -> dict:
        """record_note's keyword fields (not `corrects`, which the view looks up in scope).
        Times are read in the staff member's time zone (the one pages show)."""
        data = self.cleaned_data
        tz = timezone.get_current_timezone()

        def at(clock: dt.time | None) -> dt.datetime | None:
            return dt.datetime.combine(data["contact_date"], clock, tzinfo=tz) if clock else None

        return {
            "outcome": data["contact_outcome"],
            "modality": data["modality"],
            "contact_date": data["contact_date"],
            "started_at": at(data.get("start")),
            "ended_at": at(data.get("end")),
            "duration_minutes": None if data.get("start") else data.get("duration_minutes"),
            "intervention": data["intervention"],
            "response": data.get("response", ""),
            "plan": data.get("plan", ""),
            "follow_up_on": data.get("follow_up_on"),
        }

    def add_problems(self, problems: dict[str, str]) -> None:
        for field, problem in problems.items():
            name = self.FIELD_OF.get(field, field)
            self.add_error(name if name in self.fields and name != "corrects" else None, problem)

    def problem(self) -> str:
        return next(iter(error for errors in self.errors.values() for error in errors), "Check the contact note.")


class NotesPeriodForm(forms.Form):
    """The period of the contact-notes CSV: /review/notes.csv?from=&to= (both included)."""

    MAX_DAYS = 366

    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, query, *args, **kwargs):
        data = {"date_from": query.get("from", ""), "date_to": query.get("to", "")}
        super().__init__(data, *args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                raise forms.ValidationError("The start date is after the end date.")
            if (end - start).days >= self.MAX_DAYS:
                raise forms.ValidationError(f"Export at most {self.MAX_DAYS} days at a time.")
        return data

    def problem(self) -> str:
        return next(iter(error for errors in self.errors.values() for error in errors), "Give a period.")


# --- Records: the disclosure notice and the accounting's period ----------------------

NOTICE_MAX = 5_000


class NoticeForm(ProblemForm):
    """The organization's disclosure notice; empty goes back to the rule's own words."""

    notice = forms.CharField(
        required=False,
        max_length=NOTICE_MAX,
        label="Disclosure notice",
        help_text="Sent with every export, printout and member copy. Leave empty to use the words of 42 CFR §2.32.",
        error_messages={"max_length": f"Keep the notice to {NOTICE_MAX:,} characters or fewer."},
        widget=forms.Textarea(attrs={"rows": 12}),
    )


class PeriodForm(forms.Form):
    """?from=&to= (both days included); either may be left out: this month so far."""

    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, query, *args, **kwargs):
        today = timezone.localdate()
        data = {"date_from": query.get("from") or today.replace(day=1), "date_to": query.get("to") or today}
        super().__init__(data, *args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("The start date is after the end date.")
        return data

    def bounds(self) -> tuple[dt.date, dt.date]:
        """The days asked for; this month so far when they are not valid dates."""
        if self.is_valid():
            return self.cleaned_data["date_from"], self.cleaned_data["date_to"]
        today = timezone.localdate()
        return today.replace(day=1), today

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as [start, end) in the current time zone."""
        start, end = self.bounds()
        tz = timezone.get_current_timezone()
        return (
            dt.datetime.combine(start, dt.time(), tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz),
        )
