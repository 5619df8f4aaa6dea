"""The language a message is written in: French, English, or "" when we cannot tell.

``Content-Language`` wins when it names French or English (``fr-CA`` is French). Otherwise the
text is guessed from its most common short words: a message with clearly more French function
words than English ones is French, and the other way round; a tie or too few words is "".
Only French and English are ever answered: they are the two languages the agency serves, and a
wrong guess only changes the default language of an acknowledgement the citizen can switch.
"""

from __future__ import annotations

import re

_FRENCH = frozenset(
    [
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "du",
        "de",
        "et",
        "est",
        "sont",
        "je",
        "vous",
        "nous",
        "il",
        "elle",
        "ce",
        "cette",
        "pour",
        "avec",
        "dans",
        "sur",
        "pas",
        "ne",
        "mon",
        "ma",
        "mes",
        "votre",
        "vos",
        "au",
        "aux",
        "qui",
        "que",
        "merci",
        "bonjour",
        "madame",
        "monsieur",
        "été",
        "être",
        "avoir",
        "ai",
        "suis",
        "mais",
        "ou",
        "où",
        "donc",
        "car",
        "très",
        "aussi",
    ]
)
_ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "is",
        "are",
        "i",
        "you",
        "we",
        "he",
        "she",
        "it",
        "this",
        "that",
        "for",
        "with",
        "in",
        "on",
        "not",
        "my",
        "your",
        "our",
        "to",
        "of",
        "thanks",
        "thank",
        "hello",
        "hi",
        "dear",
        "was",
        "were",
        "be",
        "have",
        "has",
        "but",
        "or",
        "so",
        "very",
        "also",
        "please",
        "would",
    ]
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def from_header(value: str) -> str:
    """ "fr" or "en" from a Content-Language value (the first tag that is either), else ""."""
    for tag in re.split(r"[,\s]+", value.lower()):
        primary = tag.split("-", 1)[0].split("_", 1)[0]
        if primary in {"fr", "en"}:
            return primary
    return ""


def guess(text: str) -> str:
    """ "fr", "en" or "" from the function words of ``text``."""
    french = english = 0
    for word in _WORD.findall(text.lower()[:20_000]):
        word = word.split("'")[0].split("’")[0] if ("'" in word or "’" in word) else word
        french += word in _FRENCH
        english += word in _ENGLISH
    if french + english < 3:
        return ""
    if french > english * 1.5:
        return "fr"
    if english > french * 1.5:
        return "en"
    return ""
