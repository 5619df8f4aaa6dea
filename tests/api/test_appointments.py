"""Appointments in the REST API: open slots, book, see, move, cancel — for the holder of the
secret or an agent of the office, and a 404 that reveals nothing for anybody else."""

import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accueil.core.events import events_for
from accueil.notify.models import Message
from accueil.notify.templates_text import load_files
from accueil.queues.models import Appointment, AppointmentStatus, SlotCount
from tests.api.test_api import bearer
from tests.factories import OfficeFactory, ServiceFactory, UserFactory
from tests.servers import post, serving


@pytest.fixture
def bookable(personas):
    """The owner's office, open around the clock, takes 30-minute appointments at one desk."""
    load_files()
    personas.service.appointment_minutes = 30
    personas.service.save()
    return personas


def tomorrow(office):
    return (timezone.now().astimezone(office.zone) + timedelta(days=1)).date()


def open_times(client, office, service, day):
    response = client.get(
        f"/api/v1/offices/{office.id}/appointments/slots?service={service.id}&date={day}"
    )
    assert response.status_code == 200, response.content
    return response.json()["slots"]


def book(client, office, service, starts_at, **extra):
    body = {"service": str(service.id), "starts_at": starts_at, "language": "en", **extra}
    return client.post(
        f"/api/v1/offices/{office.id}/appointments", body, content_type="application/json"
    )


