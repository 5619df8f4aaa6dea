"""The background worker: runs, round after round, the jobs apps registered (core/jobs.py) —
sending the outbox, importing campaigns, feeding event consumers, housekeeping every minute.

`accueil worker` runs it; `accueil serve` runs it in a thread on the embedded SQLite default.
Several workers may run at once: every job claims its rows (the outbox never hands one message
to two of them, a consumer's cursor is held by one worker at a time).
"""

import logging
import threading
import time

from django.db import close_old_connections

from accueil.core.jobs import jobs

logger = logging.getLogger("accueil.worker")


def drain(name: str) -> int:
    """Run one job until it has nothing left to do; returns how much it did."""
    job, total = jobs.get(name), 0
    while handled := job.run():
        total += handled
    return total


def drain_outbox() -> int:
    """Send everything that is due now (the notify app's ``outbox`` job)."""
    return drain("outbox")


def run_round(now: float | None = None) -> int:
    """Every job that is due, once; a job that fails is logged and the others still run."""
    now = time.monotonic() if now is None else now
    handled = 0
    for job in jobs:
        if now < job.next_at:
            continue
        job.next_at = now + job.every
        try:
            handled += job.run()
        except Exception:
            logger.exception("job %s failed; it runs again next round", job.name)
        finally:
            close_old_connections()
    return handled


def run_worker(stop: threading.Event, poll: float = 1.0) -> None:
    """Loop until ``stop`` is set, waiting ``poll`` seconds after a round with nothing to do."""
    while not stop.is_set():
        close_old_connections()
        if not run_round():
            stop.wait(poll)
