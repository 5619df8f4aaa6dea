"""Reading what real Open311 clients send, however they send it.

Parameters come in the query string or in the body (urlencoded or multipart), ``api_key``
included; the body wins when both name one. Attributes come as ``attribute[code]=value`` or,
for lists, ``attribute[code][]=value`` (repeated). Dates come with or without a time zone: a
date without one is read in the jurisdiction's own time zone.
"""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,60})\](\[\])?$")


class Refusal(Exception):
    """What the client sent cannot be served: ``status`` and one sentence per problem."""

    def __init__(self, status: int, *problems: str, retry_after: int | None = None) -> None:
        super().__init__(*problems)
        self.status = status
        self.problems = [str(p) for p in problems]
        self.retry_after = retry_after


class Params:
    """One request's parameters, from the body first, then the query string."""

    def __init__(self, request) -> None:
        self.sources = [request.POST, request.GET] if request.method == "POST" else [request.GET]

    def get(self, name: str, default: str = "") -> str:
        for source in self.sources:
            if name in source:
                return str(source.get(name, default)).strip()
        return default

    def attributes(self) -> dict[str, list[str]]:
        """Every ``attribute[code]`` (and ``attribute[code][]``) with all its values."""
        found: dict[str, list[str]] = {}
        for source in reversed(self.sources):  # the body's values replace the query's
            for key in source:
                match = ATTRIBUTE.match(key)
                if match:
                    found[match.group(1)] = [str(v) for v in source.getlist(key)]
        return found

    def fingerprint_items(self) -> list[tuple[str, list[str]]]:
        """Everything sent but the key, in a stable order (an idempotent retry compares it)."""
        names = sorted({key for source in self.sources for key in source} - {"api_key"})
        values = []
        for name in names:
            for source in self.sources:
                if name in source:
                    values.append((name, [str(v) for v in source.getlist(name)]))
                    break
        return values


def parse_instant(text: str, zone: ZoneInfo, name: str) -> datetime:
    """An ISO 8601 date-time (``Z``, an offset, or none: then ``zone``) or a plain date."""
    value = text.strip().replace(" ", "T", 1) if "T" not in text else text.strip()
    try:
        if len(value) == 10:
            found = datetime.combine(date.fromisoformat(value), time.min)
        else:
            found = datetime.fromisoformat(value)
    except ValueError:
        raise Refusal(
            400,
            _("%(name)s is not a date and time: give it as 2026-12-01T08:30:00-05:00.")
            % {"name": name},
        ) from None
    if found.tzinfo is None:
        found = found.replace(tzinfo=zone)
    return found


def comma_list(text: str, limit: int = 200) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()][:limit]
