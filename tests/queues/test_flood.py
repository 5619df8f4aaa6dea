"""A flood of display connections against a real `accueil serve`: 1,000 streams from many
addresses are capped per address and per office, health checks keep being answered meanwhile,
memory comes back once they close, and SIGTERM ends the server within seconds with streams still
open.

The clients are raw asyncio sockets in this process, each bound to a loopback source address
of its own (Linux routes all of 127.0.0.0/8 to loopback), so the test stays light beside the
server it measures. Health is proven in answers, not milliseconds: probes are answered while
the flood arrives and while its streams are held (how fast they were is printed for the record;
`docs/performance.md` keeps the measured figures). The shutdown bound is the hardening round's.
"""

import asyncio
import contextlib
import http.client
import json
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from subprocess import PIPE

import pytest

from tests.factories import AgencyFactory, OfficeFactory, ServiceFactory
from tests.servers import running

pytestmark = pytest.mark.django_db(transaction=True)

PER_ADDRESS = 20
PER_OFFICE = 500
FLOOD = 1000  # streams asked of one office ...
FLOOD_ADDRESSES = 100  # ... from this many addresses: 10 each, under the per-address cap
GREEDY = "127.0.1.1"  # one address that asks for more than its share, of another office
GREEDY_ASKS = PER_ADDRESS + 10
PROBES = 50  # health checks at least, over which the p95 is taken (printed, for the record)
# Health probes answered while the flood arrives, at least: one goes out every 40 ms and the
# arrivals take about a second, so a score or so usually are; a server that answered health
# checks only once the flood was in would answer none. As many again are sent while the streams
# let in are held (the probing process goes on until it has them).
ANSWERED_DURING = 3
ENGLISH = "Too many display screens are already connected. Please try again in a moment."
CAPS = {
    "ACCUEIL_DISPLAY_STREAMS_PER_ADDRESS": str(PER_ADDRESS),
    "ACCUEIL_DISPLAY_STREAMS_PER_OFFICE": str(PER_OFFICE),
}


def loopback(index: int) -> str:
    """127.0.0.2, 127.0.0.3, …: 127.0.0.1 stays the probes' own."""
    return f"127.0.{(index + 2) // 256}.{(index + 2) % 256}"


@pytest.fixture(autouse=True)
def enough_file_descriptors():
    """A thousand sockets here and as many in the server (which inherits the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * FLOOD if hard == resource.RLIM_INFINITY else min(hard, 4 * FLOOD)
    if wanted < 3 * FLOOD:
        pytest.skip(f"this process may open only {hard} files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture
def offices():
    agency = AgencyFactory()
    flooded, other = OfficeFactory(agency=agency), OfficeFactory(agency=agency)
    service = ServiceFactory(agency=agency, offices=[flooded, other], ticket_prefix="A")
    return flooded, other, service


class Answer:
    """What a display got: a stream left open (200) or an error in the contract's shape."""

    def __init__(self, status, headers, reader, writer, body=None, first=None):
        self.status, self.headers, self.reader, self.writer = status, headers, reader, writer
        self.error = json.loads(body) if body else None
        self.first = first  # the board shown on arrival

    def close(self):
        self.writer.close()


async def display(port, office, source, headers="") -> Answer:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    writer.write(
        f"GET /api/v1/offices/{office}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Accept: text/event-stream\r\n{headers}\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if status == 200:  # the first board: the display is on screen
        await reader.readuntil(b"event: board\ndata: ")
        first = json.loads(await reader.readuntil(b"\n\n"))
        return Answer(status, head.lower(), reader, writer, first=first)
    chunk = await reader.readuntil(b"}}")  # one chunk: its size, CRLF, the JSON body
    writer.close()
    return Answer(status, head.lower(), reader, writer, chunk.split(b"\r\n", 1)[1])


async def many(port, office, sources, headers=lambda index: "") -> list[Answer]:
    # At most 50 connections in their handshake at once: about a thousand a second here, the
    # rate of a reconnection storm after a restart, and a steady load rather than one burst.
    gate = asyncio.Semaphore(50)

    async def one(index, source):
        async with gate:
            return await asyncio.wait_for(display(port, office, source, headers(index)), 60)

    return await asyncio.gather(*(one(index, source) for index, source in enumerate(sources)))


# Probes run in a process of their own: in this one they would wait for the flood's clients.
# One probe first, not counted: the probing process's own first request is slower. Then they
# go on, one every 40 ms, from "go" until "stop", at least ``count`` of them and at least
# ``after`` once told to stop (the streams are still held then). Each is stamped
# when sent and when answered on the monotonic clock, which Linux shares between processes, so
# the test can tell which were answered while the flood was arriving.
PROBE = """
import http.client, json, sys, threading, time
host, count, after = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def probe():
    sent = time.monotonic()
    connection = http.client.HTTPConnection(host, timeout=10)
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 200, response.status
    return sent, time.monotonic()

probe()
print("ready", flush=True)
sys.stdin.readline()
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
took, since_stop = [], 0
while not (stop.is_set() and len(took) >= count and since_stop >= after):
    stopping = stop.is_set()
    took.append(probe())
    since_stop += stopping
    time.sleep(0.04)
print(json.dumps(took))
"""


class HealthProbes:
    """``GET /healthz`` at a steady pace, a fresh connection each time like a balancer's."""

    async def start(self, base: str, count: int, after: int) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            PROBE,
            base.removeprefix("http://"),
            str(count),
            str(after),
            stdin=PIPE,
            stdout=PIPE,
        )
        assert await self.process.stdout.readline() == b"ready\n"
        self.process.stdin.write(b"go\n")

    async def stop(self) -> list[tuple[float, float]]:
        """When each probe was sent and answered (with 200: the probing process checks)."""
        out, _ = await self.process.communicate(b"stop\n")
        assert self.process.returncode == 0
        return [tuple(stamps) for stamps in json.loads(out)]


