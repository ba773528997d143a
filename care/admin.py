from django.contrib import admin

from care.models import ContactNote, FollowUp


@admin.register(ContactNote)
class ContactNoteAdmin(admin.ModelAdmin):
    """Read-only: notes are append-only (a correction is a new note)."""

    list_display = [
        "id",
        "contact_date",
        "member",
        "staff",
        "modality",
        "outcome",
        "duration_minutes",
    ]
    list_filter = ["organization", "outcome", "modality"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["id", "due_on", "member", "staff", "done_at", "alerted_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
