"""Forms for the web app. Validation that matters beyond the form (lockout,
enrolment rules, resolve rules) lives in the service functions the views call."""

import datetime as dt

from django import forms

from accounts.models import Staff
from alerts.acknowledgement import OUTCOME_MAX
from alerts.models import Alert, RuleSetting, Severity
from alerts.review import LogFilter
from checkins.models import Program, Question


class SignInForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(max_length=200, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class NoteForm(forms.Form):
    note = forms.CharField(max_length=OUTCOME_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    outcome = forms.CharField(
        max_length=OUTCOME_MAX,
        label="Outcome",
        help_text="What happened, in a few words: “reached by phone, safe”.",
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


class ProgramForm(forms.ModelForm):
    ack_timeout_seconds = forms.IntegerField(
        min_value=5,
        max_value=7 * 24 * 3600,
        label="Acknowledge within (seconds)",
        help_text="After this long without an acknowledgement an alert escalates to supervisors.",
    )
    max_reminders = forms.IntegerField(min_value=0, max_value=50, label="Reminders to supervisors")
    checkin_window_minutes = forms.IntegerField(
        min_value=5, max_value=24 * 60, label="Check-in stays open (minutes)",
        help_text="How long a member has to answer before the check-in counts as missed.",
    )

    class Meta:
        model = Program
        fields = ["name", "send_window_start", "send_window_end", "checkin_window_minutes", "ack_timeout_seconds",
                  "max_reminders"]
        labels = {"send_window_start": "Send prompts from", "send_window_end": "Send prompts until"}
        widgets = {
            "send_window_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "send_window_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("send_window_start"), data.get("send_window_end")
        if isinstance(start, dt.time) and isinstance(end, dt.time) and start >= end:
            self.add_error("send_window_end", "Must be later than the start of the window.")
        return data


class QuestionForm(forms.ModelForm):
    text_en = forms.CharField(label="English", max_length=320, widget=forms.Textarea(attrs={"rows": 2}))
    text_es = forms.CharField(label="Español", max_length=320, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Question
        fields = ["text_en", "text_es"]


class RuleForm(forms.ModelForm):
    threshold = forms.IntegerField(required=False, min_value=0, max_value=100)

    class Meta:
        model = RuleSetting
        fields = ["enabled", "severity", "threshold"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind in RuleSetting.ALWAYS_ON:
            self.fields["enabled"].disabled = True  # crisis rules are always on
        if RuleSetting.DEFAULTS[self.instance.kind][1] is None:
            self.fields["threshold"].disabled = True  # this rule has no threshold


QuestionFormSet = forms.modelformset_factory(Question, form=QuestionForm, extra=0, can_delete=False, edit_only=True)
RuleFormSet = forms.modelformset_factory(RuleSetting, form=RuleForm, extra=0, can_delete=False, edit_only=True)


class SandboxTextForm(forms.Form):
    body = forms.CharField(max_length=1600, label="Reply", widget=forms.TextInput(attrs={"autocomplete": "off"}))
