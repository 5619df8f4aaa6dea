"""Appointments in the REST API: open slots, book, see, move, cancel (DESIGN.md §5).

Booking is open to anyone (rate-limited like check-in) and follows the same rules as the booking
page, through the same actions (``queues.booking``): the three-week horizon, one winner for the
last place in a slot. What is booked is then reachable by whoever holds its ``secret`` (given
only in the booking's answer) or by an agent of its office; anybody else gets the 404 an unknown
id gets, so an id seen elsewhere does not even reveal that the appointment exists.
"""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from accueil.api import auth
from accueil.api.errors import invalid_field, rate_limited
from accueil.api.schemas import ErrorOut, Translated
from accueil.catalog.access import offices_for
from accueil.catalog.models import Office
from accueil.core import ratelimit
from accueil.core.contact import clean_email, clean_phone
from accueil.queues import booking
from accueil.queues.actions import access_appointment_as_holder
from accueil.queues.models import Appointment, Source

router = Router(tags=["appointments"])
ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}

# Where a refusal of the booking rules points: the time asked for.


class ServiceRef(Schema):
    id: UUID
    name: Translated


class SlotOut(Schema):
    service: UUID
    starts_at: str = Field(description="ISO 8601 with the office's offset; give it back to book")
    ends_at: str
    free: int = Field(description="Places still open in this slot (at least 1)")


class SlotsOut(Schema):
    office: UUID
    date: str = Field(description="The office's local day these slots are on")
    first_day: str = Field(description="The first day that can be booked (today, locally)")
    last_day: str = Field(description="The last day that can be booked (three weeks ahead)")
    slots: list[SlotOut]


class BookIn(Schema):
    service: UUID
    starts_at: datetime = Field(
        description="One of the open slots' `starts_at`; without an offset, the office's time"
    )
    language: Literal["fr", "en"] | None = None
    name: str = Field("", max_length=120)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254, description="Receives the confirmation and .ics")


class MoveIn(Schema):
    starts_at: datetime = Field(description="One of the open slots' `starts_at`")


class AppointmentUrls(Schema):
    page: str = Field(description="The person's page: see, move or cancel")
    calendar: str = Field(description="The appointment as an iCalendar (.ics) file")


class AppointmentOut(Schema):
    id: UUID
    secret: str = Field(
        description="The person's key to this appointment (see, move, cancel); given only to "
        "whoever booked it and to staff of the office"
    )
    code: str = Field(description="What the person types at the kiosk on arrival")
    status: str = Field(description="`booked`, `cancelled`, `checked_in` or `missed`")
    starts_at: str
    ends_at: str
    office: UUID
    service: ServiceRef
    language: str
    source: str = Field(description="How it was booked: `web`, `api`, `phone`, `counter`")
    urls: AppointmentUrls


def appointment_out(appointment) -> dict:
    zone = appointment.office.zone
    with translation.override(appointment.language):
        args = [appointment.id, appointment.secret]
        page = reverse("queues:appointment", args=args)
        calendar = reverse("queues:appointment-calendar", args=args)
    return {
        "id": appointment.id,
        "secret": appointment.secret,
        "code": appointment.code,
        "status": appointment.status,
        "starts_at": timezone.localtime(appointment.starts_at, zone).isoformat(),
        "ends_at": timezone.localtime(appointment.ends_at, zone).isoformat(),
        "office": appointment.office_id,
        "service": {
            "id": appointment.service_id,
            "name": {"fr": appointment.service.name_fr, "en": appointment.service.name_en},
        },
        "language": appointment.language,
        "source": appointment.source,
        "urls": {"page": settings.SITE_URL + page, "calendar": settings.SITE_URL + calendar},
    }


def _aware(value: datetime, office) -> datetime:
    return value if timezone.is_aware(value) else value.replace(tzinfo=office.zone)


def _office(office_id: UUID) -> Office:
    found = Office.objects.filter(id=office_id, active=True).select_related("agency").first()
    if found is None:
        raise Http404
    return found


def _bookable(office, service_id):
    return office.services.filter(id=service_id, active=True, appointment_minutes__gt=0).first()


def holder_or_staff(request, appointment_id: UUID, secret: str) -> Appointment:
    """The appointment for whoever holds its secret, or for an agent of its office.

    Anybody else — no secret, a wrong one, a token of another office or agency, a token that
    lost its rights — gets the 404 of an unknown id."""
    if secret:
        return access_appointment_as_holder(appointment_id, secret)
    try:
        actor = auth.agent(request)
    except PermissionDenied:
        actor = None
    if actor is None:
        raise Http404
    found = (
        Appointment.objects.select_related("office__agency", "service")
        .filter(id=appointment_id, office__in=offices_for(actor))
        .first()
    )
    if found is None:
        raise Http404
    return found


def _actor(request):
    """The agent behind the request's token, if any: recorded on the event."""
    if "Authorization" not in request.headers:
        return None
    try:
        return auth.agent(request)
    except PermissionDenied:
        return None


