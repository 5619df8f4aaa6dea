"""An office simulator: replays office days through the real actions, on a simulated clock.

Arrivals follow a time-varying Poisson process; service times are lognormal per service (a
little slower in the first hours); several services share agents (each desk serves a subset);
agents take staggered breaks; some visitors do not show up when called; some declare a
priority need; a few book an appointment the evening before and arrive around their time
(served first when on time), or not at all. A ``Mix`` can instead follow the office's own
opening hours (a day's arrivals spread over its open spans, with morning and lunch peaks) and
add visitors who give up waiting and visitors sent on to another line. Every step goes
through ``accueil.queues.actions`` with ``now=`` the simulated time, so the event log, the
predictions recorded at check-in and the actual waits are exactly what a real day would leave.

Used by ``accueil simulate``, by ``make bench`` (prediction accuracy) and by the demo (history).
"""

from __future__ import annotations

import heapq
import math
import random
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction

from accueil.catalog.models import Agency, Desk, Office, Service
from accueil.core.actors import Actor
from accueil.lib.businesstime import parse_weekly
from accueil.queues import actions
from accueil.queues.models import Source, Visit, VisitStatus
from accueil.queues.waits import forget_profiles, naive_wait, profile


@dataclass
class ServiceSpec:
    slug: str
    prefix: str
    name_fr: str
    name_en: str
    share: float  # of arrivals
    minutes: float  # mean service time
    sigma: float  # lognormal shape
    appointment_minutes: int = 0  # bookable when set


SERVICES = [
    ServiceSpec("sim-permis", "A", "Permis et licences", "Permits and licences", 0.5, 6, 0.5),
    ServiceSpec("sim-taxes", "B", "Taxes et comptes", "Taxes and accounts", 0.3, 12, 0.6),
    ServiceSpec("sim-urbanisme", "C", "Urbanisme", "Urban planning", 0.2, 20, 0.7, 30),
]
DESKS = {"1": "A", "2": "A", "3": "AB", "4": "BC", "5": "CA"}
# Arrivals per hour of the whole office, from 8:30; none after 16:00.
ARRIVALS = [18, 28, 32, 24, 20, 28, 24, 8]
OPEN, CLOSE_ARRIVALS = time(8, 30), time(16, 0)
NO_SHOW = 0.05
PRIORITY = 0.06
BOOKINGS = 5  # appointments booked a day, for the bookable services
BOOKED_NO_SHOW = 0.1
HOURS = "mon-fri 08:30-16:30"
BREAKS = {"1": (11.5, 12.0), "2": (12.0, 12.5), "3": (12.5, 13.0), "4": (11.75, 12.25)}


# The share of a day's arrivals in each local hour, for a ``Mix`` that follows the office's
# hours: a morning peak, a lunch peak, a quieter afternoon, a few after work.
HOURLY_SHAPE = {
    8: 0.6,
    9: 1.0,
    10: 1.4,
    11: 1.2,
    12: 1.3,
    13: 1.1,
    14: 0.8,
    15: 0.7,
    16: 0.6,
    17: 0.5,
    18: 0.4,
}


@dataclass
class Mix:
    """What an office's days look like when they follow its opening hours (the demo's history).

    ``visits``: mean arrivals on a full day (a short day gets its share); ``cancel``: share of
    walk-ins who leave the line if they are still waiting 5 to 25 minutes later; ``transfer``:
    share of visits sent on to another of the office's services instead of completed."""

    visits: float = 60
    cancel: float = 0.04
    transfer: float = 0.05
    bookings: int = 2  # a day, per bookable service
    last_ticket_minutes: int = 20  # no walk-in arrivals in the office's last minutes
    desks: int = 0  # how many of the office's desks are staffed (0: all)
    minutes: dict = field(default_factory=dict)  # ticket prefix → mean service minutes


@dataclass(order=True)
class Step:
    at: datetime
    order: int
    kind: str = field(compare=False)
    payload: object = field(compare=False, default=None)


