from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accueil.catalog.demo import DEMO_PASSWORD, STAFF, create_demo


class Command(BaseCommand):
    help = "Create or refresh the bilingual demo agency (Ville de Démo / Demo City)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="allow it in production (known passwords!)"
        )

    def handle(self, *args, force=False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("the demo has known passwords; use --force to create it anyway")
        agency = create_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo agency ready: {agency.name_fr} / {agency.name_en}")
        )
        self.stdout.write(f"Staff sign-in / Connexion du personnel: {settings.SITE_URL}/fr/login/")
        for username, role, *_ in STAFF:
            self.stdout.write(
                f"  {username:<11} {role:<11} password / mot de passe: {DEMO_PASSWORD}"
            )
