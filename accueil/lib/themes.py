"""Theme tagging of a survey comment by keyword rules, in French and English.

An administrator writes rules ("wait": *attente, attendre, file*; "parking": *stationnement*);
a comment gets every theme one of whose keywords it contains. Matching is on word **stems**
(Snowball's French and English stemmers), so *attente* finds « les attentes », and *document*
finds "documents". It is **accent-blind**: « delai » (typed on a phone without accents) finds
« délai », and text in NFC or NFD form reads the same. Each word is compared in two forms —
stemmed then accent-folded, and accent-folded then stemmed — because the French stemmer reads
accents in its suffix rules; a keyword and a word match when any of their forms meet.

A keyword of several words (« temps d’attente », "front desk") matches only when **every** word
appears somewhere in the comment. Elided articles and one-letter words (« d’ », « l’ ») are not
words here. A comment is read with the rules of its own language; a comment whose language is
unknown is read with both. Negation is not understood (« aucune attente » is about the wait):
themes say what a comment talks about, not whether it is praise.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import snowballstemmer

LANGUAGES = {"fr": "french", "en": "english"}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)  # letters only: digits and "_" split words
_local = threading.local()  # Snowball stemmers keep state while they work: one per thread


def fold(text: str) -> str:
    """Lower case without accents: « Délai » and « DELAI » → "delai"; « œ » → "oe"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.replace("œ", "oe").replace("æ", "ae")


def words(text: str) -> list[str]:
    """The words of a text in NFC, lower case, without one-letter words (« l’ », « d’ », "a")."""
    normal = unicodedata.normalize("NFC", text).casefold()
    return [word for word in _WORD.findall(normal) if len(word) > 1]


class _Stemmer(Protocol):
    def stemWord(self, word: str) -> str: ...  # noqa: N802 (Snowball's name)


def _stemmer(language: str) -> _Stemmer:
    stemmers: dict[str, _Stemmer] = _local.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(LANGUAGES[language])
    return stemmers[language]


def forms(word: str, language: str) -> frozenset[str]:
    """The comparable forms of one word: stemmed then folded, and folded then stemmed."""
    stemmer = _stemmer(language)
    return frozenset({fold(stemmer.stemWord(word)), stemmer.stemWord(fold(word))})


@dataclass(frozen=True)
class Rule:
    """One theme: its code and, per language ("fr", "en"), its keywords (a keyword may be
    several words, all of which must appear)."""

    code: str
    keywords: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Keyword:
    # Each word of the keyword as its set of forms; every word must meet the comment's forms.
    words: tuple[frozenset[str], ...]

    def found_in(self, comment_forms: frozenset[str]) -> bool:
        return bool(self.words) and all(word & comment_forms for word in self.words)


class Tagger:
    """Rules compiled once (their keywords stemmed), then applied to many comments."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules: list[tuple[str, dict[str, list[_Keyword]]]] = []
        for rule in rules:
            compiled: dict[str, list[_Keyword]] = {}
            for language, keywords in rule.keywords.items():
                if language not in LANGUAGES:
                    raise ValueError(f"no stemmer for language {language!r}")
                compiled[language] = [
                    _Keyword(tuple(forms(word, language) for word in words(keyword)))
                    for keyword in keywords
                ]
            self._rules.append((rule.code, compiled))

    def tag(self, text: str, language: str) -> list[str]:
        """The codes of the themes found in ``text``, in the order of the rules, once each."""
        languages = [language] if language in LANGUAGES else list(LANGUAGES)
        comment = {lang: self._forms(text, lang) for lang in languages}
        found = []
        for code, by_language in self._rules:
            if any(
                keyword.found_in(comment[lang])
                for lang in languages
                for keyword in by_language.get(lang, ())
            ):
                found.append(code)
        return found

    @staticmethod
    def _forms(text: str, language: str) -> frozenset[str]:
        result: set[str] = set()
        for word in words(text):
            result |= forms(word, language)
        return frozenset(result)


def tag(text: str, language: str, rules: Iterable[Rule]) -> list[str]:
    """Tag one comment (compile the rules with :class:`Tagger` to tag many)."""
    return Tagger(rules).tag(text, language)
