from django.contrib import admin

from alerts.models import Alert, AlertEvent, RuleSetting


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


@admin.register(RuleSetting)
class RuleSettingAdmin(admin.ModelAdmin):
    list_display = ["program", "kind", "enabled", "severity", "threshold"]
    list_filter = ["program", "kind"]
