from django.urls import path

from sms import webhooks

urlpatterns = [
    path("twilio/inbound", webhooks.inbound, name="twilio-inbound"),
    path("twilio/status", webhooks.status, name="twilio-status"),
]
