"""Appointments for staff: an office's list for a day, and booking, moving or cancelling for a
citizen on the phone or at the counter.

The forms call the same actions as the citizen's pages and the API (``queues.booking``), so the
same rules hold (three weeks ahead, one winner for the last place); the staff member is recorded
as the actor and the booking's ``source`` says it came by phone or at the counter. Offices and
appointments are looked up within the signed-in person's offices: anything else is a 404.
"""

import uuid
from datetime import date, datetime

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accueil.catalog.access import access_office, offices_for
from accueil.core.actions import errors_on
from accueil.core.contact import clean_email, clean_phone
from accueil.core.guards import staff_required
from accueil.lib import dates
from accueil.queues import booking
from accueil.queues.models import Appointment, AppointmentStatus, Source


class StaffBookingForm(forms.Form):
    """One of the day's open times, and how to reach the person (all optional but the time)."""

    slot = forms.ChoiceField(
        label=gettext_lazy("Time"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose a time."),
            "invalid_choice": gettext_lazy("This time is no longer open. Choose another one."),
        },
    )
    name = forms.CharField(label=gettext_lazy("Name (optional)"), required=False, max_length=120)
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone, for a text reminder (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    email = forms.CharField(
        label=gettext_lazy("Email, for the confirmation and the calendar file (optional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Their language"), choices=[("fr", "Français"), ("en", "English")]
    )
    source = forms.ChoiceField(
        label=gettext_lazy("How they asked"),
        choices=[(Source.PHONE, Source.PHONE.label), (Source.COUNTER, Source.COUNTER.label)],
    )

    def __init__(self, *args, slots, with_contact=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(s.starts_at.isoformat(), s.label) for s in slots if s.free]
        if not with_contact:
            for name in ("name", "phone", "email", "language", "source"):
                del self.fields[name]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if any(not ch.isprintable() for ch in name):
            raise forms.ValidationError(_("Write the name on one line."))
        return name

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean_email(self):
        return clean_email(self.cleaned_data["email"])


def _language() -> str:
    return (get_language() or "fr")[:2]


def _day(text, default):
    """The day asked for in the address, ``default`` without one; None if it is no date."""
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _appointment(request, appointment_id) -> Appointment:
    found = (
        Appointment.objects.select_related("office__agency", "service")
        .filter(id=appointment_id, office__in=offices_for(request.actor))
        .first()
    )
    if found is None:
        raise Http404
    return found


def list_url(office_id, day: date) -> str:
    return reverse("queues:staff-appointments", args=[office_id]) + f"?day={day.isoformat()}"


def _today(office) -> date:
    return timezone.now().astimezone(office.zone).date()


@staff_required()
@require_GET
def appointments(request, office):
    """The office's appointments on one local day (today unless ``?day=`` says otherwise)."""
    office = access_office(request.actor, office)
    today = _today(office)
    day = _day(request.GET.get("day"), today)
    status = 200
    if day is None:
        day, status = today, 400
    start = datetime.combine(day, datetime.min.time(), office.zone)
    end = datetime.combine(day.fromordinal(day.toordinal() + 1), datetime.min.time(), office.zone)
    rows = (
        Appointment.objects.filter(office=office, starts_at__gte=start, starts_at__lt=end)
        .select_related("service", "visit")
        .order_by("starts_at", "service__name_fr")
    )
    now = timezone.now()
    context = {
        "office": office,
        "day": day,
        "today": today,
        "previous": day.fromordinal(day.toordinal() - 1),
        "next": day.fromordinal(day.toordinal() + 1),
        "rows": rows,
        "now": now,
        "bad_day": status == 400,
        "bookable": office.services.filter(active=True, appointment_minutes__gt=0).exists(),
    }
    return render(request, "queues/staff_appointments.html", context, status=status)


def _slot_page(request, office, service, appointment=None):
    """Shared by booking and moving: a day, then its open times (and the person, to book)."""
    first, last = booking.horizon(office)
    asked = request.GET.get("day") or request.POST.get("day")
    day = _day(asked, None)
    context = {
        "office": office,
        "service": service,
        "appointment": appointment,
        "first": first,
        "last": last,
        "day": day,
        "services": office.services.filter(active=True, appointment_minutes__gt=0).order_by(
            "name_fr"
        ),
    }
    if asked and (day is None or not booking.within_horizon(office, day)):
        context.update({"day": None, "day_refused": True})
        return render(request, "queues/staff_appointment_form.html", context, status=400)
    if service is None or day is None:
        return render(request, "queues/staff_appointment_form.html", context)
    slots = booking.open_slots(office, service, day)
    language = _language()
    for slot in slots:
        slot.label = dates.time_of_day(timezone.localtime(slot.starts_at, office.zone), language)
    form = StaffBookingForm(
        request.POST or None,
        slots=slots,
        with_contact=appointment is None,
        initial={"language": _language(), "source": Source.PHONE},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            starts_at = datetime.fromisoformat(form.cleaned_data["slot"])
            with errors_on(form):  # the time was just taken: the others are shown
                if appointment is None:
                    data = form.cleaned_data
                    done = booking.do_book(
                        office,
                        service,
                        starts_at,
                        email=data["email"],
                        phone=data["phone"],
                        name=data["name"],
                        language=data["language"],
                        source=data["source"],
                        actor=request.actor,
                    )
                    messages.success(
                        request,
                        _("Booked for %(when)s; booking code %(code)s.")
                        % {
                            "when": dates.day_and_time(
                                timezone.localtime(done.starts_at, office.zone), language
                            ),
                            "code": done.code,
                        },
                    )
                else:
                    done = booking.do_reschedule(appointment, starts_at, actor=request.actor)
                    messages.success(
                        request,
                        _("Moved to %(when)s; the person gets the new time.")
                        % {
                            "when": dates.day_and_time(
                                timezone.localtime(done.starts_at, office.zone), language
                            )
                        },
                    )
                return redirect(list_url(office.id, day))
            slots = booking.open_slots(office, service, day)
            for slot in slots:
                slot.label = dates.time_of_day(
                    timezone.localtime(slot.starts_at, office.zone), language
                )
            form.fields["slot"].choices = [
                (s.starts_at.isoformat(), s.label) for s in slots if s.free
            ]
            status = 409
        else:
            status = 400
    context["form"] = form
    return render(request, "queues/staff_appointment_form.html", context, status=status)


@staff_required()
@require_http_methods(["GET", "POST"])
def book_for_someone(request, office):
    office = access_office(request.actor, office)
    service = None
    if request.GET.get("service"):
        service = (
            office.services.filter(active=True, appointment_minutes__gt=0)
            .filter(id=_uuid(request.GET["service"]))
            .first()
        )
    return _slot_page(request, office, service)


def _uuid(text):
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


@staff_required()
@require_http_methods(["GET", "POST"])
def move(request, appointment):
    appointment = _appointment(request, appointment)
    if appointment.status != AppointmentStatus.BOOKED:
        messages.error(request, _("This appointment can no longer be changed."))
        local = timezone.localtime(appointment.starts_at, appointment.office.zone)
        return redirect(list_url(appointment.office_id, local.date()))
    return _slot_page(request, appointment.office, appointment.service, appointment)


@staff_required()
@require_POST
def cancel(request, appointment):
    """A refusal (already cancelled or used) returns to the list the agent came from."""
    appointment = _appointment(request, appointment)
    booking.do_cancel_appointment(appointment, actor=request.actor)
    messages.success(
        request,
        _("The appointment %(code)s is cancelled; its time is open again.")
        % {"code": appointment.code},
    )
    local = timezone.localtime(appointment.starts_at, appointment.office.zone)
    return redirect(list_url(appointment.office_id, local.date()))
