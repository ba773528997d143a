from django.contrib import admin

from checkins.models import Answer, CheckIn, Member, Program, Question


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "ack_timeout_seconds", "send_window_start", "send_window_end"]
    list_filter = ["organization"]
    # alerts/admin.py adds the program's rule settings to this page.
    inlines = [QuestionInline]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "program", "supporter", "status", "next_checkin_at"]
    list_filter = ["status", "organization", "program", "language"]
    search_fields = ["name", "phone"]
    raw_id_fields = ["supporter"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    raw_id_fields = ["message"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["id", "member", "scheduled_for", "status", "source"]
    list_filter = ["status", "source"]
    raw_id_fields = ["member"]
    date_hierarchy = "scheduled_for"
    inlines = [AnswerInline]
