"""Business-time arithmetic: a reviewed golden file plus properties that must always hold."""

import csv
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accueil.lib.businesstime import (
    BusinessCalendar,
    NoBusinessTime,
    format_weekly,
    parse_weekly,
)

GOLDEN = Path(__file__).parents[1] / "golden" / "businesstime.csv"


def parse_duration(text: str) -> timedelta:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = text.lstrip("-").split(":")
    return sign * timedelta(hours=int(hours), minutes=int(minutes))


def parse_spans(text: str) -> tuple[tuple[datetime, datetime], ...]:
    spans = []
    for item in text.split():
        start, end = item.split("/")
        spans.append((datetime.fromisoformat(start), datetime.fromisoformat(end)))
    return tuple(spans)


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


def test_golden_file_has_at_least_forty_distinct_cases():
    rows = load_golden()
    assert len(rows) >= 40
    assert len({row["id"] for row in rows}) == len(rows)
    zones = {row["zone"] for row in rows}
    assert {"America/Toronto", "America/Regina", "America/St_Johns"} <= zones


@pytest.mark.parametrize("row", load_golden(), ids=lambda row: row["id"])
def test_golden_case(row):
    calendar = calendar_for(row)
    start = datetime.fromisoformat(row["start"])
    pauses = parse_spans(row["pauses"])
    if row["op"] == "add":
        result = calendar.add(start, parse_duration(row["arg"]), pauses)
        expected = datetime.fromisoformat(row["expected"])
        assert result == expected
        # The wall-clock reading matters to people, not only the instant.
        assert result.utcoffset() == expected.utcoffset()
    else:
        end = datetime.fromisoformat(row["arg"])
        assert calendar.between(start, end, pauses) == parse_duration(row["expected"])


def test_naive_instants_are_refused():
    calendar = BusinessCalendar(ZoneInfo("America/Toronto"), parse_weekly("mon-fri 09:00-17:00"))
    with pytest.raises(ValueError, match="zone"):
        calendar.add(datetime(2026, 3, 6, 15), timedelta(hours=1))


def test_negative_duration_is_refused():
    calendar = BusinessCalendar(ZoneInfo("America/Toronto"), parse_weekly("mon-fri 09:00-17:00"))
    with pytest.raises(ValueError, match="negative"):
        calendar.add(datetime(2026, 3, 6, 15, tzinfo=UTC), timedelta(hours=-1))


def test_a_calendar_that_never_opens_raises_instead_of_looping():
    calendar = BusinessCalendar(ZoneInfo("America/Toronto"), parse_weekly(""))
    with pytest.raises(NoBusinessTime):
        calendar.add(datetime(2026, 3, 6, 15, tzinfo=UTC), timedelta(minutes=1))


@pytest.mark.parametrize(
    "text",
    ["mon-fri 17:00-09:00", "mon 09:00-12:00,11:00-13:00", "xyz 09:00-10:00", "mon 9h-10h"],
)
def test_unreadable_or_inconsistent_hours_are_refused(text):
    with pytest.raises(ValueError):
        parse_weekly(text)


def test_weekly_text_round_trips():
    text = "mon 08:30-12:00,13:00-16:30; sat 10:00-24:00"
    assert format_weekly(parse_weekly(text)) == text


def test_is_open_follows_the_wall_clock():
    toronto = ZoneInfo("America/Toronto")
    calendar = BusinessCalendar(toronto, parse_weekly("mon-fri 09:00-17:00"))
    assert calendar.is_open(datetime(2026, 3, 9, 9, 0, tzinfo=toronto))
    assert not calendar.is_open(datetime(2026, 3, 9, 17, 0, tzinfo=toronto))
    assert not calendar.is_open(datetime(2026, 3, 8, 12, 0, tzinfo=toronto))


# -- properties ---------------------------------------------------------------------------

ZONES = ["America/Toronto", "America/Regina", "America/St_Johns", "America/Whitehorse"]
HOURS = [
    "mon-fri 09:00-17:00",
    "mon-fri 08:30-12:00,13:00-16:30; sat 09:00-12:00",
    "mon-sun 00:00-24:00",
    "mon-sun 01:00-04:00",
    "tue-thu 10:00-19:00",
]

calendars = st.builds(
    lambda zone, hours, holiday_offsets: BusinessCalendar(
        ZoneInfo(zone),
        parse_weekly(hours),
        holidays=frozenset(date(2026, 3, 1) + timedelta(days=n) for n in holiday_offsets),
    ),
    st.sampled_from(ZONES),
    st.sampled_from(HOURS),
    st.lists(st.integers(0, 300), max_size=10),
)
instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
durations = st.integers(0, 60 * 60 * 24 * 20).map(lambda s: timedelta(seconds=s))


@settings(max_examples=150, deadline=None)
@given(calendars, instants, durations, durations)
def test_adding_is_monotone(calendar, start, first, second):
    shorter, longer = sorted([first, second])
    assert calendar.add(start, shorter) <= calendar.add(start, longer)


@settings(max_examples=150, deadline=None)
@given(calendars, instants, durations, durations)
def test_adding_a_then_b_equals_adding_a_plus_b(calendar, start, first, second):
    assert calendar.add(calendar.add(start, first), second) == calendar.add(start, first + second)


@settings(max_examples=150, deadline=None)
@given(calendars, instants, durations)
def test_between_measures_what_add_added(calendar, start, duration):
    assert calendar.between(start, calendar.add(start, duration)) == duration


@settings(max_examples=100, deadline=None)
@given(calendars, instants, instants)
def test_between_is_antisymmetric_and_never_exceeds_wall_time(calendar, first, second):
    measured = calendar.between(first, second)
    assert measured == -calendar.between(second, first)
    assert abs(measured) <= abs(second - first)


def test_next_opening_and_closing_time():
    calendar = BusinessCalendar(
        ZoneInfo("America/Toronto"),
        {d: ((time(9), time(12)), (time(13), time(17))) for d in range(5)},
        holidays=frozenset({date(2026, 12, 25)}),
    )
    zone = ZoneInfo("America/Toronto")
    open_now = datetime(2026, 12, 1, 10, tzinfo=zone)
    assert calendar.next_opening(open_now) == open_now
    assert calendar.closes_at(open_now) == datetime(2026, 12, 1, 12, tzinfo=zone)
    lunch = datetime(2026, 12, 1, 12, 30, tzinfo=zone)
    assert calendar.closes_at(lunch) is None
    assert calendar.next_opening(lunch) == datetime(2026, 12, 1, 13, tzinfo=zone)
    christmas_eve_night = datetime(2026, 12, 24, 18, tzinfo=zone)  # Friday the 25th is a holiday
    assert calendar.next_opening(christmas_eve_night) == datetime(2026, 12, 28, 9, tzinfo=zone)
    never = BusinessCalendar(zone, {})
    assert never.next_opening(open_now) is None
