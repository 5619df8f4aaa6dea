"""Syllables of one word, in French or English, from Pyphen's hyphenation dictionaries.

Hyphenation patterns are written to say where a line *may* break, not how many syllables a
word has: they refuse breaks near the edges of a word and miss many inside it. So Pyphen (with
``left=1, right=1``) gives the pieces, and within each piece every group of vowel letters counts
as one syllable; Pyphen's breaks add what vowel groups alone would miss (hiatus: "cre-ate").
Then each language's silent letters are taken away:

* French (written syllables, as French readability tools count them): a final mute "e" or "es"
  is not counted ("personne" = 2, "journée" = 2, "les" = 1); the verb ending "-ent" is mute when
  a subject pronoun says the word is a verb ("ils attendent" = 2) but "moment" keeps its 2; "u"
  is no vowel after "q" ("que", "pratique") nor in "gue"/"gui"; an "i" after a consonant and
  "l"/"r" starts a hiatus ("cli-ent", "ou-bli-er"); "é" and a diaeresis end a vowel group
  ("ré-u-nion", "na-ïf"). An elided word before an apostrophe counts only its own vowels
  ("l’" = 0, "jusqu’" = 1, "aujourd’hui" = 3).
* English (dictionary syllables): silent final "e" ("make", "office") but not "-le" after a
  consonant ("simple"); silent "-es" and "-ed" except after the letters that make them heard
  ("places", "wanted"); "y" is a consonant before a vowel; "n't" after a consonant is a syllable
  ("didn't" = 2); a few words no rule gets right are listed.
* Both: a word of two or three capital letters is an initialism, one syllable per letter
  ("ID" = 2, "SMS" = 3); a longer one is read as a word ("STOP", "ARRET").

Every word has at least one syllable.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import pyphen

DICTIONARIES = {"fr": "fr", "en": "en_US"}

_FR_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿœæ")
_EN_VOWELS = frozenset("aeiouy")
_APOSTROPHES = "'’"

# The second vowel of a pair that is nearly always two syllables: "me-di-a", "tri-al",
# "pre-mi-um", "ear-li-er", "cli-ent", "u-su-al" (but "so-cial", "re-gion", "mil-lion").
_EN_HIATUS = re.compile(r"(?<=[^cgstln]i)[ao]|(?<=i)u|(?<=[^ct]i)e(?=(?:r|rs|st|nt|nts)$)|(?<=u)a")

# Words whose dictionary count no general rule reaches (spoken English drops a written vowel).
_EN_EXCEPTIONS = {
    "business": 2,
    "businesses": 3,
    "every": 2,
    "everyone": 3,
    "everything": 3,
    "everybody": 4,
    "evening": 2,
    "different": 3,
    "family": 3,
    "people": 2,
    "area": 3,
    "idea": 3,
    "being": 2,
    "queue": 1,
    "queues": 1,
}


@cache
def _pyphen(language: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=DICTIONARIES[language], left=1, right=1)


def _pieces(word: str, language: str) -> list[str]:
    positions = _pyphen(language).positions(word)
    cuts = [0, *positions, len(word)]
    return [word[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


@lru_cache(maxsize=8192)  # the same few hundred words make up most messages
def count(word: str, language: str, *, verb_context: bool = False) -> int:
    """Syllables of one word as written (letters, apostrophes, hyphens); at least 1."""
    if word.isalpha() and word.isupper() and 2 <= len(word) <= 3:
        return len(word)  # an initialism is read letter by letter: "ID", "SMS", "NAS"
    word = word.lower().strip(_APOSTROPHES + "-")
    if not word:
        return 1
    parts = [p for p in word.split("-") if p]
    if language == "fr":
        total = sum(_french_part(p, verb_context and p is parts[-1]) for p in parts)
    else:
        total = sum(_english_part(p) for p in parts)
    return max(total, 1)


# -- French ------------------------------------------------------------------------------------


def _french_groups(piece: str, before: str) -> int:
    """Vowel groups of one piece; ``before`` is the letter of the word just before the piece."""
    groups = 0
    previous_vowel = False
    text = before + piece
    for i in range(len(before), len(text)):
        ch = text[i]
        prev = text[i - 1] if i > 0 else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        vowel = ch in _FR_VOWELS
        if ch == "u" and (prev == "q" or (prev == "g" and nxt in "eiéèêy" and nxt)):
            vowel = False
        if ch == "y" and nxt in _FR_VOWELS and nxt:
            vowel = False  # "payer", "yeux": a consonant before a vowel
        starts_group = vowel and (
            not previous_vowel
            or prev == "é"  # "ré-u-nion", "cré-er", "journ-é-e" (the final e is then mute)
            or ch in "ïëü"  # diaeresis: "na-ïf", "No-ël"
            or (prev == "i" and i >= 3 and _hiatus_i(text, i - 1))
        )
        if starts_group:
            groups += 1
        previous_vowel = vowel
    return groups


def _hiatus_i(text: str, i: int) -> bool:
    """An "i" after a consonant and l or r opens a hiatus: "cli-ent", "ou-bli-er", "pri-è-re"."""
    return (
        text[i - 1] in "lr"
        and text[i - 2] not in _FR_VOWELS
        and text[i - 2] not in "lr"
        and text[i - 2].isalpha()
    )


def _french_part(part: str, verb: bool) -> int:
    subparts = re.split(f"[{_APOSTROPHES}]", part)
    total = 0
    for n, sub in enumerate(subparts):
        if not sub:
            continue
        last = n == len(subparts) - 1
        pieces = _pieces(sub, "fr")
        syllables = 0
        before = ""
        for piece in pieces:
            syllables += _french_groups(piece, before[-1:] if before else "")
            before += piece
        if last:
            syllables = max(syllables - _french_mute_ending(sub, verb), 1 if syllables else 0)
        total += syllables
    return total


def _french_mute_ending(word: str, verb: bool) -> int:
    """1 when the word ends in a mute e: "-e", "-es", or "-ent" of a verb; else 0."""
    for ending in ("ent", "es", "e") if verb else ("es", "e"):
        if word.endswith(ending) and len(word) > len(ending):
            stem = word[: -len(ending)]
            last = stem[-1]
            if last not in _FR_VOWELS or last == "é" or (last == "u" and stem[-2:-1] in ("q", "g")):
                # the "e" is a vowel group of its own, so its syllable is there to take away
                return 1 if _french_groups(word, "") > 1 else 0
            return 0
    return 0


# -- English -----------------------------------------------------------------------------------


def _english_vowels(word: str) -> list[bool]:
    """Which letters of ``word`` are vowels: not "y" before a vowel, nor "u" after "q"."""
    flags: list[bool] = []
    for i, ch in enumerate(word):
        nxt = word[i + 1] if i + 1 < len(word) else ""
        vowel = ch in _EN_VOWELS
        if ch == "y" and (i == 0 or (nxt != "" and nxt in _EN_VOWELS)):
            vowel = False
        if ch == "u" and i > 0 and word[i - 1] == "q":
            vowel = False
        flags.append(vowel)
    return flags


def _english_groups(word: str) -> int:
    flags = _english_vowels(word)
    return sum(1 for i, v in enumerate(flags) if v and (i == 0 or not flags[i - 1]))


def _english_part(part: str) -> int:
    plain = part.replace("’", "'")
    if "'" in plain:
        stem, _, tail = plain.partition("'")
        syllables = _english_word(stem) if stem else 0
        if tail == "t" and stem.endswith("n") and stem[-2:-1] not in _EN_VOWELS:
            syllables += 1  # "didn't", "couldn't", but "don't", "can't"
        elif tail == "s" and re.search(r"(s|x|z|ce|ge|ch|sh)$", stem):
            syllables += 1  # "office's"
        return syllables
    return _english_word(plain)


def _english_word(word: str) -> int:
    if word in _EN_EXCEPTIONS:
        return _EN_EXCEPTIONS[word]
    flags = _english_vowels(word)
    syllables = _english_groups(word)
    # A break inside a group of vowels is a hiatus: one more syllable. Pyphen knows some
    # ("cre-ate", "be-ing"); a few spellings nearly always are one ("me-di-a", "tri-al").
    inside = {i for i in range(1, len(word)) if flags[i] and flags[i - 1]}
    breaks = set(_pyphen("en").positions(word))
    breaks |= {m.start() for m in _EN_HIATUS.finditer(word)}
    syllables += len(inside & breaks)
    # A silent "e" closing a piece inside a compound: "some-times", "base-ment".
    cuts = [0, *_pyphen("en").positions(word)]
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = word[a:b]
        if len(piece) >= 3 and piece[-1] == "e" and piece[-2] not in "aeiouyl":
            syllables -= 1 if _english_groups(piece) > 1 else 0
    syllables -= _english_silent(word)
    return max(syllables, 1)


def _english_silent(word: str) -> int:
    if len(word) < 3:
        return 0
    before = word[:-1]
    if word.endswith("e") and not before.endswith(("e", "y")) and before[-1] not in _EN_VOWELS:
        if word.endswith("le") and word[-3] not in _EN_VOWELS and word[-3] != "l":
            return 0  # "simple", "table": the "le" is heard
        return 1 if _english_groups(word) > 1 else 0
    if word.endswith("es") and len(word) > 3 and word[-3] not in _EN_VOWELS:
        if re.search(r"(s|x|z|c|g|ch|sh)es$", word) or re.search(r"[^aeiouyl]les$", word):
            return 0  # "places", "changes", "tables"
        return 1 if _english_groups(word) > 1 else 0
    if word.endswith("ed") and len(word) > 3 and word[-3] not in "aeiouytd":
        return 1 if _english_groups(word) > 1 else 0
    return 0
