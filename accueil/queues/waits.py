"""Predicted waits: replay the current line against the agents now serving it.

Service times are learned from four weeks of ``visit.completed`` and ``visit.no_show`` events
per service and hour of day, with a trimmed mean so that one two-hour visit does not move
everyone's estimate. What the KPI rollups have already counted is read from them (a histogram
of busy times, with each bucket's sum, per office, service and hour: ``history_sources``,
filled by the insights app); only the events they have not yet counted are read one by one.
An office's own history comes first; a new office starts from the same service at the agency's
other offices. And the day itself counts within a minute: what was observed in the last few
hours at the office is blended with that history, weighing more with every visit, so a new
form or a slow system shows in the predictions before the morning is over. The forecast then
plays the line forward the way call-next works: whichever agent is free first takes the first
waiting visitor of the services that agent serves, honouring priority and desk transfers. The
result is shown as a rounded range, and the estimate made at check-in is kept beside the visit
(``Visit.predicted_wait``) so accuracy can be published.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q

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
RECENT = timedelta(hours=6)  # "today": observed lately at the office, refreshed every minute
PRIOR_WEIGHT = 4  # the history counts as this many of today's visits
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


# Upper edges of the busy-time histogram, in seconds (the last bucket is open). The insights
# rollups keep, per bucket, how many visits fell in it and the sum of their busy times.
BUSY_EDGES = (60, 120, 180, 300, 420, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200)


def busy_bucket(seconds: float) -> int:
    for index, edge in enumerate(BUSY_EDGES):
        if seconds < edge:
            return index
    return len(BUSY_EDGES)


@dataclass
class BusyTally:
    """Busy times as a histogram with each bucket's sum: what a trimmed mean needs, mergeable
    (rows of rollups add up), exact when a bucket's values are equal."""

    counts: list[int] = field(default_factory=lambda: [0] * (len(BUSY_EDGES) + 1))
    sums: list[float] = field(default_factory=lambda: [0.0] * (len(BUSY_EDGES) + 1))

    def add(self, seconds: float) -> None:
        index = busy_bucket(seconds)
        self.counts[index] += 1
        self.sums[index] += seconds

    def merge(self, other: BusyTally) -> None:
        for index, count in enumerate(other.counts):
            self.counts[index] += count
            self.sums[index] += other.sums[index]

    def __len__(self) -> int:
        return sum(self.counts)

    def trimmed_mean(self, trim: float = TRIM) -> float:
        """``trimmed_mean`` over the histogram: the lowest and highest ``trim`` of the values
        are taken out, whole buckets first, then part of one at its own mean."""
        counts, sums = list(self.counts), list(self.sums)
        cut = int(len(self) * trim)
        for order in (range(len(counts)), reversed(range(len(counts)))):
            left = cut
            for index in order:
                if not left:
                    break
                taken = min(left, counts[index])
                if taken:
                    sums[index] -= sums[index] / counts[index] * taken
                    counts[index] -= taken
                    left -= taken
        kept = sum(counts)
        if not kept:
            return sum(self.sums) / len(self)
        return sum(sums) / kept


@dataclass
class Profile:
    """What the history says about one agency's services."""

    busy: dict[tuple[str, int], float]  # (service, hour) → seconds an agent is busy
    by_service: dict[str, float]
    overall: float
    no_show_rate: dict[str, float]
    no_show_cost: float
    by_office: dict[tuple[str, str], float] = field(default_factory=dict)  # (office, service)

    def busy_for(self, service_id: str, hour: int, office_id: str | None = None) -> float:
        """Seconds an agent is busy with one visitor: the office's own history when it has
        enough of it, else the agency's (the same service at its other offices)."""
        own = self.by_office.get((office_id, service_id)) if office_id else None
        if own is not None:
            return own
        return self.busy.get((service_id, hour)) or self.by_service.get(service_id, self.overall)

    def with_no_shows(self, service_id: str, busy: float) -> float:
        rate = self.no_show_rate.get(service_id, 0.0)
        return (1 - rate) * busy + rate * self.no_show_cost

    def expected(self, service_id: str, hour: int) -> float:
        """Expected agent time for the next visitor of this service, no-shows included."""
        return self.with_no_shows(service_id, self.busy_for(service_id, hour))


