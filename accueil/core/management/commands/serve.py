"""`accueil serve`: uvicorn on the ASGI application; on SQLite, the worker in a thread beside it.

Stopping (SIGTERM, SIGINT) takes seconds even with displays connected. uvicorn's graceful
shutdown waits for every open response, and a display stream never ends by itself — so the
first signal also runs the registered shutdown hooks (queues ends its streams) and tells the
embedded worker to stop, and uvicorn cancels whatever is still running after ``GRACE`` seconds.
"""

import asyncio
import contextlib
import os
import socket
import sys
import threading

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from uvicorn.config import STARTUP_FAILURE

from accueil.core.jobs import on_shutdown
from accueil.core.worker import run_worker

# Seconds uvicorn waits for open responses after a signal: ordinary requests finish in far less.
GRACE = 5
# Seconds the embedded worker may take to finish the message it is sending (it is a daemon
# thread: past this, exit does not wait for it).
WORKER_GRACE = 3


class Server(uvicorn.Server):
    def __init__(
        self, config: uvicorn.Config, stop_worker: threading.Event, worker: threading.Thread | None
    ) -> None:
        super().__init__(config)
        self.stop_worker = stop_worker
        self.worker = worker

    def handle_exit(self, sig, frame) -> None:
        super().handle_exit(sig, frame)
        self.stop_worker.set()
        on_shutdown.run()  # e.g. the display streams end (queues registers it)

    async def shutdown(self, sockets=None) -> None:
        await super().shutdown(sockets)
        if self.worker is not None:
            await asyncio.to_thread(self.worker.join, WORKER_GRACE)


class Command(BaseCommand):
    help = "Serve Accueil over HTTP (ASGI). On SQLite the worker runs inside the server."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-worker", action="store_true", help="do not run background work in this process"
        )

    def handle(self, *args, host, port, no_worker, **options):
        if not os.environ.get("ACCUEIL_SITE_URL"):
            # Every link the product prints or sends (QR posters, emails, .ics, the API's
            # status_url) uses SITE_URL: without one set, it is where this server listens.
            shown = socket.getfqdn() if host in ("0.0.0.0", "::", "") else host  # noqa: S104
            settings.SITE_URL = os.environ["ACCUEIL_SITE_URL"] = f"http://{shown}:{port}"
        config = uvicorn.Config(
            "accueil.asgi:application",
            host=host,
            port=port,
            log_level=settings.LOG_LEVEL.lower(),
            # Access lines would print URLs, which will carry tracking tokens.
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=GRACE,
            # Client addresses come from the socket; X-Forwarded-For is read by our own code,
            # and only when ACCUEIL_TRUSTED_PROXY_COUNT says a proxy sets it (uvicorn would
            # otherwise believe it from any local process).
            proxy_headers=False,
        )
        stop_worker = threading.Event()
        worker = None
        if connection.vendor == "sqlite" and not no_worker:
            worker = threading.Thread(
                target=run_worker, args=(stop_worker,), name="accueil-worker", daemon=True
            )
            worker.start()
        server = Server(config, stop_worker, worker)
        self.stdout.write(f"Accueil on http://{host}:{port}/  (database: {connection.vendor})")
        # After a graceful stop uvicorn raises the signal again: Ctrl-C prints no traceback.
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
        if not server.started:
            sys.exit(STARTUP_FAILURE)  # as uvicorn.run does
