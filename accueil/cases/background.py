"""The cases app's background work, registered with core (core/jobs.py, core/consumers.py).

- ``case-clocks``: warnings at 75 % of the target and breaches, as time passes;
- housekeeping: closing resolved requests after the reopening window, and retention;
- a consumer of calendar changes (a closure, a holiday, new hours saved in the admin) that
  moves the due times of open requests and records each move;
- ``mail-poll``, only when an IMAP mailbox is configured (``ACCUEIL_IMAP_HOST``).
"""

from django.conf import settings
from django.utils import timezone

from accueil.cases.actions import (
    do_check_clocks,
    do_close_resolved,
    do_forget_expired,
    do_recompute_due,
)
from accueil.cases.mail_actions import do_forget_old_inbound
from accueil.cases.mail_poll import poll_job
from accueil.catalog.models import Office
from accueil.core.consumers import consumers
from accueil.core.jobs import housekeeping, jobs

CALENDAR_VERBS = {
    f"{model}.{change}"
    for model in ("closure", "holiday", "office", "openinghours")
    for change in ("created", "updated", "deleted")
}


@jobs.register("case-clocks", every=30.0)
def check_case_clocks() -> int:
    return do_check_clocks(timezone.now())


@housekeeping.register
def close_and_forget_cases(now) -> dict[str, int]:
    return {
        "cases_closed": do_close_resolved(now),
        "cases_anonymised": do_forget_expired(now),
        "inbound_mail_forgotten": do_forget_old_inbound(now),
    }


if settings.IMAP_HOST:
    jobs.register("mail-poll", every=float(settings.IMAP_POLL_SECONDS))(poll_job)


@consumers.register("cases.calendar-changes", verbs=CALENDAR_VERBS)
def move_due_times(events) -> None:
    """Which office changed is not always known (a deleted closure is gone): every office of
    the agencies concerned is recomputed; open requests are few compared with all requests."""
    agencies = {event.agency_id for event in events if event.agency_id}
    offices = list(Office.objects.filter(agency_id__in=agencies).values_list("id", flat=True))
    reason = sorted({event.verb for event in events})[0]
    if offices:
        do_recompute_due(offices, reason)
