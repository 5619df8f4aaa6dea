"""Shared helpers of the insights tests."""

import time

from accueil.core.consumers import consumers, feed
from accueil.insights import rollups


def drain_rollups() -> int:
    """Feed the rollup consumer until it has counted every event; how many it read.

    On PostgreSQL a consumer reads only events older than every transaction still running on
    the server (another suite's open transaction holds it back a moment), so this waits for the
    events to be read, not for a time; the tests that use it commit (``transaction=True``)."""
    consumer = consumers.get(rollups.NAME)
    total = 0
    deadline = time.monotonic() + 60
    while rollups.behind() and time.monotonic() < deadline:
        handled = feed(consumer)
        total += handled
        if not handled:
            time.sleep(0.05)
    assert rollups.behind() == 0, "the rollup consumer was held back for a minute"
    return total
