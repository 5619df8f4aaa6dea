"""The queues app's housekeeping and shutdown hook, registered with core (core/jobs.py)."""

from accueil.core.jobs import housekeeping, on_shutdown
from accueil.queues.hub import hub
from accueil.queues.notices import near_turns_everywhere
from accueil.queues.sweep import sweep_stale_visits


@housekeeping.register
def sweep_visits(now) -> dict[str, int]:
    return sweep_stale_visits(now)


@housekeeping.register
def send_missed_near_notices(now) -> dict[str, int]:
    return {"near_notices": near_turns_everywhere(now)}


# Display streams never end by themselves: a stopping server ends them at once.
on_shutdown.register(hub.close_threadsafe)
