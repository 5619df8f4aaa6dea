"""What must hold before any message leaves: respect for the person receiving it.

Decisions are made per claimed batch: opt-outs and recent sends for every recipient of the batch
are read in two queries, not two per message, and sends within the batch are counted as they go.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count

from accueil.lib.quiet import parse_window, quiet_until
from accueil.notify.checks import still_wanted
from accueil.notify.models import Message, OptOut, Status, address_digest

PERSONAL = ("email", "sms")  # channels that reach a person, who can opt out and be flooded


@dataclass(frozen=True)
class Decision:
    action: str  # "send", "drop" or "postpone"
    reason: str = ""  # a code of accueil.notify.labels.REASONS
    until: datetime | None = None


SEND = Decision("send")


class BatchPolicy:
    def __init__(self, messages: list[Message], now: datetime):
        self.now = now
        self.window = parse_window(settings.QUIET_HOURS)
        personal = [m for m in messages if m.channel in PERSONAL]
        digests = {address_digest(m.channel, m.recipient) for m in personal}
        self.opted_out = set(
            OptOut.objects.filter(address_digest__in=digests).values_list(
                "channel", "address_digest"
            )
        )
        recent = (
            Message.objects.filter(
                recipient__in={m.recipient for m in personal},
                status__in=(Status.SENT, Status.DELIVERED),
                sent_at__gte=now - timedelta(hours=1),
            )
            .values_list("channel", "recipient")
            .annotate(n=Count("id"))
        )
        self.sent_last_hour = Counter({(c, r): n for c, r, n in recent})

    def decide(self, message: Message) -> Decision:
        if not still_wanted(message):
            return Decision("drop", "no_longer_needed")
        if message.channel not in PERSONAL:
            return SEND
        key = (message.channel, message.recipient)
        if (message.channel, address_digest(*key)) in self.opted_out:
            return Decision("drop", "opted_out")
        if message.proactive:
            until = quiet_until(self.now, ZoneInfo(message.time_zone), self.window)
            if until is not None:
                return Decision("postpone", "quiet_hours", until)
        if self.sent_last_hour[key] >= settings.OUTBOX_PER_RECIPIENT_PER_HOUR:
            return Decision("postpone", "rate_limit", self.now + timedelta(minutes=10))
        self.sent_last_hour[key] += 1  # counted now, so a batch cannot flood one person
        return SEND
