"""One hub per server process: listens for queue changes and streams fresh boards to displays.

A change to an office (announced by ``live.announce``) makes the hub compute that office's board
once, in a thread, and hand the same JSON to every display of the office connected to this
process — so 500 displays cost one query set per change, not 500. Bursts are coalesced: while a
board is being computed, further changes only mark it dirty. Nothing here is state another
process needs: each process listens to PostgreSQL itself.
"""

import asyncio
import json
import logging

from django.db import close_old_connections, connection

from accueil.queues.board import board_state
from accueil.queues.live import CHANNEL

log = logging.getLogger(__name__)
BACKLOG = 4  # boards kept for a slow display; older ones are dropped (each is a full state)


def board_json(office_id: str) -> str | None:
    close_old_connections()
    state = board_state(office_id)
    return None if state is None else json.dumps(state, ensure_ascii=False)


class Hub:
    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.displays: dict[str, set[asyncio.Queue]] = {}
        self.computing: set[str] = set()
        self.dirty: set[str] = set()
        self.listener: asyncio.Task | None = None

    # -- displays ---------------------------------------------------------------------------

    def subscribe(self, office_id: str) -> asyncio.Queue:
        self._start()
        queue: asyncio.Queue = asyncio.Queue(maxsize=BACKLOG)
        self.displays.setdefault(office_id, set()).add(queue)
        return queue

    def unsubscribe(self, office_id: str, queue: asyncio.Queue) -> None:
        queues = self.displays.get(office_id, set())
        queues.discard(queue)
        if not queues:
            self.displays.pop(office_id, None)

    # -- changes ----------------------------------------------------------------------------

    def changed_from_thread(self, office_id: str) -> None:
        """Called by a request thread after commit (SQLite)."""
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.changed, office_id)

    def changed(self, office_id: str) -> None:
        if office_id not in self.displays:
            return
        if office_id in self.computing:
            self.dirty.add(office_id)
            return
        self.computing.add(office_id)
        asyncio.ensure_future(self._refresh(office_id))

    async def _refresh(self, office_id: str) -> None:
        try:
            while True:
                self.dirty.discard(office_id)
                try:
                    payload = await asyncio.to_thread(board_json, office_id)
                except Exception:  # the database may be restarting: try at the next change
                    log.exception("could not compute the board")
                    return
                if payload is not None:
                    for queue in list(self.displays.get(office_id, ())):
                        if queue.full():
                            queue.get_nowait()
                        queue.put_nowait(payload)
                if office_id not in self.dirty:
                    return
        finally:
            self.computing.discard(office_id)

    # -- PostgreSQL LISTEN ------------------------------------------------------------------

    def _start(self) -> None:
        running = asyncio.get_running_loop()
        if self.loop is not running:  # first display, or a new event loop (tests): start over
            self.loop, self.listener = running, None
            self.computing.clear()
            self.dirty.clear()
        if self.listener is None and connection.vendor == "postgresql":
            self.listener = asyncio.ensure_future(self._listen())

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
                    for office_id in list(self.displays):  # changes missed while away
                        self.changed(office_id)
                    async for notice in conn.notifies():
                        self.changed(notice.payload)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("lost the PostgreSQL listener; reconnecting", exc_info=True)
                await asyncio.sleep(1)


hub = Hub()
