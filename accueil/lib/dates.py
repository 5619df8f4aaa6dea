"""Dates and times written the way each language writes them, from CLDR (Babel).

« mardi 1er décembre 2026 à 8 h 30 » and "Tuesday, December 1, 2026, 8:30 a.m.": French
writes the first of the month as an ordinal and the hour with « h » (13 h, 8 h 30); Canadian
English writes a.m. and p.m. Everything else comes from the CLDR data Babel ships.
"""

from datetime import date, datetime, time

from babel.dates import format_date, format_time

NBSP = "\u00a0"


def day(value: date, language: str, *, year: bool = True) -> str:
    """« mardi 1er décembre 2026 », "Tuesday, December 1, 2026" (without the year if asked)."""
    if language.startswith("en"):
        return format_date(value, "EEEE, MMMM d" + (", y" if year else ""), locale="en_CA")
    number = "1er" if value.day == 1 else str(value.day)
    text = format_date(value, "EEEE '{day}' MMMM" + (" y" if year else ""), locale="fr_CA")
    return text.replace("{day}", number)


def time_of_day(value: time | datetime, language: str) -> str:
    """« 8 h 30 », « 13 h », "8:30 a.m." """
    if language.startswith("en"):
        return format_time(value, "h:mm a", locale="en_CA")
    if value.minute == 0:
        return f"{value.hour}{NBSP}h"
    return f"{value.hour}{NBSP}h{NBSP}{value.minute:02d}"


def day_and_time(value: datetime, language: str, *, year: bool = True) -> str:
    """« mardi 1er décembre 2026 à 8 h 30 », "Tuesday, December 1, 2026, 8:30 a.m." """
    if language.startswith("en"):
        return f"{day(value, language, year=year)}, {time_of_day(value, language)}"
    return f"{day(value, language, year=year)} à {time_of_day(value, language)}"
