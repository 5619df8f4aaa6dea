"""KPIs from the rollups: sums added up by the database, figures derived here.

``figures(scope)`` gives the totals of a period; ``series(scope, by)`` the same per day, week,
month, quarter, hour of day, office, service, channel or agent. Every derived figure (a mean,
a share, a percentile) comes from sums, so any grouping of rows gives the right answer: the
90th percentile of a month is read from the month's summed histogram, not averaged over days.
A figure with nothing to divide by is None ("no data"), never 0.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Q, Sum

from accueil.insights.models import (
    AGENT_SUMS,
    SUMS,
    WAIT_BUCKETS,
    WAIT_EDGES,
    AgencyDailyRollup,
    AgentRollup,
    DailyRollup,
    HourlyRollup,
)

GROUPS = ("day", "week", "month", "quarter", "hour", "office", "service", "channel", "agent")


@dataclass(frozen=True)
class Scope:
    """Which rows: one agency, a period of local days (both ends included), and optionally one
    office, service or channel."""

    agency_id: UUID
    start: date
    end: date
    office_id: UUID | None = None
    service_id: UUID | None = None
    channel: str | None = None

    def filter(self, with_channel: bool = True) -> Q:
        q = Q(agency_id=self.agency_id, day__gte=self.start, day__lte=self.end)
        if self.office_id is not None:
            q &= Q(office_id=self.office_id)
        if self.service_id is not None:
            q &= Q(service_id=self.service_id)
        if with_channel and self.channel:
            q &= Q(channel=self.channel)
        return q

    def previous(self) -> "Scope":
        """The period of the same length just before this one."""
        length = self.end - self.start + timedelta(days=1)
        return Scope(
            self.agency_id,
            self.start - length,
            self.start - timedelta(days=1),
            self.office_id,
            self.service_id,
            self.channel,
        )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _mean(total: int, count: int) -> float | None:
    return total / count if count else None


@dataclass
class Figures:
    """The sums of some rows, and what is derived from them."""

    sums: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> int:
        if name in SUMS or name in AGENT_SUMS:
            return int(self.sums.get(name) or 0)
        raise AttributeError(name)

    @classmethod
    def of(cls, row: dict, names=SUMS) -> "Figures":
        """The figures of one aggregated row (``Sum`` gives None over no rows)."""
        return cls({name: int(row[name] or 0) for name in names})

    def add(self, other: "Figures") -> "Figures":
        keys = set(self.sums) | set(other.sums)
        return Figures({k: (self.sums.get(k) or 0) + (other.sums.get(k) or 0) for k in keys})

    # -- visits
    @property
    def wait_mean(self) -> float | None:
        return _mean(self.wait_seconds, self.waits)

    def wait_percentile(self, fraction: float) -> float | None:
        """The wait under which ``fraction`` of visitors were called, interpolated in the
        histogram's bucket (the open last bucket answers its lower edge)."""
        counts = [int(self.sums.get(f"wait_h{i}") or 0) for i in range(WAIT_BUCKETS)]
        total = sum(counts)
        if not total:
            return None
        rank = fraction * total
        seen = 0
        for index, count in enumerate(counts):
            if count and seen + count >= rank:
                low = WAIT_EDGES[index - 1] if index else 0
                if index == len(WAIT_EDGES):
                    return float(low)
                high = WAIT_EDGES[index]
                return low + (high - low) * (rank - seen) / count
            seen += count
        return float(WAIT_EDGES[-1])

    @property
    def wait_median(self) -> float | None:
        return self.wait_percentile(0.5)

    @property
    def wait_p90(self) -> float | None:
        return self.wait_percentile(0.9)

    @property
    def wait_within_share(self) -> float | None:
        return _share(self.wait_within, self.wait_eligible)

    @property
    def service_mean(self) -> float | None:
        return _mean(self.service_seconds, self.completed)

    @property
    def no_show_share(self) -> float | None:
        """Visitors called who did not come, among those whose visit ended at a desk."""
        return _share(self.no_shows, self.completed + self.no_shows)

    @property
    def abandonment_share(self) -> float | None:
        """Visitors who left the line (or were still in it at closing), among arrivals."""
        return _share(self.abandoned, self.arrivals)

    @property
    def appointment_missed_share(self) -> float | None:
        return _share(self.appointments_missed, self.appointments_booked)

    @property
    def predicted_within_share(self) -> float | None:
        return _share(self.predicted_within, self.predicted)

    @property
    def predicted_error_mean(self) -> float | None:
        return _mean(self.predicted_error_seconds, self.predicted)

    # -- requests
    @property
    def first_response_mean(self) -> float | None:
        return _mean(self.first_response_seconds, self.first_responses)

    @property
    def response_within_share(self) -> float | None:
        return _share(self.response_within, self.response_eligible)

    @property
    def resolution_mean(self) -> float | None:
        return _mean(self.resolution_seconds, self.resolutions)

    @property
    def resolution_within_share(self) -> float | None:
        return _share(self.resolution_within, self.resolution_eligible)

    @property
    def first_contact_share(self) -> float | None:
        return _share(self.first_contact, self.resolutions)

    # -- surveys
    @property
    def satisfaction_share(self) -> float | None:
        return _share(self.satisfied, self.satisfaction_answers)

    @property
    def trust_share(self) -> float | None:
        return _share(self.trusting, self.trust_answers)

    @property
    def response_rate(self) -> float | None:
        return _share(self.responses, self.invitations)


