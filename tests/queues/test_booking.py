"""Appointments: slots from the calendar, no double booking, reschedule, cancel, arrival."""

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import html5lib
import pytest

from accueil.core.actions import ActionError
from accueil.core.actors import SYSTEM
from accueil.notify.models import Message
from accueil.notify.templates_text import load_files
from accueil.queues import booking
from accueil.queues.actions import (
    do_call_next,
    do_check_in,
    do_complete,
    do_open_desk,
)
from accueil.queues.models import Appointment, AppointmentStatus, QueueRules, SlotCount
from tests.factories import DeskFactory, OfficeFactory, ServiceFactory, UserFactory
from tests.queues.test_races import run_in_threads

MONDAY = date(2030, 3, 4)


@pytest.fixture
def office(db):
    office = OfficeFactory(time_zone="America/Toronto")
    from accueil.lib.businesstime import parse_weekly

    office.set_weekly_hours(parse_weekly("mon-fri 09:00-12:00,13:00-16:00"))
    load_files()
    return office


@pytest.fixture
def service(office):
    service = ServiceFactory(agency=office.agency, offices=[office], appointment_minutes=30)
    desk = DeskFactory(office=office, label="1")
    desk.services.set([service])
    return service


def at(day, hour, minute=0):
    """A wall-clock time in the offices' zone."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("America/Toronto"))


def test_slots_follow_opening_hours_and_lunch(office, service):
    slots = booking.open_slots(office, service, MONDAY, now=at(MONDAY, 7))
    starts = [s.starts_at for s in slots]
    assert starts[0] == at(MONDAY, 9) and starts[-1] == at(MONDAY, 15, 30)
    assert at(MONDAY, 12) not in starts and at(MONDAY, 13) in starts
    assert len(slots) == 12 and all(s.free == 1 for s in slots)
    assert booking.open_slots(office, service, MONDAY + timedelta(days=5), now=at(MONDAY, 7)) == []


def test_no_slot_in_the_past_or_for_a_service_without_appointments(office, service):
    assert booking.open_slots(office, service, MONDAY, now=at(MONDAY, 15, 10))[0].starts_at == at(
        MONDAY, 15, 30
    )
    walk_in_only = ServiceFactory(agency=office.agency, offices=[office], appointment_minutes=0)
    assert booking.open_slots(office, walk_in_only, MONDAY, now=at(MONDAY, 7)) == []


def test_booking_confirms_by_email_with_a_calendar_file(office, service):
    appointment = booking.do_book(
        office, service, at(MONDAY, 10), email="a@example.ca", language="en", now=at(MONDAY, 7)
    )
    assert len(appointment.code) == 6
    confirmation = Message.objects.get(reason_type="appointment.booked")
    assert appointment.code in confirmation.body and confirmation.language == "en"
    from accueil.notify.attachments import attachments

    [(name, content, mimetype)] = attachments(confirmation)
    assert name.endswith(".ics") and mimetype == "text/calendar"
    assert b"BEGIN:VEVENT" in content and b"DTSTART" in content
    assert not Message.objects.filter(reason_type="appointment.reminder").exists()  # too close


def test_reminder_is_sent_the_day_before_and_dropped_after_a_cancel(office, service):
    from accueil.notify.checks import still_wanted

    appointment = booking.do_book(
        office, service, at(MONDAY, 10), email="a@example.ca", now=at(MONDAY - timedelta(3), 9)
    )
    reminder = Message.objects.get(reason_type="appointment.reminder")
    assert reminder.next_attempt_at == at(MONDAY, 10) - timedelta(hours=24)
    assert still_wanted(reminder)
    booking.do_cancel_appointment(appointment, now=at(MONDAY - timedelta(3), 10))
    assert not still_wanted(reminder)
    assert SlotCount.objects.get().booked == 0


def test_full_slot_refuses_and_offers_the_others(office, service):
    booking.do_book(office, service, at(MONDAY, 10), email="a@example.ca", now=at(MONDAY, 7))
    with pytest.raises(ActionError) as error:
        booking.do_book(office, service, at(MONDAY, 10), email="b@example.ca", now=at(MONDAY, 7))
    assert error.value.code == "full"
    free = [s for s in booking.open_slots(office, service, MONDAY, now=at(MONDAY, 7)) if s.free]
    assert at(MONDAY, 10) not in [s.starts_at for s in free] and len(free) == 11


def test_two_people_booking_the_last_place_at_once_one_wins(transactional_db):
    office = OfficeFactory()
    from accueil.lib.businesstime import parse_weekly

    office.set_weekly_hours(parse_weekly("mon-fri 09:00-16:00"))
    load_files()
    service = ServiceFactory(agency=office.agency, offices=[office], appointment_minutes=30)
    DeskFactory(office=office, label="1").services.set([service])
    barrier = threading.Barrier(8)

    def person(index, got):
        barrier.wait()
        try:
            booking.do_book(
                office, service, at(MONDAY, 10), email=f"p{index}@example.ca", now=at(MONDAY, 7)
            )
            got.append("booked")
        except ActionError as error:
            got.append(error.code)

    results = [r for got in run_in_threads(8, person) for r in got]
    assert results.count("booked") == 1 and results.count("full") == 7
    assert Appointment.objects.count() == 1
    assert SlotCount.objects.get().booked == 1


def test_reschedule_moves_the_place_and_raises_the_sequence(office, service):
    appointment = booking.do_book(
        office, service, at(MONDAY, 10), email="a@example.ca", now=at(MONDAY, 7)
    )
    moved = booking.do_reschedule(appointment, at(MONDAY, 14), now=at(MONDAY, 8))
    assert moved.starts_at == at(MONDAY, 14) and moved.sequence == 1
    counts = dict(SlotCount.objects.values_list("starts_at", "booked"))
    assert counts == {at(MONDAY, 10): 0, at(MONDAY, 14): 1}
    assert Message.objects.filter(reason_type="appointment.booked").count() == 1
    assert b"SEQUENCE:1" in booking.calendar_file(moved)


@pytest.mark.parametrize(
    "language,subject,said",
    [
        ("fr", "Rendez-vous déplacé", "lundi 4 mars 2030 à 14 h"),
        ("en", "Appointment moved", "Monday, March 4, 2030 at 2:00 p.m."),
    ],
)
def test_a_move_sends_the_moved_message_with_the_new_time_and_the_calendar(
    office, service, language, subject, said
):
    """Defect 13: a reschedule used to send « Rendez-vous confirmé », the booking's wording."""
    from accueil.notify.attachments import attachments

    appointment = booking.do_book(
        office, service, at(MONDAY, 10), email="a@example.ca", language=language, now=at(MONDAY, 7)
    )
    booking.do_reschedule(appointment, at(MONDAY, 14), now=at(MONDAY, 8))
    moved = Message.objects.get(reason_type="appointment.moved")
    assert moved.subject.startswith(subject) and moved.language == language
    assert "confirm" not in moved.subject.lower()
    spaced = str.maketrans({"\u00a0": " ", "\u202f": " "})  # CLDR's narrow and no-break spaces
    assert said in moved.subject.translate(spaced)
    assert said.split(" at ")[0] in moved.body.translate(spaced)
    assert appointment.code in moved.body
    [(name, content, mimetype)] = attachments(moved)
    assert name.endswith(".ics") and mimetype == "text/calendar"
    assert b"SEQUENCE:1" in content and b"DTSTART:20300304T190000Z" in content


