"""Durable event consumers: every event once, in commit order, across crashes and rivals."""

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accueil.core.actors import SYSTEM
from accueil.core.consumers import consumers, feed
from accueil.core.events import record_event
from accueil.core.models import ConsumerCursor
from tests.core.consumer_worker import count_lines
from tests.factories import AgencyFactory
from tests.servers import database_url

pytestmark = pytest.mark.django_db(transaction=True)
LINES = ["A", "B", "C", "D"]
EVENTS = 2000


@pytest.fixture
def counts_table():
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS test_consumer_counts")
        cursor.execute("CREATE TABLE test_consumer_counts (line VARCHAR(8) PRIMARY KEY, n INTEGER)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE test_consumer_counts")


def counted() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT line, n FROM test_consumer_counts")
        return dict(cursor.fetchall())


@pytest.fixture
def counting(counts_table):
    consumers.register("test.counts", verbs={"visit.completed"}, batch=40)(count_lines)
    yield consumers.get("test.counts")
    consumers.unregister("test.counts")


def drain(consumer, expected: int) -> None:
    """Feed until ``expected`` events are counted. On PostgreSQL a consumer reads only below
    the oldest transaction still running on the whole server (``pg_snapshot_xmin`` is not per
    database), so another suite's open transaction can hold a feed back for a moment: a feed
    that returns 0 is tried again until the count is reached (over-counting shows after)."""
    deadline = time.monotonic() + 60
    while sum(counted().values()) < expected and time.monotonic() < deadline:
        if not feed(consumer):
            time.sleep(0.05)


def complete(agency, line, **options):
    return record_event("visit.completed", agency, actor=SYSTEM, data={"line": line}, **options)


def test_each_event_is_handled_once_and_other_verbs_are_skipped(counting):
    agency = AgencyFactory()
    for index in range(95):
        complete(agency, LINES[index % 4])
        record_event("visit.called", agency, actor=SYSTEM, data={"line": "X"})
    drain(counting, 95)
    assert counted() == {"A": 24, "B": 24, "C": 24, "D": 23}
    assert feed(counting) == 0  # nothing twice


def test_a_failing_consumer_waits_shows_its_error_and_holds_no_one_up(counting):
    agency = AgencyFactory()
    complete(agency, "A")

    def broken(events):
        raise RuntimeError("rollup table missing")

    consumers.register("test.broken", verbs={"visit.completed"})(broken)
    try:
        broken_consumer = consumers.get("test.broken")
        assert feed(broken_consumer) == 0
        cursor = ConsumerCursor.objects.get(name="test.broken")
        assert cursor.failures == 1 and "rollup table missing" in cursor.last_error
        assert cursor.next_attempt_at > timezone.now()
        assert feed(broken_consumer) == 0  # waits its turn: no retry storm
        assert feed(counting) == 1  # the others carry on
        consumers.register("test.broken", verbs={"visit.completed"})(count_lines)
        later = timezone.now() + timedelta(minutes=1)
        assert feed(consumers.get("test.broken"), now=later) == 1  # mended: it catches up
        cursor.refresh_from_db()
        assert cursor.failures == 0 and cursor.last_error == ""
    finally:
        consumers.unregister("test.broken")


def test_an_event_committed_after_a_later_one_is_not_skipped(counting):
    """PostgreSQL hands out ids before commit: a slow transaction's event can become visible
    after a later id was already read. The cursor follows commit order, not id order."""
    if connection.vendor != "postgresql":
        # BEGIN IMMEDIATE: the later writer waits for the earlier one's commit, so ids follow
        # commit order and the later one cannot commit first (it would wait out the release).
        pytest.skip("SQLite has one writer at a time: commit order is id order")
    agency = AgencyFactory()
    started, release = threading.Event(), threading.Event()

    def slow_writer():
        with transaction.atomic():
            complete(agency, "A")  # takes the lower id…
            started.set()
            release.wait(10)
        connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    started.wait(10)
    complete(agency, "B")  # …this later one commits first
    while feed(counting):
        pass
    release.set()
    writer.join()
    drain(counting, 2)
    assert counted() == {"A": 1, "B": 1}


def start_worker(log):
    env = {**os.environ, "DATABASE_URL": database_url(), "ACCUEIL_ENV": "test"}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.core.consumer_worker"], env=env, stdout=log, stderr=log
    )


def test_workers_killed_at_random_moments_still_count_every_event_once(counts_table, tmp_path):
    """2,000 events written while two rival workers feed one consumer and are killed with
    SIGKILL five times at random moments: the final counts are exact."""
    agency = AgencyFactory()
    expected = Counter()
    rng = random.Random(7)

    def write_events(seed):
        local = random.Random(seed)
        written = 0
        while written < EVENTS // 2:
            size = local.randint(1, 15)
            with transaction.atomic():
                for _ in range(min(size, EVENTS // 2 - written)):
                    line = local.choice(LINES)
                    complete(agency, line)
                    expected[line] += 1
                    written += 1
                time.sleep(local.random() * 0.01)  # overlapping transactions, out of id order
        connection.close()

    log = (tmp_path / "workers.log").open("w")
    workers = [start_worker(log), start_worker(log)]
    writers = [threading.Thread(target=write_events, args=(seed,)) for seed in (1, 2)]
    for writer in writers:
        writer.start()
    try:
        for _ in range(5):
            time.sleep(rng.uniform(0.2, 0.8))
            victim = rng.randrange(len(workers))
            os.kill(workers[victim].pid, signal.SIGKILL)
            workers[victim].wait()
            workers[victim] = start_worker(log)
        for writer in writers:
            writer.join(timeout=120)
        deadline = time.monotonic() + 120
        while sum(counted().values()) < EVENTS and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)  # anything counted twice would show now
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
        log.close()
    assert sum(expected.values()) == EVENTS
    assert counted() == dict(expected)
