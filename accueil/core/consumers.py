"""Durable event consumers: features that react to the event log without being imported by the
apps that write it (a survey after ``visit.completed``, KPI rollups, staffing).

A consumer registers the verbs it wants, in its app's ``ready()``::

    @consumers.register("feedback.invitations", verbs={"visit.completed", "case.resolved"})
    def invite(events: list[Event]) -> None: ...

The worker feeds it the events after its cursor, in commit order, in small batches, inside one
transaction that also moves the cursor: the handler's writes and the cursor commit together or
not at all, so a worker killed at any moment neither skips an event nor applies one twice
(provided the handler writes only to the database). A handler that raises is retried later with
a growing delay, its error shown to operators (the admin's "event consumers"), and it does not
hold up the other consumers. Two workers never feed one consumer at once: its cursor row is
locked (PostgreSQL, ``SKIP LOCKED``) or writers take turns (SQLite).

Commit order: PostgreSQL hands out event ids before commit, so id order is not commit order.
Events carry their transaction's id (``Event.txid``) and are read in (txid, id) order, only from
transactions older than the oldest one still running — any event not yet visible will sort after
everything read so far.
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from accueil.core.events import oldest_running_txid
from accueil.core.jobs import jobs
from accueil.core.models import ConsumerCursor, Event

logger = logging.getLogger("accueil.consumers")

RETRY_BASE = timedelta(seconds=5)
RETRY_CAP = timedelta(minutes=10)


Handler = Callable[[list[Event]], None]


@dataclass(frozen=True)
class Consumer:
    name: str
    verbs: frozenset[str]
    handle: Callable[[list[Event]], None]
    batch: int = 100


class Consumers:
    def __init__(self) -> None:
        self._consumers: dict[str, Consumer] = {}

    def register(
        self, name: str, verbs: Iterable[str], batch: int = 100
    ) -> Callable[[Handler], Handler]:
        def decorator(handle: Handler) -> Handler:
            self._consumers[name] = Consumer(name, frozenset(verbs), handle, batch)
            return handle

        return decorator

    def unregister(self, name: str) -> None:
        self._consumers.pop(name, None)

    def get(self, name: str) -> Consumer:
        return self._consumers[name]

    def __iter__(self) -> Iterator[Consumer]:
        return iter(list(self._consumers.values()))


consumers = Consumers()


def _cursor_for(name: str) -> ConsumerCursor | None:
    """Inside a transaction: the consumer's cursor, locked for this worker; None if another
    worker is feeding it right now."""
    try:
        with transaction.atomic():
            ConsumerCursor.objects.get_or_create(name=name)
    except IntegrityError:
        pass  # created by another worker at the same moment
    cursors = ConsumerCursor.objects.filter(name=name)
    if connection.vendor == "postgresql":
        cursors = cursors.select_for_update(skip_locked=True)
    found: ConsumerCursor | None = cursors.first()
    return found


def pending(consumer: Consumer, cursor: ConsumerCursor) -> list[Event]:
    """The next events for ``consumer`` after ``cursor``, in commit order."""
    # ``txid >= cursor.txid`` says no more than the OR after it, but PostgreSQL can start an
    # index range on it; without it every batch scanned the log from its first event (10 s a
    # batch half-way through 4 million events, bench/insights.py).
    events = Event.objects.filter(verb__in=consumer.verbs, txid__gte=cursor.txid).filter(
        Q(txid__gt=cursor.txid) | Q(txid=cursor.txid, id__gt=cursor.event_id)
    )
    if connection.vendor == "postgresql":
        events = events.filter(txid__lt=oldest_running_txid())
    return list(events.order_by("txid", "id")[: consumer.batch])


def feed(consumer: Consumer, now: datetime | None = None) -> int:
    """Give one batch to one consumer; returns how many events it handled."""
    now = now or timezone.now()
    with transaction.atomic():
        cursor = _cursor_for(consumer.name)
        if cursor is None or (cursor.next_attempt_at and cursor.next_attempt_at > now):
            return 0
        events = pending(consumer, cursor)
        if not events:
            return 0
        try:
            with transaction.atomic():  # a savepoint: the handler's half-done writes go
                consumer.handle(events)
        except Exception as error:
            cursor.failures += 1
            delay = min(RETRY_BASE * 2 ** (cursor.failures - 1), RETRY_CAP)
            cursor.next_attempt_at = now + delay
            cursor.last_error = f"{type(error).__name__}: {error}"[:1000]
            cursor.save()
            logger.warning(
                "consumer %s failed (%s in a row); retrying in %s",
                consumer.name,
                cursor.failures,
                delay,
            )
            return 0
        last = events[-1]
        cursor.txid, cursor.event_id = last.txid, last.id
        cursor.failures, cursor.next_attempt_at, cursor.last_error = 0, None, ""
        cursor.save()
    return len(events)


@jobs.register("consumers")
def feed_every_consumer() -> int:
    """One batch to each consumer that has one waiting."""
    return sum(feed(consumer) for consumer in consumers)


def behind(consumer: Consumer, limit: int = 10_000) -> int:
    """How many events the consumer has yet to read (up to ``limit``), for operators."""
    cursor = ConsumerCursor.objects.filter(name=consumer.name).first() or ConsumerCursor()
    events = Event.objects.filter(verb__in=consumer.verbs, txid__gte=cursor.txid).filter(
        Q(txid__gt=cursor.txid) | Q(txid=cursor.txid, id__gt=cursor.event_id)
    )
    count: int = events[:limit].count()
    return count