def test_slots_book_get_move_cancel_for_the_holder_of_the_secret(client, bookable):
    office, service = bookable.office, bookable.service
    day = tomorrow(office)
    slots = open_times(client, office, service, day)
    assert len(slots) == 48 and all(slot["free"] == 1 for slot in slots)
    assert slots[0]["starts_at"].startswith(f"{day}T00:00:00-0")  # the office's own offset

    booked = book(client, office, service, slots[20]["starts_at"], email="sam@example.ca")
    assert booked.status_code == 201, booked.content
    body = booked.json()
    assert body["status"] == "booked" and body["source"] == "api" and len(body["code"]) == 6
    assert body["starts_at"] == slots[20]["starts_at"]
    assert body["urls"]["page"].endswith(f"/en/appointments/{body['id']}/{body['secret']}/")
    assert body["urls"]["calendar"].endswith("/calendar.ics")
    assert Message.objects.filter(reason_type="appointment.booked").count() == 1
    # The taken time is no longer open.
    assert slots[20]["starts_at"] not in [
        s["starts_at"] for s in open_times(client, office, service, day)
    ]

    mine = f"/api/v1/appointments/{body['id']}"
    secret = f"?secret={body['secret']}"
    assert client.get(mine + secret).json()["code"] == body["code"]

    moved = client.post(
        f"{mine}/move{secret}",
        {"starts_at": slots[30]["starts_at"]},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["starts_at"] == slots[30]["starts_at"]
    email = Message.objects.get(reason_type="appointment.moved")
    assert email.subject.startswith("Appointment moved") and body["code"] in email.body
    counts = dict(SlotCount.objects.values_list("starts_at", "booked"))
    assert sorted(counts.values()) == [0, 1]

    cancelled = client.post(f"{mine}/cancel{secret}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = client.post(f"{mine}/cancel{secret}", headers={"accept-language": "fr"})
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "Ce rendez-vous ne peut plus être annulé."
    verbs = list(events_for(Appointment.objects.get()).values_list("verb", flat=True))
    assert sorted(verbs) == [
        "appointment.booked",
        "appointment.cancelled",
        "appointment.rescheduled",
    ]


def test_an_agent_of_the_office_manages_it_without_the_secret(client, bookable):
    office, service = bookable.office, bookable.service
    start = open_times(client, office, service, tomorrow(office))[3]["starts_at"]
    body = book(client, office, service, start, phone="613-555-0111").json()
    assert "secret" in body and body["source"] == "api"
    url = f"/api/v1/appointments/{body['id']}"
    for persona in ("owner", "colleague", "supervisor", "admin"):
        response = client.get(url, headers=bearer(getattr(bookable, persona)))
        assert response.status_code == 200, persona
        assert response.json()["secret"] == body["secret"]  # to give the person their link
    cancelled = client.post(f"{url}/cancel", headers=bearer(bookable.owner))
    assert cancelled.status_code == 200
    event = events_for(Appointment.objects.get()).get(verb="appointment.cancelled")
    assert event.actor == bookable.owner


def test_another_agency_or_a_wrong_secret_gets_404_and_changes_nothing(client, bookable):
    office, service = bookable.office, bookable.service
    slots = open_times(client, office, service, tomorrow(office))
    body = book(client, office, service, slots[3]["starts_at"]).json()
    url = f"/api/v1/appointments/{body['id']}"
    wrong = "A" * 22
    other_office_agent = UserFactory(agency=bookable.agency, offices=[bookable.other_office])
    callers = [
        {"headers": bearer(bookable.stranger)},
        {"headers": bearer(bookable.stranger_admin)},
        {"headers": bearer(other_office_agent)},  # same agency, another office
        {"query": f"?secret={wrong}"},
        {"query": f"?secret={wrong}", "headers": bearer(bookable.owner)},  # a wrong secret wins
        {"query": "?secret=short"},
        {},
    ]
    for caller in callers:
        query, headers = caller.get("query", ""), caller.get("headers", {})
        for method, path, data in (
            ("get", url, None),
            ("post", f"{url}/move", {"starts_at": slots[9]["starts_at"]}),
            ("post", f"{url}/cancel", None),
        ):
            options = {"content_type": "application/json", "data": data} if data else {}
            response = getattr(client, method)(path + query, headers=headers, **options)
            assert response.status_code == 404, (caller, path, response.content)
            assert response.json()["error"]["code"] == "not_found"
            assert body["code"] not in response.content.decode()
    unknown = client.get(f"/api/v1/appointments/{'0' * 8}-0000-0000-0000-{'0' * 12}")
    assert unknown.status_code == 404 and unknown.json() == response.json()  # same answer
    appointment = Appointment.objects.get()
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.starts_at == datetime.fromisoformat(slots[3]["starts_at"])
    assert appointment.sequence == 0


def test_two_bookings_of_the_last_place_one_wins_the_other_gets_alternatives(client, bookable):
    office, service = bookable.office, bookable.service
    slots = open_times(client, office, service, tomorrow(office))
    assert book(client, office, service, slots[5]["starts_at"]).status_code == 201
    second = book(client, office, service, slots[5]["starts_at"])
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "full"
    assert slots[5]["starts_at"] not in error["alternatives"]
    assert slots[6]["starts_at"] in error["alternatives"]
    assert Appointment.objects.count() == 1


def test_booking_rules_are_refused_with_the_field_at_fault(client, bookable):
    office, service = bookable.office, bookable.service
    far = (timezone.now() + timedelta(days=40)).astimezone(office.zone).date()
    response = client.get(f"/api/v1/offices/{office.id}/appointments/slots?date={far}")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "date"
    beyond = book(client, office, service, f"{far}T10:00:00-05:00")
    assert beyond.status_code == 400
    assert beyond.json()["error"]["details"][0]["field"] == "starts_at"
    odd = open_times(client, office, service, tomorrow(office))[2]["starts_at"]
    off_grid = book(
        client, office, service, odd.replace(":00:00", ":07:00").replace(":30:00", ":37:00")
    )
    assert off_grid.status_code == 400
    walk_in_only = ServiceFactory(agency=bookable.agency, offices=[office])
    refused = book(client, office, walk_in_only, odd)
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "service"
    foreign = book(client, office, bookable.stranger_service, odd)
    assert foreign.status_code == 400
    bad_email = book(client, office, service, odd, email="not-an-address")
    assert bad_email.json()["error"]["details"][0]["field"] == "email"
    bad_name = book(client, office, service, odd, name="Sam\r\nBcc: x@example.ca")
    assert bad_name.json()["error"]["details"][0]["field"] == "name"
    closed = OfficeFactory(agency=bookable.agency, active=False)
    assert book(client, closed, service, odd).status_code == 404
    assert Appointment.objects.count() == 0


def test_slots_without_a_service_list_every_bookable_service(client, bookable):
    office = bookable.office
    second = ServiceFactory(agency=bookable.agency, offices=[office], appointment_minutes=60)
    bookable.desk.services.add(second)
    day = tomorrow(office)
    response = client.get(f"/api/v1/offices/{office.id}/appointments/slots?date={day}")
    body = response.json()
    assert body["date"] == str(day) and body["first_day"] <= str(day) <= body["last_day"]
    assert {s["service"] for s in body["slots"]} == {str(bookable.service.id), str(second.id)}
    starts = [s["starts_at"] for s in body["slots"]]
    assert starts == sorted(starts)


@pytest.mark.django_db(transaction=True)
def test_an_application_books_and_moves_over_real_http(tmp_path):
    from accueil.accounts.actions import do_issue_token
    from accueil.core.actors import Actor
    from tests.factories import AgencyFactory, DeskFactory

    load_files()
    agency = AgencyFactory()
    office = OfficeFactory(agency=agency)
    service = ServiceFactory(agency=agency, offices=[office], appointment_minutes=30)
    DeskFactory(office=office, label="1").services.set([service])
    stranger = UserFactory(agency=AgencyFactory())
    stranger_token = do_issue_token(Actor.staff(stranger), "x")[1]
    day = tomorrow(office)
    with serving(1, tmp_path) as [base]:
        address = f"{base}/api/v1/offices/{office.id}/appointments/slots?date={day}"
        with urllib.request.urlopen(address, timeout=30) as response:  # noqa: S310
            slots = json.loads(response.read())["slots"]
        body = {
            "service": str(service.id),
            "starts_at": slots[1]["starts_at"],
            "language": "fr",
            "email": "camille@example.ca",
        }
        status, booked = post(base, f"/api/v1/offices/{office.id}/appointments", body=body)
        assert status == 201 and booked["urls"]["page"].startswith(base + "/fr/")
        mine = f"/api/v1/appointments/{booked['id']}"
        with pytest.raises(urllib.error.HTTPError) as refused:
            post(base, f"{mine}/cancel", stranger_token)
        assert refused.value.code == 404
        status, moved = post(
            base,
            f"{mine}/move?secret={booked['secret']}",
            body={"starts_at": slots[4]["starts_at"]},
        )
        assert status == 200 and moved["starts_at"] == slots[4]["starts_at"]
    appointment = Appointment.objects.get()
    assert appointment.sequence == 1 and appointment.status == AppointmentStatus.BOOKED
    assert Message.objects.get(reason_type="appointment.moved").subject.startswith(
        "Rendez-vous déplacé"
    )