@dataclass
class Outcome:
    visits: int = 0
    served: int = 0
    no_shows: int = 0
    cancelled: int = 0
    transfers: int = 0
    naive: dict = field(default_factory=dict)  # visit id → the naive estimate at check-in

    def add(self, other: Outcome) -> None:
        self.visits += other.visits
        self.served += other.served
        self.no_shows += other.no_shows
        self.cancelled += other.cancelled
        self.transfers += other.transfers
        self.naive.update(other.naive)


def setup_office(agency_slug: str = "simulation") -> Office:
    """The simulated office (created once): three services sharing five desks."""
    agency, _ = Agency.objects.get_or_create(
        slug=agency_slug, defaults={"name_fr": "Organisme simulé", "name_en": "Simulated agency"}
    )
    office, _created = Office.objects.get_or_create(
        agency=agency,
        slug="bureau-simule",
        defaults={
            "name_fr": "Bureau simulé",
            "name_en": "Simulated office",
            "time_zone": "America/Toronto",
        },
    )
    if not office.opening_hours.exists():
        office.set_weekly_hours(parse_weekly(HOURS))
    services = {}
    for spec in SERVICES:
        service, _ = Service.objects.get_or_create(
            agency=agency,
            slug=spec.slug,
            defaults={
                "name_fr": spec.name_fr,
                "name_en": spec.name_en,
                "ticket_prefix": spec.prefix,
                "channels": ["in_person"],
                "appointment_minutes": spec.appointment_minutes,
            },
        )
        service.offices.add(office)
        services[spec.prefix] = service
    for label, prefixes in DESKS.items():
        desk, _ = Desk.objects.get_or_create(office=office, label=label)
        desk.services.set([services[p] for p in prefixes])
    return office


