"""One hub per server process: listens for queue changes and streams fresh boards to displays.

A change to an office (announced by ``live.announce``) makes the hub compute that office's board
once, in a thread, and hand the same JSON to every display of the office connected to this
process — so 500 displays cost one query set per change, not 500. Bursts are coalesced: while a
board is being computed, further changes only mark it dirty. Nothing here is state another
process needs: each process listens to PostgreSQL itself.

A display that connects gets the board the hub already holds for its office: the hub keeps the
last one while displays are connected (every change replaces it) and for a few seconds after the
last one leaves, so a reload or a reconnection storm costs no query. Without one, every display
arriving at that moment waits for the same single computation. An office without displays
costs nothing: its changes drop the board kept, and nothing is computed. A display that leaves
is unsubscribed at once, so its queue is never fed again.

``close`` ends every stream (the server is stopping): each gets an end marker, sends nothing
more and returns, so uvicorn's graceful shutdown does not wait on displays that never hang up.
"""

import asyncio
import json
import logging
from dataclasses import dataclass

from django.db import close_old_connections, connection

from accueil.queues.board import board_state
from accueil.queues.waits import forget_recent

CHANNEL = "accueil_live"  # NOTIFY channel: live.announce sends, every hub listens

log = logging.getLogger(__name__)
BACKLOG = 4  # boards kept for a slow display; older ones are dropped (each is a full state)
# A kept board is what every change would have produced, but its `at` and its waits age with the
# clock, and a change another process made can be missed while the listener reconnects: a new
# display gets a kept board only while it is this young.
FRESH_FOR = 30.0
# How long a board is kept after the office's last display left, for one that comes back.
LINGER = 5.0
# Displays handed a new board per turn of the event loop. Each one woken sends at once; 500
# sends in one turn would hold every other request (health checks included) for that long.
FEED_CHUNK = 50
END = object()  # put in a display's queue: the stream ends


def board_json(office_id: str) -> str | None:
    close_old_connections()
    state = board_state(office_id)
    return None if state is None else json.dumps(state, ensure_ascii=False)


@dataclass(frozen=True)
class Kept:
    payload: str
    at: float  # the event loop's clock


