"""Check-ins and calls over real HTTP while PostgreSQL sessions are cut and a server process is
killed with SIGKILL: every failure is a 503 with Retry-After in the contract's shape, nobody is
called without an agent being told, and no visit is lost, numbered twice or called twice.

Clients behave as real ones do: a kiosk retries its check-in with the same Idempotency-Key, an
agent retries call-next and learns from the 409 ``visitor_pending`` who is already at the desk.
"""

import http.client
import json
import os
import signal
import threading
import time
import uuid
from collections import Counter

import pytest
from django.db import connection

from accueil.accounts.actions import do_issue_token
from accueil.core.actors import Actor
from accueil.core.models import Event
from accueil.queues.actions import do_open_desk
from accueil.queues.models import Visit, VisitStatus
from tests.factories import AgencyFactory, DeskFactory, OfficeFactory, ServiceFactory, UserFactory
from tests.security.outage import terminate
from tests.servers import running

pytestmark = pytest.mark.django_db(transaction=True)

DESKS = 4
KIOSKS = 3
CHAOS_SECONDS = 8
EXPECTED_CONFLICTS = {"visitor_pending", "conflict"}


@pytest.fixture
def floor():
    if connection.vendor != "postgresql":
        pytest.skip("cutting database sessions from outside needs a database server")
    agency = AgencyFactory()
    office = OfficeFactory(agency=agency)
    service = ServiceFactory(agency=agency, offices=[office], ticket_prefix="A")
    desks, tokens = [], []
    for number in range(DESKS):
        desk = DeskFactory(office=office, label=str(number + 1))
        desk.services.set([service])
        agent = UserFactory(agency=agency, offices=[office])
        do_open_desk(desk, agent, [])
        desks.append(desk)
        tokens.append(do_issue_token(Actor.staff(agent), "chaos")[1])
    return office, service, desks, tokens


class Client:
    """One HTTP exchange at a time; remembers every answer that was not a success."""

    def __init__(self, bases, failures, token=None):
        self.bases, self.failures, self.token = bases, failures, token

    def call(self, method, path, body=None, headers=None):
        for base in list(self.bases):  # a load balancer skips a dead process
            host = base.removeprefix("http://")
            conn = http.client.HTTPConnection(host, timeout=30)
            all_headers = {"Content-Type": "application/json", **(headers or {})}
            if self.token:
                all_headers["Authorization"] = f"Bearer {self.token}"
            try:
                conn.request(method, path, json.dumps(body or {}), all_headers)
                response = conn.getresponse()
                data = response.read()
            except (ConnectionError, http.client.HTTPException, OSError):
                if base in self.bases and len(self.bases) > 1:
                    continue
                time.sleep(0.05)
                return 0, None  # the process died mid-request: the caller retries
            finally:
                conn.close()
            payload = json.loads(data) if data else None
            if response.status >= 400:
                self.failures.append((response.status, response.getheader("Retry-After"), payload))
            return response.status, payload
        return 0, None


def test_dropped_connections_and_a_killed_process_lose_nothing(floor, tmp_path):
    office, service, desks, tokens = floor
    failures, created, told, errors = [], set(), set(), []
    stop_kiosks, chaos = threading.Event(), threading.Event()
    lock = threading.Lock()

    with running(2, tmp_path) as servers:
        bases = [server.base for server in servers]
        live_bases = list(bases)

        def kiosk():
            client = Client(live_bases, failures)
            while not stop_kiosks.is_set():
                key = str(uuid.uuid4())
                while True:  # a real kiosk retries the same check-in until it has a ticket
                    status, body = client.call(
                        "POST",
                        f"/api/v1/offices/{office.id}/visits",
                        {"service": str(service.id)},
                        {"Idempotency-Key": key},
                    )
                    if status == 201:
                        with lock:
                            created.add(body["id"])
                        break
                    time.sleep(0.02)

        def agent(index):
            client = Client(live_bases, failures, tokens[index])
            desk = desks[index]
            quiet_since = None
            while True:
                status, body = client.call("POST", f"/api/v1/desks/{desk.id}/call-next")
                if status == 200:
                    visit = body["id"]
                elif status == 409 and body["error"]["code"] == "visitor_pending":
                    visit = body["error"]["visit"]["id"]  # the agent is told who is there
                elif status == 204:
                    if stop_kiosks.is_set() and not chaos.is_set():
                        quiet_since = quiet_since or time.monotonic()
                        if time.monotonic() - quiet_since > 1:
                            return
                    time.sleep(0.02)
                    continue
                else:
                    time.sleep(0.02)
                    continue
                quiet_since = None
                with lock:
                    told.add(visit)
                while True:  # record the outcome, retrying until it is known to be recorded
                    status, body = client.call("POST", f"/api/v1/visits/{visit}/complete")
                    if status == 200 or (status == 409 and body["error"]["code"] == "conflict"):
                        break
                    time.sleep(0.02)

        def cut_sessions():
            while chaos.is_set():
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid()"
                    )
                    pids = [row[0] for row in cursor.fetchall()]
                terminate(pids)
                time.sleep(0.15)
            connection.close()

        def guarded(target, *args):
            def run():
                try:
                    target(*args)
                except Exception as error:  # noqa: BLE001 - reported below
                    errors.append(repr(error))

            return threading.Thread(target=run)

        chaos.set()
        threads = [guarded(kiosk) for _ in range(KIOSKS)]
        threads += [guarded(agent, i) for i in range(DESKS)]
        cutter = guarded(cut_sessions)
        for thread in [*threads, cutter]:
            thread.start()
        time.sleep(CHAOS_SECONDS / 2)
        # SIGKILL one server process mid-traffic: the load balancer sends clients to the other.
        os.kill(servers[0].process.pid, signal.SIGKILL)
        live_bases.remove(bases[0])
        time.sleep(CHAOS_SECONDS / 2)
        stop_kiosks.set()
        chaos.clear()
        cutter.join(timeout=30)
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a client never finished"
    connection.close()  # this thread's session was cut too: start a fresh one
    # The killed process's sessions linger until PostgreSQL notices; end them for the teardown.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        terminate([row[0] for row in cursor.fetchall()])

    assert errors == []
    statuses = Counter(status for status, _, _ in failures)
    print(f"{len(created)} check-ins, {len(told)} calls, failures by status: {dict(statuses)}")
    assert set(statuses) <= {409, 503}, statuses
    assert statuses[503] > 0, "the chaos must really have reached the clients"
    for status, retry_after, payload in failures:
        assert set(payload) == {"error"} and {"code", "message"} <= set(payload["error"])
        if status == 503:
            assert payload["error"]["code"] == "unavailable" and int(retry_after) >= 1
        else:
            assert payload["error"]["code"] in EXPECTED_CONFLICTS, payload

    visits = {str(v.id): v for v in Visit.objects.filter(office=office)}
    assert set(visits) == created  # nothing lost, nothing made that no kiosk was given
    tickets = [v.ticket for v in visits.values()]
    assert len(tickets) == len(set(tickets))
    calls = Counter(Event.objects.filter(verb="visit.called").values_list("object_id", flat=True))
    assert calls and max(calls.values()) == 1  # nobody called twice
    assert set(calls) <= told  # nobody called without an agent being told
    assert {v.status for v in visits.values()} == {VisitStatus.DONE}  # and everyone was served
