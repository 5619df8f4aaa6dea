"""``parse(raw)``: one raw RFC 5322 message in, one ``Mail`` out, or ``MailRefused``.

The standard library's parser (``compat32`` policy, the most forgiving) reads the structure;
every header and body then goes through this package's own decoding so that nothing malformed
raises: a bad charset name, broken base64, an unparseable date or address all come out as
"" or None, never as an exception. Only three things refuse a message (``MailRefused``):
no bytes at all, more bytes than ``max_bytes``, or nothing that looks like a mail header.
"""

from __future__ import annotations

import email
import email.policy
from email.message import Message

from . import automatic, calendar, headers, language, mime, trim
from .model import Address, Mail, MailRefused, Part

MAX_BYTES = 25_000_000
MAX_PARTS = 50
MAX_DEPTH = 10

# A message must carry at least one of these to be read as mail at all.
_MAIL_HEADERS = frozenset(
    {
        "from",
        "sender",
        "to",
        "cc",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
        "received",
        "return-path",
        "delivered-to",
        "reply-to",
        "in-reply-to",
    }
)
_RECIPIENT_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")


def _message(raw: bytes, max_bytes: int) -> Message:
    if len(raw) > max_bytes:
        raise MailRefused("too_large")
    if not raw.strip():
        raise MailRefused("empty")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
    except (ValueError, TypeError, LookupError, IndexError, RecursionError):
        raise MailRefused("unreadable") from None
    if not any(key.lower() in _MAIL_HEADERS for key in message):
        raise MailRefused("unreadable")
    return message


def parse(
    raw: bytes,
    max_bytes: int = MAX_BYTES,
    max_parts: int = MAX_PARTS,
    max_depth: int = MAX_DEPTH,
) -> Mail:
    """Read one raw message. Raises only ``MailRefused`` (``empty``, ``too_large``,
    ``unreadable``)."""
    message = _message(raw, max_bytes)
    try:
        return _read(message, max_parts, max_depth)
    except RecursionError:
        raise MailRefused("unreadable") from None


def _read(message: Message, max_parts: int, max_depth: int) -> Mail:
    found = mime.Walk(max_parts=max_parts, max_depth=max_depth)
    mime.walk(message, found)
    subject = headers.text_value(message, "subject")
    sender = headers.address(message, "from")
    full_text = trim.tidy(mime.text_of(found))
    text = trim.new_words(full_text, subject)
    cids = mime.referenced_cids(found)
    parts = [
        Part(
            filename=leaf.filename,
            content_type=leaf.content_type,
            data=leaf.data,
            inline=leaf.disposition == "inline"
            or (bool(leaf.content_id) and leaf.content_id in cids),
            content_id=leaf.content_id,
        )
        for leaf in found.leaves
    ]
    invite = next((s for s in (calendar.summarise(c) for c in found.calendars) if s), "")
    lang = language.from_header(headers.text_value(message, "content-language"))
    lang = lang or language.guess(f"{subject}\n{text or full_text}")
    return Mail(
        message_id=_first_id(message, "message-id"),
        in_reply_to=headers.message_ids(message, "in-reply-to"),
        references=headers.message_ids(message, "references"),
        subject=subject,
        sender=sender,
        reply_to=headers.address(message, "reply-to"),
        recipients=headers.addresses(message, *_RECIPIENT_HEADERS),
        date=headers.date(message),
        language=lang,
        automatic=automatic.classify(
            message, found.content_types, sender.address if sender else "", subject
        ),
        text=text,
        full_text=full_text,
        parts=parts,
        calendar=invite,
    )


def _first_id(message: Message, name: str) -> str:
    ids = headers.message_ids(message, name)
    return ids[0] if ids else ""


__all__ = ["Address", "Mail", "MailRefused", "Part", "parse"]
