"""Housekeeping, once a minute: each app registers its steps (core/jobs.py ``housekeeping``) —
expired sessions here, old login failures, message bodies, stuck visits in their apps."""

import logging

from django.contrib.sessions.models import Session
from django.utils import timezone

from accueil.core.jobs import housekeeping, jobs

logger = logging.getLogger("accueil.worker")


def run_housekeeping(now=None) -> dict[str, int]:
    """Every registered step; the counts of what each did, by name."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for step in housekeeping:
        done.update(step(now))
    return done


@jobs.register("housekeeping", every=60.0)
def _housekeeping_job() -> int:
    done = run_housekeeping()
    if any(done.values()):
        logger.info("housekeeping: %s", done)
    return 0  # tidying is never a reason to skip the worker's pause


@housekeeping.register
def forget_expired_sessions(now) -> dict[str, int]:
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    return {"sessions": sessions}


@housekeeping.register
def forget_old_rate_buckets(now) -> dict[str, int]:
    from accueil.core.ratelimit import forget_full_buckets

    return {"rate_buckets": forget_full_buckets(now.timestamp())}
