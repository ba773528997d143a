from django.apps import AppConfig


class SmsConfig(AppConfig):
    verbose_name = "SMS"
    name = "sms"
