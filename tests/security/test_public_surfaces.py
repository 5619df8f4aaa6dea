"""Nothing a public surface shows grants power over anybody's visit or appointment.

Every value is harvested from every public payload — the board and its event stream, the
kiosk, display, poster, check-in, booking and office pages, the open API — and tried against
every endpoint that accepts a visit's or an appointment's key, as an id and as a secret. None
may open a status page, cancel a visit, or see, move or cancel an appointment.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accueil.notify.templates_text import load_files
from accueil.queues import booking
from accueil.queues.actions import do_call_next, do_check_in, do_complete, do_open_desk
from accueil.queues.models import Appointment, AppointmentStatus, Visit, VisitStatus
from tests.api.test_api import bearer

VALUE = re.compile(r"[A-Za-z0-9_-]{6,}")


@pytest.fixture
def floor(personas):
    """A morning at the office: people served, one called, some waiting, some booked."""
    load_files()
    personas.service.appointment_minutes = 30
    personas.service.save()
    do_open_desk(personas.desk, personas.owner, [])
    visits = [
        do_check_in(personas.office, personas.service, phone=f"+1514555010{i}") for i in range(5)
    ]
    for _ in range(2):
        do_complete(do_call_next(personas.desk))
    do_call_next(personas.desk)  # the one on the board right now
    now = timezone.now()
    appointments = []
    for day in range(1, 8):
        slots = [
            s
            for s in booking.open_slots(
                personas.office, personas.service, (now + timedelta(days=day)).date()
            )
            if s.free
        ]
        if slots:
            appointments.append(
                booking.do_book(
                    personas.office, personas.service, slots[0].starts_at, email="a@example.ca"
                )
            )
        if len(appointments) == 2:
            break
    assert appointments, "the office must have bookable days for this test"
    return visits, appointments


def public_texts(client, personas):
    office, service = personas.office, personas.service
    paths = [
        "/api/v1/offices",
        f"/api/v1/offices/{office.id}/board",
        f"/api/v1/offices/{office.id}/events",
        "/api/v1/openapi.json",
    ]
    for language in ("fr", "en"):
        paths += [
            f"/{language}/",
            f"/{language}/offices/{office.id}/",
            f"/{language}/services/{service.id}/",
            f"/{language}/kiosk/{office.id}/",
            f"/{language}/display/{office.id}/",
            f"/{language}/poster/{office.id}/",
            f"/{language}/check-in/{office.id}/",
            f"/{language}/book/{office.id}/",
            f"/{language}/book/{office.id}/?service={service.id}",
        ]
    texts = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        texts.append(response.content.decode())
    book = client.get(f"/fr/book/{office.id}/?service={service.id}").content.decode()
    for day in re.findall(r"day=(\d{4}-\d{2}-\d{2})", book):
        texts.append(client.get(f"/fr/book/{office.id}/?service={service.id}&day={day}").content)
    return [t if isinstance(t, str) else t.decode() for t in texts]


def test_no_public_value_opens_or_cancels_a_visit_or_an_appointment(client, personas, floor):
    visits, appointments = floor
    harvested = {value for text in public_texts(client, personas) for value in VALUE.findall(text)}
    assert len(harvested) > 50  # the pages really were read
    secrets = {v.secret for v in visits} | {a.secret for a in appointments}
    assert harvested.isdisjoint(secrets)
    assert harvested.isdisjoint({a.code for a in appointments})  # nor any booking code
    before = {
        "visits": dict(Visit.objects.values_list("id", "status")),
        "appointments": dict(Appointment.objects.values_list("id", "status")),
    }
    opened = []
    candidates = sorted(harvested)
    for visit in (visits[2], visits[-1]):  # the one called on the board, and one waiting
        for value in candidates:
            answers = [
                client.get(f"/api/v1/visits/{visit.id}?secret={value}"),
                client.post(f"/api/v1/visits/{visit.id}/cancel?secret={value}"),
            ]
            if len(value) == 22:  # the shape pages accept in their path
                answers += [
                    client.get(f"/fr/visits/{visit.id}/{value}/"),
                    client.post(f"/fr/visits/{visit.id}/{value}/cancel/"),
                ]
            opened += [(visit.ticket, value) for a in answers if a.status_code < 400]
    for value in candidates:  # each value as a visit's or an appointment's id, no secret
        if re.fullmatch(r"[0-9a-f-]{36}", value):
            answers = [
                client.get(f"/api/v1/visits/{value}"),
                client.post(f"/api/v1/visits/{value}/cancel"),
            ]
            opened += [("id", value) for a in answers if a.status_code < 400]
    for appointment in appointments:
        for value in (v for v in candidates if len(v) == 22):
            base = f"/fr/appointments/{appointment.id}/{value}/"
            answers = [
                client.get(base),
                client.get(f"{base}change/"),
                client.get(f"{base}calendar.ics"),
                client.post(f"{base}cancel/"),
            ]
            opened += [(appointment.code, value) for a in answers if a.status_code < 400]
    assert opened == []
    assert dict(Visit.objects.values_list("id", "status")) == before["visits"]
    assert dict(Appointment.objects.values_list("id", "status")) == before["appointments"]


def test_the_board_names_no_visit(client, personas, floor):
    visits, _ = floor
    board = client.get(f"/api/v1/offices/{personas.office.id}/board").json()
    assert board["calls"] and all(
        set(call) == {"ticket", "desk", "called_at", "status"} for call in board["calls"]
    )
    text = str(board)
    assert not any(str(v.id) in text or v.secret in text for v in visits)


def test_the_holder_of_the_secret_keeps_their_power(client, personas, floor):
    visits, appointments = floor
    waiting = Visit.objects.filter(status=VisitStatus.WAITING).first()
    assert client.get(f"/fr/visits/{waiting.id}/{waiting.secret}/").status_code == 200
    assert client.get(f"/api/v1/visits/{waiting.id}?secret={waiting.secret}").status_code == 200
    client.post(f"/fr/visits/{waiting.id}/{waiting.secret}/cancel/")
    assert Visit.objects.get(id=waiting.id).status == VisitStatus.CANCELLED
    appointment = appointments[0]
    client.post(f"/fr/appointments/{appointment.id}/{appointment.secret}/cancel/")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_a_visit_id_alone_grants_nothing_to_anyone_but_staff_of_its_office(client, personas, floor):
    visits, _ = floor
    visit = visits[-1]
    assert client.get(f"/api/v1/visits/{visit.id}").status_code == 404
    assert client.post(f"/api/v1/visits/{visit.id}/cancel").status_code == 404
    stranger = client.get(f"/api/v1/visits/{visit.id}", headers=bearer(personas.stranger))
    assert stranger.status_code == 404
    owner = client.get(f"/api/v1/visits/{visit.id}", headers=bearer(personas.owner))
    assert owner.status_code == 200
    assert Visit.objects.get(id=visit.id).status == VisitStatus.WAITING
