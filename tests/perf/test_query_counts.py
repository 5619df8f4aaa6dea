"""How many SQL statements the hot paths send: a ratchet.

Every bound below is the count measured when it was set. Lower it when you improve it, never
raise it without a reason (written beside the number). A read that shows N rows must not cost
more with more rows: those cases compare a small and a large count, which must be equal.

Counts are taken cold (every per-process cache of forecasts, profiles and calendars emptied
first), which is the most a request can cost, and with the ``on_commit`` hooks run (what a
change does after its transaction counts too). Savepoints are not counted (see queries.py).
Where PostgreSQL differs it is by ``SELECT pg_notify(…)``: the live announcement that SQLite
sends in-process after commit.
"""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from accueil.catalog.models import Closure, Holiday, _calendars
from accueil.core.actors import SYSTEM
from accueil.core.jobs import jobs
from accueil.notify.outbox import enqueue
from accueil.queues.actions import do_call_next, do_open_desk, do_take_ticket
from accueil.queues.models import Visit, VisitStatus
from accueil.queues.service_notices import do_publish_notice
from accueil.queues.waits import forget_forecasts
from tests.api.test_api import bearer
from tests.factories import (
    AgencyFactory,
    DeskFactory,
    OfficeFactory,
    ServiceFactory,
    StandardFactory,
    UserFactory,
)
from tests.perf.queries import assert_at_most, assert_same, counting
from tests.queues.test_pages import sign_in


def per_database(sqlite: int, postgresql: int) -> int:
    return postgresql if connection.vendor == "postgresql" else sqlite


def cold(calendars=True) -> None:
    """Empty this process's caches of derived data: the next read computes everything."""
    forget_forecasts()
    if calendars:
        _calendars.forget()


def furnished_office(agency, waiting=2):
    """An office with everything a list shows: hours, a closure, a holiday, a categorised
    service with two standards, an agent at an open desk and people waiting."""
    office = OfficeFactory(agency=agency)
    now = timezone.now()
    Closure.objects.create(
        office=office,
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=31),
        reason_fr="Travaux",
        reason_en="Works",
    )
    Holiday.objects.create(
        agency=agency,
        office=office,
        date=now.date() + timedelta(days=40),
        name_fr="Fête",
        name_en="Feast",
    )
    service = ServiceFactory(agency=agency, offices=[office])
    StandardFactory(service=service)
    StandardFactory(service=service, measure="resolution", threshold=5, unit="business_days")
    desk = DeskFactory(office=office, label="1")
    desk.services.set([service])
    agent = UserFactory(agency=agency, offices=[office])
    do_open_desk(desk, agent, [])
    for _ in range(waiting):
        do_take_ticket(office, service)
    return office, service, desk, agent


# -- reads ----------------------------------------------------------------------------------

# GET /api/v1/offices, whatever the number of offices and agencies: the offices, their
# calendars (hours, closures, holidays), services, standards, then the forecast (6, below).
# +1 (issue 14): the forecast reads the rollup consumer's cursor, then four weeks of history
# from the rollups instead of every event — on a cold cache only (once an hour per process).
FORECAST_HISTORY = 1
OFFICES = 12 + FORECAST_HISTORY  # was 15 for one agency, growing by 2 per agency


def offices_list(client, calendars=True):
    cold(calendars)
    with counting() as captured:
        response = client.get("/api/v1/offices")
    assert response.status_code == 200
    return captured, len(response.json())


def test_offices_list_costs_the_same_for_one_office_or_ten(client, db):
    agency = AgencyFactory()
    furnished_office(agency)
    one, shown = offices_list(client)
    assert shown == 1
    agencies = [agency, AgencyFactory(), AgencyFactory()]  # each agency has its own history
    for n in range(9):
        furnished_office(agencies[n % 3])
    ten, shown = offices_list(client)
    assert shown == 10
    assert_same(one, ten, "GET /api/v1/offices, 1 then 10 offices")
    assert_at_most(ten, OFFICES, "GET /api/v1/offices")
    # Within a minute the calendars are those check-in uses, kept by the process (was: read
    # again at every request, 3 queries).
    again, _shown = offices_list(client, calendars=False)
    assert_at_most(again, OFFICES - 3, "GET /api/v1/offices, calendars read a moment ago")


# The forecast of an office, cold: sessions with their chosen services, the desks' usual
# services, everyone in line or at a desk, queue rules, appointments due, the events that teach
# service times (history and the last hours, for every agency concerned, in one query).
# GET /api/v1/offices/{office}/board: the office, the forecast, services, notices, calls.
# was 13 (the forecast read the line twice, sessions twice, the history twice)
BOARD = 10 + FORECAST_HISTORY
# GET /fr/display/{office}/: the same state, rendered; was 14 (the office twice)
DISPLAY = 10 + FORECAST_HISTORY


