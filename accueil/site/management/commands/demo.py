from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accueil.site.demo import DEMO_PASSWORD, STAFF, create_demo


class Command(BaseCommand):
    help = "Create or refresh the bilingual demo agency (Ville de Démo / Demo City)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="allow it in production (known passwords!)"
        )
        parser.add_argument(
            "--history-days",
            type=int,
            default=5,
            help="working days of simulated visits before today, for waits and reports (0: none)",
        )

    def handle(self, *args, force=False, history_days=5, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("the demo has known passwords; use --force to create it anyway")
        agency = create_demo()
        if history_days > 0:
            self.make_history(agency, history_days)
        self.stdout.write(
            self.style.SUCCESS(f"Demo agency ready: {agency.name_fr} / {agency.name_en}")
        )
        self.stdout.write(f"Staff sign-in / Connexion du personnel: {settings.SITE_URL}/fr/login/")
        for username, role, *_ in STAFF:
            self.stdout.write(
                f"  {username:<11} {role:<11} password / mot de passe: {DEMO_PASSWORD}"
            )

    def make_history(self, agency, days):
        """Simulated past days at the first office, once, so predicted waits have a history."""
        from datetime import timedelta

        from accueil.queues.models import Visit
        from accueil.queues.simulate import simulate, text_progress

        office = agency.offices.order_by("slug").filter(slug="hotel-de-ville").first()
        if office is None or Visit.objects.filter(office=office).exists():
            return
        start, counted = timezone.now().astimezone(office.zone).date(), 0  # the office's day
        while counted < days:
            start -= timedelta(days=1)
            counted += start.weekday() < 5
        self.stdout.write(f"Simulating {days} days of visits at {office.name_fr}…")
        simulate(office, start, days, progress=text_progress)