def check_in(base: str, office, service) -> None:
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
    body = json.dumps({"service": str(service.id)})
    connection.request(
        "POST",
        f"/api/v1/offices/{office.id}/visits",
        body,
        {"Content-Type": "application/json"},
    )
    assert connection.getresponse().status == 201
    connection.close()


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def held_connections(port: int) -> int:
    """Connections the server still holds on its port (established, or closed by the client
    and not yet by the server), read from the kernel's table."""
    held = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if int(local.split(":")[1], 16) == port and state in ("01", "08"):
            held += 1
    return held


async def wait_until_let_go(port: int) -> None:
    for _ in range(200):  # bounded: 20 s
        if held_connections(port) == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the server still holds {held_connections(port)} connections")


async def next_board(answer: Answer) -> dict:
    await answer.reader.readuntil(b"event: board\ndata: ")
    return json.loads(await answer.reader.readuntil(b"\n\n"))


def test_a_flood_of_displays_is_capped_and_the_server_stays_well(offices, tmp_path):
    flooded, other, service = offices
    with running(1, tmp_path, CAPS) as [server]:
        figures = asyncio.run(flood(server, flooded, other, service))
    print("flood figures:", json.dumps(figures))  # noqa: T201 - shown with -s, for the record

    # Beyond the per-office cap: 429 in the contract's shape, French by default.
    assert figures["flooded"] == {"200": PER_OFFICE, "429": FLOOD - PER_OFFICE}
    assert figures["refusal"] == {
        "error": {
            "code": "rate_limited",
            "message": "Trop d’écrans d’affichage sont déjà connectés. Réessayez dans un moment.",
        }
    }
    assert figures["retry_after"] == "30"
    # Beyond the per-address cap, whatever X-Forwarded-For claims (no proxy is configured).
    assert figures["greedy"] == {"200": PER_ADDRESS, "429": GREEDY_ASKS - PER_ADDRESS}
    assert figures["english"] == ENGLISH
    # The displays let in stayed live through the flood.
    assert figures["live_boards_waiting"] == [2] * 5
    # Once they left, their address may connect again: nothing of theirs was kept.
    assert figures["greedy_again"] == PER_ADDRESS
    # Health checks were answered (every one with 200) while a thousand displays arrived and
    # while those let in were held, not only once the flood was over.
    assert figures["healthz_answered_while_arriving"] >= ANSWERED_DURING
    assert figures["healthz_answered_while_held"] >= ANSWERED_DURING
    # Memory comes back near where it was. Not exactly: CPython keeps the arenas it grew and
    # glibc keeps freed heap, so the bound allows what one pass of a thousand connections may
    # leave (30 MiB, about a third of an idle process) while a leak per connection — what made
    # the reported server double — would exceed it.
    assert figures["rss_after_mib"] <= figures["rss_before_mib"] + 30


