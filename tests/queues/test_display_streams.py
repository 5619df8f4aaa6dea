"""Display streams in one process, driven through the ASGI interface: the caps per address and
per office, the board a new display gets from the hub, the work dropped for displays that left,
the end of every stream when the server stops, and nothing left behind once they are gone.

The board computation is replaced by a counting stand-in, so these tests see exactly how many
computations the hub asks for; tests/queues/test_flood.py does the same against a real server.
"""

import asyncio
import json
import threading
import uuid

import pytest

from accueil.queues import hub as hub_module
from accueil.queues import sse
from accueil.queues.hub import hub

OFFICE = str(uuid.UUID(int=1))
OTHER = str(uuid.UUID(int=2))


class Boards:
    """Stands in for ``board_json``: counts computations, and can hold them until released."""

    def __init__(self) -> None:
        self.computed: list[str] = []
        self.release = threading.Event()
        self.release.set()

    def __call__(self, office_id: str) -> str:
        self.release.wait(10)
        self.computed.append(office_id)
        return json.dumps({"office": office_id, "n": len(self.computed)})


@pytest.fixture
def boards(monkeypatch):
    stand_in = Boards()
    monkeypatch.setattr(hub_module, "board_json", stand_in)
    # Changes come only from the tests: no PostgreSQL listener (test_live.py covers it).
    monkeypatch.setattr(hub, "listens", lambda: False)
    return stand_in


@pytest.fixture
def caps(settings):
    settings.DISPLAY_STREAMS_PER_ADDRESS = 3
    settings.DISPLAY_STREAMS_PER_OFFICE = 5
    settings.TRUSTED_PROXY_COUNT = 0
    return settings


class Screen:
    """One display's connection, as uvicorn hands it to the application."""

    def __init__(self, office=OFFICE, address="10.0.0.1", headers=()) -> None:
        self.office = office
        self.sent: list[dict] = []
        self.gone = asyncio.Event()
        self.scope = {
            "type": "http",
            "method": "GET",
            "path": f"/api/v1/offices/{office}/events",
            "headers": list(headers),
            "client": (address, 40000),
        }
        self.task = asyncio.ensure_future(sse.stream(office, self.scope, self.receive, self.send))

    async def receive(self):
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int | None:
        return self.sent[0]["status"] if self.sent else None

    def boards(self) -> list[dict]:
        body = b"".join(m.get("body", b"") for m in self.sent[1:])
        return [json.loads(line[6:]) for line in body.split(b"\n") if line.startswith(b"data: {")]

    def error(self) -> dict:
        return json.loads(self.sent[1]["body"])

    def header(self, name: bytes) -> bytes | None:
        return dict(self.sent[0]["headers"]).get(name)

    @property
    def ended(self) -> bool:
        """The server completed the response (rather than the display hanging up)."""
        return bool(self.sent) and self.sent[-1].get("more_body") is False


async def until(condition, turns: int = 500) -> None:
    """Let the event loop (and the computing thread) run until ``condition`` holds; bounded."""
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


async def leave(*screens: Screen) -> None:
    for screen in screens:
        screen.gone.set()
    await asyncio.gather(*(screen.task for screen in screens))


def run(test):
    asyncio.run(asyncio.wait_for(test(), 30))


def test_streams_beyond_the_per_address_cap_get_a_429_in_the_callers_language(boards, caps):
    async def test():
        screens = [Screen(address="10.0.0.7") for _ in range(3)]
        await until(lambda: all(s.boards() for s in screens))
        french = Screen(address="10.0.0.7")
        english = Screen(address="10.0.0.7", headers=[(b"accept-language", b"en-CA,en;q=0.9")])
        elsewhere = Screen(address="10.0.0.8")  # another address is not held back
        await asyncio.gather(french.task, english.task)
        await until(lambda: elsewhere.boards())
        assert [s.status for s in screens] == [200, 200, 200]
        assert french.status == english.status == 429
        assert french.header(b"retry-after") == b"30"
        assert french.error() == {
            "error": {
                "code": "rate_limited",
                "message": "Trop d’écrans d’affichage sont déjà connectés. "
                "Réessayez dans un moment.",
            }
        }
        assert english.error()["error"]["message"] == (
            "Too many display screens are already connected. Please try again in a moment."
        )
        await leave(*screens, elsewhere)

    run(test)


def test_streams_beyond_the_per_office_cap_get_a_429(boards, caps):
    async def test():
        screens = [Screen(address=f"10.0.1.{n}") for n in range(5)]
        await until(lambda: all(s.boards() for s in screens))
        refused = Screen(address="10.0.1.99")
        other_office = Screen(office=OTHER, address="10.0.1.99")
        await refused.task
        await until(lambda: other_office.boards())
        assert refused.status == 429
        assert refused.error()["error"]["code"] == "rate_limited"
        await leave(screens[0])  # one leaves: its place is free again
        again = Screen(address="10.0.1.99")
        await until(lambda: again.boards())
        await leave(*screens[1:], other_office, again)

    run(test)


