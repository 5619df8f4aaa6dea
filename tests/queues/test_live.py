"""Displays over real HTTP: server-sent events from `accueil serve`, across several processes."""

import threading
import time
import urllib.error
from collections import Counter

import pytest
from django.db import connection

from accueil.accounts.actions import do_issue_token
from accueil.catalog.models import Desk
from accueil.core.actors import Actor
from accueil.queues.actions import do_check_in, do_open_desk
from accueil.queues.models import Visit, VisitStatus
from tests.factories import (
    AgencyFactory,
    DeskFactory,
    OfficeFactory,
    ServiceFactory,
    UserFactory,
)
from tests.servers import Display, post, serving

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def floor():
    agency = AgencyFactory()
    office = OfficeFactory(agency=agency)
    service = ServiceFactory(agency=agency, offices=[office], ticket_prefix="A")
    desks, tokens = [], []
    for number in range(8):
        desk = DeskFactory(office=office, label=str(number + 1))
        desk.services.set([service])
        desks.append(desk)
        # One agent per desk, sitting at it: a desk calls only while its agent holds it.
        agent = UserFactory(agency=agency, username=f"agent{number}", offices=[office])
        do_open_desk(desk, agent, [])
        tokens.append(do_issue_token(Actor.staff(agent), "live")[1])
    return office, service, desks, tokens


def call_and_finish(base, desk, token):
    """Call the next visitor at the desk and record the outcome; returns (status, visit)."""
    status, got = post(base, f"/api/v1/desks/{desk.id}/call-next", token)
    if status == 200:
        done, _ = post(base, f"/api/v1/visits/{got['id']}/complete", token, body={})
        assert done == 200
    return status, got


def called(ticket):
    return lambda board: bool(board["calls"]) and board["calls"][0]["ticket"] == ticket


def test_a_display_sees_each_call_live(floor, tmp_path):
    office, service, desks, [token, *_] = floor
    with serving(1, tmp_path) as [base]:
        display = Display(base, office.id)
        first = display.next_board()  # the current state, at once
        assert first["calls"] == []
        status, visit = post(
            base, f"/api/v1/offices/{office.id}/visits", body={"service": str(service.id)}
        )
        assert status == 201
        display.wait_for(lambda board: board["services"][0]["waiting"] == 1)
        status, got = post(base, f"/api/v1/desks/{desks[0].id}/call-next", token)
        assert status == 200 and got["ticket"] == visit["ticket"]
        board = display.wait_for(called(visit["ticket"]))
        assert board["calls"][0]["desk"] == "1"
        display.close()


def test_a_display_that_reconnects_shows_the_true_state(floor, tmp_path):
    office, service, desks, [token, *_] = floor
    tickets = [do_check_in(office, service).ticket for _ in range(5)]
    with serving(1, tmp_path) as [base]:
        display = Display(base, office.id)
        display.next_board()
        display.close()  # the connection drops during five calls
        for _ in tickets:
            call_and_finish(base, desks[0], token)
        again = Display(base, office.id).next_board()
        assert again["calls"][0]["ticket"] == tickets[-1]
        assert [c["ticket"] for c in again["calls"][:5]] == tickets[::-1]


def test_unknown_office_stream_is_a_404_in_the_contract_shape(floor, tmp_path):
    with serving(1, tmp_path) as [base]:
        for office in ("00000000-0000-0000-0000-000000000000", "nope"):
            with pytest.raises(urllib.error.HTTPError) as error:
                urllib_get(f"{base}/api/v1/offices/{office}/events")
            assert error.value.code == 404
            assert b'"code": "not_found"' in error.value.read()


def urllib_get(url):
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        return response.read()


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("several server processes share PostgreSQL; SQLite runs one process")


def test_a_call_through_one_process_reaches_a_display_on_another(postgres_only, floor, tmp_path):
    office, service, desks, [token, *_] = floor
    visit = do_check_in(office, service)
    with serving(2, tmp_path) as [first, second]:
        display = Display(second, office.id)
        display.next_board()
        status, got = post(first, f"/api/v1/desks/{desks[0].id}/call-next", token)
        assert status == 200
        board = display.wait_for(called(visit.ticket))
        assert board["calls"][0]["desk"] == desks[0].label
        display.close()


def test_agents_spread_over_two_processes_never_share_a_visitor(postgres_only, floor, tmp_path):
    office, service, desks, tokens = floor
    Visit.objects.bulk_create(
        Visit(office=office, service=service, day="2026-11-27", number=n, ticket=f"A-{n:04d}")
        for n in range(1, 2001)
    )
    results = [[] for _ in desks]
    errors = []
    with serving(2, tmp_path) as bases:

        def agent(index):
            base = bases[index % 2]
            try:
                while True:
                    status, got = call_and_finish(base, desks[index], tokens[index])
                    if status == 204:
                        return
                    results[index].append(got["id"])
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=agent, args=(i,)) for i in range(len(desks))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
    assert errors == []
    calls = [visit for got in results for visit in got]
    counts = Counter(calls)
    assert len(calls) == 2000 and max(counts.values()) == 1
    assert Visit.objects.filter(status=VisitStatus.WAITING).count() == 0
    assert Visit.objects.filter(status=VisitStatus.DONE).count() == 2000
    by_process = [sum(len(results[i]) for i in range(p, len(desks), 2)) for p in (0, 1)]
    assert min(by_process) > 0  # both processes really served
    assert Desk.objects.filter(office=office).count() == 8


def test_displays_recover_when_the_listening_connection_is_cut(postgres_only, floor, tmp_path):
    office, service, desks, [token, *_] = floor
    visit = do_check_in(office, service)
    with serving(1, tmp_path) as [base]:
        display = Display(base, office.id)
        display.next_board()
        cut = False
        for _ in range(100):  # the listener connects in the background: wait for it
            with connection.cursor() as cursor:  # what a database restart does to it
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query LIKE 'LISTEN accueil_live%%' AND pid <> pg_backend_pid()"
                )
                cut = cursor.fetchone() is not None
            if cut:
                break
            time.sleep(0.1)
        assert cut
        status, _ = post(base, f"/api/v1/desks/{desks[0].id}/call-next", token)
        assert status == 200
        board = display.wait_for(called(visit.ticket))  # after the process reconnects
        assert board["calls"][0]["desk"] == desks[0].label
        display.close()
