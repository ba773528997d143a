from django.contrib import admin

from accounts.models import ApiToken, Organization, Staff


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "organization", "user"]
    list_filter = ["role", "organization"]
    search_fields = ["name", "user__email"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by `POST /auth/token` or `createsupervisor`; here they can only be seen and revoked."""

    list_display = ["prefix", "staff", "created_at", "last_used_at"]
    readonly_fields = ["staff", "key_hash", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