class OfficeProfile:
    """One office's expectations: its history (or the agency's) blended with its recent day.

    With n visits of a service observed lately, the estimate is
    (PRIOR_WEIGHT × history + n × recent mean) / (PRIOR_WEIGHT + n): one odd visit moves it a
    little, a dozen make the day's own pace the main voice."""

    def __init__(self, learned: Profile, office_id, recent: dict[str, list[float]]) -> None:
        self.learned = learned
        self.office_id = str(office_id)
        self.recent = recent
        self.overall = learned.overall

    def expected(self, service_id: str, hour: int) -> float:
        service_id = str(service_id)
        busy = self.learned.busy_for(service_id, hour, self.office_id)
        seen = self.recent.get(service_id)
        if seen:
            busy = (PRIOR_WEIGHT * busy + len(seen) * trimmed_mean(seen)) / (
                PRIOR_WEIGHT + len(seen)
            )
        return self.learned.with_no_shows(service_id, busy)


_cache: dict[tuple, Profile] = {}
_cache_lock = threading.Lock()


def _cached(key, compute):
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    value = compute()
    _store(key, value)
    return value


def _store(key, value) -> None:
    with _cache_lock:
        if len(_cache) > 1024:
            _cache.clear()
        _cache[key] = value


def _history_key(agency_id, now) -> tuple:
    return ("history", str(agency_id), now.replace(minute=0, second=0, microsecond=0))


def _recent_key(agency_id, now) -> tuple:
    return ("recent", str(agency_id), now.replace(second=0, microsecond=0))


def profile(agency_id, now) -> Profile:
    """The learned history, recomputed at most once an hour per process (derived data)."""
    key = _history_key(agency_id, now)
    return _cached(key, lambda: learn(agency_id, key[2] - RECENT))


def office_profile(office, now) -> OfficeProfile:
    """The office's expectations, with what it observed lately read again every minute."""
    key = _recent_key(office.agency_id, now)
    recent = _cached(key, lambda: observed_lately(office.agency_id, key[2]))
    return OfficeProfile(profile(office.agency_id, now), office.id, recent.get(str(office.id), {}))


def office_profiles(offices, now) -> dict:
    """``office_profile`` of many offices. What is not cached yet — the history and the recent
    hours of every agency concerned — is read in one query of the event log whatever the number
    of agencies (plus the rollups' own for the history); the two windows do not overlap, so each
    row goes to one of them."""
    agencies = {str(office.agency_id) for office in offices}
    with _cache_lock:
        need_history = {a for a in agencies if _history_key(a, now) not in _cache}
        need_recent = {a for a in agencies if _recent_key(a, now) not in _cache}
    if need_history or need_recent:
        hour, minute = _history_key("", now)[2], _recent_key("", now)[2]
        history_ends, recent_starts = hour - RECENT, minute - RECENT
        histories: dict[str, History] = defaultdict(History)
        window = Q(agency_id__in=need_recent, created_at__gte=recent_starts)
        if need_history:
            counted, uncounted = _counted(need_history, history_ends - HISTORY, history_ends)
            histories.update(counted)
            window |= uncounted & Q(
                agency_id__in=need_history,
                created_at__gte=history_ends - HISTORY,
                created_at__lt=history_ends,
            )
        recent: dict = defaultdict(list)
        rows = (
            Event.objects.filter(verb__in=BUSY_VERBS, created_at__lt=minute)
            .filter(window)
            .values_list("agency_id", "created_at", "verb", "data")
        )
        for agency_id, created_at, verb, data in rows:
            sample = _sample(verb, data)
            if created_at < history_ends:
                histories[str(agency_id)].add(*sample)
            elif created_at >= recent_starts:
                recent[str(agency_id)].append(sample)
        for agency in need_history:
            _store(_history_key(agency, now), _learned_from(histories[agency]))
        for agency in need_recent:
            _store(_recent_key(agency, now), _observed_from(recent[agency]))
    return {office.id: office_profile(office, now) for office in offices}


def forget_profiles() -> None:
    with _cache_lock:
        _cache.clear()


BUSY_VERBS = ("visit.completed", "visit.no_show")


def _busy_samples(agency_id, since, until):
    """(verb, office, service, hour, busy) of the visits that ended in [since, until)."""
    rows = Event.objects.filter(
        agency_id=agency_id,
        verb__in=BUSY_VERBS,
        created_at__gte=since,
        created_at__lt=until,
    ).values_list("verb", "data")
    for verb, data in rows:
        yield _sample(verb, data)


def _sample(verb, data) -> tuple:
    return verb, data.get("office"), data.get("service"), data.get("hour", -1), data.get("busy")


def observed_lately(agency_id, now) -> dict[str, dict[str, list[float]]]:
    """office → service → agent-busy seconds of the visits completed in the last hours."""
    return _observed_from(_busy_samples(agency_id, now - RECENT, now))


def _observed_from(rows) -> dict[str, dict[str, list[float]]]:
    recent: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for verb, office, service, _hour, busy in rows:
        if verb == "visit.completed" and busy is not None:
            recent[office][service].append(float(busy))
    return recent


