import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accueil.site.demo import DEMO_PASSWORD, STAFF, create_demo
from accueil.site.demo_history import DAYS, write_history


class Command(BaseCommand):
    help = "Create or refresh the bilingual demo agency (Ville de Démo / Demo City)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="allow it in production (known passwords!)"
        )
        parser.add_argument(
            "--history-days",
            type=int,
            default=DAYS,
            help="days of history before today: visits, requests, surveys (0: none)",
        )
        parser.add_argument(
            "--no-history", action="store_true", help="the agency and its staff only, no history"
        )

    def handle(self, *args, force=False, history_days=DAYS, no_history=False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("the demo has known passwords; use --force to create it anyway")
        self.verbosity = options.get("verbosity", 1)
        agency = create_demo()
        if history_days > 0 and not no_history:
            self.stdout.write(f"Writing {history_days} days of history (once)…")
            started = time.monotonic()
            summary = write_history(agency, history_days, progress=self.progress)
            if self.verbosity == 1 and sys.stderr.isatty():
                sys.stderr.write("\r\033[K")
            self.stdout.write(f"History: {summary} in {time.monotonic() - started:.0f} s")
        self.stdout.write(
            self.style.SUCCESS(f"Demo agency ready: {agency.name_fr} / {agency.name_en}")
        )
        self.stdout.write(f"Staff sign-in / Connexion du personnel: {settings.SITE_URL}/fr/login/")
        for username, role, *_ in STAFF:
            self.stdout.write(
                f"  {username:<11} {role:<11} password / mot de passe: {DEMO_PASSWORD}"
            )

    def progress(self, line: str) -> None:
        """One line per written day: kept at -v2, else overwritten in place on a terminal."""
        if self.verbosity > 1:
            self.stdout.write(f"  {line}")
        elif self.verbosity == 1 and sys.stderr.isatty():
            sys.stderr.write(f"\r\033[K  {line}")
            sys.stderr.flush()
