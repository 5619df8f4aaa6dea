"""Rate limits on public endpoints, counted in the database (shared by every server process).

One upsert per request: ``INSERT … ON CONFLICT DO UPDATE … RETURNING count`` is atomic on
PostgreSQL and SQLite (3.35+), so two processes never both see the last free slot. Client
addresses are hashed; the raw address is never stored.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from accueil.core.models import RateCounter

UPSERT = (
    "INSERT INTO {table} (bucket, slot, hits) VALUES (%s, %s, 1) "
    "ON CONFLICT (bucket, slot) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits"
)


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Limit":
        """'30/60' → 30 requests per 60 seconds."""
        count, _, seconds = text.partition("/")
        return cls(int(count), int(seconds or 60))


def client_address(request) -> str:
    if settings.TRUSTED_PROXY_COUNT:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= settings.TRUSTED_PROXY_COUNT:
            return forwarded[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def hit(request, scope: str, limit: Limit) -> int | None:
    """Count this request; return seconds to wait if over the limit, else None."""
    if limit.count <= 0:
        return None
    now = time.time()
    window = int(now // limit.seconds) * limit.seconds  # the window's start, in epoch seconds
    raw = f"{settings.SECRET_KEY}:{scope}:{client_address(request)}"
    key = hashlib.sha256(raw.encode()).hexdigest()
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(UPSERT.format(table=table), [key, window])
        (count,) = cursor.fetchone()
    if count <= limit.count:
        return None
    return max(1, int(window + limit.seconds - now))


def forget_old_windows(now: float | None = None) -> int:
    cutoff = int(now or time.time()) - 24 * 3600
    deleted, _ = RateCounter.objects.filter(slot__lt=cutoff).delete()
    return deleted
