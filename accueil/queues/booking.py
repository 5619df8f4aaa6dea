"""Appointments: open slots, booking without double booking, reschedule, cancel, arrival.

Slots come from the office's opening hours, holidays and closures (its business calendar) cut
into the service's appointment length; each slot holds as many people as the office keeps desks
for appointments (``QueueRules.appointment_desks``), never more than the desks that serve the
service. A slot's count is raised by a conditional ``UPDATE … WHERE booked < capacity``: when
two people take the last place at once, exactly one row changes, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accueil.core.actions import ActionError
from accueil.core.actors import SYSTEM
from accueil.core.events import record_event
from accueil.lib import dates
from accueil.notify.actions import notify_beside
from accueil.notify.attachments import attachments
from accueil.notify.checks import still_wanted
from accueil.queues.actions import do_check_in
from accueil.queues.models import Appointment, AppointmentStatus, QueueRules, SlotCount, Source
from accueil.queues.notices import preferred_channel

CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B look-alikes
CODE_LENGTH = 6
BOOKING_DAYS = 21  # today and the next 20 days: three weeks, as the booking page says
REMINDER_BEFORE = timedelta(hours=24)


@dataclass
class Slot:
    starts_at: datetime
    ends_at: datetime
    free: int
    label: str = ""  # the local time, as shown to the person booking


def capacity(office, service) -> int:
    desks = service.desks.filter(office=office, active=True).count()
    return min(QueueRules.for_office(office).appointment_desks, desks)


def horizon(office, now=None) -> tuple[date, date]:
    """The first and last local day that can be booked: today and the BOOKING_DAYS - 1 after."""
    now = now or timezone.now()
    today = now.astimezone(office.zone).date()
    return today, today + timedelta(days=BOOKING_DAYS - 1)


def within_horizon(office, day: date, now=None) -> bool:
    first, last = horizon(office, now)
    return first <= day <= last


def _starts_within_horizon(office, starts_at: datetime, now) -> bool:
    """Compared as instants, so a time in year 9999 cannot overflow a conversion."""
    _first, last = horizon(office, now)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), office.zone)
    return now < starts_at < end


def open_slots(office, service, day: date, now=None) -> list[Slot]:
    """The slots of one local day within the horizon that start in the future, with their
    free places."""
    if not service.appointment_minutes:
        return []
    now = now or timezone.now()
    if not within_horizon(office, day, now):
        return []
    length = timedelta(minutes=service.appointment_minutes)
    places = capacity(office, service)
    spans = office.calendar().open_spans(day)
    if not spans or places == 0:
        return []
    taken = dict(
        SlotCount.objects.filter(
            office=office,
            service=service,
            starts_at__gte=spans[0][0],
            starts_at__lt=spans[-1][1],
        ).values_list("starts_at", "booked")
    )
    slots = []
    for span_start, span_end in spans:
        start = span_start
        while start + length <= span_end:
            if start > now:
                free = places - taken.get(start, 0)
                slots.append(Slot(start, start + length, max(free, 0)))
            start += length
    return slots


def bookable_days(office, service, now=None) -> list[date]:
    now = now or timezone.now()
    today, _last = horizon(office, now)
    days = [today + timedelta(days=n) for n in range(BOOKING_DAYS)]
    return [day for day in days if any(s.free for s in open_slots(office, service, day, now))]


def _find_slot(office, service, starts_at, now) -> Slot:
    if not _starts_within_horizon(office, starts_at, now):
        raise ActionError(
            "beyond_horizon",
            _("Appointments can be booked up to three weeks ahead. Choose another day."),
            status=400,
            field="starts_at",
        )
    day = starts_at.astimezone(office.zone).date()
    for slot in open_slots(office, service, day, now):
        if slot.starts_at == starts_at:
            return slot
    raise ActionError(
        "no_slot",
        _("This time is not open for appointments. Choose another one."),
        status=400,
        field="starts_at",
    )


def _take_place(office, service, starts_at) -> None:
    """Inside a transaction: one more person in this slot, or a conflict if it is full."""
    places = capacity(office, service)
    try:
        with transaction.atomic():
            SlotCount.objects.get_or_create(office=office, service=service, starts_at=starts_at)
    except IntegrityError:
        pass  # created by someone booking the same slot at the same moment
    won = SlotCount.objects.filter(
        office=office, service=service, starts_at=starts_at, booked__lt=places
    ).update(booked=F("booked") + 1)
    if not won:
        day = starts_at.astimezone(office.zone).date()
        others = [
            timezone.localtime(slot.starts_at, office.zone).isoformat()
            for slot in open_slots(office, service, day)
            if slot.free
        ]
        raise ActionError(
            "full",
            _("Someone just took this time. Choose another one."),
            alternatives=others,  # the other open times that day
        )


def _free_place(appointment) -> None:
    SlotCount.objects.filter(
        office_id=appointment.office_id,
        service_id=appointment.service_id,
        starts_at=appointment.starts_at,
        booked__gt=0,
    ).update(booked=F("booked") - 1)


def new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Appointment.objects.filter(code=code).exists():
            return code


def do_book(
    office,
    service,
    starts_at,
    *,
    email="",
    phone="",
    name="",
    language="fr",
    source=Source.WEB,
    actor=None,
    now=None,
    confirm=True,
):
    """Book a slot. ``source``: the web page, an application (API) or staff for a caller on the
    phone (``actor`` then says who). Without an email there is no confirmation to send (staff
    read the code out on the phone); a phone still gets the reminder. ``confirm=False`` only
    for simulated days: nobody to write to."""
    now = now or timezone.now()
    slot = _find_slot(office, service, starts_at, now)
    with transaction.atomic():
        _take_place(office, service, slot.starts_at)
        appointment = Appointment.objects.create(
            office=office,
            service=service,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            code=new_code(),
            language=language,
            name=name,
            email=email,
            phone=phone,
            source=source,
            created_at=now,
        )
        record_event(
            "appointment.booked",
            appointment,
            actor=actor or SYSTEM,
            agency=office.agency,
            at=now,
            data={
                "office": str(office.id),
                "service": str(service.id),
                "starts_at": slot.starts_at,
                "source": source,
            },
        )
        if confirm:
            _confirm(appointment, now)
    return appointment


def do_reschedule(appointment, starts_at, actor=None, now=None):
    now = now or timezone.now()
    if appointment.status != AppointmentStatus.BOOKED:
        raise ActionError("conflict", _("This appointment can no longer be changed."))
    slot = _find_slot(appointment.office, appointment.service, starts_at, now)
    with transaction.atomic():
        _take_place(appointment.office, appointment.service, slot.starts_at)
        changed = Appointment.objects.filter(
            id=appointment.id, status=AppointmentStatus.BOOKED, sequence=appointment.sequence
        ).update(starts_at=slot.starts_at, ends_at=slot.ends_at, sequence=F("sequence") + 1)
        if not changed:
            raise ActionError("conflict", _("This appointment can no longer be changed."))
        _free_place(appointment)
        old = appointment.starts_at
        appointment.refresh_from_db()
        record_event(
            "appointment.rescheduled",
            appointment,
            actor=actor or SYSTEM,
            agency=appointment.office.agency,
            at=now,
            data={"from": old, "to": slot.starts_at},
        )
        _confirm(appointment, now, moved=True)
    return appointment


def do_cancel_appointment(appointment, actor=None, now=None):
    now = now or timezone.now()
    with transaction.atomic():
        if not Appointment.objects.filter(
            id=appointment.id, status=AppointmentStatus.BOOKED
        ).update(status=AppointmentStatus.CANCELLED):
            raise ActionError("conflict", _("This appointment can no longer be cancelled."))
        _free_place(appointment)
        record_event(
            "appointment.cancelled",
            appointment,
            actor=actor or SYSTEM,
            agency=appointment.office.agency,
            at=now,
        )
    appointment.status = AppointmentStatus.CANCELLED
    return appointment


def do_arrive(office, code: str, now=None, language="fr"):
    """At the kiosk: the booking code turns the appointment into a visit (priority if on time)."""
    now = now or timezone.now()
    code = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    appointment = (
        Appointment.objects.select_related("service", "office", "visit")
        .filter(office=office, code=code)
        .first()
    )
    if appointment is None:
        raise ActionError("unknown_code", _("No appointment today at this office has this code."))
    _check_arrival(appointment)
    window = timedelta(minutes=QueueRules.for_office(office).appointment_window)
    if now < appointment.starts_at - window:
        local = timezone.localtime(appointment.starts_at, office.zone)
        raise ActionError(
            "too_early",
            _("Your appointment is at %(time)s. Come back a little before, or take a ticket.")
            % {"time": dates.time_of_day(local, translation.get_language() or language)},
        )
    on_time = now <= appointment.starts_at + window
    with transaction.atomic():
        if not Appointment.objects.filter(
            id=appointment.id, status=AppointmentStatus.BOOKED
        ).update(status=AppointmentStatus.CHECKED_IN):
            # Someone typed the same code a moment before: say what they got.
            appointment.refresh_from_db()
            _check_arrival(appointment)
            raise ActionError("conflict", _("This appointment has already been used."))
        visit = do_check_in(
            office,
            appointment.service,
            language=appointment.language,
            phone=appointment.phone,
            email=appointment.email,
            source=Source.KIOSK,
            booked=on_time,
            idempotency_key=f"appointment:{appointment.id}",
            now=now,
        )
        Appointment.objects.filter(id=appointment.id).update(visit=visit)
        record_event(
            "appointment.arrived",
            appointment,
            actor=SYSTEM,
            agency=office.agency,
            at=now,
            data={"visit": str(visit.id), "on_time": on_time},
        )
    return visit


def _check_arrival(appointment) -> None:
    """A code typed a second time names the ticket it already gave (the person came back to the
    kiosk, or pressed twice): that is what they need, not "no appointment has this code"."""
    if appointment.status == AppointmentStatus.CHECKED_IN:
        visit = appointment.visit
        if visit is None:
            raise ActionError("checked_in", _("You are already checked in."))
        raise ActionError(
            "checked_in",
            _("You are already checked in: your ticket is %(ticket)s.") % {"ticket": visit.ticket},
        )
    if appointment.status == AppointmentStatus.CANCELLED:
        raise ActionError("cancelled", _("This appointment was cancelled. Take a ticket."))
    if appointment.status != AppointmentStatus.BOOKED:
        raise ActionError("conflict", _("This appointment has already been used."))


# -- messages -----------------------------------------------------------------------------------


def manage_url(appointment) -> str:
    with translation.override(appointment.language):
        return settings.SITE_URL + reverse(
            "queues:appointment", args=[appointment.id, appointment.secret]
        )


def _values(appointment) -> dict:
    local = timezone.localtime(appointment.starts_at, appointment.office.zone)
    language = appointment.language
    with translation.override(language):
        return {
            "office": appointment.office.name_in(language),
            "service": appointment.service.name_in(language),
            "date": dates.day(local, language),  # « mardi 1er décembre 2026 »
            "time": dates.time_of_day(local, language),  # « 8 h 30 », "8:30 a.m."
            "code": appointment.code,
            "link": manage_url(appointment),
        }


def _confirm(appointment, now, moved: bool = False) -> None:
    """Confirmation now (with the .ics), reminder the day before; both in the person's language.

    After a move the confirmation is the "moved" message (« Rendez-vous déplacé »), with the
    new date and the updated .ics; there is none without an email address."""
    values = _values(appointment)
    key = f"appointment:{appointment.id}:{appointment.sequence}"
    kind = "appointment.moved" if moved else "appointment.booked"
    if appointment.email:
        notify_beside(
            key=kind,
            channel="email",
            recipient=appointment.email,
            language=appointment.language,
            values=values,
            idempotency_key=f"{key}:confirmation",
            agency=appointment.office.agency,
            reason=(kind, str(appointment.id)),
        )
    remind_at = appointment.starts_at - REMINDER_BEFORE
    channel = preferred_channel(appointment)
    if channel is not None and remind_at > now + timedelta(hours=1):
        notify_beside(
            key="appointment.reminder",
            channel=channel[0],
            recipient=channel[1],
            language=appointment.language,
            values=values,
            idempotency_key=f"{key}:reminder",
            agency=appointment.office.agency,
            reason=("appointment.reminder", f"{appointment.id}:{appointment.sequence}"),
            send_at=remind_at,
            proactive=True,
            time_zone=appointment.office.time_zone,
        )


def send_disruption(appointment, notice: str, key: str) -> None:
    channel = preferred_channel(appointment)
    if channel is None:
        return  # booked on a simulated day: nobody to write to
    notify_beside(
        key="appointment.disrupted",
        channel=channel[0],
        recipient=channel[1],
        language=appointment.language,
        values={**_values(appointment), "notice": notice},
        idempotency_key=f"appointment:{appointment.id}:disrupted:{key}",
        agency=appointment.office.agency,
        reason=("appointment.disrupted", str(appointment.id)),
    )


@still_wanted.register("appointment.reminder")
def _still_booked(reason_id: str) -> bool:
    appointment_id, _, sequence = reason_id.partition(":")
    return Appointment.objects.filter(
        id=appointment_id, status=AppointmentStatus.BOOKED, sequence=int(sequence or 0)
    ).exists()


def calendar_file(appointment) -> bytes:
    """The appointment as an iCalendar event; a reschedule raises SEQUENCE, a cancel says so."""
    from icalendar import Calendar, Event

    values = _values(appointment)
    calendar = Calendar()
    calendar.add("prodid", "-//Accueil//Appointments//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{appointment.id}@accueil")
    event.add("dtstamp", appointment.created_at)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("sequence", appointment.sequence)
    event.add("summary", f"{values['service']} – {values['office']}")
    event.add("location", appointment.office.address or values["office"])
    event.add("description", f"{values['code']}\n{values['link']}")
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


@attachments.register("appointment.booked")
@attachments.register("appointment.moved")
def _calendar_attachment(appointment_id: str) -> list:
    appointment = Appointment.objects.select_related("office", "service").get(id=appointment_id)
    return [("rendez-vous.ics", calendar_file(appointment), "text/calendar")]
