"""Service notices: a closure, a delay, a move, told to everyone concerned.

Publishing one shows it wherever people look — the display board's ticker, the kiosk, web
check-in, the office page, every status page — until it expires or is withdrawn, and sends it
to everyone waiting (or called) who left a phone or an email, and to everyone with an
appointment later today, each in their own language.
"""

from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.catalog.access import offices_for
from accueil.core.actions import ActionError
from accueil.core.actors import Actor, ActorKind, Role
from accueil.core.events import record_event
from accueil.queues import booking, live, notices
from accueil.queues.actions import authorise
from accueil.queues.models import (
    Appointment,
    AppointmentStatus,
    ServiceNotice,
    Visit,
    VisitStatus,
)

END_OF_DAY = "end_of_day"


def expiry(office, duration: str, now) -> datetime:
    """``duration``: hours as text, or END_OF_DAY (local midnight at the office)."""
    if duration == END_OF_DAY:
        tomorrow = now.astimezone(office.zone).date() + timedelta(days=1)
        return datetime.combine(tomorrow, time(0), tzinfo=office.zone)
    return now + timedelta(hours=int(duration))


def access_notice(actor, notice_id) -> ServiceNotice:
    notice = (
        ServiceNotice.objects.filter(id=notice_id, office__in=offices_for(actor))
        .select_related("office__agency")
        .first()
    )
    if notice is None:
        raise Http404
    return notice


def _authorise(actor: Actor, office) -> None:
    """A supervisor of the office, or the system (a command)."""
    authorise(actor, office)
    if actor.kind != ActorKind.SYSTEM and not actor.has_role(Role.SUPERVISOR):
        raise PermissionDenied


def do_publish_notice(
    actor, *, office, service, notice_fr, notice_en, duration=END_OF_DAY, now=None
) -> tuple[ServiceNotice, int]:
    """Show the notice everywhere and send it to the people concerned: (notice, messages)."""
    _authorise(actor, office)
    now = now or timezone.now()
    expires_at = expiry(office, duration, now)
    with transaction.atomic():
        notice = ServiceNotice.objects.create(
            office=office,
            service=service,
            text_fr=notice_fr,
            text_en=notice_en,
            starts_at=now,
            expires_at=expires_at,
            created_by=actor.event_user,
        )
        record_event(
            "office.notice_published",
            office,
            actor=actor,
            agency=office.agency,
            at=now,
            data={
                "notice": str(notice.id),
                "office": str(office.id),
                "service": str(service.id) if service else None,
                "until": expires_at,
            },
        )
        sent = _send_to_everyone_concerned(notice, now)
        live.announce(office.id)
    return notice, sent


def do_withdraw_notice(actor, notice, now=None) -> ServiceNotice:
    _authorise(actor, notice.office)
    now = now or timezone.now()
    with transaction.atomic():
        if not ServiceNotice.objects.filter(id=notice.id, withdrawn_at=None).update(
            withdrawn_at=now
        ):
            raise ActionError("conflict", _("This notice was already withdrawn."))
        record_event(
            "office.notice_withdrawn",
            notice.office,
            actor=actor,
            agency=notice.office.agency,
            at=now,
            data={"notice": str(notice.id), "office": str(notice.office_id)},
        )
        live.announce(notice.office_id)
    notice.withdrawn_at = now
    return notice


def _send_to_everyone_concerned(notice, now) -> int:
    office, service = notice.office, notice.service
    visits = Visit.objects.filter(
        office=office, status__in=[VisitStatus.WAITING, VisitStatus.CALLED]
    ).select_related("office__agency")
    if service is not None:
        visits = visits.filter(service=service)
    sent = 0
    for visit in visits.exclude(phone="", email=""):
        notices.send_disruption(visit, notice.text_in(visit.language), key=str(notice.id))
        sent += 1
    for appointment in booked_today(office, service, now):
        booking.send_disruption(
            appointment, notice.text_in(appointment.language), key=str(notice.id)
        )
        sent += 1
    return sent


def booked_today(office, service, now):
    """Appointments still to come today at the office (and service)."""
    end_of_day = datetime.combine(
        now.astimezone(office.zone).date() + timedelta(days=1), time(0), tzinfo=office.zone
    )
    appointments = (
        Appointment.objects.filter(
            office=office,
            status=AppointmentStatus.BOOKED,
            starts_at__gte=now - timedelta(hours=1),
            starts_at__lt=end_of_day,
        )
        .exclude(phone="", email="")
        .select_related("office__agency", "service")
    )
    if service is not None:
        appointments = appointments.filter(service=service)
    return appointments


def notices_for(office, service=None, now=None) -> list[ServiceNotice]:
    """What to show: the office's notices in force (for one line: office-wide and its own)."""
    found = ServiceNotice.objects.active(office, now)
    if service is not None:
        found = found.concerning(service)
    return list(found.order_by("starts_at"))
