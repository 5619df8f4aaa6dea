from django.core.management.base import BaseCommand

from accueil.insights import rollups
from accueil.lib.progress import Progress


class Command(BaseCommand):
    help = (
        "Recompute the KPI rollups from the whole event log (after an upgrade, or to check "
        "them): the same code the consumer runs, from the first event."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="empty the rollups and read every event again"
        )
        parser.add_argument("--batch", type=int, default=5000, help="events per transaction")

    def handle(self, *args, rebuild, batch, **options):
        if not rebuild:
            behind = rollups.behind()
            self.stdout.write(f"{behind} events not yet counted (use --rebuild to recount all)")
            return
        progress = Progress(0, "events")
        read = rollups.rebuild(progress=progress, batch=batch)
        progress.close()
        self.stdout.write(f"{read} events read; rollups rebuilt")
