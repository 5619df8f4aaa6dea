"""A real SMTP server (aiosmtpd) on loopback, recording what it receives."""

import socket
import threading
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller


class RecordingHandler:
    """Accepts mail; recipients starting with ``defer`` get 451, ``refuse`` get 550."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("defer"):
            return "451 4.3.0 try again later"
        if address.startswith("refuse"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append(parsed)
        return "250 Message accepted"

    def message_ids(self):
        with self.lock:
            return [m["Message-ID"] for m in self.messages]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture(autouse=True)
def quiet_hours_elsewhere(settings):
    """Tests must not depend on the hour they run at: quiet hours start in two hours.

    Tests about quiet hours set their own window.
    """
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    local = timezone.now().astimezone(ZoneInfo("America/Toronto"))
    start, end = local + timedelta(hours=2), local + timedelta(hours=3)
    settings.QUIET_HOURS = f"{start:%H:%M}-{end:%H:%M}"
