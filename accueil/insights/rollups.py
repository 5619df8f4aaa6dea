"""The rollup consumer: turns events into counts and sums per local hour and day.

Each event is read once, after the consumer's durable cursor (core/consumers.py): its facts are
added into the rows of its place (office, service, channel, local day and hour) with
``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` in the same transaction that moves
the cursor. A worker killed at any moment therefore neither skips an event nor counts one twice,
and ``rebuild()`` — which empties the rollups, rewinds the cursor and reads the whole log again
through the same code — gives the same figures.

Every fact comes from the event itself (its time, place and data), never from the row it is
about, which may have changed or been anonymised since: a rebuild next year counts what
happened, as it happened. The only outside facts are the office's time zone and the service's
wait standard, read once per batch.
"""

import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction

from accueil.catalog.models import Measure, Office, ServiceStandard, ThresholdUnit
from accueil.core.consumers import Consumer, consumers, feed
from accueil.core.consumers import behind as consumer_behind
from accueil.core.models import ConsumerCursor, Event
from accueil.insights.models import (
    AGENT_SUMS,
    NONE,
    WAIT_EDGES,
    AgencyDailyRollup,
    AgentRollup,
    DailyRollup,
    HourlyRollup,
)
from accueil.queues.waits import busy_bucket, wait_range

NAME = "insights.rollups"
OPEN = {"new", "acknowledged", "in_progress", "waiting"}
DONE = {"resolved", "closed"}

VERBS = {
    "visit.checked_in",
    "visit.called",
    "visit.completed",
    "visit.no_show",
    "visit.cancelled",
    "visit.closed_at_end_of_day",
    "visit.transferred",
    "appointment.booked",
    "appointment.missed",
    "case.opened",
    "case.replied",
    "case.citizen_replied",
    "case.merged",
    *(f"case.{status}" for status in OPEN | DONE),
    "invitation.created",
    "survey.answered",
    "survey.completed",
}


def wait_bucket(seconds: int) -> str:
    """The histogram column a wait falls in."""
    for index, edge in enumerate(WAIT_EDGES):
        if seconds < edge:
            return f"wait_h{index}"
    return f"wait_h{len(WAIT_EDGES)}"


class Context:
    """What a batch needs beyond its events: time zones and wait standards, read once."""

    def __init__(self) -> None:
        self.zones = {
            office_id: zoneinfo.ZoneInfo(zone)
            for office_id, zone in Office.objects.values_list("id", "time_zone")
        }
        self.default_zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.wait_standard: dict = {}
        wait_standards = ServiceStandard.objects.filter(
            measure=Measure.WAIT, unit=ThresholdUnit.MINUTES
        ).order_by("threshold")
        for service_id, threshold in wait_standards.values_list("service_id", "threshold"):
            self.wait_standard.setdefault(service_id, threshold * 60)  # the strictest one

    def local(self, event: Event) -> datetime:
        zone = self.zones.get(event.office_id, self.default_zone)
        return event.created_at.astimezone(zone)


def visit_facts(event: Event, context: Context) -> tuple[dict, dict]:
    """(place sums, agent sums) of one visit or appointment event."""
    verb, data = event.verb, event.data
    sums: dict = {}
    agent: dict = {}
    if verb == "visit.checked_in":
        sums["arrivals"] = 1
    elif verb == "visit.called":
        sums["called"] = agent["called"] = 1
        waited = data.get("waited")
        if data.get("first") and waited is not None:
            sums.update(waits=1, wait_seconds=waited, **{wait_bucket(waited): 1})
            threshold = context.wait_standard.get(event.service_id)
            if threshold is not None:
                sums["wait_eligible"] = 1
                sums["wait_within"] = int(waited <= threshold)
            shown = wait_range(data.get("predicted"))
            if shown is not None:
                low, high = shown
                sums["predicted"] = 1
                sums["predicted_within"] = int(low * 60 <= waited <= high * 60)
                sums["predicted_error_seconds"] = abs(waited - data["predicted"])
    elif verb == "visit.completed":
        seconds = max(0, int(data.get("seconds") or 0))
        sums.update(completed=1, service_seconds=seconds)
        agent.update(completed=1, service_seconds=seconds)
        if data.get("busy") is not None:
            busy = max(0, int(data["busy"]))
            bucket = busy_bucket(busy)
            sums.update({f"busy_h{bucket}": 1, f"busy_s{bucket}": busy})
    elif verb == "visit.no_show":
        sums["no_shows"] = agent["no_shows"] = 1
        if data.get("busy") is not None:
            sums.update(no_show_busy_samples=1, no_show_busy_seconds=max(0, int(data["busy"])))
    elif verb in ("visit.cancelled", "visit.closed_at_end_of_day"):
        sums["abandoned"] = 1
    elif verb == "visit.transferred":
        sums["transfers"] = agent["transfers"] = 1
    elif verb == "appointment.booked":
        sums["appointments_booked"] = 1
    elif verb == "appointment.missed":
        sums["appointments_missed"] = 1
    return sums, agent