@dataclass
class History:
    """What the forecast learns from: busy times per (office, service, local hour), and the
    no-shows per service with what each cost the agent."""

    busy: dict[tuple[str, str, int], BusyTally] = field(
        default_factory=lambda: defaultdict(BusyTally)
    )
    no_shows: Counter = field(default_factory=Counter)
    no_show_seconds: float = 0.0
    no_show_samples: int = 0

    def add(self, verb, office, service, hour, busy) -> None:
        if verb == "visit.no_show":
            self.no_shows[service] += 1
            if busy is not None:
                self.no_show_seconds += float(busy)
                self.no_show_samples += 1
        elif busy is not None:
            self.busy[(office, service, hour)].add(float(busy))


# Where history already counted is kept (the insights app registers its rollups here): each
# source is called with (agency ids, since, until) and returns ({agency id: History of what it
# counted}, a filter of the events it has not counted yet). Without one, every event is read.
history_sources: list = []


def _counted(agency_ids, since, until) -> tuple[dict[str, History], Q]:
    """What a registered source has counted in [since, until), and the filter of the events it
    has not (without a source: nothing counted, every event)."""
    for source in history_sources[:1]:
        counted: dict[str, History]
        counted, uncounted = source(agency_ids, since, until)
        return counted, uncounted
    return {}, Q()


def _histories(agency_ids, since, until) -> dict[str, History]:
    """The history of each agency in [since, until): from a registered source for what it has
    counted, from the event log for the rest (the few events its consumer has not read yet)."""
    histories: dict[str, History] = defaultdict(History)
    counted, uncounted = _counted(agency_ids, since, until)
    histories.update(counted)
    rows = (
        Event.objects.filter(
            agency_id__in=agency_ids,
            verb__in=BUSY_VERBS,
            created_at__gte=since,
            created_at__lt=until,
        )
        .filter(uncounted)
        .values_list("agency_id", "verb", "data")
    )
    for agency_id, verb, data in rows:
        histories[str(agency_id)].add(*_sample(verb, data))
    return histories


def learn(agency_id, now) -> Profile:
    """The agency's history: the four weeks before ``now``."""
    return _learned_from(_histories({str(agency_id)}, now - HISTORY, now)[str(agency_id)])


