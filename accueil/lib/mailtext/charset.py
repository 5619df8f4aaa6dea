"""Bytes to text when the declared charset may be wrong or missing.

Mail programs still send 8-bit French text with no charset, with ``us-ascii``, or declared
``iso-8859-1`` while the bytes are Windows-1252 (’ « » – are in the 0x80–0x9F range that
Latin-1 leaves to control characters). The order, so that é, à, ç, « », ’ come out right:

1. bytes that are valid UTF-8 and not plain ASCII are UTF-8 whatever a single-byte
   declaration says (a UTF-8 message mislabelled Latin-1 would otherwise turn into "Ã©");
2. the declared charset, strictly, with ``iso-8859-1``/``us-ascii`` read as Windows-1252 as
   browsers do (WHATWG Encoding: the Latin-1 label *is* windows-1252);
3. UTF-8, strictly; 4. Windows-1252, with the five bytes it leaves undefined replaced.

An unknown charset name is skipped, never an error.
"""

from __future__ import annotations

import codecs

# Labels that the WHATWG Encoding standard maps to windows-1252, and other single-byte
# labels that UTF-8 content is often mislabelled with.
_WINDOWS_1252_LABELS = frozenset(
    {
        "us-ascii",
        "ascii",
        "iso-8859-1",
        "iso8859-1",
        "latin1",
        "latin-1",
        "l1",
        "cp819",
        "iso_8859-1",
        "windows-1252",
        "cp1252",
        "x-cp1252",
        "ansi_x3.4-1968",
    }
)
_SINGLE_BYTE = _WINDOWS_1252_LABELS | {"iso-8859-15", "iso8859-15", "latin-9", "windows-1250"}


def _codec(label: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when there is no such codec."""
    if not label:
        return None
    label = label.strip().strip('"').lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    if label in {"unknown-8bit", "x-unknown", "8bit", "default"}:
        return None
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        return None


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode ``data`` as text, trying the declared charset, then UTF-8, then Windows-1252."""
    label = (declared or "").strip().strip('"').lower()
    if not data.isascii() and (not label or label in _SINGLE_BYTE):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    codec = _codec(label)
    for name in (codec, "utf-8"):
        if name is None:
            continue
        try:
            return data.decode(name)
        except (UnicodeError, LookupError, ValueError, TypeError):
            continue
    return data.decode("cp1252", errors="replace")