@router.get(
    "/offices/{office}/appointments/slots",
    response={200: SlotsOut, 400: ErrorOut, 404: ErrorOut},
    summary="Open appointment slots on one day",
    description=(
        "The slots of one local day (default: today at the office) that still have a place, "
        "for one service or every service that takes appointments. Days beyond the booking "
        "horizon (three weeks) or in the past are refused (400 on `date`)."
    ),
)
def slots(
    request,  # noqa: ARG001 - the signature the framework calls
    office: UUID,
    service: UUID | None = None,
    date: date | None = Query(None, description="YYYY-MM-DD, the office's local day"),  # noqa: B008
):
    found = _office(office)
    first, last = booking.horizon(found)
    day = date or first
    if not booking.within_horizon(found, day):
        return invalid_field(
            "date", _("Appointments can be booked up to three weeks ahead. Choose another day.")
        )
    services = found.services.filter(active=True, appointment_minutes__gt=0)
    if service is not None:
        services = services.filter(id=service)
        if not services.exists():
            return invalid_field("service", _("This service cannot be booked at this office."))
    zone = found.zone
    open_slots = [
        {
            "service": choice.id,
            "starts_at": timezone.localtime(slot.starts_at, zone).isoformat(),
            "ends_at": timezone.localtime(slot.ends_at, zone).isoformat(),
            "free": slot.free,
        }
        for choice in services.order_by("name_fr")
        for slot in booking.open_slots(found, choice, day)
        if slot.free
    ]
    open_slots.sort(key=lambda slot: slot["starts_at"])
    return {
        "office": found.id,
        "date": day.isoformat(),
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "slots": open_slots,
    }


@router.post(
    "/offices/{office}/appointments",
    response={201: AppointmentOut, **ERRORS},
    summary="Book an appointment",
    description=(
        "Rate-limited like check-in. 400 `invalid` on `starts_at` when the time is not an open "
        "slot or lies beyond three weeks; 409 `full` when someone took the last place first, "
        "with `alternatives` (the other open times that day). The answer holds the `secret` "
        "that reads, moves and cancels it: keep it."
    ),
)
def book(request, office: UUID, payload: BookIn):
    wait = ratelimit.hit(request, "book", ratelimit.Limit.parse(settings.CHECK_IN_RATE))
    if wait:
        return rate_limited(wait)
    found = _office(office)
    service = _bookable(found, payload.service)
    if service is None:
        return invalid_field("service", _("This service cannot be booked at this office."))
    name = payload.name.strip()
    if any(not ch.isprintable() for ch in name):
        return invalid_field("name", _("Write the name on one line, without special characters."))
    try:
        phone = clean_phone(payload.phone)
    except ValidationError as error:
        return invalid_field("phone", error.messages[0])
    try:
        email = clean_email(payload.email)
    except ValidationError as error:
        return invalid_field("email", error.messages[0])
    language = payload.language or (translation.get_language() or "fr")[:2]
    starts_at = _aware(payload.starts_at, found)
    appointment = booking.do_book(
        found,
        service,
        starts_at,
        email=email,
        phone=phone,
        name=name,
        language="en" if language == "en" else "fr",
        source=Source.API,
        actor=_actor(request),
    )
    return Status(201, appointment_out(appointment))


SECRET_QUERY = Query(
    "",
    max_length=64,
    description="The appointment's `secret`, given when it was booked (not needed with an "
    "agent's token of its office)",
)


@router.get(
    "/appointments/{appointment}",
    response={200: AppointmentOut, 400: ErrorOut, 404: ErrorOut},
    summary="An appointment",
    description="For whoever holds its `secret`, or an agent of its office; 404 for anyone else.",
)
def get_appointment(request, appointment: UUID, secret: str = SECRET_QUERY):
    return appointment_out(holder_or_staff(request, appointment, secret))


@router.post(
    "/appointments/{appointment}/move",
    response={200: AppointmentOut, **ERRORS},
    summary="Move an appointment to another open slot",
    description=(
        "For whoever holds its `secret`, or an agent of its office. The person gets an "
        "“Appointment moved” email with the updated .ics. 400 on `starts_at` as for booking; "
        "409 `full` (with `alternatives`) or `conflict` once it is cancelled or used."
    ),
)
def move(request, appointment: UUID, payload: MoveIn, secret: str = SECRET_QUERY):
    found = holder_or_staff(request, appointment, secret)
    starts_at = _aware(payload.starts_at, found.office)
    moved = booking.do_reschedule(found, starts_at, actor=_actor(request))
    return appointment_out(moved)


@router.post(
    "/appointments/{appointment}/cancel",
    response={200: AppointmentOut, **ERRORS},
    summary="Cancel an appointment",
    description=(
        "For whoever holds its `secret`, or an agent of its office. 409 `conflict` when it is "
        "already cancelled or used. The place is open again for someone else."
    ),
)
def cancel(request, appointment: UUID, secret: str = SECRET_QUERY):
    found = holder_or_staff(request, appointment, secret)
    cancelled = booking.do_cancel_appointment(found, actor=_actor(request))
    return appointment_out(cancelled)
