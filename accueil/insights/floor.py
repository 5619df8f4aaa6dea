"""The supervisor's live floor: what one office looks like right now.

Per service: who waits and for how long, the wait predicted for someone arriving now, how many
were served today and the share called within the wait standard so far; per desk: who sits
there and what they are doing; the office's requests whose response or decision is due soon.

Read on every change in the office (the event stream) and every 30 seconds, by every
supervisor watching: it reads only open rows and today's rows, each through an index that
starts with the office (``queue_order``: office and status; ``one_ticket_a_day``: office and
day; open desk sessions; the agency's open requests), so the cost does not grow with the
years of history in the database. The number of statements is constant
(tests/insights/test_floor.py counts them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accueil.cases.models import OPEN_STATUSES as OPEN_CASE_STATUSES
from accueil.cases.models import Case
from accueil.catalog.models import Desk, Measure, Office, Service, ServiceStandard, ThresholdUnit
from accueil.queues.models import DeskSession, Visit, VisitStatus
from accueil.queues.waits import recent_forecast, wait_range

# Requests listed when their response or decision is due within this many business hours.
BREACH_HORIZON = timedelta(hours=4)
BREACHES_SHOWN = 50

THRESHOLD_SECONDS = {ThresholdUnit.MINUTES: 60}


@dataclass
class ServiceLine:
    """One service of the office, now and so far today."""

    service: Service
    waiting: int = 0
    longest_wait: int | None = None  # seconds the one waiting longest has waited
    predicted: tuple[int, int] | None = None  # minutes, for someone arriving now
    served: int = 0  # completed today
    standard: ServiceStandard | None = None  # the wait standard, in minutes
    eligible: int = 0  # called for the first time today, or waiting past the threshold
    within: int = 0  # … of which called within the threshold
    alerts: list[str] = field(default_factory=list)

    @property
    def threshold(self) -> int | None:
        """The wait standard's threshold in seconds."""
        if self.standard is None:
            return None
        return self.standard.threshold * THRESHOLD_SECONDS[ThresholdUnit(self.standard.unit)]

    @property
    def share(self) -> int | None:
        """Percent within the standard today (rounded down: an alert is never hidden by it)."""
        return self.within * 100 // self.eligible if self.eligible else None

    @property
    def longest_minutes(self) -> int | None:
        return None if self.longest_wait is None else self.longest_wait // 60


@dataclass
class DeskRow:
    desk: Desk
    state: str  # serving, called, idle, paused, closed
    session: DeskSession | None = None
    visit: Visit | None = None  # the visitor called to or served at the desk
    since: datetime | None = None  # when the state began
    minutes: int | None = None  # for how long
    services: list[Service] = field(default_factory=list)


@dataclass
class Breach:
    case: Case
    clock: str  # "response" or "resolution"
    due: datetime
    overdue: bool


@dataclass
class Floor:
    office: Office
    now: datetime
    lines: list[ServiceLine]
    desks: list[DeskRow]
    breaches: list[Breach]

    @property
    def waiting(self) -> int:
        return sum(line.waiting for line in self.lines)

    @property
    def alerts(self) -> int:
        return sum(len(line.alerts) for line in self.lines)

    @property
    def desks_open(self) -> int:
        return sum(1 for row in self.desks if row.state != "closed")


def floor_state(office: Office, now: datetime) -> Floor:
    """The floor of ``office`` (already authorised by the caller) at ``now``."""
    today = now.astimezone(office.zone).date()
    services = list(
        Service.objects.filter(offices=office, active=True)
        .prefetch_related("standards")
        .order_by("ticket_prefix", "name_fr")
    )
    lines = {str(s.id): ServiceLine(s, standard=_wait_standard(s)) for s in services}
    _count_waiting(office, now, lines)
    last_end = _count_today(office, today, lines)
    guess = recent_forecast(office, now)
    for key, line in lines.items():
        seconds = guess.for_new_arrival(key)
        line.predicted = wait_range(seconds)
        _raise_alerts(line, predicted=seconds)
    return Floor(
        office=office,
        now=now,
        lines=list(lines.values()),
        desks=_desks(office, now, last_end),
        breaches=_breaches(office, now),
    )


def _wait_standard(service: Service) -> ServiceStandard | None:
    for standard in service.standards.all():  # prefetched
        if standard.measure == Measure.WAIT and standard.unit in THRESHOLD_SECONDS:
            return standard
    return None


def _count_waiting(office, now, lines) -> None:
    """Who waits per service, since when the first of them, and how many are already past the
    wait standard (the open rows only: index ``queue_order``, office and status).

    A visitor still waiting past the threshold has already missed it and counts against
    today's share now, not at the call: the point of the floor is to see the day slipping
    before it has slipped."""
    rows = Visit.objects.filter(office=office, status=VisitStatus.WAITING).values_list(
        "service_id", "arrived_at"
    )
    for service_id, arrived in rows:
        line = lines.get(str(service_id))
        if line is None:
            continue
        waited = max(0, int((now - arrived).total_seconds()))
        line.waiting += 1
        line.longest_wait = max(line.longest_wait or 0, waited)
        if line.threshold is not None and waited > line.threshold:
            line.eligible += 1


