"""Schemathesis against the served OpenAPI document, through the WSGI app and the real database.

Every operation except the event stream, anonymous and with an agent's token: no 5xx, no status
the document does not declare, bodies and content types as declared. Path parameters and the
ids inside bodies are drawn partly from real objects (an office, its service and desks, visits
in several states), so the generator reaches real work, not only 404s. Deterministic
(``derandomize``) and bounded (``MAX_EXAMPLES`` per operation).
"""

import json

import jsonschema
import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accueil.api.v1 import api
from accueil.queues.actions import do_call_next, do_open_desk, do_start, do_take_ticket
from accueil.wsgi import application
from tests.api.test_api import bearer
from tests.conftest import make_personas
from tests.factories import DeskFactory, UserFactory
from tests.moduledata import built_once

MAX_EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
EVENTS = r"/offices/\{office\}/events$"

# The inbound-mail webhook takes a raw message (`message/rfc822`, a binary string): sent as bytes.
schemathesis.serializer.alias("message/rfc822", "application/octet-stream")

# Loaded from the app itself, as a client would (no database access needed for the document).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)
generic = schema.exclude(path_regex=EVENTS)

# Real ids, per name, filled by the ``world`` fixture; the hooks read them while generating.
REAL: dict[str, list[str]] = {}


def _substitute(values: dict, pick: int) -> dict:
    chosen = dict(values)
    for name in chosen:
        real = REAL.get(name)
        if real:
            chosen[name] = real[pick % len(real)]
    return chosen


def _sometimes_real(values):
    """The generated values, or the same with every known name replaced by a real id."""
    if not isinstance(values, dict) or not any(name in REAL for name in values):
        return st.just(values)
    return st.one_of(st.just(values), st.integers(0, 63).map(lambda i: _substitute(values, i)))


@generic.hook("flatmap_path_parameters")
def real_path_ids(context, path_parameters):
    return _sometimes_real(path_parameters)


@generic.hook("flatmap_body")
def real_body_ids(context, body):
    return _sometimes_real(body)


@generic.hook("flatmap_query")
def real_query_values(context, query):
    """An appointment's real secret now and then: moves and cancels that really happen."""
    return _sometimes_real(query)


@pytest.fixture
def in_test_transaction(db):
    """Requests through the WSGI app keep the test's connection, as Django's test client does:
    the handler would otherwise close it (and the test's transaction) after each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# The generator checks in and opens requests far more often than a person would.
GENEROUS_RATES = {"CHECK_IN_RATE": "10000/60", "CASE_RATE": "10000/60"}


def make_world():
    """An office with a service, four desks and visits waiting, called and being served; the
    real ids the hooks draw from."""
    personas = make_personas()
    desks = [personas.desk]
    for label in ("2", "3", "4"):
        desks.append(DeskFactory(office=personas.office, label=label))
        desks[-1].services.set([personas.service])
    # Each desk held open by its own agent (the owner, whose token the tests use, at desk 1).
    do_open_desk(desks[0], personas.owner, [])
    for desk in desks[1:]:
        do_open_desk(desk, UserFactory(agency=personas.agency, offices=[personas.office]), [])
    visits = [do_take_ticket(personas.office, personas.service)[0] for _ in range(8)]
    do_call_next(desks[0])
    do_call_next(desks[1])
    do_start(do_call_next(desks[2]))
    do_start(do_call_next(desks[3]))
    appointments = _appointments(personas)
    cases = _cases(personas)
    real = {
        "office": [str(personas.office.id), str(personas.other_office.id)],
        "desk": [str(desk.id) for desk in desks],
        "visit": [str(visit.id) for visit in visits],
        "service": [str(personas.service.id)],
        "appointment": [str(a.id) for a in appointments],
        "secret": [a.secret for a in appointments] + [c.tracking_secret for c in cases],
        "reference": [c.reference for c in cases],
        "attachment": [str(a.id) for c in cases for a in c.attachments.all()],
    }
    return personas, real


@pytest.fixture(scope="class")
def world_once(django_db_setup, django_db_blocker):
    """Built once for the generated tests (about 70), rolled back after the last of them
    (tests/moduledata.py); what each test's requests change is rolled back after that test."""
    with override_settings(**GENEROUS_RATES), built_once(django_db_blocker, make_world) as built:
        yield built


