"""Rollups: counts and sums per place, service, channel and local hour, filled from the event log.

Each row adds up facts (a visitor called after 7 minutes, a request answered on time); pages
add rows up, and means, shares and percentiles come from the sums and from the wait histogram's
buckets, never from the raw visits. Rows are keyed by the office's *local* day and hour (the wall
clock the public sees: tickets restart at local midnight, a repeated DST hour adds into one row).

Dimensions are stored as plain values, not foreign keys, with the nil UUID for "none" (a request
with no office): a unique key must match on both databases, where NULLs are never equal, and
``INSERT … ON CONFLICT DO UPDATE`` adds into the row that matches (rollups.py).
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from accueil.queues.waits import BUSY_EDGES

NONE = uuid.UUID(int=0)

# Upper edges of the wait histogram, in seconds; the last bucket is open. Percentiles are
# interpolated inside a bucket, so they are as precise as the edges near them.
WAIT_EDGES = (60, 120, 180, 300, 420, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200)
WAIT_BUCKETS = len(WAIT_EDGES) + 1

# What one row adds up. Each name is a column; ``rollups.Facts`` fills them.
VISIT_SUMS = (
    "arrivals",  # tickets taken
    "waits",  # first calls: one per visitor served or called
    "wait_seconds",  # sum of the waits above
    "wait_eligible",  # first calls of a service with a wait standard
    "wait_within",  # … of which within the standard
    "called",  # every call, first or after a transfer
    "completed",
    "service_seconds",  # sum, from start to end, of completed visits
    "no_shows",
    "abandoned",  # left the line, or still waiting at closing time
    "transfers",
    "predicted",  # first calls of visitors who were shown a predicted wait
    "predicted_within",  # … whose wait fell inside the range shown
    "predicted_error_seconds",  # sum of |waited − predicted|
    "appointments_booked",
    "appointments_missed",
    "no_show_busy_samples",  # no-shows whose call time is known…
    "no_show_busy_seconds",  # … and the agent time they cost (the forecast learns from it)
)
CASE_SUMS = (
    "cases_opened",
    "backlog_change",  # +1 opened or reopened, −1 resolved, closed or merged while open
    "first_responses",
    "first_response_seconds",
    "response_eligible",  # first responses to a request with a response due time
    "response_within",
    "resolutions",
    "resolution_seconds",
    "resolution_eligible",  # resolutions of a request with a due time announced
    "resolution_within",
    "first_contact",  # resolved with at most one answer and no reply from the citizen
    "reopened",
)
SURVEY_SUMS = (
    "invitations",
    "responses",
    "satisfaction_answers",
    "satisfied",  # 4 or 5 on the scale, or a thumbs up
    "trust_answers",
    "trusting",
)
WAIT_HISTOGRAM = tuple(f"wait_h{i}" for i in range(WAIT_BUCKETS))
# How long an agent was busy with each completed visit (first call to end), as a histogram with
# each bucket's sum (queues/waits.py BUSY_EDGES): the wait forecast learns service times from it.
BUSY_HISTOGRAM = tuple(f"busy_h{i}" for i in range(len(BUSY_EDGES) + 1))
BUSY_BUCKET_SUMS = tuple(f"busy_s{i}" for i in range(len(BUSY_EDGES) + 1))
SUMS = VISIT_SUMS + WAIT_HISTOGRAM + BUSY_HISTOGRAM + BUSY_BUCKET_SUMS + CASE_SUMS + SURVEY_SUMS

# The agent's rollup: what the agent did, per day.
AGENT_SUMS = (
    "called",
    "completed",
    "service_seconds",
    "no_shows",
    "transfers",
    "first_responses",
    "resolutions",
    "responses",
    "satisfaction_answers",
    "satisfied",
)


class Sums(models.Model):
    """The columns a place-and-service row adds up (``SUMS``)."""

    arrivals = models.BigIntegerField(db_default=0)
    waits = models.BigIntegerField(db_default=0)
    wait_seconds = models.BigIntegerField(db_default=0)
    wait_eligible = models.BigIntegerField(db_default=0)
    wait_within = models.BigIntegerField(db_default=0)
    called = models.BigIntegerField(db_default=0)
    completed = models.BigIntegerField(db_default=0)
    service_seconds = models.BigIntegerField(db_default=0)
    no_shows = models.BigIntegerField(db_default=0)
    abandoned = models.BigIntegerField(db_default=0)
    transfers = models.BigIntegerField(db_default=0)
    predicted = models.BigIntegerField(db_default=0)
    predicted_within = models.BigIntegerField(db_default=0)
    predicted_error_seconds = models.BigIntegerField(db_default=0)
    appointments_booked = models.BigIntegerField(db_default=0)
    appointments_missed = models.BigIntegerField(db_default=0)
    no_show_busy_samples = models.BigIntegerField(db_default=0)
    no_show_busy_seconds = models.BigIntegerField(db_default=0)
    wait_h0 = models.BigIntegerField(db_default=0)
    wait_h1 = models.BigIntegerField(db_default=0)
    wait_h2 = models.BigIntegerField(db_default=0)
    wait_h3 = models.BigIntegerField(db_default=0)
    wait_h4 = models.BigIntegerField(db_default=0)
    wait_h5 = models.BigIntegerField(db_default=0)
    wait_h6 = models.BigIntegerField(db_default=0)
    wait_h7 = models.BigIntegerField(db_default=0)
    wait_h8 = models.BigIntegerField(db_default=0)
    wait_h9 = models.BigIntegerField(db_default=0)
    wait_h10 = models.BigIntegerField(db_default=0)
    wait_h11 = models.BigIntegerField(db_default=0)
    wait_h12 = models.BigIntegerField(db_default=0)
    wait_h13 = models.BigIntegerField(db_default=0)
    busy_h0 = models.BigIntegerField(db_default=0)
    busy_h1 = models.BigIntegerField(db_default=0)
    busy_h2 = models.BigIntegerField(db_default=0)
    busy_h3 = models.BigIntegerField(db_default=0)
    busy_h4 = models.BigIntegerField(db_default=0)
    busy_h5 = models.BigIntegerField(db_default=0)
    busy_h6 = models.BigIntegerField(db_default=0)
    busy_h7 = models.BigIntegerField(db_default=0)
    busy_h8 = models.BigIntegerField(db_default=0)
    busy_h9 = models.BigIntegerField(db_default=0)
    busy_h10 = models.BigIntegerField(db_default=0)
    busy_h11 = models.BigIntegerField(db_default=0)
    busy_h12 = models.BigIntegerField(db_default=0)
    busy_h13 = models.BigIntegerField(db_default=0)
    busy_s0 = models.BigIntegerField(db_default=0)
    busy_s1 = models.BigIntegerField(db_default=0)
    busy_s2 = models.BigIntegerField(db_default=0)
    busy_s3 = models.BigIntegerField(db_default=0)
    busy_s4 = models.BigIntegerField(db_default=0)
    busy_s5 = models.BigIntegerField(db_default=0)
    busy_s6 = models.BigIntegerField(db_default=0)
    busy_s7 = models.BigIntegerField(db_default=0)
    busy_s8 = models.BigIntegerField(db_default=0)
    busy_s9 = models.BigIntegerField(db_default=0)
    busy_s10 = models.BigIntegerField(db_default=0)
    busy_s11 = models.BigIntegerField(db_default=0)
    busy_s12 = models.BigIntegerField(db_default=0)
    busy_s13 = models.BigIntegerField(db_default=0)
    cases_opened = models.BigIntegerField(db_default=0)
    backlog_change = models.BigIntegerField(db_default=0)
    first_responses = models.BigIntegerField(db_default=0)
    first_response_seconds = models.BigIntegerField(db_default=0)
    response_eligible = models.BigIntegerField(db_default=0)
    response_within = models.BigIntegerField(db_default=0)
    resolutions = models.BigIntegerField(db_default=0)
    resolution_seconds = models.BigIntegerField(db_default=0)
    resolution_eligible = models.BigIntegerField(db_default=0)
    resolution_within = models.BigIntegerField(db_default=0)
    first_contact = models.BigIntegerField(db_default=0)
    reopened = models.BigIntegerField(db_default=0)
    invitations = models.BigIntegerField(db_default=0)
    responses = models.BigIntegerField(db_default=0)
    satisfaction_answers = models.BigIntegerField(db_default=0)
    satisfied = models.BigIntegerField(db_default=0)
    trust_answers = models.BigIntegerField(db_default=0)
    trusting = models.BigIntegerField(db_default=0)

    class Meta:
        abstract = True


class RollupKey(models.Model):
    """Where and when: the place, service and channel, on the office's local day."""

    agency_id = models.UUIDField()
    office_id = models.UUIDField(default=NONE)
    service_id = models.UUIDField(default=NONE)
    channel = models.CharField(max_length=16, default="")
    day = models.DateField()  # local to the office

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.channel}"