def _count_today(office, today, lines) -> dict:
    """Today's figures from today's visits only (index ``one_ticket_a_day``: office, day):
    served, and called for the first time within the wait standard or not.

    Returns when each desk last finished with a visitor (its "free since")."""
    last_end: dict = {}
    rows = Visit.objects.filter(office=office, day=today).values_list(
        "service_id", "status", "arrived_at", "first_called_at", "desk_id", "ended_at"
    )
    for service_id, status, arrived, first_called, desk_id, ended in rows:
        if desk_id is not None and ended is not None:
            last_end[desk_id] = max(last_end.get(desk_id, ended), ended)
        line = lines.get(str(service_id))
        if line is None:
            continue
        if status == VisitStatus.DONE:
            line.served += 1
        if line.threshold is not None and first_called is not None:
            line.eligible += 1
            if (first_called - arrived).total_seconds() <= line.threshold:
                line.within += 1
    return last_end


def _raise_alerts(line: ServiceLine, predicted: int | None) -> None:
    """What a supervisor must act on: a line nobody serves, a standard already missed for
    someone, one about to be missed for the next arrival, a day under its target."""
    standard, threshold = line.standard, line.threshold
    if line.waiting and predicted is None:
        line.alerts.append(str(_("Nobody serves this line now.")))
    if standard is None or threshold is None:
        return
    if line.longest_wait is not None and line.longest_wait > threshold:
        line.alerts.append(
            str(
                _("Someone has waited longer than the standard (%(threshold)s).")
                % {"threshold": standard.threshold_text()}
            )
        )
    if predicted is not None and predicted > threshold:
        line.alerts.append(
            str(
                _("Someone arriving now would wait longer than the standard (%(threshold)s).")
                % {"threshold": standard.threshold_text()}
            )
        )
    if line.share is not None and line.share < standard.target_percent:
        line.alerts.append(
            str(
                _("Today’s share within the standard is under its target of %(target)s%%.")
                % {"target": standard.target_percent}
            )
        )


def _desks(office, now, last_end) -> list[DeskRow]:
    desks = list(Desk.objects.filter(office=office, active=True).order_by("label"))
    sessions = {
        session.desk_id: session
        for session in DeskSession.objects.filter(desk__office=office, closed_at=None)
        .select_related("agent")
        .prefetch_related("services")
    }
    at_desks = {
        visit.desk_id: visit
        for visit in Visit.objects.filter(
            office=office, status__in=[VisitStatus.CALLED, VisitStatus.SERVING]
        )
        .exclude(desk=None)
        .select_related("service")
        .order_by("called_at")
    }
    usual = _usual_services(desks)
    rows = []
    for desk in desks:
        session = sessions.get(desk.id)
        visit = at_desks.get(desk.id)
        if session is None:
            rows.append(DeskRow(desk, "closed", services=usual.get(desk.id, [])))
            continue
        chosen = list(session.services.all()) or usual.get(desk.id, [])
        if session.paused_at is not None:
            state, since = "paused", session.paused_at
        elif visit is not None and visit.status == VisitStatus.SERVING:
            state, since = "serving", visit.started_at
        elif visit is not None:
            state, since = "called", visit.called_at
        else:
            ended = last_end.get(desk.id)
            state, since = "idle", max(session.opened_at, ended) if ended else session.opened_at
        minutes = max(0, int((now - since).total_seconds()) // 60) if since else None
        rows.append(DeskRow(desk, state, session, visit, since, minutes, chosen))
    return rows


def _usual_services(desks) -> dict:
    """Each desk's own list of services (one query for every desk)."""
    by_desk: dict = {}
    through = Desk.services.through.objects.filter(desk_id__in=[d.id for d in desks])
    for row in through.select_related("service").order_by("service__ticket_prefix"):
        by_desk.setdefault(row.desk_id, []).append(row.service)
    return by_desk


def _breaches(office, now) -> list[Breach]:
    """Open requests of the office whose response or decision is due within the horizon
    (business hours of the office) or already overdue; soonest first.

    Read through the agency's open requests (index ``case_agency_status``), never its history."""
    horizon = office.cached_calendar().add(now, BREACH_HORIZON)
    response_soon = Q(first_response_at=None, response_due_at__lte=horizon)
    resolution_soon = Q(resolution_due_at__lte=horizon) & ~Q(resolution_state="paused")
    cases = (
        Case.objects.filter(
            agency_id=office.agency_id, office=office, status__in=OPEN_CASE_STATUSES
        )
        .filter(response_soon | resolution_soon)
        .select_related("service")
        .order_by("resolution_due_at")[: BREACHES_SHOWN * 2]
    )
    found = []
    for case in cases:
        dues = []
        if (
            case.first_response_at is None
            and case.response_due_at
            and case.response_due_at <= horizon
        ):
            dues.append(("response", case.response_due_at))
        if (
            case.resolution_due_at
            and case.resolution_due_at <= horizon
            and case.resolution_state != "paused"
        ):
            dues.append(("resolution", case.resolution_due_at))
        if dues:
            clock, due = min(dues, key=lambda pair: pair[1])
            found.append(Breach(case, clock, due, due <= now))
    found.sort(key=lambda breach: breach.due)
    return found[:BREACHES_SHOWN]
