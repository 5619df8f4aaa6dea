"""The service-standard clocks of a case, read from its transitions and stored on the row.

The arithmetic lives in ``accueil/lib/caseclock.py`` (business time, pauses, DST); this module
feeds it a case and writes the result: due times and states for lists and the clock job, and
``next_check_at``, the next instant at which a state can change by time alone.
"""

from datetime import datetime

from accueil.catalog.models import Measure
from accueil.lib.caseclock import ClockReading, Target, Transition, read_clocks

CLOCK_FIELDS = (
    "response_due_at",
    "resolution_due_at",
    "response_state",
    "resolution_state",
    "next_check_at",
)


def targets(service) -> tuple[Target | None, Target | None]:
    """The service's published response and resolution standards, as clock targets."""
    found: dict[str, Target] = {}
    for standard in service.standards.all():
        if standard.measure in (Measure.RESPONSE, Measure.RESOLUTION):
            found.setdefault(standard.measure, Target(standard.threshold, standard.unit))
    return found.get(Measure.RESPONSE), found.get(Measure.RESOLUTION)


def transitions_of(case) -> list[Transition]:
    return [Transition(datetime.fromisoformat(at), status) for at, status in case.transitions]


def read(case, now: datetime, calendar=None) -> tuple[ClockReading | None, ClockReading | None]:
    calendar = calendar or case.office.calendar()
    response, resolution = targets(case.service)
    return read_clocks(
        calendar,
        case.opened_at,
        transitions_of(case),
        case.first_response_at,
        now,
        response,
        resolution,
    )


def _next_check(reading: ClockReading | None, now: datetime) -> datetime | None:
    if reading is None or reading.paused or reading.stopped_at is not None:
        return None
    for moment in (reading.warn_at, reading.due_at):
        if moment is not None and moment > now:
            return moment
    return None


def refresh(case, now: datetime, calendar=None) -> dict:
    """Set the case's clock fields from a fresh reading; returns the changed fields' values."""
    response, resolution = read(case, now, calendar)
    checks = [m for m in (_next_check(response, now), _next_check(resolution, now)) if m]
    values = {
        "response_due_at": response.due_at if response else None,
        "resolution_due_at": resolution.due_at if resolution else None,
        "response_state": response.state if response else "",
        "resolution_state": resolution.state if resolution else "",
        "next_check_at": min(checks) if checks else None,
    }
    for name, value in values.items():
        setattr(case, name, value)
    return values
