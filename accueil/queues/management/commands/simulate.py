from datetime import date, datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accueil.catalog.models import Office
from accueil.queues.simulate import accuracy, setup_office, simulate, text_progress


class Command(BaseCommand):
    help = "Replay simulated office days through the real actions (history, benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=5, help="working days to simulate")
        parser.add_argument("--start", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
        parser.add_argument("--office", help="office slug; default: a simulated office")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, days, start, office, seed, **options):
        if days < 1:
            raise CommandError("--days must be at least 1")
        if office:
            found = Office.objects.filter(slug=office).select_related("agency").first()
            if found is None:
                raise CommandError(f"no office with the slug {office!r}")
        else:
            found = setup_office()
        today = timezone.now().astimezone(found.zone).date()  # the office's day, not the server's
        start = start or today - timedelta(days=days * 7 // 5 + 2)
        outcome = simulate(found, start, days, seed=seed, progress=text_progress)
        zone = found.zone
        since = datetime.combine(start, time(0), tzinfo=zone)
        until = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
        result = accuracy(found, since, until, outcome.naive)
        self.stdout.write(
            f"{outcome.visits} visits, {outcome.served} served, {outcome.no_shows} no-shows"
        )
        ours, naive = result["ours"], result["naive"]
        if ours["mae"] is not None:
            self.stdout.write(
                f"wait predicted at check-in: mean error {ours['mae'] / 60:.1f} min, "
                f"90th percentile {ours['p90'] / 60:.1f} min "
                f"(naive estimator: {naive['mae'] / 60:.1f} and {naive['p90'] / 60:.1f} min)"
            )