def test_x_forwarded_for_counts_only_behind_a_configured_proxy(boards, caps):
    async def test():
        def forwarded(n):
            return [(b"x-forwarded-for", f"192.0.2.{n}".encode())]

        # No proxy configured: the header is the client's own claim, and the peer is counted.
        spoofing = [Screen(address="10.0.2.1", headers=forwarded(n)) for n in range(4)]
        await until(lambda: all(s.status for s in spoofing))
        assert [s.status for s in spoofing] == [200, 200, 200, 429]
        await leave(*spoofing[:3])

        # Behind one proxy: the address it added is the client's, whatever came before it.
        caps.TRUSTED_PROXY_COUNT = 1
        proxied = [
            Screen(
                address="10.0.2.1", headers=[(b"x-forwarded-for", f"6.6.6.{n}, 192.0.2.9".encode())]
            )
            for n in range(4)
        ]
        await until(lambda: all(s.status for s in proxied))
        assert [s.status for s in proxied] == [200, 200, 200, 429]
        others = [Screen(address="10.0.2.1", headers=forwarded(n)) for n in range(2)]
        await until(lambda: all(s.boards() for s in others))  # other citizens, same proxy
        assert sse.client_address(proxied[0].scope) == "192.0.2.9"
        await leave(*proxied[:3], *others)

    run(test)


def test_displays_arriving_together_share_one_board_computation(boards, settings):
    async def test():
        boards.release.clear()  # the database is slow: everyone arrives during the computation
        screens = [Screen(address=f"10.0.3.{n}") for n in range(200)]
        await until(lambda: OFFICE in hub.computing)
        boards.release.set()
        await until(lambda: all(s.boards() for s in screens))
        assert boards.computed == [OFFICE]
        assert {s.boards()[0]["n"] for s in screens} == {1}
        assert all(len(s.boards()) == 1 for s in screens)  # the fanned-out copy is not resent
        await leave(*screens)

    settings.DISPLAY_STREAMS_PER_OFFICE = 500
    run(test)


def test_a_new_display_gets_the_board_the_hub_holds(boards, caps):
    async def test():
        first = Screen()
        await until(lambda: first.boards())
        later = Screen(address="10.0.0.2")
        await until(lambda: later.boards())
        assert boards.computed == [OFFICE]  # no second computation
        assert later.boards() == first.boards()

        hub.changed(OFFICE)  # a change: one computation, for everyone
        await until(lambda: len(first.boards()) == 2 and len(later.boards()) == 2)
        third = Screen(address="10.0.0.3")
        await until(lambda: third.boards())
        assert boards.computed == [OFFICE, OFFICE]
        assert third.boards()[0]["n"] == 2
        await leave(first, later, third)

    run(test)


def test_an_office_without_displays_costs_no_computation(boards, caps, monkeypatch):
    monkeypatch.setattr(hub_module, "LINGER", 60.0)

    async def test():
        screen = Screen()
        await until(lambda: screen.boards())
        await leave(screen)
        assert OFFICE in hub.boards  # kept a moment, for a display that comes back
        hub.changed(OFFICE)
        hub.changed(OTHER)
        await asyncio.sleep(0.05)
        assert boards.computed == [OFFICE]  # only the one the display asked for
        assert OFFICE not in hub.boards  # out of date now: dropped, not recomputed
        back = Screen()
        await until(lambda: back.boards())
        assert back.boards()[0]["n"] == 2  # computed afresh, after the change
        await leave(back)

    run(test)


def test_a_display_that_leaves_is_dropped_at_once_and_never_fed_again(boards, caps):
    async def test():
        staying = Screen(address="10.0.4.1")
        await until(lambda: staying.boards())
        boards.release.clear()
        hub.changed(OFFICE)  # a slow computation under way
        leaving = Screen(address="10.0.4.2")  # arrives, waits for it ...
        await until(lambda: hub.audience(OFFICE) == 2)
        leaving.gone.set()  # ... and hangs up before it comes
        await until(lambda: hub.audience(OFFICE) == 1)  # unsubscribed while still waiting
        boards.release.set()
        await leaving.task
        await until(lambda: len(staying.boards()) == 2)
        assert leaving.boards() == []  # not a byte more to a display that left
        assert sse.streams.by_address == {"10.0.4.1": 1}
        await leave(staying)

    run(test)


def test_closing_the_hub_ends_every_stream(boards, caps):
    async def test():
        screens = [
            Screen(office=office, address=f"10.0.5.{n}")
            for n in range(3)
            for office in (OFFICE, OTHER)
        ]
        await until(lambda: all(s.boards() for s in screens))
        hub.close()
        await asyncio.wait_for(asyncio.gather(*(s.task for s in screens)), 5)
        assert all(s.ended for s in screens)  # each answered to its end, not cut
        late = Screen(address="10.0.5.9")  # arriving while the server stops
        await late.task
        assert late.status == 503
        assert late.header(b"retry-after") == b"5"

    run(test)


def test_streams_that_are_gone_leave_nothing_behind(boards, caps, monkeypatch):
    monkeypatch.setattr(hub_module, "LINGER", 0.05)

    async def test():
        screens = [
            Screen(office=office, address=f"10.0.6.{n}")
            for n in range(5)
            for office in (OFFICE, OTHER)
        ]
        refused = [Screen(address=f"10.0.6.{n}") for n in range(3)]
        await until(lambda: all(s.boards() for s in screens) and all(s.status for s in refused))
        hub.changed(OFFICE)
        await leave(*screens, *refused)
        await until(lambda: not hub.boards)  # kept boards expire once nobody watches
        assert hub.displays == {}
        assert hub.computing == {} and hub.feeding == {} and hub.dirty == set()
        assert hub.expiries == {}
        assert sse.streams.by_address == {}

    run(test)
