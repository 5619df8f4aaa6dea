"""Predicted waits: replay the current line against the agents now serving it.

Service times are learned from the event log (``visit.completed`` and ``visit.no_show``
events of the last four weeks) per service and hour of day, with a trimmed mean so that one
two-hour visit does not move everyone's estimate. The forecast then plays the line forward
the way call-next works: whichever agent is free first takes the first waiting visitor of the
services that agent serves, honouring priority and desk transfers. The result is shown as a
rounded range, and the estimate made at check-in is kept beside the visit
(``Visit.predicted_wait``) so accuracy can be published.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from accueil.core.models import Event
from accueil.queues.models import (
    Appointment,
    AppointmentStatus,
    DeskSession,
    QueueRules,
    Visit,
    VisitStatus,
)

DEFAULT_BUSY = 360.0  # seconds an agent spends on a visit before any history exists
DEFAULT_NO_SHOW_COST = 90.0
HISTORY = timedelta(days=28)
MIN_SAMPLES = 8
TRIM = 0.1
RECENT_DESK = timedelta(minutes=30)
APPOINTMENT_AHEAD = timedelta(hours=3)  # booked people counted ahead of the line
APPOINTMENT_LATE = timedelta(minutes=15)
APPOINTMENT_EARLY = timedelta(minutes=5)  # they tend to arrive a little before


def trimmed_mean(values: list[float], trim: float = TRIM) -> float:
    ordered = sorted(values)
    cut = int(len(ordered) * trim)
    kept = ordered[cut : len(ordered) - cut] or ordered
    return sum(kept) / len(kept)


@dataclass
class Profile:
    """What the history says about one agency's services."""

    busy: dict[tuple[str, int], float]  # (service, hour) → seconds an agent is busy
    by_service: dict[str, float]
    overall: float
    no_show_rate: dict[str, float]
    no_show_cost: float

    def expected(self, service_id: str, hour: int) -> float:
        """Expected agent time for the next visitor of this service, no-shows included."""
        busy = self.busy.get((service_id, hour)) or self.by_service.get(service_id, self.overall)
        rate = self.no_show_rate.get(service_id, 0.0)
        return (1 - rate) * busy + rate * self.no_show_cost


_cache: dict[tuple, Profile] = {}
_cache_lock = threading.Lock()


def profile(agency_id, now) -> Profile:
    """The learned profile, recomputed at most once an hour per process (it is derived data)."""
    key = (str(agency_id), now.replace(minute=0, second=0, microsecond=0))
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    learned = learn(agency_id, now)
    with _cache_lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = learned
    return learned


def forget_profiles() -> None:
    with _cache_lock:
        _cache.clear()


def learn(agency_id, now) -> Profile:
    rows = Event.objects.filter(
        agency_id=agency_id,
        verb__in=["visit.completed", "visit.no_show"],
        created_at__gte=now - HISTORY,
        created_at__lt=now,
    ).values_list("verb", "data")
    samples: dict[tuple[str, int], list[float]] = defaultdict(list)
    per_service: dict[str, list[float]] = defaultdict(list)
    no_shows: dict[str, int] = defaultdict(int)
    no_show_costs: list[float] = []
    for verb, data in rows:
        service = data.get("service")
        if verb == "visit.no_show":
            no_shows[service] += 1
            if data.get("busy") is not None:
                no_show_costs.append(float(data["busy"]))
            continue
        busy = data.get("busy")
        if busy is None:
            continue
        samples[(service, data.get("hour", -1))].append(float(busy))
        per_service[service].append(float(busy))
    everything = [v for values in per_service.values() for v in values]
    return Profile(
        busy={k: trimmed_mean(v) for k, v in samples.items() if len(v) >= MIN_SAMPLES},
        by_service={k: trimmed_mean(v) for k, v in per_service.items() if v},
        overall=trimmed_mean(everything) if everything else DEFAULT_BUSY,
        no_show_rate={
            service: count / (count + len(per_service.get(service, ())))
            for service, count in no_shows.items()
        },
        no_show_cost=trimmed_mean(no_show_costs) if no_show_costs else DEFAULT_NO_SHOW_COST,
    )


@dataclass
class Guess:
    position: int  # 1: next in this line
    wait: int | None  # seconds; None: nobody is serving this line now
    line: str = ""  # the service, or "desk:<id>" after a transfer to one desk


@dataclass
class Agent:
    desk_id: object
    services: set
    free_at: float  # seconds from now


