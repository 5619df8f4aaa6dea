"""The citizen's new words: quoted earlier messages and signatures trimmed with mail-parser-reply.

``mail-parser-reply`` splits a body at the attribution lines and header blocks that mail programs
write above a quoted message ("On … wrote:", « Le … a écrit : », Outlook's "From: / Sent:" and
« De : / Envoyé : » blocks, "-----Original Message-----") and cuts signatures ("-- ", "Sent from
my iPhone", "Cordialement"). We read French first, then English, and keep hyphen lists (the
library would otherwise take "- item" for a signature and cut a citizen's list).

The library is extended the way it adds languages — an entry in its table of per-language
patterns — with a pseudo-language ``accueil`` holding the shapes it misses on real French mail
(each is in ``tests/golden/mail/``, README there):

- a French attribution line wrapped over two lines (Gmail wraps « … <adresse> a\\nécrit : »),
  with a no-break space before the colon, or with « le » in the sender's name (« Ville de
  Québec »), which the library's own negative look-ahead rejects;
- Outlook's French header block, « De : » then « Envoyé : », « Date : », « À : », « Objet : »,
  written with a no-break space or none before the colon (a block must start with « De : », so
  a citizen's own « Objet : … / Date : … » lines are not taken for one), and
  « -----Message d'origine----- »;
- « Envoyé de mon iPhone », « Envoyé à partir de Outlook pour iOS », « Obtenir Outlook pour … ».

A signature the library finds is cut from its first line to the end, which is right for "-- ",
"Sent from my iPhone" or a closing line ("Cordialement,", "Best regards,") but would lose a
citizen's words after a sentence that merely starts with a closing word ("Thanks, the bin was
picked up, but…"). So a found signature is cut only when its first line is a delimiter, a
"sent from" line, or at most four words long; otherwise the library's next match is tried.

When the new words are written *below* the quote (Thunderbird's default, bottom-posting), the
library's latest reply still holds the quote: its lines, recognised by the library's own
``QUOTED_REMOVAL_REGEX`` ("> " at the start of a line), are dropped from the result. A citizen
who answers between quoted lines keeps every line they wrote; the questions they answered are
in ``full_text``.

The library's patterns backtrack: a crafted line costs time in the square of its length. So
lines longer than ``MAX_LINE`` characters are hidden from it (swapped for a token and put back
afterwards) and only the first ``MAX_SCAN`` characters are searched. Measured on the
development machine (2 cores): 50,000 characters of 200-character lines each starting "On " or
« Le 1 » take about 0.3 s, 0.6 s when the subject says it is a forward; one 600,000-character
line takes milliseconds (it was minutes before the guard).

A forwarded message keeps what was forwarded: the citizen is giving us that text. A forward is
recognised by the separator line each program writes (Gmail, Thunderbird, Apple Mail, in French
and English) or by a ``Fwd:``/``Fw:``/``TR:`` subject; the note above it is trimmed, the
forwarded part is kept as it is.
"""

from __future__ import annotations

import re
from typing import Any

from mailparser_reply.constants import MAIL_LANGUAGES, QUOTED_REMOVAL_REGEX
from mailparser_reply.parser import EmailMessage

MAX_LINE = 200  # longer lines are never attribution lines nor header lines
MAX_SCAN = 50_000  # characters searched for a quote or a signature

_Q = r"(?:> ?)*"  # the library's own "inside a quote" prefix
_SP = r"[ \u00a0\u202f]"

_EXTRA: dict[str, list[str]] = {
    "wrote_header": [
        # « Le lun. 30 nov. 2026 à 10:02, X <x@y> a écrit : », possibly wrapped once.
        rf"^({_Q}Le{_SP}[^\n]*\d[^\n]*(?:\n{_Q}[^\n]*)?[\s]a[\s]+écrit{_SP}*:)$",
    ],
    "from_header": [
        # Outlook FR header block: « De : » then one or more of the other lines.
        rf"((?:^|\n){_Q}[* ]*De{_SP}*:[ *]*.*"
        rf"(?:\n{_Q}[* ]*(?:Envoyé|Date|À|A|Objet|Cc){_SP}*:[ *]*.*)+(?:\n.*){{,1}})",
        rf"(^{_Q}-{{5,}}{_SP}?Message d'origine{_SP}?-{{5,}}$)",
    ],
    "sent_from": [
        "Envoyé de mon",
        "Envoyé à partir de",
        "Obtenir Outlook pour",
        "Télécharger Outlook pour",
    ],
}

_FORWARD_MARKERS = re.compile(
    r"^[ \t>]*(?:-{5,} ?(?:Forwarded message|Forwarded Message|Message transféré) ?-{5,}"
    rf"|Begin forwarded message:|Début du message réexpédié{_SP}?:)[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|tr)\s*:", re.IGNORECASE)


# The library's way to add patterns: a "language" of its own in its table (as its ``david``
# entry does for one program's headers). Registered once, under a key no real language uses.
MAIL_LANGUAGES.setdefault("accueil", _EXTRA)


