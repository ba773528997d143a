from django.apps import AppConfig


class InboxConfig(AppConfig):
    """The inbox reads every inbound text and hands it to the domain. The sms
    app stores nothing of members or alerts: it calls the handler registered here."""

    name = "inbox"

    def ready(self) -> None:
        from inbox.router import receive_text
        from sms.inbound import handle_texts_with

        handle_texts_with(receive_text)
