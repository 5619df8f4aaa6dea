"""Business-time arithmetic in an office's own time zone.

Pure Python, no Django. An office is open during wall-clock intervals on each weekday
("mon-fri 09:00-17:00"), except on holidays (whole local dates) and during closures
(instant ranges). A case clock can also be paused (waiting for the citizen).

Rules, chosen so that the result matches what a person reading a wall clock expects:
- opening intervals are wall-clock times in the office's zone, so "9:00 to 17:00" is 9:00 to
  17:00 on both sides of a DST change;
- time inside an interval is counted as real elapsed time, so an interval that spans a DST
  jump (an office open at 2:00 at night) is an hour shorter or longer that day;
- a wall-clock time that does not exist (spring forward) is moved forward by the gap, and an
  ambiguous one (fall back) means its first occurrence.

``add(start, d)`` is the earliest instant ``u >= start`` with ``between(start, u) == d``, which
makes ``add`` monotone in ``d`` and additive: ``add(add(t, a), b) == add(t, a + b)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Span = tuple[datetime, datetime]
DayIntervals = tuple[tuple[time, time], ...]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar with no open time for this long is treated as closed forever, so that a
# mistaken configuration raises instead of looping.
_MAX_EMPTY_DAYS = 400
_ZERO = timedelta(0)


class NoBusinessTime(ValueError):
    """The calendar never opens again, so a due time cannot be computed."""


def _end_of_interval(day: date, end: time, tz: ZoneInfo) -> datetime:
    # ``end == 00:00`` means midnight at the end of the day (24:00).
    if end == time(0):
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return datetime.combine(day, end, tzinfo=tz)


def _validate_day(intervals: Iterable[tuple[time, time]]) -> DayIntervals:
    cleaned = tuple(sorted(intervals))
    previous_end = time(0)
    for index, (start, end) in enumerate(cleaned):
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("opening times are wall-clock times without a zone")
        if end != time(0) and end <= start:
            raise ValueError(f"interval {start}-{end} ends before it starts")
        if index and (start < previous_end or previous_end == time(0)):
            raise ValueError(f"interval {start}-{end} overlaps the previous one")
        previous_end = end
    return cleaned


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours, holidays and closures of one office."""

    zone: ZoneInfo
    weekly: Mapping[int, DayIntervals]
    holidays: frozenset[date] = frozenset()
    closures: tuple[Span, ...] = ()

    def __post_init__(self) -> None:
        weekly = {day: _validate_day(self.weekly.get(day, ())) for day in range(7)}
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "closures", _normalise_spans(self.closures))

    # -- public API ---------------------------------------------------------------------

    def add(self, start: datetime, duration: timedelta, pauses: Sequence[Span] = ()) -> datetime:
        """The instant, in the office's zone, when ``duration`` of business time has passed."""
        _require_aware(start)
        if duration < _ZERO:
            raise ValueError("duration must not be negative")
        if duration == _ZERO:
            return start.astimezone(self.zone)
        remaining = duration
        for span_start, span_end in self._open_spans_from(start, _normalise_spans(pauses)):
            available = span_end - span_start
            if available >= remaining:
                return (span_start + remaining).astimezone(self.zone)
            remaining -= available
        raise NoBusinessTime("the calendar never opens again")  # pragma: no cover - loop raises

    def between(self, start: datetime, end: datetime, pauses: Sequence[Span] = ()) -> timedelta:
        """Business time from ``start`` to ``end`` (negative when ``end`` comes first)."""
        _require_aware(start)
        _require_aware(end)
        if end < start:
            return -self.between(end, start, pauses)
        total = _ZERO
        blocked = _normalise_spans(pauses)
        for span_start, span_end in self._open_spans_from(start, blocked, until=end):
            if span_start < end:
                total += min(span_end, end) - span_start
        return total

    def open_spans(self, day: date) -> list[Span]:
        """The open spans of one local day, in UTC, holidays and closures cut out."""
        return self._day_spans(day, ())

    def is_open(self, instant: datetime) -> bool:
        _require_aware(instant)
        for span_start, span_end in self._day_spans(self._local_date(instant), ()):
            if span_start <= instant < span_end:
                return True
        return False

    def next_opening(self, instant: datetime) -> datetime | None:
        """When the office is next open: ``instant`` itself if open now; None if it never
        opens within a year (closed for good)."""
        _require_aware(instant)
        try:
            for span_start, _span_end in self._open_spans_from(instant, ()):
                return span_start.astimezone(self.zone)
        except NoBusinessTime:
            return None
        return None  # pragma: no cover - the loop yields or raises

    def closes_at(self, instant: datetime) -> datetime | None:
        """When the open span holding ``instant`` ends; None if the office is closed then."""
        _require_aware(instant)
        for span_start, span_end in self._day_spans(self._local_date(instant), ()):
            if span_start <= instant < span_end:
                return span_end.astimezone(self.zone)
        return None

    # -- internals ------------------------------------------------------------------------

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def _day_spans(self, day: date, pauses: Sequence[Span]) -> list[Span]:
        """Open spans of one local day, in UTC, with closures and pauses cut out."""
        if day in self.holidays:
            return []
        spans = []
        for opens, closes in self.weekly[day.weekday()]:
            span_start = datetime.combine(day, opens, tzinfo=self.zone).astimezone(UTC)
            span_end = _end_of_interval(day, closes, self.zone).astimezone(UTC)
            if span_end > span_start:
                spans.append((span_start, span_end))
        for blocked in (self.closures, pauses):
            spans = _subtract(spans, blocked)
        return spans

    def _open_spans_from(
        self, start: datetime, pauses: Sequence[Span], until: datetime | None = None
    ) -> Iterator[Span]:
        """Open spans that end after ``start`` (clipped to it), in time order."""
        start_utc = start.astimezone(UTC)
        day = self._local_date(start)
        last_day = self._local_date(until) if until is not None else None
        empty_days = 0
        while last_day is None or day <= last_day:
            found = False
            for span_start, span_end in self._day_spans(day, pauses):
                if span_end <= start_utc:
                    continue
                found = True
                yield max(span_start, start_utc), span_end
            empty_days = 0 if found else empty_days + 1
            if until is None and empty_days > _MAX_EMPTY_DAYS:
                raise NoBusinessTime("the calendar has no open time for more than a year")
            day += timedelta(days=1)


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must carry a time zone")


