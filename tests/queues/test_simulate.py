"""The simulator drives the real actions; the forecast it records beats the naive estimator."""

from datetime import date, datetime, time

from accueil.core.models import Event
from accueil.queues.models import Appointment, DeskSession, Visit, VisitStatus
from accueil.queues.simulate import accuracy, setup_office, simulate


def test_two_simulated_days_leave_a_complete_history(db):
    office = setup_office()
    outcome = simulate(office, date(2026, 11, 5), 2)  # Thursday and Friday
    visits = Visit.objects.filter(office=office)
    assert visits.count() == outcome.visits > 200
    assert set(visits.values_list("day", flat=True)) == {date(2026, 11, 5), date(2026, 11, 6)}
    assert not visits.filter(status__in=[VisitStatus.WAITING, VisitStatus.CALLED]).exists()
    assert visits.filter(status=VisitStatus.NO_SHOW).count() == outcome.no_shows > 0
    assert Event.objects.filter(verb="visit.completed").count() == outcome.served
    assert Event.objects.filter(verb="desk.paused").exists()  # breaks happened
    assert not DeskSession.objects.filter(closed_at=None).exists()
    arrived = Appointment.objects.filter(status="checked_in")
    assert arrived.exists() and all(a.visit.priority for a in arrived if a.visit)
    # Events carry the simulated time, not the wall clock.
    first = Event.objects.filter(verb="visit.checked_in").order_by("created_at").first()
    assert first.created_at.date() == date(2026, 11, 5)
    predicted = visits.exclude(predicted_wait=None).count()
    assert predicted >= 0.9 * outcome.visits

    since = datetime.combine(date(2026, 11, 6), time(0), tzinfo=office.zone)
    until = datetime.combine(date(2026, 11, 7), time(0), tzinfo=office.zone)
    result = accuracy(office, since, until, outcome.naive)
    assert result["count"] > 100
    assert result["ours"]["mae"] < result["naive"]["mae"]
