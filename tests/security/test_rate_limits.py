"""Rate limits hold around any boundary, under concurrency, and with a truthful Retry-After.

Time is driven explicitly through ``hit(…, now=…)``; nothing sleeps.
"""

import math
import random
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import RequestFactory

from accueil.core.housekeeping import run_housekeeping
from accueil.core.models import RateBucket
from accueil.core.ratelimit import Limit, forget_full_buckets, hit

# A multiple of 60: a fixed one-minute window starts exactly here.
BOUNDARY = 1_800_000_000.0
LIMIT = Limit(10, 60)


def request(address="203.0.113.5"):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def passes(at: float, address="203.0.113.5", scope="check-in", limit=LIMIT) -> bool:
    return hit(request(address), scope, limit, now=at) is None


def test_a_burst_before_a_minute_boundary_and_one_after_pass_the_limit_once(db):
    before = [passes(BOUNDARY - 0.1) for _ in range(LIMIT.count)]
    after = [passes(BOUNDARY + 0.1) for _ in range(LIMIT.count)]
    assert all(before)
    assert sum(after) == 0  # a fixed window let all ten through again


def test_the_budget_refills_at_the_sustained_rate_and_retry_after_tells_the_truth(db):
    for _ in range(LIMIT.count):
        assert passes(BOUNDARY)
    wait = hit(request(), "check-in", LIMIT, now=BOUNDARY + 1)
    assert wait == 5  # one request every 6 s; 1 s has passed
    # Knocking while refused costs nothing: the answer stays the same.
    for _ in range(50):
        assert hit(request(), "check-in", LIMIT, now=BOUNDARY + 1) == 5
    assert not passes(BOUNDARY + 1 + wait - 0.01)
    assert passes(BOUNDARY + 1 + wait)
    assert not passes(BOUNDARY + 1 + wait)  # one slot came back, not more


@pytest.mark.parametrize("seed", range(4))
def test_in_any_stretch_of_time_no_more_than_the_burst_plus_the_rate_passes(db, seed):
    """count + t × count / seconds in any t seconds; so never twice the limit in a moment."""
    rng = random.Random(seed)
    limit = Limit(rng.choice([1, 3, 7, 10, 30]), rng.choice([1, 10, 60]))
    moments = sorted(BOUNDARY + rng.uniform(-90, 90) for _ in range(400))
    passed = [at for at in moments if passes(at, scope=f"seed-{seed}", limit=limit)]
    assert passed, "the limit let nothing through"
    rate = limit.count / limit.seconds
    for i, start in enumerate(passed):
        for j in range(i, len(passed)):
            stretch = passed[j] - start
            assert j - i + 1 <= limit.count + math.floor(stretch * rate + 1e-9), (
                f"{j - i + 1} passed in {stretch:.3f} s with {limit}"
            )
    # So a fixed minute never holds twice the limit, boundary or not.
    for window in range(-2, 2):
        start = BOUNDARY + window * limit.seconds
        inside = [at for at in passed if start <= at < start + limit.seconds]
        assert len(inside) <= 2 * limit.count - 1


def test_clients_and_scopes_have_their_own_budget_and_addresses_are_only_hashed(db):
    for _ in range(LIMIT.count):
        assert passes(BOUNDARY, address="203.0.113.5")
    assert not passes(BOUNDARY, address="203.0.113.5")
    assert passes(BOUNDARY, address="203.0.113.6")
    assert passes(BOUNDARY, address="203.0.113.5", scope="book")
    stored = " ".join(f"{b.bucket} {b.tat}" for b in RateBucket.objects.all())
    assert "203.0.113" not in stored


def test_a_zero_limit_turns_limiting_off(db):
    assert all(passes(BOUNDARY, limit=Limit(0, 60)) for _ in range(100))
    assert not RateBucket.objects.exists()


def test_housekeeping_forgets_buckets_that_are_full_again(db):
    passes(BOUNDARY)
    assert forget_full_buckets(BOUNDARY) == 0  # still spending its budget
    assert forget_full_buckets(BOUNDARY + LIMIT.seconds) == 1
    passes(time.time())
    assert run_housekeeping()["rate_buckets"] == 0


def run_together(count, target):
    barrier, results, errors = threading.Barrier(count), [None] * count, []

    def runner(index):
        try:
            barrier.wait(timeout=30)
            results[index] = target(index)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return results


def test_simultaneous_requests_from_many_threads_pass_exactly_the_limit(transactional_db):
    """Every thread has its own database connection; the clock is the same for all."""
    results = run_together(3 * LIMIT.count, lambda index: passes(BOUNDARY))
    assert sum(results) == LIMIT.count


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite has one writer"
)
def test_a_request_waits_for_a_concurrent_uncommitted_one_and_then_counts_it(transactional_db):
    """PostgreSQL: the second upsert blocks on the first one's row until it commits, then
    sees its TAT. A read-then-write limiter would let both through."""
    one = Limit(1, 60)
    passes(BOUNDARY - 120, limit=one)  # the row exists (its bucket full again by BOUNDARY)
    first_done, release = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                outcome["first"] = passes(BOUNDARY, limit=one)
                first_done.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def second():
        try:
            outcome["second"] = passes(BOUNDARY, limit=one)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_done.wait(timeout=30)
    threads[1].start()
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:  # until the second one is seen waiting for the lock
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' "
                "AND query LIKE '%%INSERT INTO%%core_ratebucket%%'"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.01)  # polling another session's state, not driving the limiter's clock
        else:
            pytest.fail("the second request never waited for the first one's lock")
    assert "second" not in outcome
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert outcome == {"first": True, "second": False}
