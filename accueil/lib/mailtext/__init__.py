"""Turning a raw email into the text of a request — without Django.

``parse(raw, max_bytes=25_000_000) -> Mail`` reads one RFC 5322 message: its ids and threading
headers, decoded one-line subject, sender and recipients, date, language, whether a machine sent
it (``automatic``), the citizen's new words (``text``: HTML reduced to text, quoted messages and
signatures trimmed in French and English), the whole body (``full_text``), attachments and
inline images (``parts``) and a calendar invitation's summary. It never raises on malformed
input except ``MailRefused`` (``empty``, ``too_large``, ``unreadable``).

Modules, one job each: ``charset`` (bytes to text with fallbacks), ``headers`` (decoded, one-line
header values), ``mime`` (which parts are body, which are attachments), ``html`` (HTML to plain
text), ``trim`` (quotes and signatures, with mail-parser-reply), ``automatic`` (auto-replies,
bounces, bulk mail), ``language``, ``calendar``. The golden corpus in ``tests/golden/mail/``
shows what comes out of real mail programs' messages.
"""

from .model import Address, Mail, MailRefused, Part
from .parser import MAX_BYTES, MAX_DEPTH, MAX_PARTS, parse

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_PARTS", "Address", "Mail", "MailRefused", "Part", "parse"]
