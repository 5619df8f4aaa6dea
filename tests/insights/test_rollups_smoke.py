"""The rollups add up what the actions recorded (a first check; the full fixture is in
test_kpis_fixture.py)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from accueil.core.actors import Actor
from accueil.insights import kpis, rollups
from accueil.queues.actions import do_call_next, do_check_in, do_complete, do_open_desk
from tests.factories import (
    AgencyFactory,
    DeskFactory,
    OfficeFactory,
    ServiceFactory,
    StandardFactory,
    UserFactory,
)
from tests.insights.conftest import drain_rollups

ZONE = ZoneInfo("America/Montreal")


def test_a_served_visit_counts_its_wait_and_service_time(transactional_db):
    agency = AgencyFactory()
    office = OfficeFactory(agency=agency, time_zone="America/Montreal")
    service = ServiceFactory(agency=agency, offices=[office])
    StandardFactory(service=service, threshold=15)
    desk = DeskFactory(office=office)
    desk.services.set([service])
    agent = UserFactory(agency=agency, offices=[office])
    actor = Actor.staff(agent)
    t0 = datetime(2026, 11, 20, 10, 0, tzinfo=ZONE)
    do_open_desk(desk, agent, [], actor=actor, now=t0)
    do_check_in(office, service, now=t0)
    visit = do_call_next(desk, actor=actor, now=t0 + timedelta(minutes=20))
    do_complete(visit, actor=actor, now=t0 + timedelta(minutes=25))
    drain_rollups()
    scope = kpis.Scope(agency.id, t0.date(), t0.date())
    found = kpis.figures(scope)
    assert (found.arrivals, found.waits, found.completed) == (1, 1, 1)
    assert found.wait_mean == 20 * 60
    assert found.service_mean == 5 * 60
    assert found.wait_within_share == 0
    assert kpis.series(scope, "hour")[0][0] == 10
    assert rollups.rebuild() > 0
    assert kpis.figures(scope).sums == found.sums
