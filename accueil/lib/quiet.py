"""Quiet hours: when proactive messages must wait, in the recipient's office time zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_window(text: str) -> tuple[time, time]:
    """``"21:00-08:00"`` → (21:00, 08:00); a window may cross midnight."""
    try:
        start_text, end_text = text.split("-")
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    except ValueError:
        raise ValueError(f"quiet hours must look like 21:00-08:00, not {text!r}") from None
    if start == end:
        raise ValueError("quiet hours must not start and end at the same time")
    return start, end


def quiet_until(now: datetime, zone: ZoneInfo, window: tuple[time, time]) -> datetime | None:
    """The instant quiet hours end if ``now`` falls inside them, else ``None``."""
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    start, end = window
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
        end_day = local.date()
    else:  # crosses midnight: 21:00-08:00
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    # Wall-clock end in the zone; a time inside a DST gap moves forward, like any clock.
    return datetime.combine(end_day, end, tzinfo=zone)
