"""Queue figures for `make bench`: the HTTP mix, the raw database rate, 500 live displays.

- Mix: kiosk clients take tickets and read their status; agent clients, one per desk, call the
  next visitor and complete the visit — all over real HTTP against `accueil serve`, for a fixed
  time after a warm-up that fills the line. Reports operations/s, p50/p95/p99 and peak RSS.
- Raw database: the same statements the four operations run (hand-written SQL, same
  concurrency) straight through the driver, so the HTTP figure reads as a share of the limit.
- Displays: 500 server-sent-event connections to one office; an agent calls next 20 times;
  latency is from sending the call to each display receiving a board showing it.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import random
import sqlite3
import statistics
import threading
import time
import uuid

MIX_SECONDS = 20
KIOSKS = 4
STATUS_READS = 2  # status reads per ticket, as a phone page polling
DISPLAYS = 500
DISPLAY_CALLS = 20


class Api:
    def __init__(self, base: str, token: str | None = None) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=30)
        self.headers = {"Accept-Language": "fr", "Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body=None, headers=None) -> tuple[int, object, float]:
        data = json.dumps(body) if body is not None else None
        began = time.perf_counter()
        self.connection.request(
            method, path, body=data, headers={**self.headers, **(headers or {})}
        )
        response = self.connection.getresponse()
        text = response.read()
        elapsed = time.perf_counter() - began
        return response.status, (json.loads(text) if text else None), elapsed


def setup(base: str, tokens: dict[str, str]) -> tuple[str, str, list[str]]:
    """The office, a service its desks serve, and the desks held open by bench.agents."""
    api = Api(base, next(iter(tokens.values())))
    _, offices, _ = api.call("GET", "/api/v1/offices")
    office = next(o for o in offices if o["slug"] == "hotel-de-ville")
    _, desks, _ = api.call("GET", f"/api/v1/offices/{office['id']}/desks")
    service = desks[0]["services"][0]["id"]
    return office["id"], service, [d["id"] for d in desks if d["id"] in tokens]


def mix(bases: list[str], tokens: dict[str, str], seconds: float = MIX_SECONDS) -> dict:
    """Clients are spread over the server processes in ``bases`` (a load balancer's job);
    ``tokens``: each desk's agent (bench.agents)."""
    office, service, desks = setup(bases[0], tokens)
    latencies: dict[str, list[float]] = {
        "check-in": [],
        "status": [],
        "call-next": [],
        "complete": [],
    }
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    measuring = threading.Event()

    def record(kind: str, status: int, elapsed: float, expected: set[int]) -> None:
        if status not in expected:
            errors.append(f"{kind}: {status}")
        if measuring.is_set():
            with lock:
                latencies[kind].append(elapsed)

    def kiosk(index: int) -> None:
        api = Api(bases[index % len(bases)])
        while not stop.is_set():
            key = {"Idempotency-Key": str(uuid.uuid4())}
            status, visit, elapsed = api.call(
                "POST", f"/api/v1/offices/{office}/visits", {"service": service}, key
            )
            record("check-in", status, elapsed, {201})
            for _ in range(STATUS_READS):
                path = f"/api/v1/visits/{visit['id']}?secret={visit['secret']}"
                status, _, elapsed = api.call("GET", path)
                record("status", status, elapsed, {200})

    def agent(index: int, desk: str) -> None:
        api = Api(bases[index % len(bases)], tokens[desk])
        while not stop.is_set():
            status, visit, elapsed = api.call("POST", f"/api/v1/desks/{desk}/call-next")
            record("call-next", status, elapsed, {200, 204})
            if status == 204:
                time.sleep(0.05)
                continue
            status, _, elapsed = api.call("POST", f"/api/v1/visits/{visit['id']}/complete", {})
            record("complete", status, elapsed, {200})

    threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(KIOSKS)]
    threads += [threading.Thread(target=agent, args=(i, d)) for i, d in enumerate(desks)]
    for thread in threads[:KIOSKS]:  # warm-up: fill the line a little before the agents start
        thread.start()
    time.sleep(3)
    for thread in threads[KIOSKS:]:
        thread.start()
    time.sleep(2)
    measuring.set()
    began = time.perf_counter()
    time.sleep(seconds)
    measuring.clear()
    elapsed = time.perf_counter() - began
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    if errors:
        raise RuntimeError(errors[:5])
    every = [v for values in latencies.values() for v in values]
    return {
        "ops": len(every) / elapsed,
        "latencies": every,
        "by_kind": {k: len(v) / elapsed for k, v in latencies.items()},
        "clients": KIOSKS + len(desks),
    }


