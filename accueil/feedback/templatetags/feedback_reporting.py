"""Numbers on the feedback page written the way each language writes them (CLDR, via Babel):
« 1 234 » and « 66,7 % » in French, "1,234" and "66.7%" in English."""

from babel.numbers import format_decimal
from django import template
from django.conf import settings
from django.utils.translation import get_language

register = template.Library()
NBSP = "\u00a0"


def _locale() -> str:
    return "en_CA" if (get_language() or settings.LANGUAGE_CODE).startswith("en") else "fr_CA"


@register.filter
def number(value) -> str:
    """« 1 234 », "1,234"; nothing for None."""
    return "" if value is None else format_decimal(value, locale=_locale())


@register.filter
def percent(value) -> str:
    """A share (0 to 1) as « 66,7 % » or "66.7%"; a dash when there is no share (nobody asked)."""
    if value is None:
        return "–"
    text = format_decimal(round(value * 100, 1), format="#,##0.#", locale=_locale())
    return f"{text}{NBSP}%" if _locale() == "fr_CA" else f"{text}%"


@register.filter
def count_of(result, key) -> int:
    """``{{ result|count_of:"ease" }}``: how many gave that answer."""
    return result.counts[key]


@register.filter
def results_of(report, row):
    """``{% for result in report|results_of:row %}``: one row's question results in order."""
    return list(report.results(row))