class Forecast:
    def __init__(self, guesses: dict, next_wait: dict, team=(), learned=None, hour=0) -> None:
        self.guesses = guesses
        self.next_wait = next_wait  # service id → wait for someone arriving now
        self.team = list(team)  # agents, with when each is free after the current line
        self.agents = len(self.team)
        self.learned, self.hour = learned, hour
        self.lines: dict[str, int] = defaultdict(int)
        for guess_line, guess in ((g.line, g) for g in guesses.values()):
            self.lines[guess_line] = max(self.lines[guess_line], guess.position)
        self.lock = threading.Lock()

    def get(self, visit_id) -> Guess | None:
        return self.guesses.get(visit_id)

    def for_new_arrival(self, service_id) -> int | None:
        return self.next_wait.get(str(service_id))

    def admit(self, visit_id, service_id) -> Guess:
        """Add one visitor at the end of a line, as play() would: no query needed."""
        service = str(service_id)
        with self.lock:
            self.lines[service] += 1
            guess = Guess(self.lines[service], None, service)
            able = [a for a in self.team if service in a.services]
            if able:
                agent = min(able, key=lambda a: a.free_at)
                guess.wait = int(agent.free_at)
                agent.free_at += self.learned.expected(service, self.hour)
                self.next_wait[service] = int(min(a.free_at for a in able))
            self.guesses[visit_id] = guess
        return guess


def agents_now(offices, now) -> dict:
    """Per office: open, unpaused desk sessions; without any, the desks that called lately.

    Plain value queries: this runs at every check-in and status read.
    """
    from accueil.catalog.models import Desk

    ids = [office.id for office in offices]
    sessions = list(
        DeskSession.objects.filter(
            desk__office_id__in=ids, closed_at=None, paused_at=None
        ).values_list("id", "desk_id", "desk__office_id")
    )
    chosen = defaultdict(set)
    if sessions:
        for session_id, service_id in DeskSession.services.through.objects.filter(
            desksession_id__in=[s[0] for s in sessions]
        ).values_list("desksession_id", "service_id"):
            chosen[session_id].add(str(service_id))
    present = {(desk_id, office_id) for _s, desk_id, office_id in sessions}
    missing = [i for i in ids if i not in {office_id for _d, office_id in present}]
    if missing:
        present |= set(
            Visit.objects.filter(office_id__in=missing, called_at__gte=now - RECENT_DESK)
            .exclude(desk=None)
            .values_list("desk_id", "office_id")
            .distinct()
        )
    usual = defaultdict(set)
    for desk_id, service_id in Desk.services.through.objects.filter(
        desk_id__in=[desk_id for desk_id, _o in present]
    ).values_list("desk_id", "service_id"):
        usual[desk_id].add(str(service_id))
    agents: dict = defaultdict(list)
    seen = set()
    for session_id, desk_id, office_id in sessions:
        agents[office_id].append(Agent(desk_id, chosen[session_id] or usual[desk_id], 0.0))
        seen.add(desk_id)
    for desk_id, office_id in present:
        if desk_id not in seen:
            agents[office_id].append(Agent(desk_id, usual[desk_id], 0.0))
    return agents


_recent: dict = {}
_recent_lock = threading.Lock()
FRESH_FOR = 2.0  # seconds a status read may reuse this process's last forecast of the office


def recent_forecast(office, now) -> Forecast:
    """A forecast at most FRESH_FOR seconds old, for reads (status pages poll often)."""
    key = office.id
    with _recent_lock:
        cached = _recent.get(key)
    if (
        cached is not None
        and time.monotonic() - cached[0] < FRESH_FOR
        and abs((now - cached[2]).total_seconds()) < FRESH_FOR  # a simulated clock jumps
    ):
        return cached[1]
    fresh = forecast(office, now)
    with _recent_lock:
        if len(_recent) > 1024:
            _recent.clear()
        _recent[key] = (time.monotonic(), fresh, now)
    return fresh


def forecast(office, now) -> Forecast:
    return forecast_offices([office], now)[office.id]