@pytest.fixture
def world(db, world_once, settings, in_test_transaction):
    personas, real = world_once
    for name, value in GENEROUS_RATES.items():
        setattr(settings, name, value)
    REAL.update(real)
    yield personas
    REAL.clear()


def _appointments(personas):
    """A bookable service with appointments booked, moved and cancelled, to reach real work."""
    from datetime import timedelta

    from accueil.queues import booking

    personas.service.appointment_minutes = 30
    personas.service.save()
    day = booking.horizon(personas.office)[0] + timedelta(days=1)
    slots = booking.open_slots(personas.office, personas.service, day)
    booked = [
        booking.do_book(personas.office, personas.service, slot.starts_at) for slot in slots[:3]
    ]
    booking.do_reschedule(booked[1], slots[5].starts_at)
    booking.do_cancel_appointment(booked[2])
    return booked


def _cases(personas):
    """Requests in several states, one with a public and a staff-only file."""
    from accueil.cases.actions import do_change_status, do_open_case
    from accueil.cases.intake import Intake
    from accueil.cases.models import Attachment, CaseSettings
    from accueil.core.actors import Actor

    CaseSettings.objects.get_or_create(
        service=personas.service, defaults={"office": personas.office}
    )
    opened = [
        do_open_case(
            Actor.system(),
            service=personas.service,
            channel="web",
            intake=Intake(description=f"Demande {n}", language="fr", email="a@example.org"),
        )
        for n in range(3)
    ]
    do_change_status(Actor.system(), opened[1], "waiting")
    do_change_status(Actor.system(), opened[2], "resolved")
    for public in (True, False):
        Attachment.objects.create(
            case=opened[0],
            name="plan.txt",
            kind="text",
            content_type="text/plain",
            size=2,
            data=b"ok",
            public=public,
        )
    return opened


BOUNDED = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


class TestGenerated:
    """Generated requests on every operation; the tests after this class build their own
    personas (the class's world is gone by then)."""

    @generic.parametrize()
    @BOUNDED
    def test_anonymous_callers_meet_only_documented_answers(self, case, world):
        case.call_and_validate(checks=CHECKS)

    @generic.parametrize()
    @BOUNDED
    def test_an_agent_meets_only_documented_answers(self, case, world):
        case.call_and_validate(headers=bearer(world.owner), checks=CHECKS)


# -- statuses the generator rarely meets, forced once on every operation ----------------------

OPERATIONS = [
    (method.upper(), path)
    for path, item in schema.raw_schema["paths"].items()
    for method, operation in item.items()
]
SECURED = {
    (method.upper(), path)
    for path, item in schema.raw_schema["paths"].items()
    for method, operation in item.items()
    if operation.get("security")
}


def database_down(monkeypatch):
    from django.db import OperationalError
    from django.db.backends.utils import CursorWrapper

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    monkeypatch.setattr(CursorWrapper, "executemany", refuse)


# Operations for a client application's key, not a staff token (accounts.ClientApp): they are
# called with such a key, and a staff token's own rules (its user's agency) do not apply.
CLIENT_KEY = {("POST", "/api/v1/mail/inbound")}

SCENARIOS = {
    # name: (expected status, applies to (method, path)?)
    "nul byte in the query": (400, lambda method, path: True),
    "database unreachable": (503, lambda method, path: True),
    "body over the limit": (413, lambda method, path: method == "POST"),
    "id that is not a UUID": (404, lambda method, path: "{" in path),
    "no token": (401, lambda method, path: (method, path) in SECURED),
    "token of a user who lost their agency": (
        403,
        lambda method, path: (method, path) in SECURED - CLIENT_KEY,
    ),
}


