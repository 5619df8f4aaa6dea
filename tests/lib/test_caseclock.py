"""Case clocks: a reviewed golden file of whole cases, plus properties that must always hold."""

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accueil.lib.businesstime import BusinessCalendar, parse_weekly
from accueil.lib.caseclock import ClockReading, Target, Transition, due, read_clocks

GOLDEN = Path(__file__).parents[1] / "golden" / "caseclocks.csv"


def parse_spans(text: str) -> tuple[tuple[datetime, datetime], ...]:
    spans = []
    for item in text.split():
        start, end = item.split("/")
        spans.append((datetime.fromisoformat(start), datetime.fromisoformat(end)))
    return tuple(spans)


def parse_transitions(text: str) -> list[Transition]:
    steps = []
    for item in text.split():
        status, at = item.split("@")
        steps.append(Transition(at=datetime.fromisoformat(at), status=status))
    return steps


def parse_target(text: str) -> Target | None:
    if not text:
        return None
    amount, unit = text.split()
    return Target(int(amount), unit)  # type: ignore[arg-type]


def instant(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def load_golden() -> list[dict[str, str]]:
    with GOLDEN.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def calendar_for(row: dict[str, str]) -> BusinessCalendar:
    return BusinessCalendar(
        zone=ZoneInfo(row["zone"]),
        weekly=parse_weekly(row["hours"]),
        holidays=frozenset(date.fromisoformat(d) for d in row["holidays"].split()),
        closures=parse_spans(row["closures"]),
    )


def test_golden_file_covers_the_cases_the_standard_needs():
    rows = load_golden()
    assert len(rows) >= 32
    assert len({row["id"] for row in rows}) == len(rows)
    assert all(row["why"] for row in rows)
    zones = {row["zone"] for row in rows}
    assert {
        "America/Toronto",
        "America/Montreal",
        "America/Regina",
        "America/St_Johns",
        "America/Whitehorse",
    } <= zones
    units = {
        row[col].split()[1]
        for row in rows
        for col in ("response_target", "resolution_target")
        if row[col]
    }
    assert units == {"minutes", "business_hours", "business_days", "calendar_days"}
    states = {
        row[col] for row in rows for col in ("response_state", "resolution_state") if row[col]
    }
    assert states == {"running", "warning", "breached", "paused", "met", "missed"}


def check(reading: ClockReading | None, row: dict[str, str], clock: str) -> None:
    if not row[f"{clock}_target"]:
        assert reading is None
        return
    assert reading is not None
    expected_due = datetime.fromisoformat(row[f"{clock}_due"])
    # Compared in UTC: Python never finds a time in the repeated fall-back hour equal to the
    # same instant written in another zone (PEP 495).
    assert reading.due_at.astimezone(UTC) == expected_due.astimezone(UTC)
    # The wall-clock reading matters to people, not only the instant.
    assert reading.due_at.utcoffset() == expected_due.utcoffset()
    if row[f"{clock}_warn"]:
        expected_warn = datetime.fromisoformat(row[f"{clock}_warn"])
        assert reading.warn_at.astimezone(UTC) == expected_warn.astimezone(UTC)
    assert reading.state == row[f"{clock}_state"]
    if reading.state == "paused":
        assert reading.paused
    if reading.paused:
        assert reading.state in ("paused", "breached")
    assert (reading.stopped_at is not None) == (reading.state in ("met", "missed"))


@pytest.mark.parametrize("row", load_golden(), ids=lambda row: row["id"])
def test_golden_case(row):
    response, resolution = read_clocks(
        calendar_for(row),
        datetime.fromisoformat(row["opened_at"]),
        parse_transitions(row["transitions"]),
        instant(row["first_response_at"]),
        datetime.fromisoformat(row["now"]),
        parse_target(row["response_target"]),
        parse_target(row["resolution_target"]),
    )
    check(response, row, "response")
    check(resolution, row, "resolution")


# -- behaviour worth naming ------------------------------------------------------------------

TORONTO = ZoneInfo("America/Toronto")
WEEKDAYS = BusinessCalendar(TORONTO, parse_weekly("mon-fri 09:00-17:00"))
EIGHT_HOURS = Target(8, "business_hours")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TORONTO)


