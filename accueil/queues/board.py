"""What a display board shows: the latest calls and, per service, who waits and for how long."""

from django.utils import timezone

from accueil.catalog.models import Office
from accueil.queues.models import ServiceNotice, Visit, VisitStatus
from accueil.queues.waits import recent_forecast, wait_range

RECENT_CALLS = 6


def board_state(office) -> dict | None:
    """``office``: its id, or the active Office already read by the caller (a page)."""
    if not isinstance(office, Office):
        office = Office.objects.filter(id=office, active=True).select_related("agency").first()
    if office is None:
        return None
    now = timezone.now()
    today = now.astimezone(office.zone).date()
    calls = (
        Visit.objects.filter(office=office, day=today, called_at__isnull=False)
        .exclude(status=VisitStatus.WAITING)
        .select_related("desk")
        .order_by("-called_at")[:RECENT_CALLS]
    )
    # Computed after each change, and shared with every other reader of this process's
    # forecast (status pages, console, office pages, API): one figure per line everywhere.
    guess = recent_forecast(office, now, refresh=True)
    services = []
    for service in office.services.filter(active=True).order_by("ticket_prefix", "name_fr"):
        waits = wait_range(guess.for_new_arrival(service.id))
        services.append(
            {
                "id": str(service.id),
                "prefix": service.ticket_prefix,
                "name": {"fr": service.name_fr, "en": service.name_en},
                "waiting": guess.waiting_for(service.id),
                "wait_minutes": list(waits) if waits else None,
            }
        )
    return {
        "office": {"id": str(office.id), "name": {"fr": office.name_fr, "en": office.name_en}},
        "at": now.isoformat(),
        "notices": [
            {
                "fr": notice.text_fr,
                "en": notice.text_en,
                "service": str(notice.service_id) if notice.service_id else None,
                "until": notice.expires_at.isoformat(),
            }
            for notice in ServiceNotice.objects.active(office, now).order_by("starts_at")
        ],
        "calls": [
            {
                # No visit id: a public board carries nothing that grants power over a visit.
                "ticket": visit.ticket,
                "desk": visit.desk.label if visit.desk else "",
                "called_at": visit.called_at.isoformat(),
                "status": visit.status,
            }
            for visit in calls
        ],
        "services": services,
    }