# -- the same statements, straight through the driver ------------------------------------------

PG_STATEMENTS = {
    "check-in": [
        "SELECT last_number FROM bench_counter WHERE id = 1 FOR UPDATE",
        "UPDATE bench_counter SET last_number = last_number + 1 WHERE id = 1",
        "INSERT INTO bench_visit (id, status, priority, queue_at, number) "
        "VALUES (%(id)s, 'waiting', false, now(), %(n)s)",
        "INSERT INTO bench_event (verb, object_id, created_at) "
        "VALUES ('checked_in', %(id)s, now())",
    ],
    "status": [
        "SELECT * FROM bench_visit WHERE id = %(id)s",
        "SELECT id, priority FROM bench_visit WHERE status = 'waiting' ORDER BY queue_at, number",
    ],
    "call-next": [
        "SELECT id FROM bench_visit WHERE status = 'waiting' "
        "ORDER BY priority DESC, queue_at, number LIMIT 20",
        "UPDATE bench_visit SET status = 'called' WHERE id = %(first)s AND status = 'waiting'",
        "INSERT INTO bench_event (verb, object_id, created_at) VALUES ('called', %(id)s, now())",
    ],
    "complete": [
        "UPDATE bench_visit SET status = 'done' WHERE id = %(id)s AND status = 'called'",
        "INSERT INTO bench_event (verb, object_id, created_at) VALUES ('done', %(id)s, now())",
    ],
}
SCHEMA = [
    "DROP TABLE IF EXISTS bench_counter, bench_visit, bench_event",
    "CREATE TABLE bench_counter (id int PRIMARY KEY, last_number int)",
    "INSERT INTO bench_counter VALUES (1, 0)",
    "CREATE TABLE bench_visit (id text PRIMARY KEY, status text, priority boolean, "
    "queue_at timestamptz, number int)",
    "CREATE INDEX bench_order ON bench_visit (status, priority, queue_at)",
    "CREATE TABLE bench_event (id serial PRIMARY KEY, verb text, object_id text, "
    "created_at timestamptz)",
]
OPERATION_MIX = ["check-in"] + ["status"] * STATUS_READS + ["call-next", "complete"]


def raw_postgres(dsn: str, clients: int, seconds: float = 10) -> float:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as connection:
        for statement in SCHEMA:
            connection.execute(statement)
    counts = [0] * clients
    stop = threading.Event()

    def client(index: int) -> None:
        with psycopg.connect(dsn, autocommit=True) as connection:
            waiting = []
            while not stop.is_set():
                for kind in OPERATION_MIX:
                    visit = str(uuid.uuid4())
                    params = {"id": visit, "n": 1, "first": waiting[0] if waiting else visit}
                    with connection.transaction():
                        for statement in PG_STATEMENTS[kind]:
                            connection.execute(statement, params)
                    if kind == "check-in":
                        waiting.append(visit)
                    elif kind == "call-next" and waiting:
                        waiting.pop(0)
                    counts[index] += 1

    return _run_clients(client, clients, counts, stop, seconds)


