"""Header values as text we can keep: decoded, one line, never carrying CR or LF.

Header fields are read from the message's raw items so that an 8-bit header (a Latin-1
subject sent without encoded-words) goes through the same charset fallback as bodies, then
RFC 2047 encoded-words are decoded. Every value is folded to one line: CR, LF, tabs and other
control characters become spaces — an encoded ``=?utf-8?q?a=0D=0ABcc:?=`` in a subject can
never become a header of a message we send later.
"""

from __future__ import annotations

import email.errors
import email.header
import email.utils
from datetime import UTC, datetime
from email.message import Message

from . import charset
from .model import Address


def raw_values(message: Message, name: str) -> list[str]:
    """Every value of header ``name``, as text (8-bit bytes decoded with the fallback)."""
    wanted = name.lower()
    values = []
    for key, value in message.raw_items():
        if key.lower() != wanted:
            continue
        if isinstance(value, str):
            data = value.encode("utf-8", "surrogateescape")
            values.append(charset.decode(data))
        else:  # a Header object, never produced by the parser but allowed by the type
            values.append(str(value))
    return values


def first(message: Message, name: str) -> str:
    """The first value of a header, raw text (unfolded), or ""."""
    values = raw_values(message, name)
    return values[0] if values else ""


def one_line(text: str) -> str:
    """Fold CR, LF, tabs and other control characters to single spaces; trim."""
    cleaned = "".join(" " if (ord(c) < 32 or 0x7F <= ord(c) < 0xA0) else c for c in text)
    return " ".join(cleaned.split())


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded-words; text without them is returned as it is."""
    if "=?" not in text:
        return text
    try:
        chunks = email.header.decode_header(text)
    except (ValueError, TypeError, LookupError, AssertionError, email.errors.MessageError):
        return text
    out = []
    for chunk, label in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
        elif label is None:
            try:
                out.append(chunk.decode("raw-unicode-escape"))
            except UnicodeError:
                out.append(charset.decode(chunk))
        else:
            out.append(charset.decode(chunk, label))
    return "".join(out)


def text_value(message: Message, name: str) -> str:
    """A header as one line of decoded text (the subject, for instance)."""
    return one_line(decode_words(first(message, name)))


def _address(name: str, addr: str) -> Address | None:
    addr = one_line(addr).strip().strip("<>").strip()
    if not addr or "@" not in addr or " " in addr:
        return None
    local, _, domain = addr.rpartition("@")
    if not local or not domain:
        return None
    return Address(name=one_line(decode_words(name)), address=f"{local}@{domain.lower()}")


def addresses(message: Message, *names: str) -> list[Address]:
    """The mailboxes of the given headers, in order, without duplicates (by address)."""
    found: list[Address] = []
    seen: set[str] = set()
    for name in names:
        values = [one_line(v) for v in raw_values(message, name)]
        try:
            pairs = email.utils.getaddresses(values)
        except (ValueError, TypeError, IndexError):
            pairs = []
        for display, addr in pairs:
            address = _address(display, addr)
            if address is None or address.address.lower() in seen:
                continue
            seen.add(address.address.lower())
            found.append(address)
    return found


def address(message: Message, name: str) -> Address | None:
    """The first mailbox of a header, or None when it is missing or unparseable."""
    found = addresses(message, name)
    return found[0] if found else None


def message_ids(message: Message, name: str) -> list[str]:
    """Message ids of a header (``<a@b> <c@d>``), without the angle brackets, in order."""
    ids: list[str] = []
    for value in raw_values(message, name):
        value = one_line(value)
        rest = value
        bracketed = False
        while "<" in rest:
            start = rest.index("<")
            end = rest.find(">", start)
            if end < 0:
                break
            bracketed = True
            token = rest[start + 1 : end].strip()
            if token and " " not in token and token not in ids:
                ids.append(token)
            rest = rest[end + 1 :]
        if not bracketed:  # some programs forget the brackets
            for token in value.split():
                if "@" in token and token not in ids:
                    ids.append(token)
    return ids


def date(message: Message) -> datetime | None:
    """The Date header as an aware datetime, or None when missing, unparseable or naive."""
    value = one_line(first(message, "date"))
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        # "-0000" (RFC 5322 §3.3: UTC, local zone unknown) is the only naive result we keep.
        return parsed.replace(tzinfo=UTC) if value.rstrip().endswith("-0000") else None
    return parsed
