"""Appointments for staff: the day's list, and booking, moving, cancelling for someone on the
phone — through the same actions as the citizen's pages, scoped to the staff member's offices."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accueil.core.events import events_for
from accueil.notify.models import Message
from accueil.notify.templates_text import load_files
from accueil.queues import booking
from accueil.queues.models import Appointment, AppointmentStatus, Source
from tests.factories import TEST_PASSWORD


@pytest.fixture
def desk_staff(personas, client):
    load_files()
    personas.service.appointment_minutes = 30
    personas.service.save()
    client.post("/fr/login/", {"username": "owner", "password": TEST_PASSWORD})
    return personas


def next_weekday(office) -> date:
    day = (timezone.now() + timedelta(days=2)).astimezone(office.zone).date()
    return day


def test_the_staff_home_links_to_each_offices_appointments(client, desk_staff):
    page = client.get("/fr/staff/").content.decode()
    assert f"/fr/staff/offices/{desk_staff.office.id}/appointments/" in page


def test_the_list_shows_the_offices_day_in_its_time_zone(client, desk_staff):
    office = desk_staff.office
    today = timezone.now().astimezone(office.zone).date()
    late = datetime.combine(today, time(23, 30), ZoneInfo(office.time_zone))
    Appointment.objects.create(
        office=office,
        service=desk_staff.service,
        starts_at=late,  # the next day in UTC: still today at the office
        ends_at=late + timedelta(minutes=30),
        code="LATE23",
        name="Sam Lee",
    )
    french = client.get(f"/fr/staff/offices/{office.id}/appointments/").content.decode()
    assert "LATE23" in french and "Sam Lee" in french and "23\u00a0h\u00a030" in french
    english = client.get(f"/en/staff/offices/{office.id}/appointments/").content.decode()
    assert "11:30\u202fp.m." in english or "11:30 p.m." in english
    other_day = client.get(
        f"/fr/staff/offices/{office.id}/appointments/?day={today + timedelta(days=1)}"
    )
    assert "LATE23" not in other_day.content.decode()
    assert client.get(f"/fr/staff/offices/{office.id}/appointments/?day=demain").status_code == 400


def test_book_move_and_cancel_for_someone_on_the_phone(client, desk_staff):
    office, service = desk_staff.office, desk_staff.service
    day = next_weekday(office)
    new = f"/fr/staff/offices/{office.id}/appointments/new/?service={service.id}&day={day}"
    page = client.get(new)
    assert page.status_code == 200 and "Heures libres le" in page.content.decode()
    start = datetime.combine(day, time(10), ZoneInfo(office.time_zone)).astimezone(UTC)
    booked = client.post(
        new,
        {
            "day": day,
            "slot": start.isoformat(),
            "name": "Camille Tremblay",
            "phone": "613-555-0111",
            "email": "",
            "language": "en",
            "source": Source.PHONE,
        },
    )
    assert booked.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.source == Source.PHONE and appointment.phone == "+16135550111"
    assert appointment.name == "Camille Tremblay" and appointment.language == "en"
    listed = client.get(booked["Location"]).content.decode()
    assert appointment.code in listed and "Téléphone, saisi par le personnel" in listed
    event = events_for(appointment).get(verb="appointment.booked")
    assert event.actor == desk_staff.owner and event.data["source"] == "phone"
    assert not Message.objects.filter(reason_type="appointment.booked").exists()  # no email

    move = f"/fr/staff/appointments/{appointment.id}/move/?day={day}"
    later = datetime.combine(day, time(14), ZoneInfo(office.time_zone)).astimezone(UTC)
    moved = client.post(move, {"day": day, "slot": later.isoformat()})
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == later and appointment.sequence == 1
    assert "Déplacé au" in client.get(moved["Location"]).content.decode()

    cancelled = client.post(f"/fr/staff/appointments/{appointment.id}/cancel/")
    assert cancelled.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert events_for(appointment).get(verb="appointment.cancelled").actor == desk_staff.owner


def test_a_taken_time_is_refused_and_the_others_offered(client, desk_staff):
    office, service = desk_staff.office, desk_staff.service
    day = next_weekday(office)
    start = datetime.combine(day, time(10), ZoneInfo(office.time_zone))
    booking.do_book(office, service, start, email="a@example.ca")
    response = client.post(
        f"/en/staff/offices/{office.id}/appointments/new/?service={service.id}&day={day}",
        {
            "day": day,
            "slot": start.astimezone(UTC).isoformat(),
            "language": "fr",
            "source": "phone",
        },
    )
    assert response.status_code == 400
    assert "This time is no longer open" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_a_day_beyond_three_weeks_is_refused(client, desk_staff):
    office, service = desk_staff.office, desk_staff.service
    far = (timezone.now() + timedelta(days=40)).date()
    response = client.get(
        f"/en/staff/offices/{office.id}/appointments/new/?service={service.id}&day={far}"
    )
    assert response.status_code == 400 and "three weeks ahead" in response.content.decode()


def test_staff_of_another_office_cannot_see_or_change_it(client, desk_staff):
    office, service = desk_staff.office, desk_staff.service
    start = datetime.combine(next_weekday(office), time(10), ZoneInfo(office.time_zone))
    appointment = booking.do_book(office, service, start, email="a@example.ca")
    client.post("/fr/logout/")
    from tests.factories import UserFactory

    UserFactory(agency=desk_staff.agency, username="elsewhere", offices=[desk_staff.other_office])
    client.post("/fr/login/", {"username": "elsewhere", "password": TEST_PASSWORD})
    assert client.get(f"/fr/staff/offices/{office.id}/appointments/").status_code == 404
    assert client.get(f"/fr/staff/appointments/{appointment.id}/move/").status_code == 404
    assert client.post(f"/fr/staff/appointments/{appointment.id}/cancel/").status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize(
    "language,said",
    [
        ("fr", "mardi 1er décembre 2026 à 8\u00a0h\u00a030"),
        ("en", "Tuesday, December 1, 2026, 8:30\u202fa.m."),
    ],
)
def test_the_appointment_page_writes_the_date_as_each_language_does(
    client, desk_staff, language, said
):
    """Defect 12: « mardi 1er décembre 2026 à 8 h 30 », "Tuesday, December 1, 2026, 8:30 a.m."."""
    office = desk_staff.office
    start = datetime(2026, 12, 1, 8, 30, tzinfo=ZoneInfo(office.time_zone))
    appointment = Appointment.objects.create(
        office=office,
        service=desk_staff.service,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        code="DATE01",
    )
    page = client.get(f"/{language}/appointments/{appointment.id}/{appointment.secret}/")
    text = page.content.decode()
    spaced = str.maketrans({"\u00a0": " ", "\u202f": " "})
    assert said.translate(spaced) in text.translate(spaced), text
    if language == "fr":
        assert said in text  # with its no-break spaces
