import signal
import threading

from django.core.management.base import BaseCommand

from accueil.core.housekeeping import run_housekeeping
from accueil.core.worker import drain_outbox, run_worker


class Command(BaseCommand):
    help = "Run background work (the outbox, housekeeping) until stopped (Ctrl+C or SIGTERM)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="send what is due, tidy, exit")
        parser.add_argument(
            "--poll", type=float, default=1.0, help="seconds to wait when nothing is due"
        )

    def handle(self, *args, once=False, poll=1.0, **options):
        if once:
            self.stdout.write(
                f"outbox: {drain_outbox()} messages; housekeeping: {run_housekeeping()}"
            )
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("worker running; Ctrl+C to stop")
        run_worker(stop, poll=poll)
