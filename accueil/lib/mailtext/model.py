"""What ``parse`` returns: plain frozen values that callers can keep and compare."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class MailRefused(Exception):  # noqa: N818 - the name says what happened, as the interface asks
    """The message cannot be read at all; ``reason`` is a short stable code.

    ``empty`` (no bytes, or only blank lines), ``too_large`` (over the caller's ``max_bytes``),
    ``unreadable`` (not an RFC 5322 message: no header field we know).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Address:
    """One mailbox: display name (decoded, one line) and address (domain lower-cased)."""

    name: str
    address: str


@dataclass(frozen=True)
class Part:
    """An attachment or an inline image, as the message carried it (not sniffed here)."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)
    inline: bool
    content_id: str


@dataclass(frozen=True)
class Mail:
    """A message read for a case: who, when, what about, and the citizen's new words."""

    message_id: str
    in_reply_to: list[str]
    references: list[str]
    subject: str
    sender: Address | None
    reply_to: Address | None
    recipients: list[Address]
    date: datetime | None
    language: str
    automatic: str
    text: str
    full_text: str
    parts: list[Part]
    calendar: str
