from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Installed only with DEBUG on (config/settings.py), so `manage.py simulate`
    exists in development and is absent in production."""

    name = "devtools"
    verbose_name = "Development tools"
