"""Service-standard clocks of a case: first response and resolution.

Pure Python, no Django. A service standard promises an answer within a target ("a first reply
within 8 business hours", "decided within 10 business days"). Each case carries two clocks
against it, read from its history (the status transitions the app records as events):

- the **response** clock stops at the agent's first public reply; if the case is resolved (or
  closed) before any reply, it stops then, because the resolution is itself the answer;
- the **resolution** clock stops when the case is resolved (``resolved`` or ``closed``).

Both clocks run in the owning office's business calendar (``businesstime.BusinessCalendar``).

When a clock starts
    Every clock starts at the office's next opening at or after the instant the case was opened
    (``calendar.next_opening``): a request sent on Saturday night is received, like mail, on
    Monday morning, whatever the unit. Nobody can act on it before.

Pauses
    A clock does not run while the case waits for the citizen (status ``waiting``), nor between a
    resolution and a reopening: the time from ``resolved``/``closed`` to the next open status
    does not count. ``closed`` after ``resolved`` keeps the clock stopped, and the stop instant
    is the one of the resolution. A case that waits now has a pause open up to ``now``; its due
    time is computed **as if the pause ended now**, so ``due_at`` is never unknown and only
    moves later while the case keeps waiting. Transitions and replies after ``now`` are ignored,
    so an old reading can be replayed from the same history.

Units, and why
    ``business_hours``
        ``calendar.add(start, N hours, pauses)``: opening hours, holidays and closures are
        skipped, so Friday 15:00 + 8 business hours on 9:00-17:00 weekdays is Monday 15:00.
    ``business_days``
        The close of the Nth open day after the day the clock starts (the day itself does not
        count, as in statutes: "within 10 days" of a Tuesday opens on Wednesday). An open day
        is a local date with some open time left after holidays and closures; its close is the
        end of its last published opening interval, even when a closure shortens that day, so
        that a closure of a few hours never brings the due time earlier; a closure of a whole
        day removes that day. The due time is then pushed later by the business time the case
        spent paused between its opening and that close, measured on the published hours
        (weekly hours and holidays, not closures, so that a pause is not cancelled by a closure
        overlapping it or delaying the start), and the push itself skips closures and further
        pauses. Days, not hours, are what a person counts here: a request opened at 16:55 is
        due at the same close as one opened at 9:00 that day.
    ``minutes``
        Real elapsed time after the start, minus the time paused. For services open around the
        clock (a 24/7 line) or promised in real time whatever the hours.
    ``calendar_days``
        N local days after the start at the same wall-clock time (so 10:00 stays 10:00 across a
        DST change, as a person reading "in 30 days" expects), pushed later by the real time
        spent paused. Opening hours after the start are not consulted.

Warning, breach, met, missed
    ``warn_at`` is the instant at which 75 % of the clock's budget is used: the budget is the
    clock time (business time for business units, real unpaused time otherwise) from the start
    to ``due_at``. A running clock is in ``warning`` from ``warn_at`` on and ``breached`` once
    ``now`` is after ``due_at`` (at ``due_at`` exactly the target is just met). A stopped clock
    is ``met`` when it stopped at or before ``due_at``, ``missed`` after. A paused clock is
    ``paused``, or ``breached`` if its due time had already passed when it was paused.
    ``elapsed_fraction`` is the budget used by ``now`` (or by the stop), 0 at least, above 1
    once late.

A calendar that never opens again raises ``businesstime.NoBusinessTime``: a configuration
error the app must show, not a due time to invent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, get_args

from accueil.lib.businesstime import BusinessCalendar, NoBusinessTime, Span

Unit = Literal["minutes", "business_hours", "business_days", "calendar_days"]
State = Literal["running", "warning", "breached", "paused", "met", "missed"]

RUNNING_STATUSES = frozenset({"new", "acknowledged", "in_progress"})
PAUSED_STATUSES = frozenset({"waiting"})
STOPPED_STATUSES = frozenset({"resolved", "closed"})
STATUSES = RUNNING_STATUSES | PAUSED_STATUSES | STOPPED_STATUSES

WARNING_FRACTION = 0.75
# Business days are searched this far past the target before the calendar counts as closed
# for good (the same bound as businesstime's).
_MAX_EMPTY_DAYS = 400
_ZERO = timedelta(0)


@dataclass(frozen=True)
class Target:
    """A service standard's promise: ``amount`` of ``unit`` (``amount`` at least 1)."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.unit not in get_args(Unit):
            raise ValueError(f"unknown unit {self.unit!r}")
        if self.amount < 1:
            raise ValueError("a target is at least 1")


@dataclass(frozen=True)
class Transition:
    """The case entered ``status`` at ``at``."""

    at: datetime
    status: str


