"""Never the same visitor to two desks, never the same ticket twice — under real concurrency."""

import os
import subprocess
import sys
import threading
import uuid
from collections import Counter

import pytest
from django.db import connection

from accueil.catalog.models import Desk
from accueil.core.models import Event
from accueil.queues.actions import do_call_next, do_check_in, do_complete, do_open_desk
from accueil.queues.models import Visit, VisitStatus
from tests.factories import DeskFactory, OfficeFactory, ServiceFactory, UserFactory

AGENTS = 8
VISITS = 2000


def run_in_threads(count, target):
    errors, results = [], [[] for _ in range(count)]

    def runner(index):
        try:
            target(index, results[index])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    return results


@pytest.fixture
def office_with_desks(transactional_db):
    office = OfficeFactory()
    service = ServiceFactory(agency=office.agency, offices=[office], ticket_prefix="A")
    desks = [DeskFactory(office=office, label=str(i + 1)) for i in range(AGENTS)]
    for desk in desks:
        desk.services.set([service])
        # Each desk held by its own agent: a desk calls only while someone sits at it.
        do_open_desk(desk, UserFactory(agency=office.agency, offices=[office]), [])
    return office, service, desks


def call_until_empty(desk):
    """What an agent does all day: call, serve, record the outcome, call again."""
    while (visit := do_call_next(desk)) is not None:
        do_complete(visit)
        yield visit.id


def fill_queue(office, service):
    Visit.objects.bulk_create(
        Visit(office=office, service=service, day="2026-11-27", number=n, ticket=f"A-{n:04d}")
        for n in range(1, VISITS + 1)
    )


def assert_each_visit_called_once(called):
    counts = Counter(called)
    assert len(called) == VISITS, f"{len(called)} calls for {VISITS} visits"
    assert [v for v, n in counts.items() if n > 1] == []
    assert Visit.objects.filter(status=VisitStatus.WAITING).count() == 0
    assert Visit.objects.filter(status=VisitStatus.DONE).count() == VISITS
    called_events = Counter(
        Event.objects.filter(verb="visit.called").values_list("object_id", flat=True)
    )
    assert len(called_events) == VISITS and max(called_events.values()) == 1


def test_eight_agents_in_threads_never_call_the_same_visitor(office_with_desks):
    office, service, desks = office_with_desks
    fill_queue(office, service)

    def agent(index, got):
        got.extend(call_until_empty(Desk.objects.get(id=desks[index].id)))

    results = run_in_threads(AGENTS, agent)
    assert_each_visit_called_once([v for got in results for v in got])
    assert sum(1 for got in results if got) > 1  # the desks really competed


def test_eight_agents_in_separate_processes_never_call_the_same_visitor(office_with_desks):
    if connection.vendor != "postgresql":
        pytest.skip("separate processes are the PostgreSQL scale path; threads cover SQLite")
    office, service, desks = office_with_desks
    fill_queue(office, service)
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST']}:{settings['PORT']}"
        f"/{settings['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "ACCUEIL_ENV": "test"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.queues.race_worker", str(desk.id)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for desk in desks
    ]
    outputs = [process.communicate(timeout=300)[0] for process in processes]
    assert all(process.returncode == 0 for process in processes)
    called = [line for output in outputs for line in output.split()]
    assert_each_visit_called_once([uuid.UUID(v) for v in called])


def test_eight_kiosks_give_unique_gap_free_tickets(office_with_desks):
    office, service, _ = office_with_desks
    other = ServiceFactory(agency=office.agency, offices=[office], ticket_prefix="B")

    def kiosk(index, got):
        for _ in range(VISITS // AGENTS):
            chosen = service if index % 2 else other
            got.append(do_check_in(office, chosen).ticket)

    results = run_in_threads(AGENTS, kiosk)
    tickets = [t for got in results for t in got]
    assert len(tickets) == len(set(tickets)) == VISITS
    for prefix in ("A", "B"):
        numbers = sorted(int(t[2:]) for t in tickets if t.startswith(prefix))
        assert numbers == list(range(1, len(numbers) + 1)), f"gap or repeat in {prefix}"


def test_a_double_submitted_check_in_makes_one_visit(office_with_desks):
    office, service, _ = office_with_desks

    def kiosk(index, got):
        got.append(do_check_in(office, service, idempotency_key="tap-tap").id)

    results = run_in_threads(4, kiosk)
    assert len({v for got in results for v in got}) == 1
    assert Visit.objects.count() == 1
