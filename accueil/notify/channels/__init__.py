"""Channels are plug-ins behind one interface: ``send(message) -> provider id``.

A channel raises ``TemporaryFailure`` for what a retry may fix (a provider down, a timeout, an
SMTP 4xx) and ``PermanentFailure`` for what it will not (an address refused, an SMTP 5xx).
Adding a channel: see CONTRIBUTING.md.
"""

from importlib import import_module


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
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
        raise PermanentFailure(f"no channel named {name!r}") from None
    return getattr(import_module(module_name), class_name)()