def board_reads(client, office):
    cold()
    with counting() as board:
        response = client.get(f"/api/v1/offices/{office.id}/board")
    assert response.status_code == 200
    cold()
    with counting() as display:
        page = client.get(f"/fr/display/{office.id}/")
    assert page.status_code == 200
    return board, display, response.json()


def test_board_and_display_cost_the_same_for_a_short_or_long_line(client, db):
    agency = AgencyFactory()
    office, service, desk, _agent = furnished_office(agency, waiting=1)
    other = ServiceFactory(agency=agency, offices=[office], ticket_prefix="B")
    desk.services.add(other)
    do_publish_notice(
        SYSTEM, office=office, service=service, notice_fr="Système lent", notice_en="Slow system"
    )
    do_call_next(desk)
    short_board, short_display, state = board_reads(client, office)
    assert len(state["calls"]) == 1 and len(state["notices"]) == 1
    for _ in range(10):
        do_take_ticket(office, service)
        do_take_ticket(office, other)
    long_board, long_display, state = board_reads(client, office)
    assert sum(s["waiting"] for s in state["services"]) == 20
    assert_same(short_board, long_board, "board JSON, 0 then 20 waiting")
    assert_same(short_display, long_display, "display page, 0 then 20 waiting")
    assert_at_most(long_board, BOARD, "GET /api/v1/offices/{office}/board")
    assert_at_most(long_display, DISPLAY, "GET /fr/display/{office}/")


# GET /fr/console/ for an agent at an open desk: the login session and user, their offices,
# the desk session and its services, the "still here" stamp, the current visitor, the desk's
# services, the first 15 waiting, the forecast, how many wait, the services of the add form,
# and the desk's latest survey invitation (the feedback app's desk section: one query, and two
# more only when there is a recent one to show).
# was 21 (the forecast as above; the add form's services read twice); +1 survey
CONSOLE = 18 + FORECAST_HISTORY


def test_console_waiting_list_costs_the_same_for_5_or_20_waiting(client, personas):
    do_open_desk(personas.desk, personas.owner, [])
    sign_in(client, personas.owner)
    counts = []
    for waiting in (5, 20):
        while Visit.objects.filter(status=VisitStatus.WAITING).count() < waiting:
            do_take_ticket(personas.office, personas.service)
        cold()
        with counting() as captured:
            page = client.get("/fr/console/")
        assert page.status_code == 200
        counts.append(captured)
    assert_same(*counts, "GET /fr/console/, 5 then 20 waiting")
    assert_at_most(counts[1], CONSOLE, "GET /fr/console/")


# With a visitor at the desk: the office's rules (no-show), the visit's history, and the
# transfer form's desks.
CONSOLE_WITH_VISITOR = CONSOLE + 3


def test_console_with_a_visitor_at_the_desk(client, personas):
    do_open_desk(personas.desk, personas.owner, [])
    sign_in(client, personas.owner)
    for _ in range(5):
        do_take_ticket(personas.office, personas.service)
    do_call_next(personas.desk)
    cold()
    with counting() as captured:
        page = client.get("/fr/console/")
    assert page.status_code == 200 and "console-ticket" in page.content.decode()
    assert_at_most(captured, CONSOLE_WITH_VISITOR, "GET /fr/console/ with a visitor called")


# -- writes ---------------------------------------------------------------------------------


def staffed(personas):
    do_open_desk(personas.desk, personas.owner, [])
    return bearer(personas.owner)


# POST /api/v1/offices/{office}/visits, cold: the rate limit, office, service, the office's
# calendar (3, cached a minute), "offered here", the ticket number, the forecast the newcomer
# joins (6; shared with every reader for 2 s), the visit, its event, and on PostgreSQL the
# live announcement. Was 19/20 before the forecast lost its 3 queries.
# target: ≤ 6 after issue 16 (with the calendar and forecast warm)
CHECK_IN = per_database(sqlite=16, postgresql=17) + FORECAST_HISTORY


def test_check_in(client, personas, django_capture_on_commit_callbacks):
    staffed(personas)
    do_take_ticket(personas.office, personas.service)  # someone ahead
    cold()
    with counting() as captured, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/offices/{personas.office.id}/visits",
            {"service": str(personas.service.id)},
            content_type="application/json",
        )
    assert response.status_code == 201
    assert_at_most(captured, CHECK_IN, "POST /api/v1/offices/{office}/visits")


# POST /api/v1/desks/{desk}/call-next: the token with its user, its last use stamped, the
# desk in the actor's offices, the open session and its services, a visitor still pending, the
# desk's services, the candidate, the UPDATE, the visit read again, the event, then (after
# commit) whether anyone is now near their turn; on PostgreSQL the live announcement.
# Was 14/15 before issue 10's actors (the token check was three queries).
# target: ≤ 6 after issue 16 (desk, session and services one read; UPDATE … RETURNING instead
# of the re-SELECT; no work after commit)
CALL_NEXT = per_database(sqlite=12, postgresql=13)


