from django.urls import path

from web.views import alerts, auth, coverage, home, members, notes, oversight, program, review, roster, sandbox, staff

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("queue", home.queue_fragment, name="queue"),
    path("login/", auth.sign_in, name="login"),
    path("logout/", auth.sign_out, name="logout"),
    # The texts to staff link here: PUBLIC_BASE_URL + "/alerts/<id>" (no trailing slash).
    path("alerts/<int:alert_id>", alerts.alert_page, name="alert"),
    path("alerts/<int:alert_id>/acknowledge", alerts.acknowledge_view, name="alert-acknowledge"),
    path("alerts/<int:alert_id>/note", alerts.note_view, name="alert-note"),
    path("alerts/<int:alert_id>/resolve", alerts.resolve_view, name="alert-resolve"),
    path("alerts/<int:alert_id>/reply", alerts.reply_view, name="alert-reply"),
    path("members/", roster.members_page, name="members"),
    path("members/reassign", roster.reassign, name="members-reassign"),
    path("members/<int:member_id>/edit", roster.member_edit, name="member-edit"),
    path("members/<int:member_id>/discharge", roster.member_discharge, name="member-discharge"),
    path("members/<int:member_id>", members.member_page, name="member"),
    path("members/<int:member_id>/status", members.member_status, name="member-status"),
    path("members/<int:member_id>/checkin", members.member_checkin, name="member-checkin"),
    path("members/<int:member_id>/reply", members.member_reply, name="member-reply"),
    path("members/<int:member_id>/safety", members.member_safety, name="member-safety"),
    path("members/<int:member_id>/contact", members.member_contact, name="member-contact"),
    path("staff/", staff.staff_page, name="staff"),
    path("staff/<int:staff_id>", staff.staff_member, name="staff-member"),
    path("staff/<int:staff_id>/deactivate", staff.staff_deactivate, name="staff-deactivate"),
    path("staff/<int:staff_id>/out-of-office", staff.staff_away, name="staff-away"),
    path("staff/<int:staff_id>/out-of-office/<int:absence_id>/cancel", staff.staff_away_cancel, name="staff-away-cancel"),
    path("me/", coverage.my_coverage, name="me"),
    path("me/out-of-office", coverage.my_away, name="me-away"),
    path("me/out-of-office/<int:absence_id>/cancel", coverage.my_away_cancel, name="me-away-cancel"),
    path("caseload/", oversight.caseload_page, name="caseload"),
    path("audit/", oversight.audit_page, name="audit"),
    path("review/", review.review_page, name="review"),
    path("review/log.csv", review.review_csv, name="review-csv"),
    path("review/notes.csv", notes.notes_csv, name="notes-csv"),
    path("settings/", program.program_settings, name="program-first"),
    path("settings/<int:program_id>", program.program_settings, name="program"),
    path("settings/<int:program_id>/on-call", coverage.on_call, name="on-call"),
    path("sandbox/", sandbox.sandbox, name="sandbox"),
    path("sandbox/threads", sandbox.sandbox_threads, name="sandbox-threads"),
    path("sandbox/<str:key>/send", sandbox.sandbox_send, name="sandbox-send"),
    path("sandbox/members/<int:member_id>/start", sandbox.sandbox_start, name="sandbox-start"),
]
