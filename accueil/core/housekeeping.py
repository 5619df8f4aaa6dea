"""Periodic work that keeps the database tidy: expired sessions and old login failures."""

from datetime import timedelta

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
    bodies = erase_old_message_bodies(now)
    from accueil.accounts.lockout import forget_old_failures
    from accueil.core.ratelimit import forget_full_buckets
    from accueil.queues.notices import near_turns_everywhere
    from accueil.queues.sweep import sweep_stale_visits

    return {
        "sessions": sessions,
        "login_attempts": attempts,
        "login_throttles": forget_old_failures(now),
        "message_bodies": bodies,
        "rate_buckets": forget_full_buckets(now.timestamp()),
        **sweep_stale_visits(now),
        "near_notices": near_turns_everywhere(now),
    }


def erase_old_message_bodies(now) -> int:
    """What a message said is kept only for a short while; that it was sent stays."""
    from accueil.notify.models import Message

    cutoff = now - timedelta(days=settings.OUTBOX_BODY_RETENTION_DAYS)
    return (
        Message.objects.filter(sent_at__lt=cutoff)
        .exclude(body="", subject="")
        .update(body="", subject="")
    )
