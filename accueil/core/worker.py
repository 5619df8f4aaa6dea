"""The background worker: sends the outbox, imports campaigns, and tidies up every minute.

`accueil worker` runs it; `accueil serve` runs it in a thread on the embedded SQLite default.
Several workers may run at once: the outbox never hands one message to two of them.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections

from accueil.core.housekeeping import run_housekeeping
from accueil.notify.campaigns import run_imports
from accueil.notify.outbox import run_batch

logger = logging.getLogger("accueil.worker")


def drain_outbox() -> int:
    """Send everything that is due now; returns how many messages were handled."""
    total = 0
    while handled := run_batch(settings.OUTBOX_BATCH):
        total += handled
    return total


def run_worker(stop: threading.Event, poll: float = 1.0, housekeeping_every: float = 60.0):
    """Loop until ``stop`` is set. A failed round is logged and the loop goes on."""
    next_housekeeping = 0.0
    while not stop.is_set():
        close_old_connections()
        handled = 0
        try:
            handled = run_batch(settings.OUTBOX_BATCH) + run_imports()
            if time.monotonic() >= next_housekeeping:
                removed = run_housekeeping()
                if any(removed.values()):
                    logger.info("housekeeping: %s", removed)
                next_housekeeping = time.monotonic() + housekeeping_every
        except Exception:
            logger.exception("worker round failed; retrying")
        finally:
            close_old_connections()
        if not handled:
            stop.wait(poll)
