"""KPI figures written the way each language writes them (CLDR, via Babel).

« 12,5 % » and « 4,5 minutes » in French, "12.5%" and "4.5 minutes" in English; a change between
two periods in words (« hausse de 2,1 minutes », "down by 3 points"), so the page never relies on
colour or an arrow alone. A figure that is None (nothing to divide by) is written as a dash and
read out as "no data". Durations arrive in seconds and are written in the largest unit that
keeps them readable (minutes under two hours, hours under two days, then days).
"""

from __future__ import annotations

from datetime import date, time

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.units import format_unit
from django.conf import settings
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from accueil.lib import dates

NBSP = "\u00a0"
DASH = "–"


def language() -> str:
    return (get_language() or settings.LANGUAGE_CODE)[:2]


def locale() -> str:
    return "en_CA" if language() == "en" else "fr_CA"


def number(value: float | int | None, digits: int = 0) -> str:
    """« 1 234 », "1,234"; « 12,5 » with ``digits=1``; a dash for None."""
    if value is None:
        return DASH
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(round(value, digits), format=pattern, locale=locale())


def percent(share: float | None) -> str:
    """A share from 0 to 1 as « 66,7 % » (non-breaking space) or "66.7%"."""
    if share is None:
        return DASH
    text = number(share * 100, 1)
    return f"{text}{NBSP}%" if locale() == "fr_CA" else f"{text}%"


def _unit(seconds: float) -> tuple[float, str]:
    if abs(seconds) < 2 * 3600:
        return seconds / 60, "duration-minute"
    if abs(seconds) < 2 * 86400:
        return seconds / 3600, "duration-hour"
    return seconds / 86400, "duration-day"


def duration(seconds: float | None, *, short: bool = False) -> str:
    """« 4,5 minutes », "3.2 hours"; « 4,5 min » when ``short`` (chart labels)."""
    if seconds is None:
        return DASH
    amount, unit = _unit(seconds)
    digits = 0 if abs(amount) >= 10 else 1
    return format_unit(
        round(amount, digits),
        unit,
        length="short" if short else "long",
        format="#,##0" + (".#" if digits else ""),
        locale=locale(),
    )


def minutes(seconds: float | None) -> float | None:
    """Seconds as minutes with one decimal: the unit of the wait charts and the CSV files."""
    return None if seconds is None else round(seconds / 60, 1)


def _points(amount: float) -> str:
    """« 1,5 point », « 3 points », "1.5 points": CLDR's plural rule of the number itself."""
    text = number(amount, 1)
    form = Locale.parse(locale()).plural_form(amount)
    count = 1 if form == "one" else 2
    return ngettext("%(number)s point", "%(number)s points", count) % {"number": text}


def change(current: float | int | None, previous: float | int | None, kind: str) -> str:
    """The change from the previous period in words. ``kind``: count, duration or share."""
    if current is None or previous is None:
        return _("No comparison")
    delta = current - previous
    if kind == "share":
        amount = round(abs(delta) * 100, 1)
        text = _points(amount)
    elif kind == "duration":
        amount = abs(delta)
        text = duration(amount)
        if text == duration(0):
            amount = 0
    else:
        amount = abs(delta)
        text = number(amount)
    if not amount:
        return _("No change")
    if delta > 0:
        return _("Up by %(amount)s") % {"amount": text}
    return _("Down by %(amount)s") % {"amount": text}


def day_short(value: date) -> str:
    """« 3 nov. », "Nov 3" — a chart's axis label."""
    pattern = "MMM d" if language() == "en" else "d MMM"
    return format_date(value, pattern, locale=locale())


def day_in_table(value: date) -> str:
    """« lun. 2 novembre », « mar. 1er décembre », "Mon, November 2": a table's row header
    (the page and the caption give the year)."""
    if language() == "en":
        return format_date(value, "EEE, MMMM d", locale=locale())
    number = "1er" if value.day == 1 else str(value.day)  # French writes the first as an ordinal
    return format_date(value, "EEE '{day}' MMMM", locale=locale()).replace("{day}", number)


def bucket_label(value: date, by: str, *, short: bool = False) -> str:
    """A day, a week (by its Monday), a month or a quarter (by its first day) in words."""
    if by == "day":
        return day_short(value) if short else day_in_table(value)
    if by == "week":
        first = day_short(value)
        return first if short else _("Week of %(day)s") % {"day": day_in_table(value)}
    if by == "month":
        return format_date(value, "MMM y" if short else "MMMM y", locale=locale())
    quarter = (value.month - 1) // 3 + 1
    return _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": value.year}


def hour_label(hour: int) -> str:
    """« 8 h », "8:00 a.m." — the local hour of day a row counts from."""
    return dates.time_of_day(time(hour), language())


def period_label(start: date, end: date) -> str:
    """« du 1er au 30 novembre 2026 »-style, written as two full dates for clarity."""
    return _("from %(start)s to %(end)s") % {
        "start": dates.day(start, language()),
        "end": dates.day(end, language()),
    }