def _timing(sums: dict, data: dict, prefix: str, eligible: str, within: str) -> None:
    sums[f"{prefix}_seconds"] = max(0, int(data.get("after") or 0))
    if data.get("due_met") is not None:
        sums[eligible] = 1
        sums[within] = int(bool(data["due_met"]))


def case_facts(event: Event) -> tuple[dict, dict]:
    """(place sums, agent sums) of one request event."""
    verb, data = event.verb, event.data
    sums: dict = {}
    agent: dict = {}
    was, now = data.get("from"), data.get("to")
    if verb == "case.opened":
        sums.update(cases_opened=1, backlog_change=1)
    elif verb == "case.replied" and data.get("first"):
        sums["first_responses"] = agent["first_responses"] = 1
        _timing(sums, data, "first_response", "response_eligible", "response_within")
    elif verb == "case.citizen_replied" and data.get("reopened"):
        sums.update(reopened=1, backlog_change=1)
    elif verb == "case.merged" and was in OPEN:
        sums["backlog_change"] = -1
    elif was is not None and now is not None:  # a status change
        if was in OPEN and now in DONE:
            sums["backlog_change"] = -1
        elif was in DONE and now in OPEN:
            sums.update(reopened=1, backlog_change=1)
        if now == "resolved":
            sums["resolutions"] = agent["resolutions"] = 1
            sums["first_contact"] = int(bool(data.get("first_contact")))
            _timing(sums, data, "resolution", "resolution_eligible", "resolution_within")
    return sums, agent


def survey_facts(event: Event) -> tuple[dict, dict]:
    """(place sums, agent sums) of one survey event."""
    data = event.data
    sums: dict = {}
    if event.verb == "invitation.created":
        sums["invitations"] = 1
        return sums, {}
    if event.verb == "survey.answered":
        sums["responses"] = 1
    positive = data.get("positive") or {}
    if "satisfaction" in positive:
        sums["satisfaction_answers"] = 1
        sums["satisfied"] = int(bool(positive["satisfaction"]))
    if "trust" in positive:
        sums["trust_answers"] = 1
        sums["trusting"] = int(bool(positive["trust"]))
    agent = {k: v for k, v in sums.items() if k in AGENT_SUMS}
    return sums, agent


def facts(event: Event, context: Context) -> tuple[dict, dict]:
    """(place sums, agent sums) that one event adds; empty when it adds nothing."""
    family = event.verb.split(".", 1)[0]
    if family in ("visit", "appointment"):
        return visit_facts(event, context)
    if family == "case":
        return case_facts(event)
    return survey_facts(event)


def _agent_of(event: Event) -> UUID | None:
    if event.verb.startswith("survey."):
        agent = event.data.get("agent")
        return UUID(str(agent)) if agent else None
    return event.actor_id


def tally(events: Iterable[Event], context: Context) -> tuple[dict, dict, dict, dict]:
    """The sums of a batch, added up per row key in memory: (hourly, daily, agent, agency)."""
    hourly: dict = defaultdict(lambda: defaultdict(int))
    daily: dict = defaultdict(lambda: defaultdict(int))
    agents: dict = defaultdict(lambda: defaultdict(int))
    agency: dict = defaultdict(lambda: defaultdict(int))
    for event in events:
        if event.agency_id is None:
            continue
        sums, agent_sums = facts(event, context)
        if not sums and not agent_sums:
            continue
        local = context.local(event)
        office = event.office_id or NONE
        service = event.service_id or NONE
        channel = str(event.data.get("source") or event.data.get("channel") or "")[:16]
        place = (event.agency_id, office, service, channel, local.date())
        for column, value in sums.items():
            daily[place][column] += value
            hourly[(*place, local.hour)][column] += value
            agency[(event.agency_id, local.date())][column] += value
        agent_id = _agent_of(event)
        if agent_sums and agent_id is not None:
            key = (event.agency_id, office, service, agent_id, local.date())
            for column, value in agent_sums.items():
                agents[key][column] += value
    return hourly, daily, agents, agency