class Hub:
    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closed = False
        self.displays: dict[str, set[asyncio.Queue]] = {}
        self.boards: dict[str, Kept] = {}
        self.computing: dict[str, asyncio.Future] = {}
        self.feeding: dict[str, asyncio.Task] = {}
        self.dirty: set[str] = set()
        self.expiries: dict[str, asyncio.TimerHandle] = {}
        self.listener: asyncio.Task | None = None

    # -- displays ---------------------------------------------------------------------------

    def subscribe(self, office_id: str) -> asyncio.Queue | None:
        """A queue that receives the office's boards; None once the server is stopping."""
        self._start()
        if self.closed:
            return None
        self._keep(office_id)
        queue: asyncio.Queue = asyncio.Queue(maxsize=BACKLOG)
        self.displays.setdefault(office_id, set()).add(queue)
        return queue

    def unsubscribe(self, office_id: str, queue: asyncio.Queue) -> None:
        """Stop feeding ``queue`` and wake its stream with the end marker (safe to repeat)."""
        _offer(queue, END, clear=True)
        queues = self.displays.get(office_id)
        if queues is None or queue not in queues:
            return
        queues.discard(queue)
        if not queues:
            del self.displays[office_id]
            self._forget_later(office_id)

    def audience(self, office_id: str) -> int:
        return len(self.displays.get(office_id, ()))

    async def board(self, office_id: str) -> str | None:
        """The office's current board (None: no such office) for a display that just arrived."""
        kept = self.boards.get(office_id)
        if kept is not None and self._now() - kept.at < FRESH_FOR:
            return kept.payload
        # Shielded: a display that leaves must not cancel the computation others wait for.
        return await asyncio.shield(self._compute(office_id))

    def close(self) -> None:
        """End every stream: the server is stopping."""
        self.closed = True
        for queues in self.displays.values():
            for queue in queues:
                _offer(queue, END, clear=True)
        self.displays.clear()  # never fed again, so the end marker stays in each queue
        for task in self.feeding.values():
            task.cancel()
        if self.listener is not None:
            self.listener.cancel()

    def close_threadsafe(self) -> None:
        """``close`` from a signal handler or another thread."""
        self.closed = True  # also refuses displays that arrive before the loop runs close
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.close)

    # -- changes ----------------------------------------------------------------------------

    def changed_from_thread(self, office_id: str) -> None:
        """Called by a request thread after commit (SQLite)."""
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.changed, office_id)

    def changed(self, office_id: str) -> None:
        self._drop(office_id)  # whoever watches, the board kept is out of date
        forget_recent(office_id)  # and so is this process's forecast (a change made elsewhere)
        if office_id in self.computing:
            self.dirty.add(office_id)  # the board being computed may miss this change
        elif office_id in self.displays:
            self._compute(office_id)

    def _compute(self, office_id: str) -> asyncio.Future:
        """The office's board computation: the one under way, else a new one."""
        future = self.computing.get(office_id)
        if future is None:
            future = asyncio.ensure_future(asyncio.to_thread(board_json, office_id))
            self.computing[office_id] = future
            future.add_done_callback(lambda done: self._computed(office_id, done))
        return future

    def _computed(self, office_id: str, future: asyncio.Future) -> None:
        self.computing.pop(office_id, None)
        stale = office_id in self.dirty  # a change came while it was computed
        self.dirty.discard(office_id)
        if future.cancelled():
            return
        if future.exception() is not None:  # the database may be restarting: next change
            log.warning("could not compute the board", exc_info=future.exception())
            return
        payload = future.result()
        if payload is not None:
            if not stale:
                self.boards[office_id] = Kept(payload, self._now())
            self._fan_out(office_id, payload)
        if office_id not in self.displays:
            self._forget_later(office_id)
        elif stale:
            self._compute(office_id)

    def _fan_out(self, office_id: str, payload: str) -> None:
        previous = self.feeding.pop(office_id, None)
        if previous is not None:  # a newer board, for every display, replaces its rest
            previous.cancel()
        if office_id not in self.displays:
            return
        task = asyncio.ensure_future(self._feed(office_id, payload))
        self.feeding[office_id] = task
        task.add_done_callback(lambda done: self._fed(office_id, done))

    async def _feed(self, office_id: str, payload: str) -> None:
        queues = list(self.displays.get(office_id, ()))
        for start in range(0, len(queues), FEED_CHUNK):
            if start:
                await asyncio.sleep(0)  # let the displays woken send, and other requests run
            watching = self.displays.get(office_id, set())
            for queue in queues[start : start + FEED_CHUNK]:
                if queue in watching:  # not one that left meanwhile: it holds its end marker
                    _offer(queue, payload)

    def _fed(self, office_id: str, task: asyncio.Task) -> None:
        if self.feeding.get(office_id) is task:
            del self.feeding[office_id]

    # -- boards kept --------------------------------------------------------------------------

    def _keep(self, office_id: str) -> None:
        expiry = self.expiries.pop(office_id, None)
        if expiry is not None:
            expiry.cancel()

    def _forget_later(self, office_id: str) -> None:
        self._keep(office_id)
        if office_id in self.boards and self.loop is not None:
            self.expiries[office_id] = self.loop.call_later(LINGER, self._drop, office_id)

    def _drop(self, office_id: str) -> None:
        self._keep(office_id)
        self.boards.pop(office_id, None)

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    # -- PostgreSQL LISTEN ------------------------------------------------------------------

    def _start(self) -> None:
        running = asyncio.get_running_loop()
        if self.loop is not running:
            if self.loop is not None:  # a new event loop (tests): start over
                self._reset()
            self.loop = running
        if self.listener is None and self.listens() and not self.closed:
            self.listener = asyncio.ensure_future(self._listen())

    def listens(self) -> bool:
        """Whether changes come through PostgreSQL (SQLite's come from this process)."""
        return connection.vendor == "postgresql"

    def _reset(self) -> None:
        self.closed = False
        self.listener = None
        self.displays.clear()
        self.boards.clear()
        self.computing.clear()
        self.feeding.clear()
        self.dirty.clear()
        self.expiries.clear()

    async def _listen(self) -> None:
        import psycopg

        params = connection.settings_dict
        conninfo = {
            "dbname": params["NAME"],
            "user": params.get("USER") or None,
            "password": params.get("PASSWORD") or None,
            "host": params.get("HOST") or None,
            "port": params.get("PORT") or None,
            **params.get("OPTIONS", {}),
        }
        conninfo = {k: v for k, v in conninfo.items() if v is not None and isinstance(v, str | int)}
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    autocommit=True, **conninfo
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    for office_id in set(self.displays) | set(self.boards):  # missed changes
                        self.changed(office_id)
                    async for notice in conn.notifies():
                        self.changed(notice.payload)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("lost the PostgreSQL listener; reconnecting", exc_info=True)
                self.boards.clear()  # changes made meanwhile are not heard
                await asyncio.sleep(1)


def _offer(queue: asyncio.Queue, item, clear: bool = False) -> None:
    """Put without waiting: a display that lags loses its oldest board (each is complete)."""
    while (clear or queue.full()) and not queue.empty():
        queue.get_nowait()
    queue.put_nowait(item)


hub = Hub()
