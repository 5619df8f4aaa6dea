"""A worker process that feeds one counting consumer, for tests/core/test_consumers.py.

Run as ``python -m tests.core.consumer_worker`` with DATABASE_URL set; it feeds until killed.
The consumer counts ``visit.completed`` events per ``line`` into ``test_consumer_counts``.
"""

import os
import time

import django


def count_lines(events) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for event in events:
            cursor.execute(
                "INSERT INTO test_consumer_counts (line, n) VALUES (%s, 1) "
                "ON CONFLICT (line) DO UPDATE SET n = test_consumer_counts.n + 1",
                [event.data["line"]],
            )
            time.sleep(0.0005)  # a handler with some work in it: kills land mid-batch


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")
    django.setup()
    from accueil.core.consumers import consumers, feed

    consumers.register("test.counts", verbs={"visit.completed"}, batch=40)(count_lines)
    consumer = consumers.get("test.counts")
    while True:
        if not feed(consumer):
            time.sleep(0.01)


if __name__ == "__main__":
    main()