@dataclass(frozen=True)
class ClockReading:
    due_at: datetime  # in the office's zone; while paused, as if the pause ended now
    warn_at: datetime  # 75 % of the budget used
    stopped_at: datetime | None  # the reply or resolution that stopped it; None while it runs
    paused: bool
    state: State
    elapsed_fraction: float  # budget used / budget, for a progress bar (may exceed 1)


# -- the building blocks ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Meter:
    """How one clock measures: ``used`` is the clock time between two instants, ``reach`` the
    instant at which an amount of clock time has been used (its inverse, earliest instant)."""

    used: Callable[[datetime, datetime], timedelta]
    reach: Callable[[datetime, timedelta], datetime]


def _real_meter(calendar: BusinessCalendar, pauses: Sequence[Span]) -> _Meter:
    merged = _merge(pauses)

    def used(start: datetime, end: datetime) -> timedelta:
        # In UTC: aware instants sharing one zone would subtract as wall-clock times.
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return _ZERO
        paused = sum(
            (min(pe, end) - max(ps, start) for ps, pe in merged if pe > start and ps < end),
            _ZERO,
        )
        return end - start - paused

    def reach(start: datetime, amount: timedelta) -> datetime:
        moment, remaining = start.astimezone(UTC), amount
        for ps, pe in merged:
            if pe <= moment:
                continue
            if ps > moment:
                if ps - moment >= remaining:
                    break
                remaining -= ps - moment
            moment = pe
        return (moment + remaining).astimezone(calendar.zone)

    return _Meter(used, reach)


def _merge(spans: Sequence[Span]) -> list[Span]:
    """UTC spans, sorted, overlaps joined, empty ones dropped."""
    merged: list[Span] = []
    for start, end in sorted((s.astimezone(UTC), e.astimezone(UTC)) for s, e in spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _business_meter(calendar: BusinessCalendar, pauses: Sequence[Span]) -> _Meter:
    def used(start: datetime, end: datetime) -> timedelta:
        return max(calendar.between(start, end, pauses), _ZERO)

    def reach(start: datetime, amount: timedelta) -> datetime:
        return calendar.add(start, amount, pauses)

    return _Meter(used, reach)


def _meter(calendar: BusinessCalendar, unit: Unit, pauses: Sequence[Span]) -> _Meter:
    if unit in ("business_hours", "business_days"):
        return _business_meter(calendar, pauses)
    return _real_meter(calendar, pauses)


def clock_start(calendar: BusinessCalendar, opened_at: datetime) -> datetime:
    """When a case opened at ``opened_at`` starts counting: the office's next opening."""
    start = calendar.next_opening(opened_at)
    if start is None:
        raise NoBusinessTime("the office never opens again")
    return start


def due(
    calendar: BusinessCalendar, start: datetime, target: Target, pauses: Sequence[Span] = ()
) -> datetime:
    """When a case opened at ``start`` and paused during ``pauses`` is due (office zone)."""
    begin = clock_start(calendar, start)
    if target.unit == "business_hours":
        return calendar.add(begin, timedelta(hours=target.amount), pauses)
    if target.unit == "business_days":
        return _business_days_due(calendar, start, begin, target.amount, pauses)
    meter = _real_meter(calendar, pauses)
    if target.unit == "minutes":
        return meter.reach(begin, timedelta(minutes=target.amount))
    # calendar_days: the budget is the real length of N wall-clock days from the start.
    local = begin.astimezone(calendar.zone)
    same_time = datetime.combine(
        local.date() + timedelta(days=target.amount), local.time(), tzinfo=calendar.zone
    )
    budget = same_time.astimezone(UTC) - begin.astimezone(UTC)
    return meter.reach(begin, budget)


def _business_days_due(
    calendar: BusinessCalendar,
    opened_at: datetime,
    begin: datetime,
    days: int,
    pauses: Sequence[Span],
) -> datetime:
    day = begin.astimezone(calendar.zone).date()
    counted = empty = 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.open_spans(day):
            counted, empty = counted + 1, 0
        else:
            empty += 1
            if empty > _MAX_EMPTY_DAYS:
                raise NoBusinessTime("the calendar has no open day for more than a year")
    closing = _published_close(calendar, day)
    published = BusinessCalendar(calendar.zone, calendar.weekly, calendar.holidays)
    # Measured from the opening, not from the start: a closure that delays the start must not
    # cancel the pause credit earned while it lasted.
    paused = published.between(opened_at, closing) - published.between(opened_at, closing, pauses)
    return calendar.add(closing, max(paused, _ZERO), pauses)


def _published_close(calendar: BusinessCalendar, day: date) -> datetime:
    """The end of the last published opening interval of ``day`` (24:00 is written 00:00)."""
    closes = calendar.weekly[day.weekday()][-1][1]
    if closes == time(0):
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=calendar.zone)
    return datetime.combine(day, closes, tzinfo=calendar.zone)


