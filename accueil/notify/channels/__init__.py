"""Channels are plug-ins behind one interface: ``send(message) -> provider id``.

A channel raises ``TemporaryFailure`` for what a retry may fix (a provider down, a timeout, an
SMTP 4xx) and ``PermanentFailure`` for what it will not (an address refused, an SMTP 5xx).
Adding a channel: see CONTRIBUTING.md.
"""

from importlib import import_module


class DeliveryFailure(Exception):
    """``str(error)`` is the technical detail (English, for operators); ``code`` names the
    reason staff read, translated (accueil.notify.labels.REASONS)."""

    def __init__(self, detail: str, code: str = ""):
        super().__init__(detail)
        self.code = code


class TemporaryFailure(DeliveryFailure):
    pass


class PermanentFailure(DeliveryFailure):
    pass


REGISTRY = {
    "email": "accueil.notify.channels.email.EmailChannel",
    "console": "accueil.notify.channels.console.ConsoleChannel",
    "webhook": "accueil.notify.channels.webhook.WebhookChannel",
    "sms": "accueil.notify.channels.sms.SmsChannel",
}


def channel_for(name: str):
    try:
        module_name, class_name = REGISTRY[name].rsplit(".", 1)
    except KeyError:
        raise PermanentFailure(f"no channel named {name!r}", "no_channel") from None
    return getattr(import_module(module_name), class_name)()