class Day:
    def __init__(
        self, office, day: date, rng: random.Random, agents: dict, mix: Mix | None = None
    ) -> None:
        self.office, self.day, self.rng, self.agents, self.mix = office, day, rng, agents, mix
        self.actors = {label: Actor.staff(agent) for label, agent in agents.items()}
        self.zone = office.zone
        self.services = {
            s.ticket_prefix: s
            for s in office.services.all()
            # Following an office's hours: only the services it offers at the counter.
            if mix is None or "in_person" in s.channels
        }
        known = {spec.prefix: spec for spec in SERVICES}
        # An office of one's own (the demo's): unknown services get a middling profile.
        minutes = mix.minutes if mix else {}
        self.specs = {
            prefix: known.get(prefix)
            or ServiceSpec("", prefix, "", "", 0.3, minutes.get(prefix, 8), 0.6)
            for prefix in self.services
        }
        self.desks = {d.label: d for d in office.desks.filter(active=True).order_by("label")}
        if mix and mix.desks:
            self.desks = dict(list(self.desks.items())[: mix.desks])
        # What the simulation knows is waiting (visit id → ticket prefix) and what each desk
        # serves: with a ``Mix``, a desk does not ask for the next visitor when nobody it
        # serves is waiting (at a quiet office most calls would find nobody, at full price).
        self.waiting: dict = {}
        self.serves = {
            label: {s.ticket_prefix for s in desk.services.all()}
            for label, desk in self.desks.items()
        }
        self.steps: list[Step] = []
        self.counter = 0
        self.idle: set[str] = set()
        self.resting: set[str] = set()
        self.break_due: set[str] = set()
        self.sessions = {}
        self.fate: dict = {}  # visit id → "no_show" or service seconds
        self.outcome = Outcome()
        self.last = self.at(18)  # when the last step happened (desks close after it)

    def at(self, hours: float) -> datetime:
        start = datetime.combine(self.day, time(0), tzinfo=self.zone)
        return start + timedelta(hours=hours)

    def push(self, when: datetime, kind: str, payload=None) -> None:
        self.counter += 1
        heapq.heappush(self.steps, Step(when, self.counter, kind, payload))

    def book(self) -> None:
        """The day's appointments, booked the evening before, and when each person turns up."""
        from accueil.queues.booking import do_book, open_slots

        evening = self.at(-6)
        bookings = self.mix.bookings if self.mix else BOOKINGS
        for service in self.services.values():
            if not service.appointment_minutes:
                continue
            slots = [s for s in open_slots(self.office, service, self.day, evening) if s.free]
            for slot in self.rng.sample(slots, min(bookings, len(slots))):
                appointment = do_book(
                    self.office,
                    service,
                    slot.starts_at,
                    email="",  # nobody to notify on a simulated day
                    now=evening,
                    confirm=False,
                )
                if self.rng.random() < BOOKED_NO_SHOW:
                    continue
                early = timedelta(minutes=self.rng.uniform(-12, 6))
                self.push(slot.starts_at + early, "booked_arrival", appointment.code)

    def on_booked_arrival(self, now, code) -> None:
        from accueil.queues.booking import do_arrive

        visit = do_arrive(self.office, code, now=now)
        self.outcome.visits += 1
        self.waiting[visit.id] = visit.service.ticket_prefix
        self.fate[visit.id] = (
            "no_show"
            if self.rng.random() < NO_SHOW
            else self.service_seconds(visit.service.ticket_prefix, now)
        )
        self.call_idle(now)

    def plan(self) -> None:
        if self.mix is not None:
            self.plan_from_hours()
            return
        self.book()
        opening = OPEN.hour + OPEN.minute / 60
        for slot, rate in enumerate(ARRIVALS):
            start = opening + slot
            end = min(start + 1, CLOSE_ARRIVALS.hour + CLOSE_ARRIVALS.minute / 60)
            clock = start
            while True:
                clock += self.rng.expovariate(rate)
                if clock >= end:
                    break
                self.push(self.at(clock), "arrival")
        for label in self.desks:
            self.push(self.at(opening - 0.05), "open", label)
            if label in BREAKS:
                begin, finish = BREAKS[label]
                self.push(self.at(begin), "break", label)
                self.push(self.at(finish), "resume", label)

    def plan_from_hours(self) -> None:
        """Arrivals over the office's open spans that day (Poisson, ``HOURLY_SHAPE``), desks
        open a few minutes before the first span; no arrivals in the last minutes."""
        assert self.mix is not None
        spans = self.office.cached_calendar().open_spans(self.day)
        if not spans:
            return
        self.book()
        cutoff = timedelta(minutes=self.mix.last_ticket_minutes)
        midnight = self.at(0)
        full_day = sum(HOURLY_SHAPE.values())
        for start, end in spans:
            clock = (start - midnight).total_seconds() / 3600
            stop = (end - cutoff - midnight).total_seconds() / 3600
            while True:
                rate = self.mix.visits * HOURLY_SHAPE.get(int(clock), 0.3) / full_day
                clock += self.rng.expovariate(max(rate, 0.1))
                if clock >= stop:
                    break
                self.push(self.at(clock), "arrival")
        opening = (spans[0][0] - midnight).total_seconds() / 3600
        for label in self.desks:
            self.push(self.at(opening - 0.05), "open", label)
            if label in BREAKS:
                begin, finish = BREAKS[label]
                self.push(self.at(begin), "break", label)
                self.push(self.at(finish), "resume", label)

    def service_seconds(self, prefix: str, when: datetime) -> float:
        spec = self.specs[prefix]
        mean = spec.minutes * 60 * (1.15 if when.astimezone(self.zone).hour < 10 else 1.0)
        mu = math.log(mean) - spec.sigma**2 / 2
        return self.rng.lognormvariate(mu, spec.sigma)

    def run(self) -> Outcome:
        self.plan()
        while self.steps:
            step = heapq.heappop(self.steps)
            self.last = max(self.last, step.at)
            getattr(self, f"on_{step.kind}")(step.at, step.payload)
        for session in self.sessions.values():
            actions.do_close(session.desk, now=self.last)
        return self.outcome

    # -- what happens ----------------------------------------------------------------------

    def on_open(self, now, label) -> None:
        agent = self.agents[label]
        self.sessions[label] = actions.do_open_desk(
            self.desks[label], agent, [], actor=self.actors[label], now=now
        )
        self.idle.add(label)

    def on_arrival(self, now, _payload) -> None:
        prefix = self.rng.choices(list(self.specs), weights=[s.share for s in self.specs.values()])[
            0
        ]
        roll = self.rng.random()
        needs = ["accessibility"] if roll < PRIORITY else []
        visit, guess = actions.do_take_ticket(
            self.office, self.services[prefix], now=now, needs=needs, source=Source.KIOSK
        )
        self.outcome.visits += 1
        self.waiting[visit.id] = prefix
        learned = profile(self.office.agency_id, now)
        agents = len([label for label in self.desks if label not in self.resting])
        self.outcome.naive[visit.id] = naive_wait(guess.position, learned.overall, agents)
        self.fate[visit.id] = (
            "no_show" if self.rng.random() < NO_SHOW else self.service_seconds(prefix, now)
        )
        if self.mix is not None and self.rng.random() < self.mix.cancel:
            patience = timedelta(minutes=self.rng.uniform(5, 25))
            self.push(now + patience, "give_up", visit)
        self.call_idle(now)

    def on_give_up(self, now, visit) -> None:
        """The visitor leaves the line from their phone, if nobody called them yet."""
        if Visit.objects.filter(id=visit.id, status=VisitStatus.WAITING).exists():
            actions.do_cancel(visit, actor=Actor.citizen("visit", visit.id), now=now)
            self.waiting.pop(visit.id, None)
            self.outcome.cancelled += 1

    def call_idle(self, now) -> None:
        for label in sorted(self.idle):
            if label in self.resting or label not in self.idle:
                continue
            self.call(now, label)

    def call(self, now, label) -> None:
        if self.mix is not None and not self.serves[label].intersection(self.waiting.values()):
            self.idle.add(label)
            return
        visit = actions.do_call_next(self.desks[label], actor=self.actors[label], now=now)
        if visit is None:
            self.idle.add(label)
            return
        self.waiting.pop(visit.id, None)
        self.idle.discard(label)
        fate = self.fate.get(visit.id)
        if fate is None:  # a visitor from before the simulation: serve briefly
            fate = 300.0
        if fate == "no_show":
            self.push(now + timedelta(seconds=25), "recall", (label, visit))
        else:
            walk = self.rng.uniform(15, 60)
            self.push(now + timedelta(seconds=walk), "start", (label, visit, fate))

    def on_recall(self, now, payload) -> None:
        label, visit = payload
        visit = Visit.objects.get(id=visit.id)
        visit = actions.do_recall(visit, actor=self.actors[label], now=now)
        self.push(now + timedelta(seconds=25), "no_show", (label, visit))

    def on_no_show(self, now, payload) -> None:
        label, visit = payload
        actions.do_no_show(Visit.objects.get(id=visit.id), actor=self.actors[label], now=now)
        self.outcome.no_shows += 1
        self.free(now, label)

    def on_start(self, now, payload) -> None:
        label, visit, seconds = payload
        visit = actions.do_start(visit, actor=self.actors[label], now=now)
        others = [p for p in self.services if p != visit.service.ticket_prefix]
        if self.mix is not None and others and self.rng.random() < self.mix.transfer:
            # A few minutes to see it belongs elsewhere, then the visitor joins that line.
            self.push(now + timedelta(seconds=min(seconds, 180)), "transfer", (label, visit))
            return
        self.push(now + timedelta(seconds=seconds), "complete", (label, visit))

    def on_transfer(self, now, payload) -> None:
        label, visit = payload
        others = sorted(p for p in self.services if p != visit.service.ticket_prefix)
        prefix = self.rng.choice(others)
        actions.do_transfer(visit, service=self.services[prefix], actor=self.actors[label], now=now)
        self.fate[visit.id] = self.service_seconds(prefix, now)
        self.waiting[visit.id] = prefix
        self.outcome.transfers += 1
        self.free(now, label)
        self.call_idle(now)

    def on_complete(self, now, payload) -> None:
        label, visit = payload
        actions.do_complete(visit, actor=self.actors[label], now=now)
        self.outcome.served += 1
        self.free(now, label)

    def free(self, now, label) -> None:
        if label in self.break_due:
            self.break_due.discard(label)
            self.pause(now, label)
            return
        self.call(now, label)

    def pause(self, now, label) -> None:
        self.resting.add(label)
        self.idle.discard(label)
        actions.do_pause(self.sessions[label].desk, True, now=now)

    def on_break(self, now, label) -> None:
        if label in self.idle:
            self.pause(now, label)
        else:
            self.break_due.add(label)  # after the current visitor

    def on_resume(self, now, label) -> None:
        self.break_due.discard(label)
        if label in self.resting:
            self.resting.discard(label)
            actions.do_pause(self.sessions[label].desk, False, now=now)
            self.call(now, label)


