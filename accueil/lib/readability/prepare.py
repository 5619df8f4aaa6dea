"""From a template file or a typed message to sentences of words, before anything is counted.

The meter reads what a person reads, so the text is prepared first (the rules a hand count
follows too):

* **Front matter**: a first block between two ``---`` lines (our templates' ``subject:``,
  ``description:``) is skipped.
* **Markdown**: heading marks, list bullets (``-``, ``*``, ``+``, ``1.``), quote marks,
  emphasis (``*``, ``_``), inline code and HTML tags are removed; a link ``[text](url)`` keeps its
  text. A heading, a list item and a paragraph each end a sentence even without a full stop.
* **Line breaks** inside a paragraph join lines (hard-wrapped text), except that a line which
  does not end in ``,`` ``;`` ``:`` or ``-`` followed by a line starting with a capital letter
  ends a sentence ("((service)), ((office))" / "On ((date)) at ((time))").
* **Opaque words** count as one word of one syllable and are never long: our placeholders
  ``((name))``, numbers ("1 000", "12,50", "514 555-1234", "2e", "3rd"), times ("10 h 30",
  "9h", "10:30 a.m."), codes mixing letters and digits ("A-042"), web and email addresses, and
  the abbreviations listed below. A reader reads them as one unit, and a hand count can agree
  on that without arguing how "2026" is pronounced.
* **Abbreviations** never end a sentence ("M. Tremblay", "Dr. Roy", "e.g.", "p. ex.",
  "c.-à-d."), except "etc.", "a.m." and "p.m." when a capital letter or the end follows. A full
  stop followed by a lower-case letter never ends a sentence either.
* **Words** are runs of letters joined by apostrophes (straight or ’) or hyphens: "l’office",
  "aujourd’hui", "don't", "rendez-vous" and "sign-in" are one word each. Their letters (for the
  long-word rule) are all their letters, apostrophes and hyphens excluded.
* Sentences end at ``.`` ``!`` ``?`` ``…`` (French spacing allowed); a sentence without a word
  (a lone bullet, a line of dashes) is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# An opaque word becomes three private-use characters (its number in the middle), so that no
# later rule — numbers, full stops, emphasis — can match inside it.
_OPEN, _CLOSE, _BASE = "\ue000", "\ue001", 0xF0000
_SENTINEL = re.compile(f"{_OPEN}(.){_CLOSE}")

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(?:.*?\n)?---[ \t]*(?:\n|\Z)", re.S)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_QUOTE = re.compile(r"^\s*>\s?")
_RULE = re.compile(r"^\s*(?:[-*_=]\s*){3,}$")
_FENCE = re.compile(r"^\s*(```|~~~)")

_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_CODE = re.compile(r"`+([^`]*)`+")
_EMPHASIS = re.compile(r"(?<![\w\ue000-\ue001])[*_]+|[*_]+(?![\w\ue000-\ue001])")

_PLACEHOLDER = re.compile(r"\(\([^()\s]+\)\)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()]*[^\s<>().,;:!?»”'\"]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SPACE = "[ \u00a0\u202f]"
_TIME = re.compile(
    rf"\b\d{{1,2}}(?::\d{{2}})?{_SPACE}?(?:[ap]\.m|[AP]M)\b"  # its last full stop stays
    rf"|\b\d{{1,2}}{_SPACE}?h(?:{_SPACE}?\d{{2}})?(?!\w)"
    r"|\b\d{1,2}:\d{2}\b"
)
_CODE_WORD = re.compile(
    r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b"
)
_NUMBER = re.compile(
    rf"\d+(?:(?:[.,:/\-]|{_SPACE}(?=\d{{3}}(?!\d)))\d+)*"
    r"(?:er|re|ers|res|e|es|ème|èmes|st|nd|rd|th)?(?![^\W\d_])"
)

# Abbreviations whose full stop never ends a sentence, then those that end one before a capital.
_ABBREVIATIONS = {
    "fr": [
        r"\bp\.\s?ex\.",
        r"\bc\.-à-d\.",
        r"\bc\.à\.d\.",
        r"\b(?:M|MM|Mme|Mmes|Mlle|Mlles|Dr|Dre|Pr|Me|Mgr|St|Ste|cf|env|boul|av|tél|art)\.",
        r"\b[nN][o°]\.(?=\s*\d)",
    ],
    "en": [
        r"\be\.g\.",
        r"\bi\.e\.",
        r"\b(?:Mr|Mrs|Ms|Dr|St|Mt|Prof|Jr|Sr|Ave|Blvd|Apt|Dept|cf|vs|approx)\.",
        r"\bNo\.(?=\s*\d)",
    ],
}
# "etc" (and the "a.m" of a time) keep their full stop, which ends a sentence only before a capital.
_ABBREVIATIONS_AT_END = [r"\betc(?=\.)", r"\b[ap]\.m(?=\.)"]

_END = re.compile(r"[.!?…]+[\"»”’)\]]*(?=\s|$)")
_WORD = re.compile(f"{_OPEN}.{_CLOSE}|[^\\W\\d_]+(?:['’\\-][^\\W\\d_]+)*['’]?")


@dataclass(frozen=True)
class Word:
    text: str
    opaque: bool  # a placeholder, number, time, code, address or abbreviation

    @property
    def letters(self) -> int:
        return 0 if self.opaque else sum(ch.isalpha() for ch in self.text)


@dataclass(frozen=True)
class Sentence:
    text: str  # as the person reads it, placeholders and numbers restored
    words: tuple[Word, ...]


def sentences(text: str, language: str) -> list[Sentence]:
    saved: list[str] = []
    result: list[Sentence] = []
    for block in _blocks(_FRONT_MATTER.sub("", text.replace("\r\n", "\n"))):
        protected = _protect(_inline(block), language, saved)
        for piece in _split(protected):
            words = tuple(_words(piece, saved))
            if words:
                result.append(Sentence(_restore(piece, saved), words))
    return result


def _blocks(text: str) -> list[str]:
    """Paragraphs, headings and list items, each a string whose end is a sentence end."""
    blocks: list[str] = []
    current: list[str] = []

    def close() -> None:
        if current:
            blocks.append(" ".join(current))
            current.clear()

    for raw in text.split("\n"):
        line = _QUOTE.sub("", raw).rstrip()
        if not line.strip() or _RULE.match(line) or _FENCE.match(line):
            close()
            continue
        marked = _HEADING.match(line) or _BULLET.match(line)
        if marked:
            close()
            current.append(marked.group(1))
            if marked.re is _HEADING:
                close()
            continue
        line = line.strip()
        if current and _starts_sentence(current[-1], line):
            close()
        current.append(line)
    close()
    return blocks


def _starts_sentence(previous: str, line: str) -> bool:
    first = line.lstrip('*_[(«"“ ')[:1]
    return not previous.endswith((",", ";", ":", "-")) and first.isupper()


def _inline(block: str) -> str:
    block = _IMAGE_OR_LINK.sub(r"\1", block)
    block = _AUTOLINK.sub(r"\1", block)
    block = _HTML_TAG.sub(" ", block)
    return _CODE.sub(r"\1", block)


def _protect(block: str, language: str, saved: list[str]) -> str:
    """Replace every opaque word by a sentinel that neither splits nor is split."""

    def keep(match: re.Match[str]) -> str:
        saved.append(match.group(0))
        return f"{_OPEN}{chr(_BASE + len(saved) - 1)}{_CLOSE}"

    block = _PLACEHOLDER.sub(keep, block)
    block = _URL.sub(keep, block)
    block = _EMPHASIS.sub("", block)
    block = _TIME.sub(keep, block)
    for pattern in _ABBREVIATIONS[language]:
        block = re.sub(pattern, keep, block)
    for pattern in _ABBREVIATIONS_AT_END:
        block = re.sub(pattern, keep, block)
    block = _CODE_WORD.sub(keep, block)
    return _NUMBER.sub(keep, block)


def _split(block: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _END.finditer(block):
        rest = block[match.end() :].lstrip()
        if match.group(0).startswith(".") and rest[:1].islower():
            continue  # "approx. deux", an abbreviation we do not list
        pieces.append(block[start : match.end()].strip())
        start = match.end()
    pieces.append(block[start:].strip())
    return [p for p in pieces if p]


def _words(sentence: str, saved: list[str]) -> list[Word]:
    words = []
    for match in _WORD.finditer(sentence):
        token = match.group(0)
        if token.startswith(_OPEN):
            words.append(Word(_restore(token, saved), opaque=True))
        else:
            words.append(Word(token, opaque=False))
    return words


def _restore(text: str, saved: list[str]) -> str:
    return _SENTINEL.sub(lambda m: saved[ord(m.group(1)) - _BASE], text)
