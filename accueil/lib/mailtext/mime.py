"""Walking a message's MIME tree: which leaves are the body, which are attachments.

- ``multipart/alternative``: the ``text/plain`` alternative is the body unless it is empty,
  then the HTML one. Attachments and inline images are collected from *every* alternative
  (Apple Mail puts a photo only inside the HTML branch's ``multipart/related``).
- ``multipart/mixed`` and the rest: every ``text/plain``/``text/html`` leaf that is not an
  attachment is body, in order (Apple Mail writes text, image, text).
- A leaf with ``Content-Disposition: attachment`` or a file name is an attachment whatever its
  type; ``message/rfc822`` (a message forwarded as an attachment, a bounce's original) is one
  too, kept as its bytes.
- ``text/calendar`` (and ``application/ics``) is kept aside for the calendar summary.
- At most ``max_parts`` leaves are looked at and ``max_depth`` levels of nesting; the rest is
  ignored, so a message built to exhaust us costs a bounded amount of work.

Quoted-printable is undone by the standard library, which never raises on a bad sequence (it
keeps what it can); base64 by ``binascii``, and when that refuses (broken padding, a piece cut
short) by a lenient decoder that keeps every whole group it can read.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from email.errors import MessageError
from email.message import Message

from . import charset, flowed, html
from .headers import decode_words, one_line

_BODY_TYPES = ("text/plain", "text/html")
_CALENDAR_TYPES = ("text/calendar", "application/ics")
_CID = re.compile(r"""cid:([^"'\s)>]+)""", re.IGNORECASE)


@dataclass
class Leaf:
    """An attachment or inline part found while walking (``Part`` is built from it)."""

    filename: str
    content_type: str
    data: bytes
    disposition: str
    content_id: str


@dataclass
class Walk:
    """What a walk found: body texts in order, attachments, calendars, every content type."""

    max_parts: int
    max_depth: int
    bodies: list[tuple[str, str]] = field(default_factory=list)  # (content type, text)
    leaves: list[Leaf] = field(default_factory=list)
    calendars: list[str] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    html_sources: list[str] = field(default_factory=list)
    seen: int = 0


def _lenient_base64(text: str) -> bytes:
    """Base64 as mail programs break it: stray characters skipped, padding repaired, a
    truncated last group dropped, padded pieces one after another decoded each on its own
    (the standard library hands the undecoded text back on any of these)."""
    kept = "".join(c for c in text if c.isascii() and (c.isalnum() or c in "+/="))
    out = []
    for piece in re.split(r"=+", kept):
        if len(piece) % 4 == 1:
            piece = piece[:-1]
        try:
            out.append(base64.b64decode(piece + "=" * (-len(piece) % 4)))
        except (binascii.Error, ValueError):
            continue
    return b"".join(out)


def _payload(part: Message) -> bytes:
    encoding = str(part.get("content-transfer-encoding", "") or "").strip().lower()
    raw = part.get_payload()
    if encoding == "base64" and isinstance(raw, str):
        try:  # the fast path: binascii skips stray characters itself, only padding fails it
            return binascii.a2b_base64(raw.encode("ascii", "ignore"))
        except binascii.Error:
            return _lenient_base64(raw)
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError, AssertionError, MessageError):
        data = None
    if isinstance(data, bytes):
        return data
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return b""


def _text(part: Message) -> str:
    try:
        declared = part.get_content_charset()
    except (ValueError, TypeError, LookupError, MessageError):
        declared = None
    return charset.decode(_payload(part), declared)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except (ValueError, TypeError, LookupError, AssertionError, IndexError, MessageError):
        name = ""
    if not name:
        try:
            name = str(part.get_param("name", "") or "")
        except (ValueError, TypeError, LookupError, MessageError):
            name = ""
    if isinstance(name, tuple):  # an RFC 2231 triple the library left undecoded
        name = str(name[2])
    name = decode_words(name)
    # a file name never keeps path separators or control characters
    name = one_line(name).replace("/", "_").replace("\\", "_")
    return name


def _param(part: Message, name: str) -> str:
    try:
        value = part.get_param(name, "")
    except (ValueError, TypeError, LookupError, IndexError, MessageError):
        return ""
    return str(value).strip().lower() if isinstance(value, str) else ""


