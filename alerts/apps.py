from django.apps import AppConfig

from accounts.signals import availability_changed
from checkins.signals import checkins_missed, members_reassigned, program_created, series_scored
from sms.signals import delivery_failed


class AlertsConfig(AppConfig):
    name = "alerts"

    def ready(self) -> None:
        # Imported here, not at the top: tasks loads models, which may only be
        # imported once the app registry is ready.
        from alerts.tasks import (
            on_availability_changed,
            on_checkins_missed,
            on_delivery_failed,
            on_members_reassigned,
            on_program_created,
            on_series_scored,
        )

        # How the apps below reach the rules (they import nothing from alerts).
        delivery_failed.connect(on_delivery_failed, dispatch_uid="alerts.on_delivery_failed")
        checkins_missed.connect(on_checkins_missed, dispatch_uid="alerts.on_checkins_missed")
        program_created.connect(on_program_created, dispatch_uid="alerts.on_program_created")
        availability_changed.connect(on_availability_changed, dispatch_uid="alerts.on_availability_changed")
        members_reassigned.connect(on_members_reassigned, dispatch_uid="alerts.on_members_reassigned")
        series_scored.connect(on_series_scored, dispatch_uid="alerts.on_series_scored")