def test_call_next(client, personas, django_capture_on_commit_callbacks):
    agent = staffed(personas)
    do_take_ticket(personas.office, personas.service)
    do_take_ticket(personas.office, personas.service)
    cold()
    with counting() as captured, django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/desks/{personas.desk.id}/call-next", headers=agent)
    assert response.status_code == 200
    assert_at_most(captured, CALL_NEXT, "POST /api/v1/desks/{desk}/call-next")


# POST /api/v1/visits/{visit}/complete: the token and its stamp, the visit, the UPDATE, the
# visit read again, the desk's "still here" stamp, the event; on PostgreSQL the announcement.
# Was 9/10 before issue 10's actors.
# target: ≤ 5 after issue 16 (the visit loaded once)
COMPLETE = per_database(sqlite=7, postgresql=8)


def test_complete(client, personas, django_capture_on_commit_callbacks):
    agent = staffed(personas)
    do_take_ticket(personas.office, personas.service)
    visit = do_call_next(personas.desk)
    cold()
    with counting() as captured, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/visits/{visit.id}/complete",
            {"outcome": "resolved"},
            content_type="application/json",
            headers=agent,
        )
    assert response.status_code == 200
    assert_at_most(captured, COMPLETE, "POST /api/v1/visits/{visit}/complete")


# -- the outbox -----------------------------------------------------------------------------

# A batch: recover expired leases, pick the due ids, claim them, read them back, then the
# policy's two reads (opt-outs, recent sends) — whatever the number of messages.
OUTBOX_BATCH = 6
# Each message then costs its send-time check when it has a reason (is the visitor still
# waiting?), the lease renewal right before the provider call and the recorded outcome: two
# conditional UPDATEs that make a message go once even when a lease expires mid-batch.
OUTBOX_PER_MESSAGE = 3


def outbox_batch(messages):
    for make in messages:
        make()
    with counting() as captured:
        assert jobs.get("outbox").run() == len(messages)  # what the worker runs each round
    return captured


def turn_near(office, service, n):
    def make():
        visit, _guess = do_take_ticket(office, service, email=f"person{n}@example.ca")
        enqueue(
            channel="email",
            recipient=visit.email,
            idempotency_key=f"near:{visit.id}",
            subject="Bientôt votre tour",
            body="Présentez-vous au comptoir.",
            reason=("visit.turn_near", visit.id),
        )

    return make


def test_outbox_batch_costs_a_constant_plus_three_per_message(personas, smtp_server):
    one = outbox_batch([turn_near(personas.office, personas.service, 0)])
    ten = outbox_batch([turn_near(personas.office, personas.service, n) for n in range(1, 11)])
    assert len(smtp_server.messages) == 11
    assert_at_most(one, OUTBOX_BATCH + OUTBOX_PER_MESSAGE, "outbox batch of 1 message")
    assert_at_most(ten, OUTBOX_BATCH + 10 * OUTBOX_PER_MESSAGE, "outbox batch of 10 messages")


# -- what every waiting person polls ---------------------------------------------------------

# GET /api/v1/visits/{visit}?secret=…, cold: the visit with its office, service and desk, then
# the forecast the answer's position comes from (6; shared for 2 s by everyone polling).
# target: 1 after issue 16 (served from the per-office state the hub keeps)
STATUS = 7 + FORECAST_HISTORY


def test_status(client, personas):
    staffed(personas)
    do_take_ticket(personas.office, personas.service)
    visit, _guess = do_take_ticket(personas.office, personas.service)
    cold()
    with counting() as captured:
        response = client.get(f"/api/v1/visits/{visit.id}?secret={visit.secret}")
    assert response.status_code == 200 and response.json()["position"] == 2
    assert_at_most(captured, STATUS, "GET /api/v1/visits/{visit}")


def test_agents_list_of_requests_costs_the_same_for_1_or_30_rows(client, world):
    """Each row shows its service, team, assignee and clock (in its office's zone): all read in
    the list's one query, never one per row."""
    from accueil.cases.actions import do_open_case
    from accueil.core.actors import PUBLIC
    from tests.cases.conftest import intake

    def open_cases(count):
        for _ in range(count):
            do_open_case(PUBLIC, service=world.service, channel="web", intake=intake())

    client.force_login(world.agents[0])
    counts = []
    for more in (1, 29):
        open_cases(more)
        cold()
        with counting() as captured:
            assert client.get("/fr/cases/?view=open").status_code == 200
        counts.append(captured)
    assert_same(*counts, "GET /fr/cases/, 1 then 30 requests")
    # session, user, the user's offices, the count for the pager, the page's ids (a narrow
    # sort: at 100,000 requests, sorting rows joined to their service, office, team and
    # assignee cost twice as much), the page's rows with those joined, and the filters' and
    # bulk form's choices (services, teams, agents).
    assert_at_most(counts[1], 9, "GET /fr/cases/")