def _disposition(part: Message) -> str:
    try:
        value = part.get_content_disposition()
    except (ValueError, TypeError, LookupError, IndexError, MessageError):
        return ""
    return (value or "").lower()


def _content_id(part: Message) -> str:
    value = one_line(str(part.get("content-id", "") or ""))
    return value.strip().strip("<>").strip()


def _leaf(part: Message, walk: Walk) -> None:
    content_type = part.get_content_type()
    walk.content_types.append(content_type)
    disposition = _disposition(part)
    filename = _filename(part)
    attached = disposition == "attachment" or bool(filename)
    if content_type in _CALENDAR_TYPES:
        walk.calendars.append(_text(part))
        if not attached:
            return
    if content_type in _BODY_TYPES and not attached:
        text = _text(part)
        if content_type == "text/plain" and _param(part, "format") == "flowed":
            text = flowed.unflow(text, delsp=_param(part, "delsp") == "yes")
        walk.bodies.append((content_type, text))
        if content_type == "text/html":
            walk.html_sources.append(text)
        return
    if content_type.startswith("message/") or part.is_multipart():
        data = _attached_message(part)
    else:
        data = _payload(part)
    walk.leaves.append(Leaf(filename, content_type, data, disposition, _content_id(part)))


def _attached_message(part: Message) -> bytes:
    """The bytes of a ``message/*`` part's content: the attached message, or the report's
    header blocks (``message/delivery-status`` is parsed into one block per recipient)."""
    inner = part.get_payload()
    blocks = inner if isinstance(inner, list) else [inner]
    try:
        return b"\n".join(b.as_bytes() for b in blocks if isinstance(b, Message))
    except (
        ValueError,
        TypeError,
        LookupError,
        UnicodeError,
        RecursionError,
        IndexError,
        MessageError,
    ):
        return b""


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [child for child in payload if isinstance(child, Message)]
    return []


def walk(part: Message, into: Walk, depth: int = 0) -> None:
    """Collect bodies, attachments and calendars from ``part`` into ``into``."""
    if depth > into.max_depth or into.seen >= into.max_parts:
        return
    content_type = part.get_content_type()
    if content_type.startswith("message/") or not part.is_multipart():
        into.seen += 1
        _leaf(part, into)
        return
    into.content_types.append(content_type)
    children = _children(part)
    if content_type != "multipart/alternative":
        for child in children:
            walk(child, into, depth + 1)
        return
    # Each alternative is walked on its own; one gives the body, all give their attachments.
    branches = []
    for child in children:
        branch = Walk(max_parts=into.max_parts - into.seen, max_depth=into.max_depth)
        walk(child, branch, depth + 1)
        into.seen += branch.seen
        branches.append(branch)
    chosen = _choose(branches)
    for branch in branches:
        into.content_types.extend(branch.content_types)
        into.calendars.extend(branch.calendars)
        into.html_sources.extend(branch.html_sources)
        for leaf in branch.leaves:
            if not any(_same(leaf, known) for known in into.leaves):
                into.leaves.append(leaf)
        if branch is chosen:
            into.bodies.extend(branch.bodies)


def _same(one: Leaf, other: Leaf) -> bool:
    return one.content_id == other.content_id and one.data == other.data


def _choose(branches: list[Walk]) -> Walk | None:
    """The plain-text alternative unless it is empty, else the HTML one, else the last."""

    def has(branch: Walk, kind: str) -> bool:
        return any(t == kind and body.strip() for t, body in branch.bodies)

    for kind in _BODY_TYPES:
        for branch in branches:
            if has(branch, kind):
                return branch
    return branches[-1] if branches else None


def text_of(found: Walk) -> str:
    """The body of a walk as plain text: plain parts as they are, HTML parts reduced."""
    pieces = []
    for kind, text in found.bodies:
        pieces.append(html.to_text(text) if kind == "text/html" else text)
    return "\n\n".join(piece.strip("\n") for piece in pieces if piece.strip())


def referenced_cids(found: Walk) -> set[str]:
    """Content ids that an HTML body refers to with ``cid:`` (inline images)."""
    ids: set[str] = set()
    for source in found.html_sources:
        ids.update(match.strip("<>") for match in _CID.findall(source))
    return ids