def simulate(office, start: date, days: int, seed: int = 1, progress=None) -> Outcome:
    """Simulate ``days`` working days (Monday to Friday) from ``start``."""
    rng = random.Random(seed)
    agents = sim_agents(office)
    total = Outcome()
    day, done = start, 0
    forget_profiles()
    while done < days:
        if day.weekday() < 5:
            with transaction.atomic():  # one write transaction a day: fast on SQLite
                result = Day(office, day, rng, agents).run()
            done += 1
            total.add(result)
            if progress:
                progress(done, days, total)
        day += timedelta(days=1)
    return total


def sim_agents(office) -> dict:
    """One made-up agent per active desk (inactive accounts: nobody signs in as them)."""
    from accueil.accounts.models import Role, User

    agents = {}
    for desk in office.desks.filter(active=True):
        agents[desk.label], _ = User.objects.get_or_create(
            username=f"sim-{office.slug}-{desk.label}"[:150],
            defaults={"agency": office.agency, "role": Role.AGENT, "is_active": False},
        )
    return agents


def simulate_day(
    office, day: date, rng: random.Random, agents: dict, mix: Mix, after=None
) -> Outcome:
    """One day that follows the office's opening hours (nothing on a closed day), in one
    transaction with ``after(day, outcome)`` — what the caller adds to that day (surveys) —
    so a day is written whole or not at all."""
    with transaction.atomic():
        result = Day(office, day, rng, agents, mix).run()
        if after is not None:
            after(day, result)
    return result