def test_arrival_on_time_is_a_priority_visit(office, service):
    appointment = booking.do_book(
        office, service, at(MONDAY, 10), email="a@example.ca", now=at(MONDAY, 7)
    )
    early_bird = do_check_in(office, service, now=at(MONDAY, 9, 40))
    with pytest.raises(ActionError) as error:
        booking.do_arrive(office, appointment.code, now=at(MONDAY, 9))
    assert error.value.code == "too_early"
    visit = booking.do_arrive(office, appointment.code.lower(), now=at(MONDAY, 9, 50))
    assert visit.priority
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN and appointment.visit == visit
    desk = office.desks.get()
    do_open_desk(desk, UserFactory(agency=office.agency), [], now=at(MONDAY, 9, 45))
    assert do_call_next(desk, now=at(MONDAY, 9, 51)).id == visit.id  # before the earlier walk-in
    do_complete(visit, now=at(MONDAY, 9, 51) + timedelta(seconds=30))
    assert do_call_next(desk, now=at(MONDAY, 9, 52)).id == early_bird.id
    with pytest.raises(ActionError):
        booking.do_arrive(office, appointment.code, now=at(MONDAY, 9, 55))  # used once


def test_late_arrival_is_an_ordinary_visit(office, service):
    QueueRules.objects.create(office=office, appointment_window=10)
    appointment = booking.do_book(
        office, service, at(MONDAY, 10), email="a@example.ca", now=at(MONDAY, 7)
    )
    visit = booking.do_arrive(office, appointment.code, now=at(MONDAY, 10, 30))
    assert not visit.priority


