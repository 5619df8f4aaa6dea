"""The wait forecast learns service times from the rollups, and from the event log only for
what the rollups have not counted yet."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accueil.core.actors import Actor
from accueil.insights.models import HourlyRollup
from accueil.queues.actions import do_call_next, do_check_in, do_complete, do_open_desk
from accueil.queues.waits import BusyTally, forget_profiles, learn, trimmed_mean
from tests.factories import AgencyFactory, DeskFactory, OfficeFactory, ServiceFactory, UserFactory
from tests.insights.conftest import drain_rollups


def test_a_histogram_with_bucket_sums_trims_like_the_list():
    values = [300.0] * 20 + [7200.0]
    tally = BusyTally()
    for value in values:
        tally.add(value)
    assert tally.trimmed_mean() == trimmed_mean(values) == 300.0
    spread = [100.0, 250.0, 260.0, 400.0, 610.0, 650.0, 2000.0, 90.0, 95.0, 5000.0]
    tally = BusyTally()
    for value in spread:
        tally.add(value)
    assert tally.trimmed_mean() == pytest.approx(trimmed_mean(spread), rel=0.05)


def serve(office, service, desk, actor, start, seconds):
    do_check_in(office, service, now=start)
    visit = do_call_next(desk, actor=actor, now=start)
    do_complete(visit, actor=actor, now=start + timedelta(seconds=seconds))


@pytest.mark.django_db(transaction=True)
def test_the_forecast_reads_what_the_rollups_counted_and_the_events_they_did_not():
    forget_profiles()
    agency = AgencyFactory()
    office = OfficeFactory(agency=agency)
    service = ServiceFactory(agency=agency, offices=[office])
    desk = DeskFactory(office=office)
    desk.services.set([service])
    agent = UserFactory(agency=agency, offices=[office])
    actor = Actor.staff(agent)
    start = timezone.now() - timedelta(days=3)
    do_open_desk(desk, agent, [], actor=actor, now=start)
    for index in range(10):
        serve(office, service, desk, actor, start + timedelta(minutes=20 * index), 600)
    assert learn(agency.id, timezone.now()).by_service[str(service.id)] == 600  # events
    drain_rollups()
    assert learn(agency.id, timezone.now()).by_service[str(service.id)] == 600  # rollups
    # Proof that the rollups are read: what they hold is what the forecast learns.
    HourlyRollup.objects.filter(agency_id=agency.id).update(busy_s6=0)  # [600, 900) bucket
    assert learn(agency.id, timezone.now()).by_service[str(service.id)] == 0
    # Events the rollups have not counted yet are read one by one: 10 visits of 0 s, then
    # 10 more of 900 s: (10 × 0 + 10 × 900) / 20 once the ends are trimmed.
    later = start + timedelta(days=1)
    for index in range(10):
        serve(office, service, desk, actor, later + timedelta(minutes=20 * index), 900)
    learned = learn(agency.id, timezone.now()).by_service[str(service.id)]
    assert learned == pytest.approx(450)