def test_a_paused_case_is_due_later_the_longer_it_waits():
    steps = [Transition(at(16, 10), "waiting")]
    earlier = read_clocks(WEEKDAYS, at(16, 9), steps, None, at(16, 12), None, EIGHT_HOURS)[1]
    later = read_clocks(WEEKDAYS, at(16, 9), steps, None, at(16, 15), None, EIGHT_HOURS)[1]
    assert earlier is not None and later is not None
    assert earlier.paused and later.paused
    assert later.due_at - earlier.due_at == timedelta(hours=3)
    # The business time used does not grow while the case waits.
    assert earlier.elapsed_fraction == later.elapsed_fraction == 1 / 8


def test_elapsed_fraction_follows_business_time_and_exceeds_one_when_late():
    reading = read_clocks(WEEKDAYS, at(16, 9), [], None, at(16, 11), None, EIGHT_HOURS)[1]
    assert reading is not None and reading.elapsed_fraction == 2 / 8
    late = read_clocks(WEEKDAYS, at(16, 9), [], None, at(17, 11), None, EIGHT_HOURS)[1]
    assert late is not None and late.state == "breached" and late.elapsed_fraction == 10 / 8


def test_a_reply_after_now_is_not_yet_a_reply():
    reading = read_clocks(WEEKDAYS, at(16, 9), [], at(16, 12), at(16, 10), EIGHT_HOURS, None)[0]
    assert reading is not None and reading.stopped_at is None and reading.state == "running"


@pytest.mark.parametrize(
    ("transitions", "now", "message"),
    [
        ([Transition(at(16, 10), "snoozed")], at(16, 11), "unknown case status"),
        ([Transition(at(13, 10), "waiting")], at(16, 11), "before the case was opened"),
        ([], at(13, 11), "now comes before"),
    ],
)
def test_inconsistent_histories_are_refused(transitions, now, message):
    with pytest.raises(ValueError, match=message):
        read_clocks(WEEKDAYS, at(16, 9), transitions, None, now, EIGHT_HOURS, EIGHT_HOURS)


def test_instants_without_a_zone_are_refused():
    naive = datetime(2026, 3, 16, 12)
    with pytest.raises(ValueError, match="zone"):
        read_clocks(
            WEEKDAYS, at(16, 9), [Transition(naive, "waiting")], None, at(16, 13), None, EIGHT_HOURS
        )
    with pytest.raises(ValueError, match="zone"):
        read_clocks(WEEKDAYS, at(16, 9), [], naive, at(16, 13), EIGHT_HOURS, None)


@pytest.mark.parametrize(("amount", "unit"), [(0, "business_hours"), (3, "weeks")])
def test_meaningless_targets_are_refused(amount, unit):
    with pytest.raises(ValueError):
        Target(amount, unit)


# -- properties ---------------------------------------------------------------------------

ZONES = [
    "America/Toronto",
    "America/Montreal",
    "America/Regina",
    "America/St_Johns",
    "America/Whitehorse",
]
HOURS = [
    "mon-fri 09:00-17:00",
    "mon-fri 08:30-12:00,13:00-16:30; sat 09:00-12:00",
    "mon-sun 00:00-24:00",
]
UNITS = ["minutes", "business_hours", "business_days", "calendar_days"]
BASE = datetime(2026, 1, 1, tzinfo=UTC)

offsets = st.integers(0, 60 * 24 * 330).map(lambda m: BASE + timedelta(minutes=m))
lengths = st.integers(1, 60 * 24 * 6).map(lambda m: timedelta(minutes=m))
targets = st.builds(Target, st.integers(1, 40), st.sampled_from(UNITS))


@st.composite
def spans(draw: st.DrawFn, max_size: int = 3) -> list[tuple[datetime, datetime]]:
    result = []
    for start, length in draw(st.lists(st.tuples(offsets, lengths), max_size=max_size)):
        result.append((start, start + length))
    return result


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    return BusinessCalendar(
        ZoneInfo(draw(st.sampled_from(ZONES))),
        parse_weekly(draw(st.sampled_from(HOURS))),
        holidays=frozenset(
            date(2026, 1, 1) + timedelta(days=n)
            for n in draw(st.lists(st.integers(0, 330), max_size=8))
        ),
        closures=tuple(draw(spans())),
    )


@settings(max_examples=150, deadline=None)
@given(calendars(), offsets, targets, spans(), spans(max_size=1))
def test_a_pause_never_brings_the_due_time_earlier(calendar, start, target, pauses, extra):
    assert due(calendar, start, target, pauses + extra) >= due(calendar, start, target, pauses)


