"""The citizen's new words: quoted earlier messages and signatures trimmed with mail-parser-reply.

``mail-parser-reply`` splits a body at the attribution lines and header blocks that mail programs
write above a quoted message ("On … wrote:", « Le … a écrit : », Outlook's "From: / Sent:" and
« De : / Envoyé : » blocks, "-----Original Message-----") and cuts signatures ("-- ", "Sent from
my iPhone", "Cordialement"). We read French first, then English, and keep hyphen lists (the
library would otherwise take "- item" for a signature and cut a citizen's list).

The library is extended through its own hook — the per-language patterns it looks up by key —
with a pseudo-language ``accueil`` holding the shapes it misses on real French mail (each is in
``tests/golden/mail/``, README there):

- a French attribution line wrapped over two lines (Gmail wraps « … <adresse> a\\nécrit : »),
  with a no-break space before the colon, or with « le » in the sender's name (« Ville de
  Québec »), which the library's own negative look-ahead rejects;
- Outlook's French header block with « De : », « Envoyé : », « Date : », « À : », « Objet : »
  written with a no-break space or none before the colon, and « -----Message d'origine----- »;
- « Envoyé de mon iPhone », « Envoyé à partir de Outlook pour iOS », « Obtenir Outlook pour … ».

A forwarded message keeps what was forwarded: the citizen is giving us that text. A forward is
recognised by the separator line each program writes (Gmail, Thunderbird, Apple Mail, in French
and English) or by a ``Fwd:``/``Fw:``/``TR:`` subject; the note above it is trimmed, the
forwarded part is kept as it is.
"""

from __future__ import annotations

import re

from mailparser_reply.parser import EmailMessage

_Q = r"(?:> ?)*"  # the library's own "inside a quote" prefix
_SP = r"[ \u00a0\u202f]"

_EXTRA: dict[str, list[str]] = {
    "wrote_header": [
        # « Le lun. 30 nov. 2026 à 10:02, X <x@y> a écrit : », possibly wrapped once.
        rf"^({_Q}Le{_SP}[^\n]*\d[^\n]*(?:\n{_Q}[^\n]*)?[\s]a[\s]+écrit{_SP}*:)$",
    ],
    "from_header": [
        # Outlook FR header block: two or more of these lines in a row.
        rf"((?:(?:^|\n){_Q}[* ]*(?:De|Envoyé|Date|À|A|Objet|Cc){_SP}*:[ *]*.*){{2,}}"
        r"(?:\n.*){,1})",
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


class _Message(EmailMessage):  # type: ignore[misc]
    """The library's message, with Accueil's extra French shapes under the ``accueil`` key."""

    def _get_language_regex(self, language: str, regex_key: str) -> str:
        if language == "accueil":
            return "|".join(_EXTRA.get(regex_key, []))
        return str(super()._get_language_regex(language, regex_key))


def _read(text: str) -> _Message:
    message = _Message(text=text, languages=["fr", "en", "accueil"], keep_hyphen_lists=True)
    return message.read()  # type: ignore[no-any-return]


def _latest(text: str) -> str:
    replies = _read(text).replies
    return str(replies[0].body) if replies else ""


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
        note = _latest(text[: marker.start()]) if marker.start() else ""
        return tidy(f"{note}\n\n{text[marker.start() :]}")
    if _FORWARD_SUBJECT.match(subject):
        message = _read(text)
        if len(message.replies) > 1:
            start = message.text.find(message.replies[1].content)
            note = str(message.replies[0].body)
            return tidy(f"{note}\n\n{message.text[start:]}")
    return tidy(_latest(text))
