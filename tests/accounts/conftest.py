"""The notify tests' real SMTP server (aiosmtpd), for the password reset emails."""

from tests.notify.conftest import quiet_hours_elsewhere, smtp_server  # noqa: F401