# -- reading a case's history ----------------------------------------------------------------


@dataclass(frozen=True)
class _History:
    """What the transitions say, up to ``now``."""

    pauses: tuple[Span, ...]  # closed and open spans where the clock did not run
    first_stop: datetime | None  # first entry into resolved/closed
    final_stop: datetime | None  # start of the current resolved/closed run, if any
    waiting_since: datetime | None  # start of the open pause, if the case waits now


def _read_history(
    opened_at: datetime, transitions: Sequence[Transition], now: datetime
) -> _History:
    steps = sorted((t for t in transitions if t.at <= now), key=lambda t: t.at)
    for step in steps:
        if step.status not in STATUSES:
            raise ValueError(f"unknown case status {step.status!r}")
        if step.at < opened_at:
            raise ValueError("a transition comes before the case was opened")
    pauses: list[Span] = []
    not_running_since: datetime | None = None  # start of the current waiting/stopped run
    stopped_since: datetime | None = None  # start of the current resolved/closed run
    first_stop: datetime | None = None
    for step in steps:
        if step.status in STOPPED_STATUSES:
            stopped_since = stopped_since or step.at
            first_stop = first_stop or step.at
        else:
            stopped_since = None
        if step.status in RUNNING_STATUSES:
            if not_running_since is not None:
                pauses.append((not_running_since, step.at))
            not_running_since = None
        else:
            not_running_since = not_running_since or step.at
    waiting_since = None
    if not_running_since is not None:
        if stopped_since is None:
            waiting_since = not_running_since
            pauses.append((not_running_since, now))
        elif not_running_since < stopped_since:
            # Waited, then was resolved without resuming: the wait ends at the resolution.
            pauses.append((not_running_since, stopped_since))
    return _History(tuple(pauses), first_stop, stopped_since, waiting_since)


def _clip(pauses: Sequence[Span], end: datetime) -> tuple[Span, ...]:
    return tuple((s, min(e, end)) for s, e in pauses if s < end)


def _reading(
    calendar: BusinessCalendar,
    opened_at: datetime,
    target: Target,
    pauses: Sequence[Span],
    stopped_at: datetime | None,
    waiting: bool,
    now: datetime,
) -> ClockReading:
    if stopped_at is not None:
        pauses = _clip(pauses, stopped_at)
    begin = clock_start(calendar, opened_at)
    due_at = due(calendar, opened_at, target, pauses)
    meter = _meter(calendar, target.unit, pauses)
    budget = meter.used(begin, due_at)
    warn_at = meter.reach(begin, budget * WARNING_FRACTION)
    used = meter.used(begin, stopped_at if stopped_at is not None else now)
    fraction = used / budget if budget > _ZERO else 1.0
    state: State
    if stopped_at is not None:
        state = "met" if stopped_at <= due_at else "missed"
    elif now > due_at:
        state = "breached"
    elif waiting:
        state = "paused"
    elif now >= warn_at:
        state = "warning"
    else:
        state = "running"
    return ClockReading(
        due_at=due_at,
        warn_at=warn_at,
        stopped_at=stopped_at.astimezone(calendar.zone) if stopped_at is not None else None,
        paused=waiting and stopped_at is None,
        state=state,
        elapsed_fraction=fraction,
    )


def read_clocks(
    calendar: BusinessCalendar,
    opened_at: datetime,
    transitions: Sequence[Transition],
    first_response_at: datetime | None,
    now: datetime,
    response: Target | None,
    resolution: Target | None,
) -> tuple[ClockReading | None, ClockReading | None]:
    """The (response, resolution) clocks of a case at ``now``; None where no target applies."""
    instants = [opened_at, now, *(t.at for t in transitions)]
    if first_response_at is not None:
        instants.append(first_response_at)
    for instant in instants:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("instants must carry a time zone")
    if now < opened_at:
        raise ValueError("now comes before the case was opened")
    history = _read_history(opened_at, transitions, now)
    waiting = history.waiting_since is not None

    response_reading = None
    if response is not None:
        replied = first_response_at if first_response_at and first_response_at <= now else None
        stops = [moment for moment in (replied, history.first_stop) if moment is not None]
        response_reading = _reading(
            calendar, opened_at, response, history.pauses, min(stops, default=None), waiting, now
        )
    resolution_reading = None
    if resolution is not None:
        resolution_reading = _reading(
            calendar, opened_at, resolution, history.pauses, history.final_stop, waiting, now
        )
    return response_reading, resolution_reading
