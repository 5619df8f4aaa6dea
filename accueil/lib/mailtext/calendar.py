"""A calendar invitation summarised as three labelled lines per event.

A meeting request (``text/calendar``, as an alternative body or an ``.ics`` attachment) becomes
``SUMMARY: …``, ``DTSTART: …`` and ``LOCATION: …`` lines, one block per event, with the
iCalendar property names as labels: the text is data for staff (the page around it is
translated), and the names are the same in both languages. Times are written ISO 8601 with the
event's own time-zone name when it has one. An invitation that icalendar cannot read gives "".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .headers import one_line

MAX_EVENTS = 10


def _when(value: Any) -> str:
    """``2026-12-08 14:00 (Eastern Standard Time)``: the wall time and the zone it was given in."""
    moment = getattr(value, "dt", value)
    params = getattr(value, "params", {}) or {}
    if isinstance(moment, datetime):
        zone = str(params.get("TZID", "")) or str(getattr(moment.tzinfo, "key", "") or "")
        if not zone and moment.tzinfo is not None:
            offset = moment.utcoffset()
            zone = "UTC" if offset is not None and not offset else moment.strftime("UTC%z")
        text = moment.strftime("%Y-%m-%d %H:%M")
        return f"{text} ({one_line(zone)})" if zone else text
    if isinstance(moment, date):
        return moment.isoformat()
    return one_line(str(moment)) if moment is not None else ""


def summarise(text: str) -> str:
    """The events of an iCalendar text, or "" when it holds none or cannot be read."""
    # Imported here: icalendar takes about a second to import, and few messages carry an
    # invitation, while ``accueil mail-in`` starts a process for every message.
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(text)
        events = list(calendar.walk("VEVENT"))[:MAX_EVENTS]
    except Exception:  # noqa: BLE001 - icalendar raises many kinds on bad input; all mean "none"
        return ""
    blocks = []
    for event in events:
        lines = []
        for label, value in (
            ("SUMMARY", one_line(str(event.get("SUMMARY", "")))),
            ("DTSTART", _when(event.get("DTSTART")) if event.get("DTSTART") else ""),
            ("LOCATION", one_line(str(event.get("LOCATION", "")))),
        ):
            if value:
                lines.append(f"{label}: {value}")
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