def raw_sqlite(path: str, seconds: float = 10) -> float:
    """One connection (SQLite serialises writers anyway), WAL, the same statements."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    for statement in SCHEMA:
        connection.execute(
            statement.replace("timestamptz", "text")
            .replace("serial PRIMARY KEY", "integer PRIMARY KEY")
            .replace("DROP TABLE IF EXISTS bench_counter, bench_visit, bench_event", "SELECT 1")
        )
    statements = {
        kind: [
            s.replace(" FOR UPDATE", "")
            .replace("now()", "datetime('now')")
            .replace("false", "0")
            .replace("%(id)s", ":id")
            .replace("%(n)s", ":n")
            .replace("%(first)s", ":first")
            for s in group
        ]
        for kind, group in PG_STATEMENTS.items()
    }
    count, waiting = 0, []
    began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        for kind in OPERATION_MIX:
            visit = str(uuid.uuid4())
            params = {"id": visit, "n": 1, "first": waiting[0] if waiting else visit}
            connection.execute("BEGIN IMMEDIATE")
            for statement in statements[kind]:
                connection.execute(statement, params).fetchall()
            connection.execute("COMMIT")
            if kind == "check-in":
                waiting.append(visit)
            elif kind == "call-next" and waiting:
                waiting.pop(0)
            count += 1
    connection.close()
    return count / (time.perf_counter() - began)


def _run_clients(client, clients, counts, stop, seconds) -> float:
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    start_count, began = sum(counts), time.perf_counter()
    time.sleep(seconds)
    rate = (sum(counts) - start_count) / (time.perf_counter() - began)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    return rate


# -- 500 displays ------------------------------------------------------------------------------


async def _display(host, port, office, boards, ready, source):
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    writer.write(
        f"GET /api/v1/offices/{office}/events HTTP/1.1\r\nHost: {host}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    first = True
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b"data: {"):
                board = json.loads(line[6:])
                calls = board.get("calls") or [{}]
                latest = (calls[0].get("ticket"), calls[0].get("called_at"))
                boards.append((time.perf_counter(), *latest))
                if first:
                    first = False
                    ready.release()
    finally:
        writer.close()


async def _displays(base: str, token: str, office: str, service: str, desk: str) -> list[float]:
    host, port = base.removeprefix("http://").split(":")
    ready = asyncio.Semaphore(0)
    seen: list[list] = [[] for _ in range(DISPLAYS)]
    tasks = []
    for index in range(DISPLAYS):
        # Each display from a loopback address of its own, as screens in many places would
        # be: one address may hold only ACCUEIL_DISPLAY_STREAMS_PER_ADDRESS streams.
        source = f"127.0.{(index + 2) // 256}.{(index + 2) % 256}"
        display = _display(host, int(port), office, seen[index], ready, source)
        tasks.append(asyncio.ensure_future(display))
        if index % 50 == 49:
            await asyncio.sleep(0.05)
    for _ in range(DISPLAYS):
        await asyncio.wait_for(ready.acquire(), timeout=60)
    loop = asyncio.get_running_loop()
    kiosk, agent = Api(base), Api(base, token)
    sent: list[tuple[float, str]] = []
    for _ in range(DISPLAY_CALLS):
        await loop.run_in_executor(
            None, kiosk.call, "POST", f"/api/v1/offices/{office}/visits", {"service": service}
        )
        await asyncio.sleep(0.2)
        began = time.perf_counter()
        status, visit, _ = await loop.run_in_executor(
            None, agent.call, "POST", f"/api/v1/desks/{desk}/call-next"
        )
        if status == 200:
            sent.append((began, visit["ticket"]))
            # The desk calls again only once this visitor's outcome is recorded.
            await loop.run_in_executor(
                None, agent.call, "POST", f"/api/v1/visits/{visit['id']}/complete", {}
            )
        await asyncio.sleep(0.5 + random.random() * 0.3)
    await asyncio.sleep(2)
    for task in tasks:
        task.cancel()
    latencies = []
    for began, ticket in sent:
        for boards in seen:
            arrival = next((t for t, first, _ in boards if first == ticket and t >= began), None)
            if arrival is not None:
                latencies.append(arrival - began)
    missing = len(sent) * DISPLAYS - len(latencies)
    return latencies, missing


def displays(base: str, tokens: dict[str, str]) -> dict:
    office, service, desks = setup(base, tokens)
    token = tokens[desks[0]]
    # Empty the line first, so each call shows the ticket just taken.
    agent = Api(base, token)
    while True:
        status, visit, _ = agent.call("POST", f"/api/v1/desks/{desks[0]}/call-next")
        if status != 200:
            break
        agent.call("POST", f"/api/v1/visits/{visit['id']}/complete", {})
    latencies, missing = asyncio.run(_displays(base, token, office, service, desks[0]))
    q = statistics.quantiles(latencies, n=100)
    return {
        "p50": q[49],
        "p95": q[94],
        "max": max(latencies),
        "missing": missing,
        "count": len(latencies),
    }
