from django.contrib import admin

from sms.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "direction", "kind", "masked_phone", "status", "error_code", "created_at"]
    list_filter = ["direction", "kind", "status", "priority"]
    search_fields = ["provider_sid"]
    raw_id_fields = ["member", "staff", "checkin", "alert"]
    date_hierarchy = "created_at"
