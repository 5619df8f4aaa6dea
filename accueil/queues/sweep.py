"""No visit stays stuck: yesterday's open visits are closed, a visit called to a desk where no
agent is present any more goes back to the line at its original place, and appointments nobody
came to are recorded as missed.

"Present" means an open desk session with a sign of life within ``ABANDONED_CALL`` (the
console refreshes every 30 seconds; every call and transition at the desk counts). A desk that
was never opened, was closed, or whose agent's browser or server process died leaves none, so
its caller is returned however the call was made."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef

from accueil.core.actors import SYSTEM
from accueil.core.events import record_event
from accueil.queues import live
from accueil.queues.models import (
    Appointment,
    AppointmentStatus,
    DeskSession,
    Visit,
    VisitStatus,
)

ABANDONED_CALL = timedelta(minutes=15)
MISSED_AFTER = timedelta(hours=1)
END_OF_DAY = {
    VisitStatus.WAITING: VisitStatus.CANCELLED,
    VisitStatus.CALLED: VisitStatus.NO_SHOW,
    VisitStatus.SERVING: VisitStatus.DONE,
}


def sweep_stale_visits(now) -> dict[str, int]:
    closed = returned = 0
    stale = Visit.objects.filter(status__in=list(END_OF_DAY)).select_related("office__agency")
    for visit in stale.iterator():
        if visit.day >= now.astimezone(visit.office.zone).date():
            continue
        with transaction.atomic():
            if Visit.objects.filter(id=visit.id, status=visit.status).update(
                status=END_OF_DAY[visit.status], ended_at=now
            ):
                record_event(
                    "visit.closed_at_end_of_day",
                    visit,
                    actor=SYSTEM,
                    agency=visit.office.agency,
                    data={"was": visit.status, "office": str(visit.office_id)},
                )
                closed += 1
    agent_present = DeskSession.objects.filter(
        desk=OuterRef("desk"), closed_at=None, last_seen_at__gte=now - ABANDONED_CALL
    )
    abandoned = (
        Visit.objects.filter(status=VisitStatus.CALLED, called_at__lt=now - ABANDONED_CALL)
        .exclude(Exists(agent_present))
        .select_related("office__agency")
    )
    for visit in abandoned:
        with transaction.atomic():
            if Visit.objects.filter(id=visit.id, status=VisitStatus.CALLED).update(
                status=VisitStatus.WAITING, desk=None
            ):
                record_event(
                    "visit.returned_to_line",
                    visit,
                    actor=SYSTEM,
                    agency=visit.office.agency,
                    data={"office": str(visit.office_id), "ticket": visit.ticket},
                )
                live.announce(visit.office_id)
                returned += 1
    return {
        "visits_closed": closed,
        "visits_returned": returned,
        "appointments_missed": mark_missed_appointments(now),
    }


def mark_missed_appointments(now) -> int:
    """Booked and never checked in, an hour after their end: recorded as missed."""
    missed = 0
    late = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, ends_at__lt=now - MISSED_AFTER
    ).select_related("office__agency")
    for appointment in late:
        with transaction.atomic():
            if Appointment.objects.filter(
                id=appointment.id, status=AppointmentStatus.BOOKED
            ).update(status=AppointmentStatus.MISSED):
                record_event(
                    "appointment.missed",
                    appointment,
                    actor=SYSTEM,
                    agency=appointment.office.agency,
                    office=appointment.office_id,
                    service=appointment.service_id,
                    at=now,
                )
                missed += 1
    return missed