class DailyRollup(RollupKey, Sums):
    """One local day of one service at one office through one channel."""

    class Meta:
        verbose_name = _("daily figures")
        verbose_name_plural = _("daily figures")
        constraints = [
            models.UniqueConstraint(
                fields=["agency_id", "office_id", "service_id", "channel", "day"],
                name="daily_rollup_key",
            )
        ]
        indexes = [
            models.Index(fields=["agency_id", "day"], name="daily_rollup_by_day"),
            models.Index(fields=["office_id", "day"], name="daily_rollup_by_office"),
        ]


class AgencyDailyRollup(Sums):
    """One local day of the whole agency: the sum of its daily rows, kept apart so that the
    agency-wide figures of a year read 365 rows instead of every office × service × channel
    (bench/insights.py: 430,000 rows a year at province scale), and the backlog, summed from
    the first day, reads one row a day."""

    agency_id = models.UUIDField()
    day = models.DateField()  # local to the office where each fact happened

    class Meta:
        verbose_name = _("agency's daily figures")
        verbose_name_plural = _("agency's daily figures")
        constraints = [
            models.UniqueConstraint(fields=["agency_id", "day"], name="agency_daily_rollup_key")
        ]

    def __str__(self) -> str:
        return f"{self.day}"


class HourlyRollup(RollupKey, Sums):
    """One local hour of one service at one office through one channel."""

    hour = models.PositiveSmallIntegerField()  # 0–23, local

    class Meta:
        verbose_name = _("hourly figures")
        verbose_name_plural = _("hourly figures")
        constraints = [
            models.UniqueConstraint(
                fields=["agency_id", "office_id", "service_id", "channel", "day", "hour"],
                name="hourly_rollup_key",
            )
        ]
        indexes = [models.Index(fields=["agency_id", "day"], name="hourly_rollup_by_day")]


class AgentRollup(models.Model):
    """One local day of one agent's work on one service at one office."""

    agency_id = models.UUIDField()
    office_id = models.UUIDField(default=NONE)
    service_id = models.UUIDField(default=NONE)
    agent_id = models.UUIDField()
    day = models.DateField()
    called = models.BigIntegerField(db_default=0)
    completed = models.BigIntegerField(db_default=0)
    service_seconds = models.BigIntegerField(db_default=0)
    no_shows = models.BigIntegerField(db_default=0)
    transfers = models.BigIntegerField(db_default=0)
    first_responses = models.BigIntegerField(db_default=0)
    resolutions = models.BigIntegerField(db_default=0)
    responses = models.BigIntegerField(db_default=0)
    satisfaction_answers = models.BigIntegerField(db_default=0)
    satisfied = models.BigIntegerField(db_default=0)

    class Meta:
        verbose_name = _("agent's daily figures")
        verbose_name_plural = _("agents' daily figures")
        constraints = [
            models.UniqueConstraint(
                fields=["agency_id", "office_id", "service_id", "agent_id", "day"],
                name="agent_rollup_key",
            )
        ]
        indexes = [models.Index(fields=["agency_id", "day"], name="agent_rollup_by_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.agent_id}"