def forecast_offices(offices, now) -> dict:
    """One forecast per office, with the same few queries whatever the number of offices."""
    from accueil.catalog.models import Service

    offices = list(offices)
    ids = [office.id for office in offices]
    agents = agents_now(offices, now)
    busy = defaultdict(list)
    for row in Visit.objects.filter(
        office_id__in=ids, status__in=[VisitStatus.CALLED, VisitStatus.SERVING]
    ).values_list("office_id", "desk_id", "service_id", "called_at", "first_called_at"):
        busy[row[0]].append(row[1:])
    rules = {r.office_id: r for r in QueueRules.objects.filter(office_id__in=ids)}
    due = defaultdict(list)  # booked people expected soon, who will go before the line
    for office_id, service_id, starts_at in Appointment.objects.filter(
        office_id__in=ids,
        status=AppointmentStatus.BOOKED,
        starts_at__gte=now - APPOINTMENT_LATE,
        starts_at__lt=now + APPOINTMENT_AHEAD,
    ).values_list("office_id", "service_id", "starts_at"):
        arrives = max(0.0, (starts_at - now).total_seconds() - APPOINTMENT_EARLY.total_seconds())
        due[office_id].append((arrives, service_id))
    waiting = defaultdict(list)
    for row in (
        Visit.objects.filter(office_id__in=ids, status=VisitStatus.WAITING)
        .order_by("queue_at", "number")
        .values_list("office_id", "priority", "id", "service_id", "for_desk_id")
    ):
        waiting[row[0]].append(row[1:])
    services = defaultdict(set)
    for office_id, service_id in Service.offices.through.objects.filter(
        office_id__in=ids
    ).values_list("office_id", "service_id"):
        services[office_id].add(str(service_id))
    result = {}
    for office in offices:
        learned = profile(office.agency_id, now)
        hour = now.astimezone(office.zone).hour
        team = agents.get(office.id, [])
        by_desk = {agent.desk_id: agent for agent in team}
        for desk_id, service_id, called_at, first_called in busy.get(office.id, ()):
            agent = by_desk.get(desk_id)
            if agent is None or called_at is None:
                continue
            expected = learned.expected(str(service_id), hour)
            elapsed = (now - (first_called or called_at)).total_seconds()
            # Someone already served for a while is likely to need a little more, not zero.
            agent.free_at = max(agent.free_at, expected - elapsed, 0.2 * expected)
        line = waiting.get(office.id, [])
        office_rules = rules.get(office.id)
        if office_rules is None or office_rules.priority_first:
            line = sorted(line, key=lambda row: not row[0])  # stable: keeps arrival order
        guesses = play([row[1:] for row in line], team, learned, hour, due.get(office.id, ()))
        next_wait = {}
        for service in services.get(office.id, ()):
            able = [a.free_at for a in team if service in a.services]
            next_wait[service] = int(min(able)) if able else None
        result[office.id] = Forecast(guesses, next_wait, team, learned, hour)
    return result


def play(waiting, agents, learned, hour, due=()) -> dict:
    """Hand out the line to the agents in the order they become free, as call-next would.

    ``due``: (seconds from now, service) of booked people not yet arrived; one who has arrived
    by the time an agent of their service is free goes before the line, as at the kiosk.
    """
    positions: dict[str, int] = defaultdict(int)
    guesses = {}
    for visit_id, service_id, for_desk in waiting:
        line = f"desk:{for_desk}" if for_desk else str(service_id)
        positions[line] += 1
        guesses[visit_id] = Guess(positions[line], None, line)
    pending = list(waiting)
    booked = sorted((at, str(service)) for at, service in due)
    free = sorted(agents, key=lambda a: a.free_at)
    while pending and free:
        agent = free.pop(0)
        served = None
        for index, (at, service) in enumerate(booked):
            if at <= agent.free_at and service in agent.services:
                served = service
                del booked[index]
                break
        if served is None:
            for index, (visit_id, service_id, for_desk) in enumerate(pending):
                mine = for_desk == agent.desk_id if for_desk else str(service_id) in agent.services
                if mine:
                    guesses[visit_id].wait = int(agent.free_at)
                    served = str(service_id)
                    del pending[index]
                    break
        if served is None:
            continue  # nobody left this agent can serve
        agent.free_at += learned.expected(served, hour)
        # Keep the agents sorted by when they are free next.
        at = 0
        while at < len(free) and free[at].free_at <= agent.free_at:
            at += 1
        free.insert(at, agent)
    return guesses


def naive_wait(position: int, mean_busy: float, desks: int) -> int | None:
    """The estimator we must beat: position × mean service time ÷ open desks."""
    if desks == 0:
        return None
    return int(position * mean_busy / desks)


def wait_range(seconds: int | None) -> tuple[int, int] | None:
    """An honest range in minutes, rounded to 5 (under 5 minutes: 0–5)."""
    if seconds is None:
        return None
    minutes = seconds / 60
    low = 5 * math.floor(minutes * 0.8 / 5)
    high = max(5 * math.ceil(minutes * 1.2 / 5), low + 5)
    return low, high


def predict(visit, now) -> Guess:
    return forecast(visit.office, now).get(visit.id) or Guess(0, None)


def admit_newcomer(visit, now) -> Guess:
    """A newcomer (not yet saved) joins the end of their line in the office's recent forecast.

    Priority visitors change the order: callers predict them once they are in the line."""
    return recent_forecast(visit.office, now).admit(visit.id, visit.service_id)


def predict_for_reading(visit, now) -> Guess:
    """For a status read: the office's recent forecast, unless it predates this visit."""
    guess = recent_forecast(visit.office, now).get(visit.id)
    return guess if guess is not None else predict(visit, now)
