"""A province's history, written straight into PostgreSQL with COPY: the insights benchmark's data.

Millions of visits and requests cannot go through the actions in the time a benchmark has, so
this writes the rows the actions would have left — visits, requests and the events that record
them, with the facts each verb carries (queues/actions.py ``_event`` and ``_call_facts``,
cases/actions.py ``_timing`` and ``_status_facts``, feedback/actions.py ``_rollup_facts``) —
and then lets the real rollup consumer read them (``rollups.rebuild``). The few catalog rows
(agency, offices, services, standards, desks, staff) are made through the ORM.

Deterministic: the same seed and the same last day give the same rows. Ids are time-ordered
(UUIDv7 layout from the seeded generator), so the primary keys and the events' object index are
filled in order instead of at random places (the load is several times faster).

Events carry small transaction ids (1, 2, … one per group of a thousand events): below every
running transaction's id, so consumers read them at once, in the order written here
(core/events.py).
"""

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

CHUNK = 50_000  # visits or requests per COPY and commit
OFFICES = 40
SERVICES = 30
DESKS_PER_OFFICE = 8
SUPERVISORS_PER_OFFICE = 2
DAYS = 730
OPENS, CLOSES = (8, 30), (16, 30)
ZONES = ["America/Toronto"] * 30 + ["America/Winnipeg"] * 7 + ["America/Halifax"] * 3
PREFIXES = [chr(65 + i) for i in range(26)] + ["AB", "AC", "AD", "AE"]
SOURCES = ["kiosk"] * 60 + ["web"] * 25 + ["virtual"] * 5 + ["counter"] * 5 + ["phone"] * 3
SOURCES += ["api"] * 2
CASE_CHANNELS = ["web"] * 45 + ["email"] * 20 + ["phone"] * 20 + ["in_person"] * 10
CASE_CHANNELS += ["app"] * 3 + ["mail"] * 2
REFERENCE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # cases/actions.py
SERVICE_NAMES = [
    ("Permis de conduire", "Driver's licence"),
    ("Carte santé", "Health card"),
    ("Immatriculation", "Vehicle registration"),
    ("État civil", "Vital statistics"),
    ("Aide sociale", "Social assistance"),
    ("Emploi", "Employment"),
    ("Logement", "Housing"),
    ("Impôt foncier", "Property tax"),
    ("Permis de construire", "Building permit"),
    ("Chasse et pêche", "Hunting and fishing"),
]

VISIT_COLUMNS = (
    "id, office_id, service_id, day, number, ticket, status, language, phone, email, needs, "
    "priority, source, arrived_at, queue_at, desk_id, for_desk_id, agent_id, called_at, "
    "first_called_at, started_at, ended_at, recalls, outcome, predicted_wait, near_notice_sent, "
    "idempotency_key, request_fingerprint"
)
CASE_COLUMNS = (
    "id, reference, agency_id, service_id, office_id, team_id, assignee_id, assigned_at, status, "
    "channel, language, description, contact_name, contact_email, contact_phone, address, "
    "latitude, longitude, fields, opened_at, acknowledged_at, first_response_at, resolved_at, "
    "closed_at, transitions, response_due_at, resolution_due_at, response_state, "
    "resolution_state, next_check_at, duplicate_of_id, version, updated_at, idempotency_key, "
    "request_fingerprint, anonymised_at"
)
EVENT_COLUMNS = (
    "created_at, agency_id, actor_id, actor_kind, office_id, service_id, txid, verb, "
    "object_type, object_id, data"
)
N = "\\N"  # NULL in COPY's text format


@dataclass
class Place:
    """One office as the generator needs it."""

    id: str
    zone: ZoneInfo
    weight: float
    services: list  # of Svc
    desks: list  # of (desk id, agent id)
    staff: list  # agent ids, for requests


@dataclass
class Svc:
    id: str
    prefix: str
    mean_wait: float  # seconds
    mean_service: float
    wait_standard: int  # seconds


@dataclass
class Counts:
    visits: int = 0
    cases: int = 0
    events: int = 0
    by_verb: dict = field(default_factory=dict)


