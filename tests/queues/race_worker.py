"""An agent in another process: calls next at one desk until nobody waits, prints what it got.

Run by the race test as ``python -m tests.queues.race_worker DESK_ID`` with DATABASE_URL set.
"""

import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")
    django.setup()
    from accueil.catalog.models import Desk
    from accueil.queues.actions import do_call_next

    desk = Desk.objects.get(id=sys.argv[1])
    while (visit := do_call_next(desk)) is not None:
        print(visit.id, flush=True)


if __name__ == "__main__":
    main()
