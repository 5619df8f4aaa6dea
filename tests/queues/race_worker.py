"""An agent in another process: calls next at one desk (held open by the race test) and records
each outcome until nobody waits, and prints what it got.

Run by the race test as ``python -m tests.queues.race_worker DESK_ID`` with DATABASE_URL set.
"""

import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")
    django.setup()
    from accueil.catalog.models import Desk
    from tests.queues.test_races import call_until_empty

    for visit_id in call_until_empty(Desk.objects.get(id=sys.argv[1])):
        print(visit_id, flush=True)


if __name__ == "__main__":
    main()
