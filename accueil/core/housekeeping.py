"""Periodic work that keeps the database tidy: expired sessions and old login failures."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone


def run_housekeeping() -> dict[str, int]:
    from axes.models import AccessAttempt

    now = timezone.now()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    attempts, _ = AccessAttempt.objects.filter(
        attempt_time__lt=now - settings.AXES_COOLOFF_TIME
    ).delete()
    return {"sessions": sessions, "login_attempts": attempts}
