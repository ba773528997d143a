from django import forms
from django.contrib import admin

from alerts.models import Alert, AlertEvent, RuleSetting, Severity
from checkins.admin import ProgramAdmin


class AlertEventInline(admin.TabularInline):
    """The escalation log is append-only: shown here, never edited or deleted."""

    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ["type", "at", "actor", "channel", "detail"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["id", "member", "topic", "severity", "status", "escalation_level", "created_at"]
    list_filter = ["status", "severity", "topic", "organization"]
    raw_id_fields = ["member", "supporter", "acknowledged_by", "resolved_by"]
    readonly_fields = ["escalation_token", "next_escalation_at"]
    inlines = [AlertEventInline]


@admin.register(AlertEvent)
class AlertEventAdmin(admin.ModelAdmin):
    list_display = ["alert", "type", "at", "actor", "channel"]
    list_filter = ["type", "channel"]
    readonly_fields = ["alert", "type", "at", "actor", "channel", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RuleSettingForm(forms.ModelForm):
    """The model's own checks (locked rules, thresholds on the question's
    scale) show as form errors; a locked rule offers only the severities it may have."""

    class Meta:
        model = RuleSetting
        fields = ["program", "kind", "enabled", "severity", "threshold"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.instance.kind if self.instance.pk else None
        if kind and RuleSetting.is_locked(kind) and "severity" in self.fields:
            self.fields["severity"].choices = [
                choice for choice in Severity.choices if choice[0] in RuleSetting.allowed_severities(kind)
            ]
            self.fields["severity"].error_messages["invalid_choice"] = (
                f"This rule cannot be set below {RuleSetting.LOCKED_AT_LEAST[kind]}: "
                f"{RuleSetting.locked_reason(kind)}."
            )


@admin.register(RuleSetting)
class RuleSettingAdmin(admin.ModelAdmin):
    form = RuleSettingForm
    list_display = ["program", "kind", "enabled", "severity", "threshold"]
    list_filter = ["program", "kind"]

    def get_readonly_fields(self, request, obj=None):
        # A row stays the rule it is: turning the crisis row into another rule
        # would remove the crisis rule by the back door.
        return ["program", "kind"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # Without its row a locked rule would still run on its default, but
        # deleting it says something the system will not do.
        if obj is not None and RuleSetting.is_locked(obj.kind):
            return False
        return super().has_delete_permission(request, obj)


class RuleInline(admin.TabularInline):
    """A program's rule settings on its own page, with the same checks."""

    model = RuleSetting
    form = RuleSettingForm
    extra = 0

    def has_delete_permission(self, request, obj=None):
        # The locked rules can't be deleted from here either (see above).
        return False


# The program page belongs to checkins, which knows nothing of rules.
ProgramAdmin.inlines = [*ProgramAdmin.inlines, RuleInline]
