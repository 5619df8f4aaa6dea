"""The wait forecast's history, read from the rollups (registered in queues/waits.py).

The forecast learns agents' busy times per office, service and hour from four weeks of
history. The rollups already hold them as a histogram with each bucket's sum, so the forecast
reads a few hundred summed rows instead of every ``visit.completed`` event of four weeks; the
events the consumer has not counted yet (a few seconds' worth, or all of them before its first
run) are read from the event log, through the filter returned here, so nothing is missed and
nothing counted twice.

Rollup rows are keyed by the local hour of the visit's end, where the event log's samples carry
the hour of its first call: the two differ only for visits that straddle an hour.
"""

from collections import defaultdict

from django.db.models import Q, Sum

from accueil.core.models import ConsumerCursor
from accueil.insights import rollups
from accueil.insights.models import BUSY_BUCKET_SUMS, BUSY_HISTOGRAM, HourlyRollup
from accueil.queues.waits import BusyTally, History

COLUMNS = (
    *BUSY_HISTOGRAM,
    *BUSY_BUCKET_SUMS,
    "no_shows",
    "no_show_busy_samples",
    "no_show_busy_seconds",
)


def counted_history(agency_ids, since, until) -> tuple[dict[str, History], Q]:
    """({agency id: History of what the rollups counted in [since, until)}, the filter of the
    events they have not counted yet)."""
    position = ConsumerCursor.objects.filter(name=rollups.NAME).values_list("txid", "event_id")
    txid, event_id = position.first() or (0, 0)
    uncounted = Q(txid__gte=txid) & (Q(txid__gt=txid) | Q(txid=txid, id__gt=event_id))
    histories: dict[str, History] = defaultdict(History)
    if not (txid or event_id):
        return histories, uncounted
    rows = (
        HourlyRollup.objects.filter(
            agency_id__in=list(agency_ids), day__gte=since.date(), day__lt=until.date()
        )
        .values("agency_id", "office_id", "service_id", "hour")
        .annotate(**{column: Sum(column) for column in COLUMNS})
    )
    for row in rows:
        history = histories[str(row["agency_id"])]
        service = str(row["service_id"])
        tally = BusyTally(
            counts=[int(row[c] or 0) for c in BUSY_HISTOGRAM],
            sums=[float(row[c] or 0) for c in BUSY_BUCKET_SUMS],
        )
        if len(tally):
            history.busy[(str(row["office_id"]), service, row["hour"])].merge(tally)
        if row["no_shows"]:
            history.no_shows[service] += int(row["no_shows"])
            history.no_show_seconds += float(row["no_show_busy_seconds"] or 0)
            history.no_show_samples += int(row["no_show_busy_samples"] or 0)
    return histories, uncounted