def _upsert(model, keys: tuple[str, ...], rows: dict) -> None:
    """Add each row's sums into the table with ``INSERT … ON CONFLICT DO UPDATE``, all the rows
    of a batch in one statement on PostgreSQL (one array per column, ``unnest``), one statement
    per row on SQLite (in process, where a statement costs microseconds).

    Every row carries every column any row of the batch adds to (0 where it adds nothing). A
    statement per row and per shape was the rebuild's cost at province scale (bench/insights.py:
    about 1 ms each on PostgreSQL, most of a batch's time). Keys are unique in ``rows`` (``tally``
    adds a batch up first), so no statement touches one row twice."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = sorted({column for sums in rows.values() for column in sums})
    fields = [model._meta.get_field(name) for name in (*keys, *columns)]
    names = ", ".join(quote(field.column) for field in fields)
    adds = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in columns)
    conflict = ", ".join(quote(k) for k in keys)
    if connection.vendor == "postgresql":  # the driver adapts UUIDs and dates itself
        values = [[*key, *(sums.get(c, 0) for c in columns)] for key, sums in rows.items()]
    else:
        key_fields = fields[: len(keys)]
        values = [
            [
                *(f.get_db_prep_save(v, connection) for f, v in zip(key_fields, key, strict=True)),
                *(sums.get(c, 0) for c in columns),
            ]
            for key, sums in rows.items()
        ]
    tail = f" ON CONFLICT ({conflict}) DO UPDATE SET {adds}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
            # Names and types from the model's own fields; values as parameters.
            sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})"  # noqa: S608
            cursor.execute(sql + tail, [list(column) for column in zip(*values, strict=True)])
        else:
            holes = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({names}) VALUES ({holes})"  # noqa: S608
            cursor.executemany(sql + tail, values)


PLACE = ("agency_id", "office_id", "service_id", "channel", "day")
AGENT = ("agency_id", "office_id", "service_id", "agent_id", "day")


@consumers.register(NAME, verbs=VERBS, batch=500)
def add(events: list[Event]) -> None:
    """Add a batch of events into the rollups (the consumer's handler)."""
    hourly, daily, agents, agency = tally(events, Context())
    _upsert(HourlyRollup, (*PLACE, "hour"), hourly)
    _upsert(DailyRollup, PLACE, daily)
    _upsert(AgentRollup, AGENT, agents)
    _upsert(AgencyDailyRollup, ("agency_id", "day"), agency)


def behind() -> int:
    """How many events the consumer has yet to count."""
    return consumer_behind(consumers.get(NAME), limit=10**9)


def rebuild(progress: Callable[[int, int], None] | None = None, batch: int = 5000) -> int:
    """Empty the rollups and read the whole event log again; returns how many events were read.

    Rewinding the cursor and emptying the tables happen in one transaction, with the cursor
    row locked, so a worker feeding the consumer at that moment either finished before (and
    its rows are emptied) or waits and then starts again from the beginning with this rebuild.
    ``progress(done, total)`` is called after each batch."""
    with transaction.atomic():
        ConsumerCursor.objects.get_or_create(name=NAME)
        cursor = ConsumerCursor.objects.select_for_update().get(name=NAME)
        for model in (HourlyRollup, DailyRollup, AgentRollup, AgencyDailyRollup):
            model.objects.all().delete()
        cursor.txid = cursor.event_id = 0
        cursor.failures, cursor.next_attempt_at, cursor.last_error = 0, None, ""
        cursor.save()
    total = Event.objects.filter(verb__in=VERBS).count()
    consumer = Consumer(NAME, frozenset(VERBS), add, batch)
    done = 0
    while True:
        read = feed(consumer)
        done += read
        if read:
            if progress is not None:
                progress(done, total)
            continue
        failed = ConsumerCursor.objects.get(name=NAME).last_error
        if failed:
            raise RuntimeError(f"the rebuild stopped after {done} events: {failed}")
        if not behind():
            return done
        # PostgreSQL: held back by a transaction still running; or a worker fed it meanwhile.
        time.sleep(0.05)
