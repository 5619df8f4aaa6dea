"""Rate limits on public endpoints, kept in the database so every server process shares them.

The algorithm is GCRA, a token bucket stored as a single timestamp. A limit of
``count/seconds`` lets a burst of ``count`` requests through, then one more every
``seconds / count``: in any stretch of ``t`` seconds at most ``count + t × count / seconds``
requests pass. There is no window boundary, so twice the limit can never get through around one
(the fixed windows this replaces let ``2 × count`` through in a fraction of a second).

Each (scope, client) bucket is one row holding its *theoretical arrival time* (TAT): the moment
the bucket is full again. One statement per request decides and records at once,
``INSERT … ON CONFLICT (bucket) DO UPDATE SET … RETURNING``: on PostgreSQL a concurrent request
for the same bucket waits for the first one's row lock and then sees its TAT; SQLite (3.35+)
serialises writers. Client addresses are hashed with the secret key; the raw address is never
stored.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from accueil.core.models import RateBucket

MICROSECONDS = 1_000_000

# Every expression of the SET reads the row as it was before this statement.
# %(…)s placeholders are filled positionally in hit(), in this order:
#   bucket, first TAT, now, tolerance, now, now, interval, now, tolerance
UPSERT = """
INSERT INTO {t} (bucket, tat, allowed) VALUES (%s, %s, TRUE)
ON CONFLICT (bucket) DO UPDATE SET
    tat = CASE WHEN {t}.tat - %s <= %s
          THEN (CASE WHEN {t}.tat > %s THEN {t}.tat ELSE %s END) + %s
          ELSE {t}.tat END,
    allowed = ({t}.tat - %s <= %s)
RETURNING tat, allowed
"""


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Limit":
        """'30/60' → a burst of 30 requests, then 30 per 60 seconds (one every 2 s)."""
        count, _, seconds = text.partition("/")
        return cls(int(count), int(seconds or 60))

    @property
    def interval(self) -> int:
        """Microseconds between two requests at the sustained rate, rounded up (never faster)."""
        return -(-self.seconds * MICROSECONDS // self.count)

    @property
    def tolerance(self) -> int:
        """How far ahead of now a bucket's TAT may be and still accept: a burst of ``count``."""
        return self.interval * (self.count - 1)


def client_address(request) -> str:
    if settings.TRUSTED_PROXY_COUNT:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= settings.TRUSTED_PROXY_COUNT:
            return forwarded[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def bucket_key(scope: str, address: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{address}".encode()).hexdigest()


def hit(
    request, scope: str, limit: Limit, now: float | None = None, client: str | None = None
) -> int | None:
    """Count this request; return seconds to wait (for ``Retry-After``) if over the limit.

    ``now`` (epoch seconds) is for tests, which drive time explicitly; it defaults to the clock.
    ``client`` names whose bucket it is when that is not the client address (a client
    application's key, say, wherever it calls from).
    A refused request does not use up the budget: waiting the returned time is enough.
    """
    if limit.count <= 0:
        return None
    at = int((time.time() if now is None else now) * MICROSECONDS)
    interval, tolerance = limit.interval, limit.tolerance
    table = connection.ops.quote_name(RateBucket._meta.db_table)
    key = bucket_key(scope, client if client is not None else client_address(request))
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT.format(t=table),
            [key, at + interval, at, tolerance, at, at, interval, at, tolerance],
        )
        tat, allowed = cursor.fetchone()
    if allowed:
        return None
    return max(1, math.ceil((tat - tolerance - at) / MICROSECONDS))


def forget_full_buckets(now: float | None = None) -> int:
    """Housekeeping: a bucket whose TAT has passed is full again, so its row says nothing."""
    at = int((time.time() if now is None else now) * MICROSECONDS)
    deleted, _ = RateBucket.objects.filter(tat__lt=at).delete()
    return deleted
