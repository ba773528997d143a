from django.urls import path

from web.views import alerts, auth, home, members, notes, program, review, sandbox

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
    path("members/<int:member_id>", members.member_page, name="member"),
    path("members/<int:member_id>/status", members.member_status, name="member-status"),
    path("members/<int:member_id>/checkin", members.member_checkin, name="member-checkin"),
    path("members/<int:member_id>/reply", members.member_reply, name="member-reply"),
    path("members/<int:member_id>/safety", members.member_safety, name="member-safety"),
    path("members/<int:member_id>/contact", members.member_contact, name="member-contact"),
    path("review/", review.review_page, name="review"),
    path("review/log.csv", review.review_csv, name="review-csv"),
    path("review/notes.csv", notes.notes_csv, name="notes-csv"),
    path("settings/", program.program_settings, name="program-first"),
    path("settings/<int:program_id>", program.program_settings, name="program"),
    path("sandbox/", sandbox.sandbox, name="sandbox"),
    path("sandbox/threads", sandbox.sandbox_threads, name="sandbox-threads"),
    path("sandbox/<str:key>/send", sandbox.sandbox_send, name="sandbox-send"),
    path("sandbox/members/<int:member_id>/start", sandbox.sandbox_start, name="sandbox-start"),
]
