"""Dates as each language writes them."""

from datetime import date, datetime, time

from accueil.lib.dates import day, day_and_time, time_of_day

NBSP = "\u00a0"


def test_french_writes_the_first_as_an_ordinal_and_hours_with_h():
    moment = datetime(2026, 12, 1, 8, 30)
    assert day_and_time(moment, "fr") == f"mardi 1er décembre 2026 à 8{NBSP}h{NBSP}30"
    assert day(date(2026, 12, 2), "fr") == "mercredi 2 décembre 2026"
    assert time_of_day(time(13), "fr") == f"13{NBSP}h"
    assert time_of_day(time(9, 5), "fr") == f"9{NBSP}h{NBSP}05"


def test_english_writes_the_month_first_and_a_m():
    moment = datetime(2026, 12, 1, 8, 30)
    assert day_and_time(moment, "en") == "Tuesday, December 1, 2026, 8:30 a.m."
    assert time_of_day(time(13), "en") == "1:00 p.m."
    assert day(date(2026, 12, 1), "en", year=False) == "Tuesday, December 1"
