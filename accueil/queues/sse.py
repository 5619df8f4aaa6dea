"""Server-sent events for display boards, served as plain ASGI beside the Django application.

Each connection first gets the office's current board (so a display that reconnects shows the
true state at once), then a fresh board after every change, and an `event: ping` every 15 seconds so
proxies keep the connection open. ``retry`` tells the browser to reconnect after 2 seconds.
"""

import asyncio
import json
import logging
import re
import uuid

from accueil.queues.hub import board_json, hub

log = logging.getLogger(__name__)
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
    503: (
        "unavailable",
        "Le service est momentanément indisponible. Réessayez dans un instant.",
        "The service is briefly unavailable. Please try again in a moment.",
    ),
}


async def error(scope, send, status: int) -> None:
    """The contract's error shape, in the caller's language (this path bypasses Django)."""
    headers = dict(scope.get("headers", []))
    english = headers.get(b"accept-language", b"").lower().startswith(b"en")
    code, french, english_text = MESSAGES[status]
    message = english_text if english else french
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)
    response_headers = [(b"content-type", b"application/json; charset=utf-8")]
    if status == 503:
        response_headers.append((b"retry-after", b"5"))
    await send({"type": "http.response.start", "status": status, "headers": response_headers})
    await send({"type": "http.response.body", "body": body.encode()})


async def not_found(scope, send) -> None:
    await error(scope, send, 404)


async def wait_for_disconnect(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass  # the (empty) request body


async def stream(office: str, scope, receive, send) -> None:
    try:
        office_id = str(uuid.UUID(office))
    except ValueError:
        await not_found(scope, send)
        return
    queue = hub.subscribe(office_id)  # before the first board: no change can slip between
    try:
        try:
            first = await asyncio.to_thread(board_json, office_id)
        except Exception:  # the database is away (restart, failover): the display retries
            log.warning("could not read the board for a new display", exc_info=True)
            await error(scope, send, 503)
            return
        if first is None:
            await not_found(scope, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send(
            {
                "type": "http.response.body",
                "body": b"retry: 2000\n" + frame(first),
                "more_body": True,
            }
        )
        disconnected = asyncio.ensure_future(wait_for_disconnect(receive))
        try:
            while True:
                board = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait(
                    {board, disconnected}, timeout=KEEPALIVE, return_when=asyncio.FIRST_COMPLETED
                )
                if disconnected in done:
                    board.cancel()
                    return
                body = frame(board.result()) if board in done else KEEPALIVE_FRAME
                if board not in done:
                    board.cancel()
                await send({"type": "http.response.body", "body": body, "more_body": True})
        finally:
            disconnected.cancel()
    except OSError:  # the display went away while we wrote
        return
    finally:
        hub.unsubscribe(office_id, queue)
