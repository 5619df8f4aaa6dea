"""Server-sent events for display boards, served as plain ASGI beside the Django application.

Each connection first gets the office's current board (so a display that reconnects shows the
true state at once), then a fresh board after every change, and an `event: ping` every 15 seconds so
proxies keep the connection open. ``retry`` tells the browser to reconnect after 2 seconds.

A stream holds a connection for hours, so one process caps how many it holds per client address
and per office (``ACCUEIL_DISPLAY_STREAMS_PER_ADDRESS``, ``…_PER_OFFICE``): beyond them a new
one gets a 429 and the display polls its board. The first board comes from the hub, which keeps
the office's current one, so a thousand arrivals cost at most one query set. When the server
stops, the hub ends every stream (see ``hub.close``).
"""

import asyncio
import json
import re
import uuid
from types import SimpleNamespace

from django.conf import settings

from accueil.core.ratelimit import client_address as request_address
from accueil.queues.hub import END, hub

PATH = re.compile(r"^/api/v1/offices/(?P<office>[^/]+)/events/?$")
KEEPALIVE = 15.0
# A named event, not a comment: the page can tell a quiet office from a dead connection.
KEEPALIVE_FRAME = b"event: ping\ndata: \n\n"
HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache, no-transform"),
    (b"x-accel-buffering", b"no"),
    (b"x-content-type-options", b"nosniff"),
]


def match(scope) -> str | None:
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    found = PATH.match(scope["path"])
    return found["office"] if found else None


def frame(payload: str) -> bytes:
    return f"event: board\ndata: {payload}\n\n".encode()


MESSAGES = {
    404: (
        "not_found",
        "Rien n’a été trouvé à cette adresse.",
        "Nothing was found at this address.",
    ),
    429: (
        "rate_limited",
        "Trop d’écrans d’affichage sont déjà connectés. Réessayez dans un moment.",
        "Too many display screens are already connected. Please try again in a moment.",
    ),
    503: (
        "unavailable",
        "Le service est momentanément indisponible. Réessayez dans un instant.",
        "The service is briefly unavailable. Please try again in a moment.",
    ),
}
# Seconds in Retry-After: the database comes back quickly; a connected display seldom leaves.
RETRY_AFTER = {429: 30, 503: 5}


async def error(scope, send, status: int) -> None:
    """The contract's error shape, in the caller's language (this path bypasses Django)."""
    headers = dict(scope.get("headers", []))
    english = headers.get(b"accept-language", b"").lower().startswith(b"en")
    code, french, english_text = MESSAGES[status]
    message = english_text if english else french
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)
    response_headers = [(b"content-type", b"application/json; charset=utf-8")]
    if status in RETRY_AFTER:
        response_headers.append((b"retry-after", str(RETRY_AFTER[status]).encode()))
    await send({"type": "http.response.start", "status": status, "headers": response_headers})
    await send({"type": "http.response.body", "body": body.encode()})


async def not_found(scope, send) -> None:
    await error(scope, send, 404)


def client_address(scope) -> str:
    """The caller's address by the rate limits' own rule: ``X-Forwarded-For`` is read only when
    ``ACCUEIL_TRUSTED_PROXY_COUNT`` says proxies set it; otherwise the peer's address is used."""
    forwarded = b",".join(
        value for name, value in scope.get("headers", []) if name == b"x-forwarded-for"
    )
    peer = scope.get("client") or ("", 0)
    meta = {"HTTP_X_FORWARDED_FOR": forwarded.decode("latin-1"), "REMOTE_ADDR": peer[0]}
    return request_address(SimpleNamespace(META=meta))


class Streams:
    """How many streams each client address holds in this process (offices: ``hub.audience``).

    An address leaves the table with its last stream, so a flood leaves nothing behind."""

    def __init__(self) -> None:
        self.by_address: dict[str, int] = {}

    def admit(self, address: str, office_id: str) -> bool:
        if self.by_address.get(address, 0) >= settings.DISPLAY_STREAMS_PER_ADDRESS:
            return False
        if hub.audience(office_id) >= settings.DISPLAY_STREAMS_PER_OFFICE:
            return False
        self.by_address[address] = self.by_address.get(address, 0) + 1
        return True

    def release(self, address: str) -> None:
        left = self.by_address.get(address, 0) - 1
        if left > 0:
            self.by_address[address] = left
        else:
            self.by_address.pop(address, None)


streams = Streams()


async def wait_for_disconnect(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass  # the (empty) request body


async def stream(office: str, scope, receive, send) -> None:
    try:
        office_id = str(uuid.UUID(office))
    except ValueError:
        await not_found(scope, send)
        return
    address = client_address(scope)
    # Admitting and subscribing happen without an await between them: the counts are exact.
    if not streams.admit(address, office_id):
        await error(scope, send, 429)
        return
    try:
        await serve(office_id, scope, receive, send)
    finally:
        streams.release(address)


async def serve(office_id: str, scope, receive, send) -> None:
    queue = hub.subscribe(office_id)  # before the first board: no change can slip between
    if queue is None:  # the server is stopping: the display comes back to another process
        await error(scope, send, 503)
        return
    watcher = asyncio.ensure_future(leave_on_disconnect(receive, office_id, queue))
    try:
        try:
            first = await hub.board(office_id)
        except Exception:  # the database is away (restart, failover): the display retries
            await error(scope, send, 503)
            return
        if first is None:
            await not_found(scope, send)
            return
        if watcher.done():  # it hung up while the board was computed: nothing to write
            return
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send(
            {
                "type": "http.response.body",
                "body": b"retry: 2000\n" + frame(first),
                "more_body": True,
            }
        )
        await follow(queue, send, first)
    except OSError:  # the display went away while we wrote
        return
    finally:
        watcher.cancel()
        hub.unsubscribe(office_id, queue)


async def leave_on_disconnect(receive, office_id: str, queue: asyncio.Queue) -> None:
    """Unsubscribe the moment the display hangs up, even while its first board is computed:
    the hub feeds it nothing more, and computes nothing for an office nobody watches."""
    await wait_for_disconnect(receive)
    hub.unsubscribe(office_id, queue)


async def follow(queue: asyncio.Queue, send, last: str) -> None:
    """Send each new board (and a ping when quiet) until the display leaves or the server stops."""
    while True:
        try:
            payload = await asyncio.wait_for(queue.get(), KEEPALIVE)
        except TimeoutError:
            await send({"type": "http.response.body", "body": KEEPALIVE_FRAME, "more_body": True})
            continue
        if payload is END:
            break
        if payload is last:  # the board computed for this display's arrival, fanned out too
            continue
        last = payload
        await send({"type": "http.response.body", "body": frame(payload), "more_body": True})
    # A complete response: uvicorn closes the connection once it is shutting down.
    await send({"type": "http.response.body", "body": b"", "more_body": False})
