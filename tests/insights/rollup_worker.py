"""A worker process that feeds the rollup consumer in small batches, for
tests/insights/test_rollups_crash.py.

Run as ``python -m tests.insights.rollup_worker`` with DATABASE_URL set; it feeds until killed.
Batches of 13 events with a pause after each: kills land between and inside batches."""

import os
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")
    django.setup()
    from accueil.core.consumers import Consumer, feed
    from accueil.insights import rollups

    def slow_add(events) -> None:
        rollups.add(events)
        time.sleep(0.02)  # some work inside the transaction: a kill can land here

    consumer = Consumer(rollups.NAME, frozenset(rollups.VERBS), slow_add, batch=13)
    while True:
        if not feed(consumer):
            time.sleep(0.01)


if __name__ == "__main__":
    main()