def accuracy(office, since: datetime, until: datetime, naive: dict | None = None) -> dict:
    """Mean and 90th-percentile absolute error of the wait predicted at check-in."""
    rows = Visit.objects.filter(
        office=office,
        arrived_at__gte=since,
        arrived_at__lt=until,
        predicted_wait__isnull=False,
        first_called_at__isnull=False,
    ).values_list("id", "predicted_wait", "arrived_at", "first_called_at")
    ours, theirs = [], []
    for visit_id, predicted, arrived, called in rows:
        actual = (called - arrived).total_seconds()
        ours.append(abs(predicted - actual))
        if naive and naive.get(visit_id) is not None:
            theirs.append(abs(naive[visit_id] - actual))
    return {"count": len(ours), "ours": summary(ours), "naive": summary(theirs)}


def summary(errors: list[float]) -> dict:
    if not errors:
        return {"mae": None, "p90": None}
    ordered = sorted(errors)
    return {
        "mae": sum(ordered) / len(ordered),
        "p90": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))],
    }


def text_progress(done: int, days: int, total: Outcome) -> None:
    width = 30
    filled = int(width * done / days)
    bar = "#" * filled + "." * (width - filled)
    sys.stderr.write(f"\r[{bar}] day {done}/{days}, {total.visits} visits")
    if done == days:
        sys.stderr.write("\n")
    sys.stderr.flush()
