"""Booking keeps to its three-week horizon and campaign rows to sane expiry dates, whatever the
address or the file says."""

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accueil.core.actions import ActionError
from accueil.notify.campaigns import check_row
from accueil.notify.templates_text import load_files
from accueil.queues import booking
from accueil.queues.models import Appointment
from tests.factories import DeskFactory, OfficeFactory, ServiceFactory
from tests.notify.test_campaigns import import_all, upload

CORPUS = json.loads((Path(__file__).parent / "corpus" / "horizons.json").read_text("utf-8"))


@pytest.fixture
def office(db):
    from accueil.lib.businesstime import parse_weekly

    office = OfficeFactory(time_zone="America/Toronto")
    office.set_weekly_hours(parse_weekly("mon-sun 00:00-23:59"))  # every day has slots
    load_files()
    return office


@pytest.fixture
def service(office):
    service = ServiceFactory(agency=office.agency, offices=[office], appointment_minutes=30)
    DeskFactory(office=office, label="1").services.set([service])
    return service


def today(office):
    return timezone.now().astimezone(office.zone).date()


def slot_on(office, day):
    return datetime.combine(day, time(12, 0), tzinfo=office.zone)


def days_refused(office):
    return CORPUS["booking_days_refused"] + [
        (today(office) + timedelta(days=n)).isoformat() for n in CORPUS["booking_offsets_refused"]
    ]


def test_every_day_typed_into_the_address_outside_the_horizon_gets_the_list_again(
    client, office, service
):
    for day in days_refused(office):
        url = f"/fr/book/{office.id}/?service={service.id}&day={day}"
        page = client.get(url)
        assert page.status_code == 400, day
        text = page.content.decode()
        assert "Ce jour ne peut pas être réservé." in text, day
        assert "Quelle heure" not in text, day  # no times offered for that day
        first = booking.bookable_days(office, service)[0]  # today, unless its last slot has gone
        assert f"day={first.isoformat()}" in text  # the day list is shown again
        english = client.get(url.replace("/fr/", "/en/"))
        assert "This day cannot be booked." in english.content.decode()


@pytest.mark.parametrize("day", CORPUS["booking_days_bad_request"])
def test_a_nul_byte_in_the_day_is_a_plain_bad_request(client, office, service, day):
    assert client.get(f"/fr/book/{office.id}/?service={service.id}&day={day}").status_code == 400


def test_posting_a_day_beyond_the_horizon_books_nothing(client, office, service):
    day = today(office) + timedelta(days=60)
    start = slot_on(office, day).astimezone(UTC).isoformat()
    response = client.post(
        f"/fr/book/{office.id}/?service={service.id}",
        {"day": day.isoformat(), "slot": start, "email": "a@example.ca"},
    )
    assert response.status_code == 400
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("offset", CORPUS["booking_offsets_accepted"])
def test_the_first_and_last_day_of_the_horizon_are_bookable(client, office, service, offset):
    day = today(office) + timedelta(days=offset)
    morning = datetime.combine(today(office), time(6, 0), tzinfo=office.zone)
    assert day in booking.bookable_days(
        office, service, now=morning
    )  # late at night, today is full
    assert client.get(f"/fr/book/{office.id}/?service={service.id}&day={day}").status_code == 200
    if offset:
        appointment = booking.do_book(office, service, slot_on(office, day), email="a@example.ca")
        assert appointment.starts_at == slot_on(office, day)


@pytest.mark.parametrize("offset", [n for n in CORPUS["booking_offsets_refused"] if n > 0])
def test_booking_beyond_the_horizon_is_refused_by_the_action_itself(office, service, offset):
    day = today(office) + timedelta(days=offset)
    assert booking.open_slots(office, service, day) == []
    with pytest.raises(ActionError) as error:
        booking.do_book(office, service, slot_on(office, day), email="a@example.ca")
    assert error.value.code == "beyond_horizon"
    assert not Appointment.objects.exists()


def test_rescheduling_beyond_the_horizon_is_refused(office, service):
    near = today(office) + timedelta(days=2)
    appointment = booking.do_book(office, service, slot_on(office, near), email="a@example.ca")
    for starts_at in (
        slot_on(office, today(office) + timedelta(days=21)),
        datetime(9999, 12, 31, 23, 30, tzinfo=UTC),  # no overflow on the way
    ):
        with pytest.raises(ActionError) as error:
            booking.do_reschedule(appointment, starts_at)
        assert error.value.code == "beyond_horizon"
    appointment.refresh_from_db()
    assert appointment.starts_at == slot_on(office, near) and appointment.sequence == 0


# -- campaign rows -----------------------------------------------------------------------------


def row(expires_on):
    return {
        "name": "Camille",
        "contact": "camille@example.ca",
        "channel": "email",
        "language": "fr",
        "document": "permis",
        "expires_on": expires_on,
    }


def test_expiry_dates_centuries_ahead_or_malformed_are_refused():
    now = datetime(2026, 11, 30).date()
    for expires_on, reason in CORPUS["campaign_expiry_refused"].items():
        assert check_row(row(expires_on), now) == reason, expires_on
    for years in CORPUS["campaign_expiry_offset_years_refused"]:
        later = now.replace(year=now.year + years).isoformat()
        assert check_row(row(later), now) == "expiry_too_far"
    for years in CORPUS["campaign_expiry_offset_years_accepted"]:
        assert check_row(row(now.replace(year=now.year + years).isoformat()), now) is None
    assert check_row(row(now.replace(year=now.year + 10).isoformat()), now) is None  # the limit


def test_the_ten_year_limit_holds_on_29_february():
    leap = datetime(2028, 2, 29).date()
    assert check_row(row("2038-02-28"), leap) is None
    assert check_row(row("2038-03-01"), leap) == "expiry_too_far"


def test_a_far_expiry_is_reported_per_row_in_the_readers_language(client, personas):
    load_files()
    campaign = upload(
        client, [["Camille", "camille@example.ca", "email", "fr", "permis", "9999-12-31"]]
    )
    import_all()
    campaign.refresh_from_db()
    assert [(r["line"], r["reason"]) for r in campaign.rejections] == [(2, "expiry_too_far")]
    page = client.get(f"/fr/staff/campaigns/{campaign.id}/").content.decode()
    assert "La date d’expiration est dans plus de 10\u00a0ans\u00a0: vérifiez l’année." in page
