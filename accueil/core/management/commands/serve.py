import threading

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from accueil.core.worker import run_worker


class Command(BaseCommand):
    help = "Serve Accueil over HTTP (ASGI). On SQLite the worker runs inside the server."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-worker", action="store_true", help="do not run background work in this process"
        )

    def handle(self, *args, host, port, no_worker, **options):
        embedded = connection.vendor == "sqlite"
        if embedded and not no_worker:
            stop = threading.Event()
            threading.Thread(
                target=run_worker, args=(stop,), name="accueil-worker", daemon=True
            ).start()
        self.stdout.write(f"Accueil on http://{host}:{port}/  (database: {connection.vendor})")
        uvicorn.run(
            "accueil.asgi:application",
            host=host,
            port=port,
            log_level=settings.LOG_LEVEL.lower(),
            # Access lines would print URLs, which will carry tracking tokens.
            access_log=False,
            lifespan="off",
        )