def _daily(scope: Scope):
    """The agency's own daily rows when the scope is the whole agency (a year: 365 rows), the
    detailed ones (office × service × channel) otherwise."""
    whole = scope.office_id is None and scope.service_id is None and not scope.channel
    return AgencyDailyRollup if whole else DailyRollup


def figures(scope: Scope) -> Figures:
    """The totals of the scope."""
    found = _daily(scope).objects.filter(scope.filter()).aggregate(**{n: Sum(n) for n in SUMS})
    return Figures.of(found)


def backlog(scope: Scope) -> int:
    """Requests still open at the end of the scope's last day (every change up to then)."""
    since_ever = Scope(
        scope.agency_id, date.min, scope.end, scope.office_id, scope.service_id, scope.channel
    )
    found = _daily(scope).objects.filter(since_ever.filter()).aggregate(n=Sum("backlog_change"))
    return int(found["n"] or 0)


def _bucket(day: date, by: str) -> date:
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    if by == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day


def series(scope: Scope, by: str) -> list[tuple[object, Figures]]:
    """The scope's figures per group, in the group's natural order.

    Days, weeks, months and quarters are keyed by their first day (a ``date``); hours by the
    local hour (0–23); offices and services by id; channels by code; agents by user id."""
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    if by == "agent":
        names = AGENT_SUMS
        rows = (
            AgentRollup.objects.filter(scope.filter(with_channel=False))
            .values("agent_id")
            .annotate(**{n: Sum(n) for n in names})
            .order_by("agent_id")
        )
        return [(row["agent_id"], Figures.of(row, names)) for row in rows]
    by_day = by in ("day", "week", "month", "quarter")
    model = HourlyRollup if by == "hour" else _daily(scope) if by_day else DailyRollup
    column = {"office": "office_id", "service": "service_id", "channel": "channel"}.get(by, by)
    if by in ("week", "month", "quarter"):
        column = "day"
    rows = (
        model.objects.filter(scope.filter())
        .values(column)
        .annotate(**{n: Sum(n) for n in SUMS})
        .order_by(column)
    )
    grouped: dict[object, Figures] = {}
    for row in rows:
        key = _bucket(row[column], by) if column == "day" else row[column]
        found = Figures.of(row)
        grouped[key] = grouped[key].add(found) if key in grouped else found
    return list(grouped.items())
