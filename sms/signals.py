"""What the SMS app tells the rest of the system. sms imports nothing from
alerts or checkins' services: whoever cares about a text's fate connects here
(alerts connects in AlertsConfig.ready)."""

from django.dispatch import Signal

# An outbound text failed for good (the provider refused it, a status callback
# said undelivered or failed, or the member opted out meanwhile). Sent once the
# transaction that recorded the failure has committed, so receivers read the
# row as stored. Keyword argument: message_id.
delivery_failed = Signal()
