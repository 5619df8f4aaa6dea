from datetime import datetime

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from accueil.lib import dates

register = template.Library()


@register.filter
def tr(obj, field: str) -> str:
    """``{{ service|tr:"description" }}``: the field in the active language, or the other one."""
    return obj.tr(field) if obj is not None else ""


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE)[:2]


def _local(value, zone=None):
    """An aware instant in ``zone`` (or the site's zone); plain dates and times as they are."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value, zone)
    return value


@register.filter
def clock(value, zone=None) -> str:
    """« 8 h 30 », "8:30 a.m." — ``{{ slot.starts_at|clock:office.zone }}``."""
    return "" if value is None else dates.time_of_day(_local(value, zone), _language())


@register.filter
def longday(value, zone=None) -> str:
    """« mardi 1er décembre 2026 », "Tuesday, December 1, 2026"."""
    return "" if value is None else dates.day(_local(value, zone), _language())


@register.filter
def longdaytime(value, zone=None) -> str:
    """« mardi 1er décembre 2026 à 8 h 30 », "Tuesday, December 1, 2026, 8:30 a.m."."""
    return "" if value is None else dates.day_and_time(_local(value, zone), _language())
