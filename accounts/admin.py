from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm

from accounts.models import ApiToken, Organization, Staff
from accounts.throttle import Throttled


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The admin sign-in goes through the same throttle as the web app and the
    API (accounts.throttle.ThrottledModelBackend); this only says so plainly
    instead of "wrong password" while the client must wait."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            retry_after = getattr(self.request, "sign_in_retry_after", 0)
            if retry_after:
                minutes = Throttled(retry_after).minutes
                raise forms.ValidationError(
                    f"Too many failed sign-ins from here. Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
                    code="throttled",
                ) from None
            raise


admin.site.login_form = ThrottledAdminLoginForm


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

    list_display = ["prefix", "staff", "created_at", "last_used_at", "expires_at"]
    readonly_fields = ["staff", "key_hash", "prefix", "created_at", "last_used_at", "expires_at"]

    def has_add_permission(self, request):
        return False