def _learned_from(history: History) -> Profile:
    samples: dict[tuple[str, int], BusyTally] = defaultdict(BusyTally)
    per_service: dict[str, BusyTally] = defaultdict(BusyTally)
    per_office: dict[tuple[str, str], BusyTally] = defaultdict(BusyTally)
    everything = BusyTally()
    for (office, service, hour), tally in history.busy.items():
        for tallies, key in ((samples, (service, hour)), (per_service, service)):
            tallies[key].merge(tally)
        per_office[(office, service)].merge(tally)
        everything.merge(tally)
    return Profile(
        busy={k: v.trimmed_mean() for k, v in samples.items() if len(v) >= MIN_SAMPLES},
        by_service={k: v.trimmed_mean() for k, v in per_service.items() if len(v)},
        overall=everything.trimmed_mean() if len(everything) else DEFAULT_BUSY,
        no_show_rate={
            service: count / (count + len(per_service.get(service, ())))
            for service, count in history.no_shows.items()
        },
        no_show_cost=(
            history.no_show_seconds / history.no_show_samples
            if history.no_show_samples
            else DEFAULT_NO_SHOW_COST
        ),
        by_office={k: v.trimmed_mean() for k, v in per_office.items() if len(v) >= MIN_SAMPLES},
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
    def __init__(
        self, guesses: dict, next_wait: dict, team=(), learned=None, hour=0, waiting=None
    ) -> None:
        self.guesses = guesses
        self.next_wait = next_wait  # service id → wait for someone arriving now
        self.waiting = Counter(waiting or {})  # service id → people waiting for it
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

    def waiting_for(self, service_id) -> int:
        return self.waiting[str(service_id)]

    def admit(self, visit_id, service_id) -> Guess:
        """Add one visitor at the end of a line, as play() would: no query needed."""
        service = str(service_id)
        with self.lock:
            self.lines[service] += 1
            self.waiting[service] += 1
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

    Plain value queries: this runs at every check-in and status read. The sessions come with
    their chosen services in one query (one row per session and service; no service: None).
    """
    from accueil.catalog.models import Desk

    ids = [office.id for office in offices]
    found: dict = {}  # session → (desk, office), in the order the database gave them
    chosen = defaultdict(set)
    for session_id, desk_id, office_id, service_id in DeskSession.objects.filter(
        desk__office_id__in=ids, closed_at=None, paused_at=None
    ).values_list("id", "desk_id", "desk__office_id", "services"):
        found[session_id] = (desk_id, office_id)
        if service_id is not None:
            chosen[session_id].add(str(service_id))
    sessions = [(session_id, desk, office) for session_id, (desk, office) in found.items()]
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
FRESH_FOR = 2.0  # seconds a read may reuse this process's last forecast of the office


def _remember(office_id, fresh: Forecast, now) -> None:
    with _recent_lock:
        if len(_recent) > 1024:
            _recent.clear()
        _recent[office_id] = (time.monotonic(), fresh, now)


def forget_recent(office_id) -> None:
    """The office changed: this process's current forecast of it is no longer true."""
    with _recent_lock:
        _recent.pop(office_id, None)
        _recent.pop(str(office_id), None)


def forget_forecasts() -> None:
    """Drop every forecast and learned profile of this process: the next read starts cold."""
    forget_profiles()
    with _recent_lock:
        _recent.clear()


def _still_fresh(office_id, now) -> Forecast | None:
    with _recent_lock:
        cached = _recent.get(office_id)
    if (
        cached is not None
        and time.monotonic() - cached[0] < FRESH_FOR
        and abs((now - cached[2]).total_seconds()) < FRESH_FOR  # a simulated clock jumps
    ):
        return cached[1]
    return None


def recent_forecast(office, now, refresh: bool = False) -> Forecast:
    """The office's one current forecast in this process, at most FRESH_FOR seconds old.

    Every surface reads it — board, console, status page, office pages, API — so they show the
    same figure for the same line at the same moment. ``refresh``: compute it anew (the board
    after each change, a read that finds it predates a visitor) and share that one."""
    cached = None if refresh else _still_fresh(office.id, now)
    if cached is not None:
        return cached
    fresh = forecast(office, now)
    _remember(office.id, fresh, now)
    return fresh


def recent_forecasts(offices, now) -> dict:
    """``recent_forecast`` for many offices, the missing ones computed together."""
    offices = list(offices)
    found = {office.id: _still_fresh(office.id, now) for office in offices}
    missing = [office for office in offices if found[office.id] is None]
    if missing:
        for office_id, fresh in forecast_offices(missing, now).items():
            _remember(office_id, fresh, now)
            found[office_id] = fresh
    return found


def forecast(office, now) -> Forecast:
    return forecast_offices([office], now)[office.id]


def forecast_offices(offices, now) -> dict:
    """One forecast per office, with the same few queries whatever the number of offices."""
    offices = list(offices)
    ids = [office.id for office in offices]
    agents = agents_now(offices, now)
    learned_by_office = office_profiles(offices, now)
    # One read of everyone in the offices' lines and at their desks, in line order.
    busy = defaultdict(list)  # (desk, service, called_at, first_called_at)
    waiting = defaultdict(list)  # (priority, visit, service, for_desk)
    for office_id, status, priority, visit_id, service_id, for_desk, desk, called, first in (
        Visit.objects.filter(
            office_id__in=ids,
            status__in=[VisitStatus.WAITING, VisitStatus.CALLED, VisitStatus.SERVING],
        )
        .order_by("queue_at", "number")
        .values_list(
            "office_id",
            "status",
            "priority",
            "id",
            "service_id",
            "for_desk_id",
            "desk_id",
            "called_at",
            "first_called_at",
        )
    ):
        if status == VisitStatus.WAITING:
            waiting[office_id].append((priority, visit_id, service_id, for_desk))
        else:
            busy[office_id].append((desk, service_id, called, first))
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
    result = {}
    for office in offices:
        learned = learned_by_office[office.id]
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
        waiting_by_service = Counter(str(row[2]) for row in line)
        next_wait = {}  # a service no agent serves now has no estimate (None)
        for service in set().union(*(a.services for a in team)):
            able = [a.free_at for a in team if service in a.services]
            next_wait[service] = int(min(able))
        result[office.id] = Forecast(
            guesses, next_wait, team, learned, hour, waiting=waiting_by_service
        )
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
    """The visit's guess from a forecast computed now (and shared with the other readers)."""
    return recent_forecast(visit.office, now, refresh=True).get(visit.id) or Guess(0, None)


def admit_newcomer(visit, now) -> Guess:
    """A newcomer (not yet saved) joins the end of their line in the office's recent forecast.

    Priority visitors change the order: callers predict them once they are in the line."""
    return recent_forecast(visit.office, now).admit(visit.id, visit.service_id)


def predict_for_reading(visit, now) -> Guess:
    """For a status read: the office's recent forecast, unless it predates this visit."""
    guess = recent_forecast(visit.office, now).get(visit.id)
    return guess if guess is not None else predict(visit, now)
