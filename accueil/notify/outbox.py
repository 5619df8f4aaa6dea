"""Enqueue, claim, deliver, retry: the life of an outbox row.

Claiming is one conditional UPDATE (``… WHERE id IN (…) AND status = 'queued'``) stamped with
a fresh claim token. On PostgreSQL a second worker's UPDATE waits on the row locks and then
re-checks the status, so it claims nothing twice; SQLite serialises writers. Either way no
message goes to two workers, without relying on SELECT … FOR UPDATE (which SQLite ignores).
"""

import logging
import random
import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import F
from django.utils import timezone

from accueil.notify.channels import PermanentFailure, TemporaryFailure, channel_for
from accueil.notify.models import Message, Status
from accueil.notify.policy import BatchPolicy

logger = logging.getLogger("accueil.notify")


def enqueue(
    *,
    channel: str,
    recipient: str,
    idempotency_key: str,
    subject: str = "",
    body: str = "",
    language: str = "fr",
    template: str = "",
    agency=None,
    send_at=None,
    proactive: bool = False,
    time_zone: str = "",
    reason: tuple[str, str] = ("", ""),
    thread: str = "",
    reply_to: str = "",
    references: Sequence[str] = (),
) -> Message:
    """Add a message to the outbox, inside the caller's transaction.

    The same ``idempotency_key`` always yields the same row, so a retried request or a
    double-submitted form never sends twice. ``thread``, ``reply_to`` and ``references`` end
    up in email headers: anything that could break out of a header (a line break, a space in
    an id) raises ``ValueError`` here, before the row exists.
    """
    check_threading(thread, reply_to, references)
    message, _created = Message.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "channel": channel,
            "recipient": recipient,
            "subject": subject,
            "body": body,
            "language": language,
            "template": template,
            "agency": agency,
            "next_attempt_at": send_at or timezone.now(),
            "proactive": proactive,
            "time_zone": time_zone or settings.TIME_ZONE,
            "reason_type": reason[0],
            "reason_id": str(reason[1]),
            "thread": thread,
            "reply_to": reply_to,
            "references": " ".join(references),
        },
    )
    return message


_THREAD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,250}@[\x21-\x3b\x3d\x3f-\x7e]{1,250}>")


def check_threading(thread: str, reply_to: str, references: Sequence[str]) -> None:
    """Refuse what must not reach an email header (CR/LF, spaces, an address that is none)."""
    if thread and not _THREAD.fullmatch(thread):
        raise ValueError("a thread is letters, digits, dots, dashes and underscores")
    if reply_to:
        try:
            validate_email(reply_to)
        except ValidationError:
            raise ValueError("reply_to is not an email address") from None
    for reference in references:
        if not _MESSAGE_ID.fullmatch(reference):
            raise ValueError("a reference is one <id@domain>, printable ASCII, no space")
    if len(" ".join(references)) > 1000:
        raise ValueError("too many references")


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter, capped: 30 s, 1 min, 2 min, … up to one hour."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    capped = min(base, settings.OUTBOX_RETRY_CAP_SECONDS)
    return timedelta(seconds=capped * random.uniform(0.8, 1.2))  # noqa: S311 - jitter


def recover_expired_leases(now=None) -> int:
    """Rows a crashed worker had claimed go back to the queue once their lease has passed."""
    now = now or timezone.now()
    return Message.objects.filter(status=Status.SENDING, lease_until__lt=now).update(
        status=Status.QUEUED, claim_token=None, lease_until=None, next_attempt_at=now
    )


def claim(limit: int = 50, now=None) -> list[Message]:
    now = now or timezone.now()
    due = Message.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at").values_list("id", flat=True)[:limit])
    if not ids:
        return []
    token = uuid.uuid4()
    Message.objects.filter(id__in=ids, status=Status.QUEUED).update(
        status=Status.SENDING,
        claim_token=token,
        lease_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
        attempts=F("attempts") + 1,
    )
    return list(Message.objects.filter(claim_token=token, status=Status.SENDING))


def _finish(message: Message, **fields) -> bool:
    """Record an outcome, only if this worker still holds the claim."""
    updated = Message.objects.filter(
        id=message.id, claim_token=message.claim_token, status=Status.SENDING
    ).update(claim_token=None, lease_until=None, **fields)
    return updated == 1


def _renew(message: Message) -> bool:
    """Right before the provider call: is the row still ours? Then hold it a whole lease more.

    One conditional UPDATE, so the answer comes from the database, not from this worker's
    clock: a row whose lease another worker has taken back (its claim token changed) is not
    sent a second time, and a row about to expire cannot be taken back while it is being sent.
    """
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    renewed = Message.objects.filter(
        id=message.id,
        claim_token=message.claim_token,
        status=Status.SENDING,
        lease_until__gt=now,
    ).update(lease_until=lease_until)
    if renewed:
        message.lease_until = lease_until
    return renewed == 1


def deliver(message: Message, channel, policy: BatchPolicy | None = None) -> str:
    """Send one claimed message and record what happened; returns the new status."""
    if message.lease_until is not None and timezone.now() >= message.lease_until:
        # A slow batch outlived its lease: the row may already be another worker's.
        return Status.SENDING
    policy = policy or BatchPolicy([message], timezone.now())
    decision = policy.decide(message)
    if decision.action == "drop":
        _finish(message, status=Status.DROPPED, error="", error_code=decision.reason)
        return Status.DROPPED
    if decision.action == "postpone":
        # Waiting is not a failed attempt.
        _finish(
            message,
            status=Status.QUEUED,
            error="",
            error_code=decision.reason,
            next_attempt_at=decision.until,
            attempts=F("attempts") - 1,
        )
        return Status.QUEUED
    if not _renew(message):
        return Status.SENDING  # taken back meanwhile: another worker sends it, once
    try:
        provider_id = channel.send(message)
    except TemporaryFailure as error:
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            _finish(message, status=Status.FAILED, error=f"gave up: {error}", error_code=error.code)
            logger.warning("message %s failed after %s attempts", message.id, message.attempts)
            return Status.FAILED
        _finish(
            message,
            status=Status.QUEUED,
            error=str(error),
            error_code=error.code,
            next_attempt_at=timezone.now() + retry_delay(message.attempts),
        )
        return Status.QUEUED
    except PermanentFailure as error:
        _finish(message, status=Status.FAILED, error=str(error), error_code=error.code)
        logger.warning("message %s failed: %s", message.id, error)
        return Status.FAILED
    _finish(
        message,
        status=Status.SENT,
        provider_id=provider_id,
        sent_at=timezone.now(),
        error="",
        error_code="",
    )
    return Status.SENT


def run_batch(limit: int = 50) -> int:
    """Claim and deliver one batch; returns how many messages were handled."""
    recover_expired_leases()
    messages = claim(limit)
    policy = BatchPolicy(messages, timezone.now()) if messages else None
    by_channel = defaultdict(list)
    for message in messages:
        by_channel[message.channel].append(message)
    for name, group in by_channel.items():
        try:
            channel = channel_for(name)
        except PermanentFailure as error:
            for message in group:
                _finish(message, status=Status.FAILED, error=str(error), error_code=error.code)
            continue
        try:
            for message in group:
                deliver(message, channel, policy)
        finally:
            channel.close()
    return len(messages)
