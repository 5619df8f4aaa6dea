from django.core.management.base import BaseCommand, CommandError

from accueil.accounts.actions import do_issue_client_key
from accueil.accounts.models import ClientScope
from accueil.catalog.models import Agency
from accueil.core.actors import SYSTEM


class Command(BaseCommand):
    help = (
        "Print a new key for a client application (an Open311 app by default). The key is "
        "shown once; only its hash is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the application's name, as administrators will see it")
        parser.add_argument(
            "--agency", metavar="SLUG", help="the agency (needed when there are several)"
        )
        parser.add_argument(
            "--scope",
            choices=ClientScope.values,
            default=ClientScope.OPEN311,
            help="what the key may do (default: open311)",
        )
        parser.add_argument("--contact", default="", help="who to call about this application")

    def handle(self, *args, name, agency=None, scope, contact, **options):
        agencies = Agency.objects.all()
        if agency:
            agencies = agencies.filter(slug=agency)
        found = list(agencies[:2])
        if not found:
            raise CommandError(f"no agency {agency!r}" if agency else "no agency yet")
        if len(found) > 1:
            slugs = ", ".join(Agency.objects.values_list("slug", flat=True))
            raise CommandError(f"several agencies: choose one with --agency ({slugs})")
        try:
            _app, plain_text = do_issue_client_key(
                SYSTEM, name, scope, agency=found[0], contact=contact
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(plain_text)
