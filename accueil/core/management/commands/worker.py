import signal
import threading

from django.core.management.base import BaseCommand

from accueil.core.housekeeping import run_forever, run_housekeeping


class Command(BaseCommand):
    help = "Run background work until stopped (Ctrl+C or SIGTERM)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between rounds")

    def handle(self, *args, once=False, interval=60.0, **options):
        if once:
            self.stdout.write(f"housekeeping: {run_housekeeping()}")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("worker running; Ctrl+C to stop")
        run_forever(interval, stop)
