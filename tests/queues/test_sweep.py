"""No visit stays stuck: past days are closed, abandoned calls go back to the line."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from accueil.core.housekeeping import run_housekeeping
from accueil.queues.actions import (
    do_call_next,
    do_check_in,
    do_close,
    do_open_desk,
    touch_desk,
)
from accueil.queues.models import Visit, VisitStatus
from accueil.queues.sweep import sweep_stale_visits


def test_yesterdays_open_visits_are_closed(personas):
    yesterday = timezone.now() - timedelta(days=1)
    do_open_desk(personas.desk, personas.owner, [], now=yesterday)
    waiting = do_check_in(personas.office, personas.service, now=yesterday)
    called = do_check_in(personas.office, personas.service, now=yesterday)
    do_call_next(personas.desk, now=yesterday)  # calls the first in line
    today = do_check_in(personas.office, personas.service)
    result = run_housekeeping()
    assert result["visits_closed"] == 2
    statuses = dict(Visit.objects.values_list("id", "status"))
    assert statuses[waiting.id] == VisitStatus.NO_SHOW  # it was the one called
    assert statuses[called.id] == VisitStatus.CANCELLED
    assert statuses[today.id] == VisitStatus.WAITING


def test_a_call_abandoned_by_a_closed_desk_goes_back_to_the_line(personas):
    # A fixed noon: "30 minutes ago" must stay on the same local day as the sweep.
    noon = datetime(2026, 11, 27, 12, tzinfo=ZoneInfo(personas.office.time_zone))
    long_ago = noon - timedelta(minutes=30)
    session = do_open_desk(personas.desk, personas.owner, [], now=long_ago)
    visit = do_check_in(personas.office, personas.service, now=long_ago)
    do_call_next(personas.desk, now=long_ago)
    do_close(session.desk, now=long_ago + timedelta(minutes=1))
    assert sweep_stale_visits(noon)["visits_returned"] == 1
    visit.refresh_from_db()
    assert visit.status == VisitStatus.WAITING and visit.desk is None


def test_a_call_at_a_desk_still_open_is_left_alone(personas):
    noon = datetime(2026, 11, 27, 12, tzinfo=ZoneInfo(personas.office.time_zone))
    long_ago = noon - timedelta(minutes=30)
    do_open_desk(personas.desk, personas.owner, [], now=long_ago)
    do_check_in(personas.office, personas.service, now=long_ago)
    do_call_next(personas.desk, now=long_ago)
    touch_desk(personas.desk.id, noon - timedelta(minutes=2))  # the console refreshed lately
    assert sweep_stale_visits(noon)["visits_returned"] == 0


def test_a_call_at_a_desk_open_but_silent_goes_back_to_the_line(personas):
    """The agent's browser or server process died: the desk stays open, nobody is there."""
    noon = datetime(2026, 11, 27, 12, tzinfo=ZoneInfo(personas.office.time_zone))
    long_ago = noon - timedelta(minutes=30)
    do_open_desk(personas.desk, personas.owner, [], now=long_ago)
    visit = do_check_in(personas.office, personas.service, now=long_ago)
    do_call_next(personas.desk, now=long_ago)
    assert sweep_stale_visits(noon)["visits_returned"] == 1
    visit.refresh_from_db()
    assert visit.status == VisitStatus.WAITING and visit.desk is None


def test_a_call_made_without_any_desk_session_goes_back_to_the_line(personas):
    """However a visit came to be called at a desk nobody holds (an old API path, a crash),
    the sweep returns it: before, only a session closed after the call counted."""
    noon = datetime(2026, 11, 27, 12, tzinfo=ZoneInfo(personas.office.time_zone))
    long_ago = noon - timedelta(minutes=30)
    visit = do_check_in(personas.office, personas.service, now=long_ago)
    Visit.objects.filter(id=visit.id).update(
        status=VisitStatus.CALLED, desk=personas.desk, called_at=long_ago
    )
    assert sweep_stale_visits(noon)["visits_returned"] == 1
    visit.refresh_from_db()
    assert visit.status == VisitStatus.WAITING and visit.desk is None


def test_appointments_nobody_came_to_are_missed(personas):
    from accueil.queues.models import Appointment, AppointmentStatus

    start = timezone.now() - timedelta(hours=3)
    appointment = Appointment.objects.create(
        office=personas.office,
        service=personas.service,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        code="ACDEFG",
        email="a@example.ca",
    )
    assert run_housekeeping()["appointments_missed"] == 1
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.MISSED
