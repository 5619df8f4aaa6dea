"""Booking pages: choose a service, a day and a time; see, reschedule or cancel; .ics; arrival."""

import uuid
from datetime import date, datetime

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accueil.catalog.models import Office
from accueil.core import ratelimit
from accueil.core.actions import errors_on, failures_return_to
from accueil.core.guards import public
from accueil.lib import dates
from accueil.queues import booking
from accueil.queues.actions import access_appointment_as_holder
from accueil.queues.forms import ArrivalForm, BookingForm
from accueil.queues.models import AppointmentStatus
from accueil.queues.views import kiosk_ticket_url


def _office(office_id):
    return get_object_or_404(Office.objects.select_related("agency"), id=office_id, active=True)


def _labelled(slots, zone):
    """Each slot's local time as the page's language writes it: « 8 h 30 », "8:30 a.m."."""
    language = (get_language() or "fr")[:2]
    for slot in slots:
        slot.label = dates.time_of_day(timezone.localtime(slot.starts_at, zone), language)
    return slots


def _day(text):
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _booking_page(request, office, appointment=None):
    """Shared by booking and rescheduling: service → day → time (+ contact when booking)."""
    services = office.services.filter(active=True, appointment_minutes__gt=0).order_by("name_fr")
    service = appointment.service if appointment else None
    if service is None and request.GET.get("service"):
        service = services.filter(id=_uuid(request.GET["service"])).first()
    context = {
        "office": office,
        "services": services,
        "service": service,
        "appointment": appointment,
    }
    if service is None:
        return render(request, "queues/book.html", context)
    days = booking.bookable_days(office, service)
    asked = request.GET.get("day") or request.POST.get("day")
    day = _day(asked)
    if asked and (day is None or not booking.within_horizon(office, day)):
        # A day typed into the address, beyond three weeks or in the past: the list again.
        context.update({"days": days, "day": None, "day_refused": True})
        return render(request, "queues/book.html", context, status=400)
    context.update({"days": days, "day": day})
    if day is None:
        return render(request, "queues/book.html", context)
    slots = _labelled(booking.open_slots(office, service, day), office.zone)
    form = BookingForm(request.POST or None, slots=slots, with_contact=appointment is None)
    status = 200
    if request.method == "POST":
        wait = ratelimit.hit(request, "book", ratelimit.Limit.parse(settings.CHECK_IN_RATE))
        if wait:
            form.add_error(None, _("Too many bookings from this device. Wait a minute."))
            status = 429
        elif form.is_valid():
            starts_at = datetime.fromisoformat(form.cleaned_data["slot"])
            with errors_on(form):  # the slot was just taken: the others are shown
                if appointment is None:
                    appointment = booking.do_book(
                        office,
                        service,
                        starts_at,
                        email=form.cleaned_data["email"],
                        phone=form.cleaned_data["phone"],
                        language=get_language()[:2],
                    )
                    messages.success(
                        request, _("Your appointment is booked. A confirmation is on its way.")
                    )
                else:
                    booking.do_reschedule(appointment, starts_at)
                    messages.success(
                        request, _("Your appointment has moved. A new confirmation is on its way.")
                    )
                return redirect(appointment_url(appointment))
            slots = _labelled(booking.open_slots(office, service, day), office.zone)
            form.fields["slot"].choices = [
                (s.starts_at.isoformat(), s.label) for s in slots if s.free
            ]
            status = 409
        else:
            status = 400
    context.update({"form": form, "slots": slots})
    return render(request, "queues/book.html", context, status=status)


def _uuid(text):
    try:
        return uuid.UUID(text)
    except (TypeError, ValueError):
        return None


@public
@require_http_methods(["GET", "POST"])
def book(request, office):
    return _booking_page(request, _office(office))


def appointment_url(appointment) -> str:
    return reverse("queues:appointment", args=[appointment.id, appointment.secret])


@public
@require_GET
def appointment_detail(request, appointment, secret):
    appointment = access_appointment_as_holder(appointment, secret)
    local = timezone.localtime(appointment.starts_at, appointment.office.zone)
    response = render(
        request,
        "queues/appointment.html",
        {
            "appointment": appointment,
            "local": local,
            "can_change": appointment.status == AppointmentStatus.BOOKED
            and appointment.starts_at > timezone.now(),
        },
    )
    response["Cache-Control"] = "no-store"  # the address holds the person's secret
    return response


@public
@require_http_methods(["GET", "POST"])
def reschedule(request, appointment, secret):
    appointment = access_appointment_as_holder(appointment, secret)
    if appointment.status != AppointmentStatus.BOOKED:
        raise Http404
    return _booking_page(request, appointment.office, appointment)


@public
@require_POST
@failures_return_to("queues:appointment")
def cancel_appointment(request, appointment, secret):
    appointment = access_appointment_as_holder(appointment, secret)
    booking.do_cancel_appointment(appointment)
    messages.success(request, _("Your appointment is cancelled."))
    return redirect(appointment_url(appointment))


@public
@require_GET
def appointment_calendar(request, appointment, secret):  # noqa: ARG001 - the signature the framework calls
    appointment = access_appointment_as_holder(appointment, secret)
    response = HttpResponse(booking.calendar_file(appointment), content_type="text/calendar")
    response["Content-Disposition"] = 'attachment; filename="rendez-vous.ics"'
    return response


@public
@require_POST
# A refusal is shown beside the code field; the address points there, which brings it into
# view and focus (a fragment pointing elsewhere would take the focus kiosk.js gives it).
@failures_return_to("queues:kiosk", fragment="#problems", tag="arrival")
def kiosk_arrival(request, office):
    """The kiosk's "I have an appointment" form."""
    office = _office(office)
    form = ArrivalForm(request.POST)
    if form.is_valid():
        wait = ratelimit.hit(request, "check-in", ratelimit.Limit.parse(settings.CHECK_IN_RATE))
        if wait:
            messages.error(
                request, _("Too many tickets were taken from this device. Wait a minute.")
            )
            return redirect("queues:kiosk", office=office.id)
        visit = booking.do_arrive(office, form.cleaned_data["code"], language=get_language())
        return redirect(kiosk_ticket_url(visit))
    else:
        messages.error(request, _("Type the code from your confirmation."), extra_tags="arrival")
    # Shown beside the code field; the address points there, which brings it into view and
    # focus (a fragment pointing elsewhere would take the focus kiosk.js gives it).
    return redirect(reverse("queues:kiosk", kwargs={"office": office.id}) + "#problems")
