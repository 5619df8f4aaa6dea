"""The accounts app's housekeeping, registered with core's worker (core/jobs.py)."""

from django.conf import settings

from accueil.accounts.lockout import forget_old_failures
from accueil.core.jobs import housekeeping


@housekeeping.register
def forget_old_login_failures(now) -> dict[str, int]:
    from axes.models import AccessAttempt

    attempts, _ = AccessAttempt.objects.filter(
        attempt_time__lt=now - settings.AXES_COOLOFF_TIME
    ).delete()
    return {"login_attempts": attempts, "login_throttles": forget_old_failures(now)}
