from django.core.management.base import BaseCommand

from accueil.notify.templates_text import load_files


class Command(BaseCommand):
    help = "Load the default message templates from accueil/notify/content/ (FR and EN)."

    def handle(self, *args, **options):
        self.stdout.write(f"{load_files()} templates loaded")
