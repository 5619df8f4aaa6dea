"""Prediction accuracy on simulated weeks: `python -m bench.predictions DAYS` prints JSON.

The first half of the days builds the history the forecast learns from; accuracy is measured
on the second half, against the naive estimator (position × mean service time ÷ open desks).
"""

import json
import os
import sys
from datetime import date, datetime, time, timedelta


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from accueil.queues.simulate import accuracy, setup_office, simulate

    days = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    call_command("migrate", verbosity=0)
    office = setup_office()
    start = date(2026, 10, 5)  # a Monday
    outcome = simulate(office, start, days)
    measured_from = start + timedelta(days=(days // 2) * 7 // 5)
    since = datetime.combine(measured_from, time(0), tzinfo=office.zone)
    until = datetime.combine(start + timedelta(days=days * 2), time(0), tzinfo=office.zone)
    result = accuracy(office, since, until, outcome.naive)
    result.update(
        {"days": days, "visits": outcome.visits, "measured_from": measured_from.isoformat()}
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