class Ids:
    """Time-ordered UUIDs (the UUIDv7 layout) drawn from the seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def at(self, epoch: float) -> str:
        bits = self.rng.getrandbits(74)
        value = (int(epoch * 1000) << 80) | (0x7 << 76) | ((bits >> 62) << 64)
        value |= (0b10 << 62) | (bits & ((1 << 62) - 1))
        return str(uuid.UUID(int=value))


def stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def reference(n: int, year: int) -> str:
    """The n-th request's reference: a bijection of n onto the 26⁶ codes, so all are distinct
    without remembering any, and consecutive requests do not get consecutive codes."""
    space = len(REFERENCE_ALPHABET) ** 6
    code, value = "", (n * 104_729 + 7_919) % space
    for _ in range(6):
        value, digit = divmod(value, len(REFERENCE_ALPHABET))
        code += REFERENCE_ALPHABET[digit]
    return f"R-{year}-{code}"


def catalog(rng: random.Random, offices: int = OFFICES) -> dict:
    """Agency, offices, hours, services with their standards, desks and staff (ORM, few rows)."""
    from django.contrib.auth.hashers import make_password

    from accueil.accounts.models import Role, User
    from accueil.catalog.models import (
        Agency,
        Desk,
        Measure,
        Office,
        OpeningHours,
        Service,
        ServiceStandard,
        ThresholdUnit,
    )

    unusable = make_password(None)
    agency = Agency.objects.create(
        slug="province", name_fr="Province de Banc", name_en="Province of Bench"
    )
    services = []
    for n in range(SERVICES):
        fr, en = SERVICE_NAMES[n % len(SERVICE_NAMES)]
        service = Service.objects.create(
            agency=agency,
            slug=f"service-{n + 1:02d}",
            name_fr=f"{fr} {n // len(SERVICE_NAMES) + 1}",
            name_en=f"{en} {n // len(SERVICE_NAMES) + 1}",
            channels=["in_person", "web", "phone", "email"],
            ticket_prefix=PREFIXES[n],
        )
        wait_minutes = rng.choice([10, 15, 20, 30])
        for measure, threshold, unit, target in (
            (Measure.WAIT, wait_minutes, ThresholdUnit.MINUTES, 80),
            (Measure.RESPONSE, rng.choice([8, 16]), ThresholdUnit.BUSINESS_HOURS, 90),
            (Measure.RESOLUTION, rng.choice([5, 10, 15]), ThresholdUnit.BUSINESS_DAYS, 85),
        ):
            ServiceStandard.objects.create(
                service=service,
                measure=measure,
                threshold=threshold,
                unit=unit,
                target_percent=target,
            )
        mean_wait = wait_minutes * 60 * rng.uniform(0.4, 0.9)
        services.append((service, Svc(str(service.id), PREFIXES[n], mean_wait, 0, 0)))
        services[-1][1].mean_service = rng.uniform(240, 900)
        services[-1][1].wait_standard = wait_minutes * 60
    places = []
    for n in range(offices):
        office = Office.objects.create(
            agency=agency,
            slug=f"bureau-{n + 1:02d}",
            name_fr=f"Bureau {n + 1:02d}",
            name_en=f"Office {n + 1:02d}",
            time_zone=ZONES[n % len(ZONES)],
        )
        OpeningHours.objects.bulk_create(
            OpeningHours(office=office, weekday=d, opens="08:30", closes="16:30") for d in range(5)
        )
        offered = rng.sample(services, 12)
        for service, _ in offered:
            service.offices.add(office)
        staff = User.objects.bulk_create(
            User(
                username=f"agent-{n + 1:02d}-{d + 1}",
                agency=agency,
                role=Role.AGENT,
                password=unusable,  # nobody signs in as them
            )
            for d in range(DESKS_PER_OFFICE)
        )
        supervisors = User.objects.bulk_create(
            User(
                username=f"chef-{n + 1:02d}-{d + 1}",
                agency=agency,
                role=Role.SUPERVISOR,
                password=unusable,
            )
            for d in range(SUPERVISORS_PER_OFFICE)
        )
        for user in staff + supervisors:
            user.offices.add(office)
        desks = []
        for d in range(DESKS_PER_OFFICE):
            desk = Desk.objects.create(office=office, label=f"{d + 1}")
            desk.services.set([s for s, _ in offered])
            desks.append((str(desk.id), str(staff[d].id)))
        places.append(
            Place(
                str(office.id),
                ZoneInfo(office.time_zone),
                rng.uniform(0.4, 1.6),
                [svc for _, svc in offered],
                desks,
                [str(u.id) for u in staff],
            )
        )
    chief = User.objects.create(
        username="bench-chef", agency=agency, role=Role.ADMIN, password=unusable
    )  # every office of the agency: no offices set
    return {"agency": str(agency.id), "places": places, "chief": chief}


def apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, in whole numbers that add up exactly."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    rest = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in rest[: total - sum(counts)]:
        counts[i] += 1
    return counts


class Writer:
    """Buffers rows of the three tables and COPYs them in one transaction per chunk."""

    def __init__(self, connection, counts: Counts, group: int = 1000):
        self.connection, self.counts = connection, counts
        self.group, self.written = group, 0  # events per transaction id, events so far
        self.visits: list[str] = []
        self.cases: list[str] = []
        self.events: list[str] = []

    def event(self, when, agency, actor, kind, office, service, verb, otype, oid, data) -> None:
        txid = 1 + self.written // self.group
        self.written += 1
        self.events.append(
            f"{stamp(when)}\t{agency}\t{actor or N}\t{kind}\t{office}\t{service}\t{txid}\t"
            f"{verb}\t{otype}\t{oid}\t{data}\n"
        )
        self.counts.by_verb[verb] = self.counts.by_verb.get(verb, 0) + 1

    def flush(self) -> None:
        with self.connection.cursor() as cursor:
            for table, columns, rows in (
                ("queues_visit", VISIT_COLUMNS, self.visits),
                ("cases_case", CASE_COLUMNS, self.cases),
                ("core_event", EVENT_COLUMNS, self.events),
            ):
                if rows:
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        copy.write("".join(rows))
        self.connection.commit()
        self.counts.visits += len(self.visits)
        self.counts.cases += len(self.cases)
        self.counts.events += len(self.events)
        self.visits, self.cases, self.events = [], [], []


def _bool(value: bool) -> str:
    return "true" if value else "false"


def visits(
    writer: Writer,
    rng: random.Random,
    ids: Ids,
    agency: str,
    places: list[Place],
    days: list[date],
    total: int,
    now: float,
    tick: Callable[[int], None],
) -> None:
    """``total`` visits over the working ``days``, each with the events of its path."""
    day_weights = [rng.uniform(0.7, 1.3) * (1.25 if d.weekday() == 0 else 1) for d in days]
    cells = [(d, p) for d in range(len(days)) for p in range(len(places))]
    weights = [day_weights[d] * places[p].weight for d, p in cells]
    per_cell = apportion(total, weights)
    done = 0
    for (d, p), count in zip(cells, per_cell, strict=True):
        if not count:
            continue
        day, place = days[d], places[p]
        opens = datetime(day.year, day.month, day.day, *OPENS, tzinfo=place.zone).timestamp()
        span = (CLOSES[0] - OPENS[0]) * 3600 + (CLOSES[1] - OPENS[1]) * 60 - 1800
        arrivals = sorted(opens + rng.triangular(0, span, span * 0.3) for _ in range(count))
        numbers: dict[str, int] = {}
        for arrived in arrivals:
            if arrived > now:
                break
            _visit(writer, rng, ids, agency, place, day, arrived, numbers, now)
        done += count
        if len(writer.visits) >= CHUNK:
            writer.flush()
            tick(done)
    writer.flush()
    tick(done)


def _visit(writer, rng, ids, agency, place, day, arrived, numbers, now) -> None:
    svc = place.services[min(int(rng.expovariate(0.25)), len(place.services) - 1)]
    number = numbers[svc.prefix] = numbers.get(svc.prefix, 0) + 1
    ticket = f"{svc.prefix}-{number:03d}"
    visit = ids.at(arrived)
    source = rng.choice(SOURCES)
    waited = int(min(rng.expovariate(1 / svc.mean_wait), 3 * 3600))
    predicted = None
    if source in ("kiosk", "web", "virtual"):
        predicted = max(0, int(waited * rng.lognormvariate(0, 0.35)))
    roll = rng.random()
    desk, agent = rng.choice(place.desks)
    common = f'"ticket": "{ticket}", "office": "{place.id}", "service": "{svc.id}", '
    common += f'"source": "{source}"'
    where = (agency, place.id, svc.id)

    def event(when, actor, kind, verb, extra=""):
        data = "{" + common + extra + "}"
        writer.event(when, *where[:1], actor, kind, *where[1:], verb, "queues.visit", visit, data)

    kiosk_kind = "staff" if source in ("counter", "phone") else "kiosk"
    event(arrived, None, kiosk_kind, "visit.checked_in")
    status, called, ended, started, outcome = "waiting", None, None, None, ""
    if roll < 0.05:  # left the line
        left = arrived + min(waited, rng.uniform(120, 1800))
        if left <= now:
            status, ended = "cancelled", left
            event(left, None, "citizen", "visit.cancelled")
    else:
        called = arrived + waited
        if called <= now:
            status = "called"
            shown = "null" if predicted is None else str(predicted)
            event(
                called,
                agent,
                "staff",
                "visit.called",
                f', "desk": "{desk}", "first": true, "waited": {waited}, "predicted": {shown}',
            )
            if roll < 0.09:  # did not come
                gone = called + 150
                if gone <= now:
                    status, ended = "no_show", gone
                    hour = datetime.fromtimestamp(called, place.zone).hour
                    event(gone, agent, "staff", "visit.no_show", f', "busy": 150, "hour": {hour}')
            else:
                started = called + rng.uniform(20, 90)
                if roll < 0.12:  # sent to another desk, then served there
                    moved = started + rng.uniform(60, 300)
                    if moved <= now:
                        event(moved, agent, "staff", "visit.transferred")
                        desk, agent = rng.choice(place.desks)
                        started = moved + rng.uniform(60, 900)
                        if started <= now:
                            event(started, agent, "staff", "visit.called", f', "desk": "{desk}"')
                seconds = int(rng.lognormvariate(0, 0.5) * svc.mean_service)
                if started + seconds <= now:
                    status, ended, outcome = "done", started + seconds, "resolved"
                    busy = int(ended - called)
                    hour = datetime.fromtimestamp(called, place.zone).hour
                    event(
                        ended,
                        agent,
                        "staff",
                        "visit.completed",
                        f', "busy": {busy}, "hour": {hour}, "seconds": {seconds}, '
                        f'"outcome": "resolved"',
                    )
                    _survey(writer, rng, ids, agency, place.id, svc.id, agent, ended, now, "visit")
                elif started <= now:
                    status = "serving"
    writer.visits.append(
        "\t".join(
            (
                visit,
                place.id,
                svc.id,
                day.isoformat(),
                str(number),
                ticket,
                status,
                "fr" if rng.random() < 0.8 else "en",
                "",
                "",
                "[]",
                "false",
                source,
                stamp(arrived),
                stamp(arrived),
                desk if called is not None else N,
                N,
                agent if called is not None else N,
                stamp(called) if called is not None and called <= now else N,
                stamp(called) if called is not None and called <= now else N,
                stamp(started) if started is not None and started <= now else N,
                stamp(ended) if ended is not None else N,
                "1" if status == "no_show" else "0",
                outcome,
                N if predicted is None else str(predicted),
                "false",
                N,
                "",
            )
        )
        + "\n"
    )


def _survey(writer, rng, ids, agency, office, service, agent, served, now, subject) -> None:
    """One in six people served is invited; a third of them answer, most satisfied."""
    if rng.random() >= 1 / 6:
        return
    invitation = ids.at(served)
    channel = "in_person" if subject == "visit" else "web"
    writer.event(
        served,
        agency,
        None,
        "system",
        office,
        service,
        "invitation.created",
        "feedback.invitation",
        invitation,
        f'{{"subject": "{subject}", "sent_via": "sms", "channel": "{channel}"}}',
    )
    answered = served + rng.uniform(600, 86_400)
    if rng.random() < 1 / 3 and answered <= now:
        satisfied, trusting = _bool(rng.random() < 0.82), _bool(rng.random() < 0.74)
        writer.event(
            answered,
            agency,
            None,
            "citizen",
            office,
            service,
            "survey.answered",
            "feedback.response",
            ids.at(answered),
            f'{{"invitation": "{invitation}", "answers": 3, "final": true, '
            f'"channel": "{channel}", "agent": "{agent}", '
            f'"positive": {{"satisfaction": {satisfied}, "trust": {trusting}}}}}',
        )


def cases(
    writer: Writer,
    rng: random.Random,
    ids: Ids,
    agency: str,
    places: list[Place],
    start: float,
    total: int,
    now: float,
    tick: Callable[[int], None],
) -> None:
    """``total`` requests opened evenly between ``start`` and ``now``, with their events."""
    weights = [p.weight for p in places]
    step = (now - start) / max(total, 1)
    for n in range(total):
        opened = start + n * step + rng.uniform(0, step)
        place = rng.choices(places, weights)[0]
        _case(writer, rng, ids, agency, place, n, opened, now)
        if len(writer.cases) >= CHUNK:
            writer.flush()
            tick(n + 1)
    writer.flush()
    tick(total)


def _case(writer, rng, ids, agency, place, n, opened, now) -> None:
    svc = rng.choice(place.services)
    case = ids.at(opened)
    channel = rng.choice(CASE_CHANNELS)
    agent = rng.choice(place.staff)
    response_due = opened + rng.choice([1, 2]) * 86_400
    resolution_due = opened + rng.choice([7, 14, 21]) * 86_400
    transitions = [[stamp(opened), "new"]]

    def event(when, actor, kind, verb, data):
        writer.event(when, agency, actor, kind, place.id, svc.id, verb, "cases.case", case, data)

    opener = "staff" if channel in ("phone", "in_person") else "citizen"
    event(
        opened,
        None,
        opener,
        "case.opened",
        f'{{"channel": "{channel}", "team": null, "assignee": null, "files": 0}}',
    )
    status, replied, resolved, closed = "new", None, None, None
    response_state, resolution_state = "running", "running"
    first_reply = opened + rng.lognormvariate(10, 0.9)  # median ≈ 6 hours
    if first_reply <= now:
        replied, status = first_reply, "in_progress"
        transitions.append([stamp(replied), "in_progress"])
        met = replied <= response_due
        response_state = "met" if met else "missed"
        event(
            replied,
            agent,
            "staff",
            "case.replied",
            f'{{"message": "{ids.at(replied)}", "template": "", "files": 0, '
            f'"channel": "{channel}", "first": true, "after": {int(replied - opened)}, '
            f'"due_met": {_bool(met)}}}',
        )
        done = replied + rng.lognormvariate(12.3, 0.8)  # median ≈ 2.5 days after
        first_contact = rng.random() < 0.45
        if done <= now:
            resolved, status = done, "resolved"
            transitions.append([stamp(done), "resolved"])
            met = done <= resolution_due
            resolution_state = "met" if met else "missed"
            event(
                done,
                agent,
                "staff",
                "case.resolved",
                f'{{"from": "in_progress", "to": "resolved", "channel": "{channel}", '
                f'"after": {int(done - opened)}, "due_met": {_bool(met)}, '
                f'"first_contact": {_bool(first_contact)}}}',
            )
            reopened = done + rng.uniform(86_400, 5 * 86_400)
            if rng.random() < 0.03 and reopened <= now:
                event(
                    reopened,
                    agent,
                    "staff",
                    "case.in_progress",
                    f'{{"from": "resolved", "to": "in_progress", "channel": "{channel}"}}',
                )
                transitions.append([stamp(reopened), "in_progress"])
                status, resolved = "in_progress", None
                again = reopened + rng.uniform(3600, 3 * 86_400)
                if again <= now:
                    resolved, status = again, "resolved"
                    transitions.append([stamp(again), "resolved"])
                    event(
                        again,
                        agent,
                        "staff",
                        "case.resolved",
                        f'{{"from": "in_progress", "to": "resolved", "channel": "{channel}", '
                        f'"after": {int(again - opened)}, '
                        f'"due_met": {_bool(again <= resolution_due)}, '
                        f'"first_contact": false}}',
                    )
            if resolved is not None:
                _survey(writer, rng, ids, agency, place.id, svc.id, agent, resolved, now, "case")
                shut = resolved + 14 * 86_400
                if shut <= now and rng.random() < 0.6:
                    closed, status = shut, "closed"
                    transitions.append([stamp(shut), "closed"])
                    event(
                        shut,
                        None,
                        "system",
                        "case.closed",
                        f'{{"from": "resolved", "to": "closed", "channel": "{channel}"}}',
                    )
    if status not in ("resolved", "closed"):
        late = now > resolution_due
        resolution_state = "breached" if late else rng.choice(["running"] * 4 + ["warning"])
    updated = max(t for t in (opened, replied, resolved, closed) if t is not None)
    year = datetime.fromtimestamp(opened, UTC).year
    trail = ", ".join(f'["{t}", "{s}"]' for t, s in transitions)
    writer.cases.append(
        "\t".join(
            (
                case,
                reference(n, year),
                agency,
                svc.id,
                place.id,
                N,
                agent,
                stamp(opened),
                status,
                channel,
                "fr" if rng.random() < 0.8 else "en",
                f"Demande {n} : {SERVICE_NAMES[n % len(SERVICE_NAMES)][0].lower()}.",
                "",
                "",
                "",
                "",
                N,
                N,
                "{}",
                stamp(opened),
                N,
                stamp(replied) if replied else N,
                stamp(resolved) if resolved else N,
                stamp(closed) if closed else N,
                f"[{trail}]",
                stamp(response_due),
                stamp(resolution_due),
                response_state,
                resolution_state,
                N,
                N,
                str(len(transitions)),
                stamp(updated),
                N,
                "",
                N,
            )
        )
        + "\n"
    )


def working_days(last: date, count: int = DAYS) -> list[date]:
    """Monday to Friday among the ``count`` days up to ``last``, oldest first."""
    first = last - timedelta(days=count - 1)
    every = (first + timedelta(days=i) for i in range(count))
    return [d for d in every if d.weekday() < 5]


def generate(
    visit_count: int,
    case_count: int,
    seed: int = 7,
    last: date | None = None,
    progress: Callable[[str, int], Callable[[int], None]] | None = None,
    offices: int = OFFICES,
    days: int = DAYS,
) -> dict:
    """Write the history into the current database (Django set up, PostgreSQL); figures.

    ``last``: the last day of the history (today by default: the history ends now)."""
    from django.db import connection
    from django.utils import timezone

    rng = random.Random(seed)
    ids = Ids(rng)
    began = time.perf_counter()
    made = catalog(rng, offices)
    now_dt = timezone.now()
    last = last or now_dt.date()
    now = min(
        now_dt.timestamp(), datetime(last.year, last.month, last.day, 23, tzinfo=UTC).timestamp()
    )
    open_days = working_days(last, days)
    counts = Counts()
    connection.ensure_connection()
    raw = connection.connection  # the psycopg connection under Django's
    raw.commit()
    with raw.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        xid = cursor.fetchone()[0]
    raw.commit()
    # Transaction ids below every running transaction's (core/events.py), a group of events
    # each: the consumer reads the log in (txid, id) order through an index range that starts
    # at its cursor's txid, so one txid for millions of rows would make each batch a long scan.
    expected = 5 * visit_count + 4 * case_count + 1
    group = max(1000, -(-expected // max(xid // 2, 1)))
    writer = Writer(raw, counts, group)

    def quiet(done: int) -> None:
        pass

    tick = progress("visits", visit_count) if progress else quiet
    visits(writer, rng, ids, made["agency"], made["places"], open_days, visit_count, now, tick)
    first = open_days[0]
    start = datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp()
    tick = progress("requests", case_count) if progress else quiet
    cases(writer, rng, ids, made["agency"], made["places"], start, case_count, now, tick)
    with raw.cursor() as cursor:
        cursor.execute("RESET synchronous_commit")
    raw.commit()
    return {
        "visits": counts.visits,
        "cases": counts.cases,
        "events": counts.events,
        "by_verb": counts.by_verb,
        "generate_seconds": time.perf_counter() - began,
        "offices": len(made["places"]),
        "days": len(open_days),
        "agency": made["agency"],
    }