async def flood(server, flooded, other, service) -> dict:
    loop = asyncio.get_running_loop()
    port = int(server.base.rsplit(":", 1)[1])
    pid = server.process.pid
    for office in (flooded, other):  # warm up: the first board of each office, then idle
        (await display(port, office.id, "127.0.0.1")).close()
    await asyncio.sleep(1)
    rss_before = rss_mib(pid)

    probes = HealthProbes()  # from the flood's first connection to its last board
    await probes.start(server.base, PROBES, ANSWERED_DURING)
    sources = [loopback(index % FLOOD_ADDRESSES) for index in range(FLOOD)]
    arriving = time.monotonic()
    flood = asyncio.ensure_future(many(port, flooded.id, sources))
    greedy = asyncio.ensure_future(
        many(
            port,
            other.id,
            [GREEDY] * GREEDY_ASKS,
            headers=lambda index: f"X-Forwarded-For: 10.9.{index}.1\r\n",
        )
    )
    for _ in range(2):  # changes during the flood: boards go out to every display let in
        await loop.run_in_executor(None, check_in, server.base, flooded, service)
    flooded_answers, greedy_answers = await flood, await greedy
    arrived = time.monotonic()
    english = await display(port, other.id, GREEDY, "Accept-Language: en-CA,en;q=0.8\r\n")
    english.close()
    open_ones = [a for a in flooded_answers + greedy_answers if a.status == 200]
    live = [
        (await asyncio.wait_for(_board_with(answer, waiting=2), 30))["services"][0]["waiting"]
        for answer in open_ones[:5]
    ]
    probed = await probes.stop()
    released = time.monotonic()  # the streams let in are still open: they close below
    took = [answered - sent for sent, answered in probed]
    rss_peak = rss_mib(pid, "VmHWM")
    refused = next((a for a in flooded_answers if a.status == 429), None)

    for answer in open_ones:
        answer.close()
    await wait_until_let_go(port)
    await asyncio.sleep(6)  # past the hub's linger for boards nobody watches
    rss_after = rss_mib(pid)
    again = await many(port, other.id, [GREEDY] * PER_ADDRESS)
    for answer in again:
        answer.close()

    return {
        "flooded": _count(flooded_answers),
        "greedy": _count(greedy_answers),
        "refusal": refused and refused.error,
        "retry_after": refused and _header(refused.headers, b"retry-after"),
        "english": english.error and english.error["error"]["message"],
        "live_boards_waiting": live,
        "greedy_again": sum(a.status == 200 for a in again),
        "healthz_answered_while_arriving": _within(probed, arriving, arrived),
        "healthz_answered_while_held": _within(probed, arrived, released),
        "healthz_p95_ms": round(1000 * statistics.quantiles(took, n=20)[-1], 1),
        "healthz_max_ms": round(1000 * max(took), 1),
        "healthz_probes": len(took),
        "rss_before_mib": round(rss_before, 1),
        "rss_peak_mib": round(rss_peak, 1),
        "rss_after_mib": round(rss_after, 1),
    }


async def _board_with(answer: Answer, waiting: int) -> dict:
    board = answer.first
    while board["services"][0]["waiting"] != waiting:
        board = await next_board(answer)
    return board


def _within(probed: list[tuple[float, float]], start: float, end: float) -> int:
    """Probes both sent and answered between ``start`` and ``end``."""
    return sum(start <= sent and answered <= end for sent, answered in probed)


def _count(answers: list[Answer]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for answer in answers:
        counts[str(answer.status)] = counts.get(str(answer.status), 0) + 1
    return counts


def _header(head: bytes, name: bytes) -> str | None:
    for line in head.split(b"\r\n"):
        key, _, value = line.partition(b":")
        if key.strip() == name:
            return value.strip().decode()
    return None


def test_sigterm_ends_the_server_within_seconds_with_displays_connected(offices, tmp_path):
    flooded, _, _ = offices
    # With the background worker in its thread (on SQLite): it must not hold the exit either.
    with running(1, tmp_path, CAPS, worker=True) as [server]:
        seconds, ended = asyncio.run(stop_while_watched(server, flooded))
        print("shutdown seconds:", round(seconds, 2))  # noqa: T201
        assert server.process.poll() is not None, "still running 10 s after SIGTERM"
    assert seconds < 10
    assert ended == PER_OFFICE  # every open stream was ended by the server, not cut


async def stop_while_watched(server, office) -> tuple[float, int]:
    port = int(server.base.rsplit(":", 1)[1])
    answers = await many(
        port, office.id, [loopback(i % FLOOD_ADDRESSES) for i in range(PER_OFFICE)]
    )
    assert all(answer.status == 200 for answer in answers)
    began = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    ends = await asyncio.gather(*(_ended(answer) for answer in answers))
    loop = asyncio.get_running_loop()
    with contextlib.suppress(subprocess.TimeoutExpired):  # the caller reports it
        await loop.run_in_executor(None, server.process.wait, 10)
    return time.monotonic() - began, sum(ends)


async def _ended(answer: Answer) -> bool:
    """True if the stream closed with the chunked end marker (a complete response)."""
    try:
        rest = await asyncio.wait_for(answer.reader.read(), 10)
    except (TimeoutError, ConnectionError):
        return False
    finally:
        answer.close()
    return rest.endswith(b"0\r\n\r\n")
