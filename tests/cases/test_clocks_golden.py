"""The clocks' golden file replayed through the app, on SQLite and on PostgreSQL.

``tests/lib/test_caseclock.py`` checks the arithmetic alone. Here each golden case is an office
whose hours, holidays and closures are rows in the database, a service whose published
standards are rows, and a case whose history is stored and read back: what the app computes
from the database and writes on the case must be what the file says.
"""

import time
from datetime import UTC, date

import pytest

from accueil.cases import clocks
from accueil.cases.models import Case, CaseSettings, Status
from accueil.catalog.models import Closure, Holiday
from accueil.core.actors import Actor
from accueil.core.consumers import consumers, feed
from accueil.core.events import record_event
from accueil.core.models import Event
from accueil.lib.businesstime import parse_weekly
from tests.factories import AgencyFactory, OfficeFactory, ServiceFactory, StandardFactory
from tests.lib.test_caseclock import instant, load_golden, parse_spans, parse_transitions

ROWS = load_golden()
BY_ID = {row["id"]: row for row in ROWS}


def as_utc(moment):
    return moment.astimezone(UTC) if moment else None


def office_and_service(row, *, with_closures=True):
    agency = AgencyFactory()
    office = OfficeFactory(agency=agency, time_zone=row["zone"])
    office.set_weekly_hours(parse_weekly(row["hours"]))
    for day in row["holidays"].split():
        Holiday.objects.create(
            agency=agency,
            office=office,
            date=date.fromisoformat(day),
            name_fr="Férié",
            name_en="Holiday",
        )
    if with_closures:
        for start, end in parse_spans(row["closures"]):
            Closure.objects.create(
                office=office, starts_at=start, ends_at=end, reason_fr="Travaux", reason_en="Works"
            )
    service = ServiceFactory(agency=agency, offices=[office], channels=["web"])
    for measure, column in (("response", "response_target"), ("resolution", "resolution_target")):
        if row[column]:
            amount, unit = row[column].split()
            StandardFactory(service=service, measure=measure, threshold=int(amount), unit=unit)
    CaseSettings.objects.create(service=service, office=office)
    return agency, office, service


def stored_case(row, agency, office, service):
    steps = parse_transitions(row["transitions"])
    opened = instant(row["opened_at"])
    status = steps[-1].status if steps else Status.NEW
    return Case.objects.create(
        reference=f"R-2026-{abs(hash(row['id'])) % 10**6:06d}",
        agency=agency,
        service=service,
        office=office,
        channel="web",
        description="golden",
        status=status,
        opened_at=opened,
        first_response_at=instant(row["first_response_at"]),
        transitions=[[opened.isoformat(), "new"]]
        + [[step.at.isoformat(), step.status] for step in steps],
    )


def expect(case, row):
    for clock in ("response", "resolution"):
        due = getattr(case, f"{clock}_due_at")
        if row[f"{clock}_due"]:
            assert as_utc(due) == as_utc(instant(row[f"{clock}_due"])), (row["id"], clock)
            assert getattr(case, f"{clock}_state") == row[f"{clock}_state"], (row["id"], clock)
        else:
            assert due is None and getattr(case, f"{clock}_state") == ""


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_golden_case_through_the_database(db, row):
    agency, office, service = office_and_service(row)
    case = stored_case(row, agency, office, service)
    changes = clocks.refresh(Case.objects.get(pk=case.pk), instant(row["now"]))
    Case.objects.filter(pk=case.pk).update(**changes)
    expect(Case.objects.get(pk=case.pk), row)


@pytest.mark.parametrize("pair", ["closure-day-business-days", "closure-partial-hours"])
def test_a_closure_added_mid_case_moves_its_due_time_and_the_move_is_recorded(
    transactional_db, pair
):
    # Committed transactions: on PostgreSQL consumers read only events whose transaction ended.
    without, with_closure = BY_ID[f"{pair}-without"], BY_ID[f"{pair}-with"]
    agency, office, service = office_and_service(without, with_closures=False)
    case = stored_case(without, agency, office, service)
    Case.objects.filter(pk=case.pk).update(**clocks.refresh(case, instant(without["now"])))
    expect(Case.objects.get(pk=case.pk), without)
    # An administrator adds the closure (the admin records "office.updated" for its inlines).
    for start, end in parse_spans(with_closure["closures"]):
        Closure.objects.create(
            office=office, starts_at=start, ends_at=end, reason_fr="Panne", reason_en="Outage"
        )
    record_event("office.updated", office, actor=Actor.system(), data={"inlines": ["closure"]})
    consumer = consumers.get("cases.calendar-changes")
    # On PostgreSQL the consumer reads only events older than every transaction still running
    # on the server (transaction ids are server-wide), so another client's long transaction
    # can hold it back a moment: wait for the condition, not for a time.
    deadline = time.monotonic() + 60
    while not Event.objects.filter(verb="case.due_moved").exists() and time.monotonic() < deadline:
        if not feed(consumer):
            time.sleep(0.2)
    moved = Event.objects.get(verb="case.due_moved", object_id=str(case.pk))
    assert moved.data["reason"] == "office.updated"
    assert moved.data["from"] != moved.data["to"]
    reread = Case.objects.get(pk=case.pk)
    for clock in ("response", "resolution"):
        if with_closure[f"{clock}_due"]:
            expected = instant(with_closure[f"{clock}_due"])
            assert as_utc(getattr(reread, f"{clock}_due_at")) == as_utc(expected), clock