def _normalise_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    """UTC, sorted, without empty spans."""
    result = []
    for start, end in spans:
        _require_aware(start)
        _require_aware(end)
        if end > start:
            result.append((start.astimezone(UTC), end.astimezone(UTC)))
    return tuple(sorted(result))


def _subtract(spans: list[Span], blocked: Sequence[Span]) -> list[Span]:
    result = []
    for span_start, span_end in spans:
        pieces = [(span_start, span_end)]
        for block_start, block_end in blocked:
            if block_start >= span_end or block_end <= span_start:
                continue
            next_pieces = []
            for piece_start, piece_end in pieces:
                if block_start > piece_start:
                    next_pieces.append((piece_start, min(piece_end, block_start)))
                if block_end < piece_end:
                    next_pieces.append((max(piece_start, block_end), piece_end))
            pieces = [(s, e) for s, e in next_pieces if e > s]
        result.extend(pieces)
    return result


# -- compact text form, used by the golden file, the demo and the settings page ---------------

_DAY_GROUP = re.compile(r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?$")
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def _parse_time(hours: str, minutes: str) -> time:
    hour, minute = int(hours), int(minutes)
    if hour == 24 and minute == 0:
        return time(0)
    return time(hour, minute)


def parse_weekly(text: str) -> dict[int, DayIntervals]:
    """Parse ``"mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00"``."""
    weekly: dict[int, list[tuple[time, time]]] = {day: [] for day in range(7)}
    for clause in filter(None, (part.strip() for part in text.split(";"))):
        days_text, _, intervals_text = clause.partition(" ")
        match = _DAY_GROUP.match(days_text.lower())
        if not match or match["first"] not in WEEKDAYS:
            raise ValueError(f"unknown day group {days_text!r}")
        first = WEEKDAYS.index(match["first"])
        last = WEEKDAYS.index(match["last"]) if match["last"] in WEEKDAYS else first
        if match["last"] and match["last"] not in WEEKDAYS:
            raise ValueError(f"unknown day {match['last']!r}")
        for interval_text in intervals_text.replace(" ", "").split(","):
            found = _INTERVAL.match(interval_text)
            if not found:
                raise ValueError(f"cannot read interval {interval_text!r}")
            interval = (_parse_time(*found.groups()[:2]), _parse_time(*found.groups()[2:]))
            for day in range(first, last + 1):
                weekly[day].append(interval)
    return {day: _validate_day(intervals) for day, intervals in weekly.items()}


def format_weekly(weekly: Mapping[int, DayIntervals]) -> str:
    """The inverse of :func:`parse_weekly`, one clause per weekday that opens."""

    def hhmm(moment: time, is_end: bool) -> str:
        return "24:00" if is_end and moment == time(0) else moment.strftime("%H:%M")

    clauses = []
    for day in range(7):
        intervals = weekly.get(day, ())
        if intervals:
            text = ",".join(f"{hhmm(s, False)}-{hhmm(e, True)}" for s, e in intervals)
            clauses.append(f"{WEEKDAYS[day]} {text}")
    return "; ".join(clauses)
