from django.apps import AppConfig

from sms.signals import delivery_failed


class AlertsConfig(AppConfig):
    name = "alerts"

    def ready(self) -> None:
        # Imported here, not at the top: tasks loads models, which may only be
        # imported once the app registry is ready.
        from alerts.tasks import on_delivery_failed

        # The one way the sms app reaches alerts (sms imports nothing from alerts).
        delivery_failed.connect(on_delivery_failed, dispatch_uid="alerts.on_delivery_failed")
