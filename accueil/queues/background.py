"""The queues app's housekeeping, registered with core's worker (core/jobs.py)."""

from accueil.core.jobs import housekeeping
from accueil.queues.notices import near_turns_everywhere
from accueil.queues.sweep import sweep_stale_visits


@housekeeping.register
def sweep_visits(now) -> dict[str, int]:
    return sweep_stale_visits(now)


@housekeeping.register
def send_missed_near_notices(now) -> dict[str, int]:
    return {"near_notices": near_turns_everywhere(now)}
