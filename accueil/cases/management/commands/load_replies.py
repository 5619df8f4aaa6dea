from django.core.management.base import BaseCommand

from accueil.cases.replies import load_replies


class Command(BaseCommand):
    help = "Load the shipped reply templates from accueil/cases/content/replies/ (FR and EN)."

    def handle(self, *args, **options):
        self.stdout.write(f"{load_replies()} reply templates loaded")