def _read(text: str) -> Any:
    message = EmailMessage(text=text, languages=["fr", "en", "accueil"], keep_hyphen_lists=True)
    return message.read()


_QUOTED_LINE = re.compile(QUOTED_REMOVAL_REGEX)
_SENT_FROM_PHRASES = [
    MAIL_LANGUAGES["en"]["sent_from"],
    MAIL_LANGUAGES["fr"]["sent_from"],
    *_EXTRA["sent_from"],
]
_SENT_FROM = re.compile("^(?:" + "|".join(_SENT_FROM_PHRASES) + ")", re.IGNORECASE)
_SIGN_OFF_WORDS = 4


def _is_signature(found: str) -> bool:
    """Whether a signature the library found really is one (see the module docstring)."""
    lines = [line.lstrip("> ").strip() for line in found.split("\n")]
    first = next((line for line in lines if line), "")
    if first.startswith(("--", "__")) or _SENT_FROM.match(first):
        return True
    return len(first.split()) <= _SIGN_OFF_WORDS


def _signature_start(message: Any, body: str) -> int:
    """Where the signature starts in ``body`` (its length when there is none)."""
    pattern: re.Pattern[str] = message.SIGNATURE_REGEX
    position = 0
    while (found := pattern.search(body, position)) is not None:
        if _is_signature(found.group()):
            return found.start()
        text_start = found.start() + (len(found.group()) - len(found.group().lstrip()))
        line_end = body.find("\n", text_start)
        if line_end < 0:
            break
        position = line_end + 1
    return len(body)


def _latest(text: str) -> tuple[str, bool]:
    """The latest reply's body, and whether anything (quote or signature) was cut after it."""
    shielded, long_lines = _shield(text)
    return _first_reply(_read(shielded), long_lines)


def _first_reply(message: Any, long_lines: list[str]) -> tuple[str, bool]:
    if not message.replies:
        return "", False
    reply = message.replies[0]
    body = str(reply.content)
    for disclaimer in reply.disclaimers:
        body = body.replace(disclaimer, "")
    if reply.headers:
        body = body.replace(reply.headers, "")
    end = _signature_start(message, body)
    cut = len(message.replies) > 1 or end < len(body)
    body = _unshield(body[:end], long_lines)
    # Bottom-posting (Thunderbird's default) leaves the quote above the new words, inside the
    # latest reply: lines the library itself defines as quoted are dropped.
    kept = "\n".join(line for line in body.split("\n") if not _QUOTED_LINE.match(line))
    return kept, cut


_TOKEN = re.compile("\ue000(\\d+)\ue001")


def _shield(text: str) -> tuple[str, list[str]]:
    """Swap lines longer than ``MAX_LINE`` for short tokens (the library's patterns are
    quadratic in a line's length; no attribution line or header is that long)."""
    text = text.replace("\ue000", "\ufffd").replace("\ue001", "\ufffd")
    long_lines: list[str] = []
    lines = []
    for line in text.split("\n"):
        if len(line) > MAX_LINE:
            lines.append(f"\ue000{len(long_lines)}\ue001")
            long_lines.append(line)
        else:
            lines.append(line)
    return "\n".join(lines), long_lines


def _unshield(text: str, long_lines: list[str]) -> str:
    return _TOKEN.sub(lambda found: long_lines[int(found.group(1))].strip(), text)


def _trimmed(text: str) -> str:
    """The new words of a body that is not a forward; only its first ``MAX_SCAN`` characters
    are searched for a quote or a signature (the rest follows when none was found there)."""
    if len(text) <= MAX_SCAN:
        return _latest(text)[0]
    split = text.rfind("\n", 0, MAX_SCAN)
    split = split if split > 0 else MAX_SCAN
    words, cut = _latest(text[:split])
    return words if cut else words + text[split:]


def tidy(text: str) -> str:
    """Normalise line ends, strip trailing spaces, keep at most one blank line in a row."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out).strip()


def new_words(text: str, subject: str = "") -> str:
    """The part of a body that the sender wrote now: no quotes, no signature; forwards kept."""
    text = tidy(text)
    if not text:
        return ""
    marker = _FORWARD_MARKERS.search(text)
    if marker:
        note = _trimmed(text[: marker.start()]) if marker.start() else ""
        return tidy(f"{note}\n\n{text[marker.start() :]}")
    if _FORWARD_SUBJECT.match(subject):
        # Outlook forwards with no separator line: the first header block starts the forward.
        shielded, long_lines = _shield(text[:MAX_SCAN])
        message = _read(shielded)
        if len(message.replies) > 1:
            start = message.text.find(message.replies[1].content)
            note = _first_reply(message, long_lines)[0]
            forwarded = _unshield(message.text[start:], long_lines) + text[MAX_SCAN:]
            return tidy(f"{note}\n\n{forwarded}")
    return tidy(_trimmed(text))
