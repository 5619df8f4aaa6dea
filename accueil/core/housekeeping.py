"""Periodic work that keeps the database tidy: expired sessions and old login failures."""

import logging
import threading

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger("accueil.worker")


def run_housekeeping() -> dict[str, int]:
    from axes.models import AccessAttempt

    now = timezone.now()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    attempts, _ = AccessAttempt.objects.filter(
        attempt_time__lt=now - settings.AXES_COOLOFF_TIME
    ).delete()
    return {"sessions": sessions, "login_attempts": attempts}


def run_forever(interval: float, stop: threading.Event) -> None:
    """Loop until ``stop`` is set; one failed round is logged and retried next time."""
    while not stop.is_set():
        close_old_connections()
        try:
            removed = run_housekeeping()
            if any(removed.values()):
                logger.info("housekeeping removed %s", removed)
        except Exception:
            logger.exception("housekeeping failed; will retry")
        finally:
            close_old_connections()
        stop.wait(interval)
