from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from accueil.lib.quiet import parse_window, quiet_until

TORONTO = ZoneInfo("America/Toronto")
REGINA = ZoneInfo("America/Regina")
NIGHT = (time(21), time(8))


@pytest.mark.parametrize(
    "local,expected",
    [
        (datetime(2026, 3, 10, 22, 30), datetime(2026, 3, 11, 8, 0)),
        (datetime(2026, 3, 10, 6, 0), datetime(2026, 3, 10, 8, 0)),
        (datetime(2026, 3, 10, 21, 0), datetime(2026, 3, 11, 8, 0)),
        (datetime(2026, 3, 10, 8, 0), None),
        (datetime(2026, 3, 10, 14, 0), None),
        # Saturday night into the spring DST change: still 08:00 on the wall clock.
        (datetime(2026, 3, 7, 23, 0), datetime(2026, 3, 8, 8, 0)),
    ],
)
def test_quiet_hours_cross_midnight_on_the_local_clock(local, expected):
    result = quiet_until(local.replace(tzinfo=TORONTO), TORONTO, NIGHT)
    if expected is None:
        assert result is None
    else:
        assert result == expected.replace(tzinfo=TORONTO)
        assert result.astimezone(TORONTO).hour == 8


def test_the_same_instant_is_quiet_in_one_zone_and_not_another():
    instant = datetime(2026, 3, 10, 3, 30, tzinfo=ZoneInfo("UTC"))  # 22:30 Toronto, 21:30 Regina
    assert quiet_until(instant, TORONTO, (time(22), time(7))) is not None
    assert quiet_until(instant, REGINA, (time(22), time(7))) is None


def test_a_daytime_window_works_too():
    window = (time(12), time(13))
    assert quiet_until(datetime(2026, 3, 10, 12, 30, tzinfo=TORONTO), TORONTO, window) == datetime(
        2026, 3, 10, 13, tzinfo=TORONTO
    )


@pytest.mark.parametrize("text", ["21h-8h", "21:00", "08:00-08:00", ""])
def test_unreadable_windows_are_refused(text):
    with pytest.raises(ValueError):
        parse_window(text)
