"""Tell every server process that an office's queue changed, so its displays refresh.

On PostgreSQL the announcement is a ``NOTIFY`` sent inside the change's own transaction: it is
delivered to every listening process when the transaction commits, and never if it rolls back.
On SQLite (one server process by design) it goes to this process's hub after commit.
One way only: actions → live → hub (the hub never imports live or the actions).
"""

from django.db import connection, transaction

from accueil.queues.hub import CHANNEL, hub
from accueil.queues.waits import forget_recent


def announce(office_id, keeps_forecast: bool = False) -> None:
    """Inside the change's transaction. ``keeps_forecast``: the change was already applied to
    this process's current forecast (a newcomer admitted at check-in); otherwise that forecast
    is dropped at commit, so the next reader computes the line as it now is."""
    if not keeps_forecast:  # now, and again at commit (a reader may compute meanwhile)
        forget_recent(office_id)
        transaction.on_commit(lambda: forget_recent(office_id))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(office_id)])
        return
    transaction.on_commit(lambda: hub.changed_from_thread(str(office_id)))
