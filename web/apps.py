from django.apps import AppConfig


class WebConfig(AppConfig):
    verbose_name = "Web app"
    name = "web"