def test_booking_pages_in_both_languages(client, office, service):
    from django.utils import timezone

    day = (timezone.now() + timedelta(days=7)).astimezone(office.zone).date()
    while day.weekday() > 4:
        day += timedelta(days=1)
    page = client.get(f"/fr/book/{office.id}/")
    assert service.name_fr in page.content.decode()
    slots = client.get(f"/en/book/{office.id}/?service={service.id}&day={day}")
    assert slots.status_code == 200 and "What time" in slots.content.decode()
    start = at(day, 9).astimezone(UTC).isoformat()  # the form speaks UTC
    bad = client.post(
        f"/fr/book/{office.id}/?service={service.id}", {"day": day, "slot": start, "email": "x"}
    )
    assert bad.status_code == 400 and "courriel" in bad.content.decode()
    done = client.post(
        f"/fr/book/{office.id}/?service={service.id}",
        {"day": day, "slot": start, "email": "a@example.ca"},
    )
    appointment = Appointment.objects.get()
    mine = f"/fr/appointments/{appointment.id}/{appointment.secret}/"
    assert done["Location"] == mine
    detail = client.get(done["Location"]).content.decode()
    assert appointment.code in detail
    ics = client.get(f"{mine}calendar.ics")
    assert ics["Content-Type"] == "text/calendar" and b"VEVENT" in ics.content
    taken = client.post(
        f"/fr/book/{office.id}/?service={service.id}",
        {"day": day, "slot": start, "email": "b@example.ca"},
    )
    assert taken.status_code == 400  # the slot is no longer among the choices
    client.post(f"{mine}cancel/")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_kiosk_arrival_with_a_code(client, office, service):
    from django.utils import timezone

    now = timezone.now()
    start = now + timedelta(minutes=5)
    appointment = Appointment.objects.create(
        office=office,
        service=service,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        code="K7P4QX",
        email="a@example.ca",
    )
    response = client.post(f"/fr/kiosk/{office.id}/appointment/", {"code": "k7p 4qx"})
    appointment.refresh_from_db()
    assert appointment.visit is not None and appointment.visit.priority
    visit = appointment.visit
    assert response["Location"].endswith(f"/tickets/{visit.id}/{visit.secret}/")
    wrong = client.post(f"/fr/kiosk/{office.id}/appointment/", {"code": "ZZZZZZ"}, follow=True)
    assert "Aucun rendez-vous" in wrong.content.decode()


def _arrival_page(client, office, language, code):
    response = client.post(f"/{language}/kiosk/{office.id}/appointment/", {"code": code})
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/kiosk/{office.id}/#problems"
    page = client.get(response["Location"])
    html = html5lib.parse(page.content, namespaceHTMLElements=False)
    field = html.find(".//section[@class='arrival']//div[@id='arrival-field']")
    return field, html


@pytest.mark.parametrize(
    "language,said",
    [
        ("fr", "Vous êtes déjà enregistré\u00a0: votre billet est {ticket}."),
        ("en", "You are already checked in: your ticket is {ticket}."),
    ],
)
def test_a_booking_code_used_twice_names_the_ticket_it_gave(
    client, office, service, language, said
):
    """Defect 10: the second time used to say "no appointment has this code"."""
    from django.utils import timezone

    start = timezone.now() + timedelta(minutes=5)
    appointment = Appointment.objects.create(
        office=office,
        service=service,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        code="K7P4QX",
        email="a@example.ca",
    )
    first = client.post(f"/{language}/kiosk/{office.id}/appointment/", {"code": "K7P4QX"})
    assert "/tickets/" in first["Location"]
    ticket = Appointment.objects.get(id=appointment.id).visit.ticket
    field, html = _arrival_page(client, office, language, "k7p4qx")
    error = field.find(".//p[@id='problems']")
    assert "".join(error.itertext()).strip() == said.format(ticket=ticket)
    assert "field-error" in field.get("class")
    assert "problems" in field.find(".//input[@id='id_code']").get("aria-describedby")
    assert html.findall(".//div[@class='messages']/p") == []  # said once, beside the field
    assert Appointment.objects.get(id=appointment.id).visit.ticket == ticket  # no second visit
    from accueil.queues.models import Visit

    assert Visit.objects.filter(office=office).count() == 1


@pytest.mark.parametrize(
    "language,said",
    [
        ("fr", "Tapez le code de votre confirmation."),
        ("en", "Type the code from your confirmation."),
    ],
)
def test_an_empty_booking_code_gets_a_field_error(client, office, service, language, said):
    """Defect 10: an empty code used to reload the kiosk page without a word where one looks."""
    field, _html = _arrival_page(client, office, language, "   ")
    assert "".join(field.find(".//p[@id='problems']").itertext()).strip() == said
    assert field.find(".//input[@id='id_code']").get("aria-invalid") == "true"


def test_a_cancelled_booking_code_says_so(client, office, service):
    appointment = booking.do_book(
        office,
        service,
        booking.open_slots(office, service, booking.bookable_days(office, service)[-1])[
            0
        ].starts_at,
        email="a@example.ca",
    )
    booking.do_cancel_appointment(appointment)
    field, _html = _arrival_page(client, office, "en", appointment.code)
    assert "was cancelled" in "".join(field.find(".//p[@id='problems']").itertext())


def test_disruption_notice_reaches_todays_appointments(client, office, service):
    from django.utils import timezone

    from accueil.queues.service_notices import do_publish_notice

    soon = timezone.now()  # later today, whatever the hour
    appointment = Appointment.objects.create(
        office=office,
        service=service,
        starts_at=soon,
        ends_at=soon + timedelta(minutes=30),
        code="ACDEFG",
        email="a@example.ca",
        language="en",
    )
    _notice, sent = do_publish_notice(
        SYSTEM, office=office, service=None, notice_fr="Fermé.", notice_en="Closed today."
    )
    assert sent == 1
    message = Message.objects.get(reason_id=str(appointment.id))
    assert "Closed today." in message.body and appointment.code in message.body
