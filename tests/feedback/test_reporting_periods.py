"""Reporting periods: days, Monday weeks, months, fiscal quarters and fiscal years (April)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from accueil.feedback.reporting import Period


@pytest.mark.parametrize(
    "kind,day,start,end,code",
    [
        ("day", date(2026, 11, 30), date(2026, 11, 30), date(2026, 12, 1), "2026-11-30"),
        ("week", date(2026, 12, 3), date(2026, 11, 30), date(2026, 12, 7), "2026-W49"),
        ("week", date(2027, 1, 1), date(2026, 12, 28), date(2027, 1, 4), "2026-W53"),
        ("month", date(2026, 12, 31), date(2026, 12, 1), date(2027, 1, 1), "2026-12"),
        ("quarter", date(2026, 4, 1), date(2026, 4, 1), date(2026, 7, 1), "2026-2027-Q1"),
        ("quarter", date(2026, 12, 31), date(2026, 10, 1), date(2027, 1, 1), "2026-2027-Q3"),
        ("quarter", date(2027, 2, 15), date(2027, 1, 1), date(2027, 4, 1), "2026-2027-Q4"),
        ("fiscal_year", date(2027, 3, 31), date(2026, 4, 1), date(2027, 4, 1), "2026-2027"),
        ("fiscal_year", date(2027, 4, 1), date(2027, 4, 1), date(2028, 4, 1), "2027-2028"),
    ],
)
def test_periods_and_their_codes(kind, day, start, end, code):
    period = Period.containing(kind, day)
    assert (period.start, period.end, period.code) == (start, end, code)


def test_previous_and_next_are_neighbours():
    q3 = Period.containing("quarter", date(2026, 11, 1))
    assert q3.previous().code == "2026-2027-Q2"
    assert q3.next().code == "2026-2027-Q4"
    assert q3.next().next().code == "2027-2028-Q1"


def test_bounds_are_local_midnights_across_a_dst_change():
    zone = ZoneInfo("America/Toronto")
    start, end = Period.containing("month", date(2026, 11, 1)).bounds(zone)
    assert start == datetime(2026, 11, 1, tzinfo=zone)
    assert start.utcoffset() != end.utcoffset()  # EDT on 1 November 00:00, EST on 1 December
    assert end == datetime(2026, 12, 1, tzinfo=zone)


def test_labels_in_both_languages():
    november = Period.containing("month", date(2026, 11, 1))
    assert november.label("fr") == "1er novembre 2026 au 30 novembre 2026"
    assert november.label("en") == "November 1, 2026 to November 30, 2026"
    assert Period.containing("day", date(2026, 11, 2)).label("fr") == "2 novembre 2026"


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        Period.containing("decade", date(2026, 1, 1))
