"""Shared by the feedback tests: the real SMTP server, quiet hours kept away from now, and the
surveys' small agency (tests/feedback/surveys_world.py)."""

from tests.feedback.surveys_world import committed_world, world  # noqa: F401
from tests.notify.conftest import quiet_hours_elsewhere, smtp_server  # noqa: F401