@pytest.mark.parametrize(
    ("method", "path", "scenario"),
    [
        (method, path, scenario)
        for method, path in OPERATIONS
        for scenario, (_status, applies) in SCENARIOS.items()
        if applies(method, path)
    ],
    ids=lambda value: value,
)
def test_every_status_an_operation_can_meet_is_documented(
    personas, in_test_transaction, monkeypatch, method, path, scenario
):
    status = SCENARIOS[scenario][0]
    visit, _guess = do_take_ticket(personas.office, personas.service)
    [appointment, *_] = _appointments(personas)
    [case, *_] = _cases(personas)
    ids = {
        "office": personas.office.id,
        "desk": personas.desk.id,
        "visit": visit.id,
        "appointment": appointment.id,
        "reference": case.reference,
        "attachment": case.attachments.first().id,
    }
    operation = schema[path][method]
    parameters = {name: str(ids[name]) for name in ids if "{" + name + "}" in path}
    if scenario == "id that is not a UUID":
        parameters = dict.fromkeys(parameters, "not-a-uuid")
    headers = {} if scenario == "no token" else bearer(personas.owner)
    if (method, path) in CLIENT_KEY and headers:
        headers = {"Authorization": f"Bearer {mail_key(personas)}"}
    if scenario == "token of a user who lost their agency":
        type(personas.owner).objects.filter(pk=personas.owner.pk).update(agency=None)
    case = operation.Case(
        path_parameters=parameters,
        query={"x": "\x00"} if scenario == "nul byte in the query" else {},
        headers=headers,
    )
    # A body every POST accepts (the fields one does not know are ignored).
    body = {
        "service": str(personas.service.id),
        "starts_at": appointment.starts_at.isoformat(),
        "description": "Un lampadaire éteint.",
        "assignee": None,
        "body": "Bonjour.",
        "status": "acknowledged",
    }
    call = {"json": body} if method == "POST" else {}
    if scenario == "body over the limit":
        call = {
            "data": "a=" + "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
            "headers": {**headers, "Content-Type": "application/x-www-form-urlencoded"},
        }
    with monkeypatch.context() as patched:
        if scenario == "database unreachable":
            database_down(patched)
        response = case.call(**call)
    assert response.status_code == status, response.text[:300]
    # Not "not_a_server_error": the 503 is the point of one scenario.
    case.validate_response(response, checks=CHECKS[1:])


def mail_key(personas) -> str:
    from accueil.accounts.models import ClientApp, ClientScope

    return ClientApp.issue(personas.agency, "Fournisseur", ClientScope.MAIL)[1]


def test_the_document_under_test_is_the_served_one(client, db):
    served = client.get("/api/v1/openapi.json").json()
    assert served == json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")))
    assert served == schema.raw_schema
    operations = [
        f"{method.upper()} {path}" for path, item in served["paths"].items() for method in item
    ]
    assert "GET /api/v1/offices/{office}/events" in operations
    # 14 before the desk sessions (GET, open, pause, resume, close), 19 before appointments,
    # 24 before requests (services, open, read, list, assign, reply, notes, status, files ×2),
    # 34 before the inbound-mail webhook, 35 before the public performance results.
    assert len(operations) == 36


# -- the event stream, on its own: one bounded read -----------------------------------------


def read_events(response, limit=65536):
    """At most ``limit`` bytes of the stream, whatever the server does after."""
    if response.streaming:
        received = b""
        for chunk in response.streaming_content:
            received += chunk
            if len(received) >= limit or b"\n\n" in received:
                break
        response.close()
        return received[:limit]
    return response.content[:limit]


def test_the_event_stream_sends_a_board_that_matches_the_documented_board(client, personas):
    do_take_ticket(personas.office, personas.service)
    response = client.get(f"/api/v1/offices/{personas.office.id}/events")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    text = read_events(response).decode()
    fields = dict(
        line.split(": ", 1) for line in text.split("\n\n")[0].splitlines() if ": " in line
    )
    assert fields["retry"] == "2000" and fields["event"] == "board"
    board = json.loads(fields["data"])
    documented = {"$ref": "#/components/schemas/BoardOut", **schema.raw_schema}
    jsonschema.Draft202012Validator(documented).validate(board)
    assert board["services"][0]["waiting"] == 1


@pytest.mark.parametrize("office", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_the_event_stream_of_no_office_is_a_documented_404(client, db, office):
    response = client.get(f"/api/v1/offices/{office}/events")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    documented = schema.raw_schema["paths"]["/api/v1/offices/{office}/events"]["get"]["responses"]
    assert "404" in documented
