"""What must hold before any message leaves: respect for the person receiving it."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from accueil.lib.quiet import parse_window, quiet_until
from accueil.notify.checks import still_wanted
from accueil.notify.models import Message, OptOut, Status


@dataclass(frozen=True)
class Decision:
    action: str  # "send", "drop" or "postpone"
    reason: str = ""
    until: datetime | None = None


SEND = Decision("send")


def decide(message: Message, now: datetime) -> Decision:
    if not still_wanted(message):
        return Decision("drop", "no longer needed")
    if message.channel in ("email", "sms") and OptOut.applies(message.channel, message.recipient):
        return Decision("drop", "opted out")
    if message.proactive:
        until = quiet_until(now, ZoneInfo(message.time_zone), parse_window(settings.QUIET_HOURS))
        if until is not None:
            return Decision("postpone", "quiet hours", until)
    if message.channel in ("email", "sms"):
        recent = Message.objects.filter(
            channel=message.channel,
            recipient=message.recipient,
            status__in=(Status.SENT, Status.DELIVERED),
            sent_at__gte=now - timedelta(hours=1),
        ).count()
        if recent >= settings.OUTBOX_PER_RECIPIENT_PER_HOUR:
            return Decision("postpone", "rate limit", now + timedelta(minutes=10))
    return SEND
