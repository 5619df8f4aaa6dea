"""Outbox throughput: N worker processes sending to a local SMTP server.

Run by bench/__main__.py as `python -m bench.outbox WORKERS` with DATABASE_URL (or none for
SQLite) and ACCUEIL_DATA_DIR set; prints one JSON line.
"""

import json
import os
import socket
import subprocess
import sys
import time

import django

MESSAGES = 3000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CountingHandler:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def main() -> None:
    workers = int(sys.argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")
    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command

    from accueil.notify.models import Message, Status

    call_command("migrate", verbosity=0)
    Message.objects.all().delete()
    Message.objects.bulk_create(
        Message(
            channel="email",
            recipient=f"p{i}@example.ca",
            idempotency_key=f"bench:{i}",
            subject=f"Votre tour approche ({i})",
            body="Bonjour,\n\nVotre tour approche.",
        )
        for i in range(MESSAGES)
    )
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(controller.port),
    }
    command = [sys.executable, "-m", "accueil.cli", "worker", "--poll", "0.05"]
    began = time.perf_counter()
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL) for _ in range(workers)
    ]
    try:
        deadline = time.monotonic() + 300
        while Message.objects.filter(status=Status.SENT).count() < MESSAGES:
            if time.monotonic() > deadline:
                raise SystemExit("outbox bench timed out")
            time.sleep(0.05)
        elapsed = time.perf_counter() - began
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        controller.stop()
    # Worker start-up (Django import, about half a second) is inside the measured time.
    print(
        json.dumps(
            {
                "workers": workers,
                "messages": MESSAGES,
                "seconds": elapsed,
                "received": handler.count,
            }
        )
    )


if __name__ == "__main__":
    main()