@settings(max_examples=150, deadline=None)
@given(calendars(), offsets, targets, spans(), spans(max_size=1))
def test_adding_a_closure_never_brings_the_due_time_earlier(
    calendar, start, target, pauses, closure
):
    closed = BusinessCalendar(
        calendar.zone, calendar.weekly, calendar.holidays, calendar.closures + tuple(closure)
    )
    assert due(closed, start, target, pauses) >= due(calendar, start, target, pauses)


@settings(max_examples=150, deadline=None)
@given(
    calendars(),
    offsets,
    targets,
    targets,
    st.lists(
        st.tuples(
            lengths,
            st.sampled_from(["acknowledged", "in_progress", "waiting", "resolved", "closed"]),
        ),
        max_size=6,
    ),
    lengths,
)
def test_a_reading_is_consistent(calendar, opened_at, response, resolution, steps, later):
    transitions, moment = [], opened_at
    for gap, status in steps:
        moment += gap
        transitions.append(Transition(moment, status))
    now = opened_at + later * 2
    for reading in read_clocks(calendar, opened_at, transitions, None, now, response, resolution):
        assert reading is not None
        assert reading.warn_at <= reading.due_at
        assert reading.elapsed_fraction >= 0
        assert reading.due_at.tzinfo == calendar.zone
        if reading.stopped_at is not None:
            assert reading.state == ("met" if reading.stopped_at <= reading.due_at else "missed")
        elif reading.state == "breached":
            assert now > reading.due_at


# -- an independent oracle: count five-minute slots one by one ------------------------------
#
# Every boundary (opening hours, zone offsets, transitions) falls on a five-minute grid, so a
# clock's due time is the end of the slot in which its count of running slots reaches the
# target. This walks the history the slow, obvious way and checks the resolution clock against it.

SLOT = timedelta(minutes=5)
# Wednesdays a few days before spring forward and before fall back.
GRID_STARTS = [datetime(2026, 3, 4, 12, tzinfo=UTC), datetime(2026, 10, 28, 12, tzinfo=UTC)]
grid = st.integers(0, 12 * 24 * 6)


def oracle_resolution_due(calendar, opened_at, transitions, now, target):
    steps = sorted(transitions, key=lambda t: t.at)
    stop = None
    for step in steps:
        if step.at > now:
            break
        # The stop is the start of the last run of resolved/closed.
        stop = (stop or step.at) if step.status in ("resolved", "closed") else None
    cutoff = stop or now

    def running(moment):
        if moment >= cutoff:
            return True  # after the stop or now, the due time is computed as if running
        status = "new"
        for step in steps:
            if step.at <= moment:
                status = step.status
        return status in ("new", "acknowledged", "in_progress")

    if target.unit == "business_hours":
        needed, counts = target.amount * 12, calendar.is_open
        moment = opened_at
    else:
        needed, counts = target.amount // 5, lambda moment: True
        # In UTC: adding to an instant in a zone with DST would add wall-clock time.
        moment = calendar.next_opening(opened_at).astimezone(UTC)
    counted = 0
    while True:
        if counts(moment) and running(moment):
            counted += 1
            if counted == needed:
                return moment + SLOT
        moment += SLOT


@pytest.mark.parametrize("base", GRID_STARTS, ids=["spring", "fall"])
@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.sampled_from(HOURS),
    grid,
    st.lists(
        st.tuples(grid, st.sampled_from(["in_progress", "waiting", "resolved", "closed"])),
        max_size=5,
    ),
    grid,
    st.one_of(
        st.builds(Target, st.integers(1, 12), st.just("business_hours")),
        st.builds(Target, st.integers(1, 120).map(lambda n: n * 5), st.just("minutes")),
    ),
)
def test_resolution_due_agrees_with_counting_slot_by_slot(
    base, zone, hours, opened, steps, now_offset, target
):
    calendar = BusinessCalendar(ZoneInfo(zone), parse_weekly(hours))
    opened_at = base + opened * SLOT
    transitions = [Transition(base + n * SLOT, status) for n, status in steps if n >= opened]
    now = base + max(now_offset, opened) * SLOT
    reading = read_clocks(calendar, opened_at, transitions, None, now, None, target)[1]
    assert reading is not None
    expected = oracle_resolution_due(calendar, opened_at, transitions, now, target)
    assert reading.due_at.astimezone(UTC) == expected
