"""The scores of one text, and the target a message must meet before it is sent.

Counts come from ``prepare`` (sentences and words) and ``syllables``; the scores are the
published formulas:

* Flesch reading ease (English) = 206.835 − 1.015 × words/sentences − 84.6 × syllables/words;
* Flesch–Kincaid grade (English) = 0.39 × words/sentences + 11.8 × syllables/words − 15.59;
* Kandel–Moles reading ease (French adaptation of Flesch) =
  207 − 1.015 × words/sentences − 73.6 × syllables/words;
* LIX (both) = words/sentences + 100 × long words/words, a long word having more than six letters.

The **headline** is the score the target judges: the grade in English (lower is plainer), the
reading ease in French (higher is plainer). An empty text (no word) has zero counts, ratios of 0,
no language score and no headline, and never meets a target: a message with nothing to read is a
mistake, not plain language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import prepare, syllables

LANGUAGES = ("fr", "en")

# French subject pronouns before a verb whose "-ent" is then mute ("ils attendent"), with the
# object pronouns and negation that may come between.
_SUBJECTS = frozenset({"ils", "elles", "qui"})
_BETWEEN = frozenset(
    {"ne", "n", "se", "s", "les", "leur", "vous", "nous", "y", "en", "me", "m", "te", "t", "lui"}
)


@dataclass(frozen=True)
class Target:
    max_grade_en: float = 8.0  # Flesch–Kincaid grade at most
    min_ease_fr: float = 60.0  # Kandel–Moles reading ease at least


DEFAULT_TARGET = Target()


@dataclass(frozen=True)
class SentenceScore:
    text: str
    score: float  # the headline formula applied to this sentence alone
    words: int
    syllables: int


@dataclass(frozen=True)
class _Counted:
    text: str
    words: int
    syllables: int
    long_words: int


def _headline(language: str, words: int, sentences: int, syllables: int) -> float:
    per_sentence, per_word = words / sentences, syllables / words
    if language == "en":
        return 0.39 * per_sentence + 11.8 * per_word - 15.59
    return 207 - 1.015 * per_sentence - 73.6 * per_word


@dataclass(frozen=True)
class Report:
    language: str
    sentences: int
    words: int
    syllables: int
    long_words: int
    _parts: tuple[_Counted, ...] = field(default=(), repr=False, compare=False)

    @property
    def average_sentence_length(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def long_word_share(self) -> float:
        return self.long_words / self.words if self.words else 0.0

    @property
    def lix(self) -> float:
        return self.average_sentence_length + 100 * self.long_word_share

    @property
    def _syllables_per_word(self) -> float:
        return self.syllables / self.words

    @property
    def flesch_reading_ease(self) -> float | None:
        if self.language != "en" or not self.words:
            return None
        return 206.835 - 1.015 * self.average_sentence_length - 84.6 * self._syllables_per_word

    @property
    def flesch_kincaid_grade(self) -> float | None:
        if self.language != "en" or not self.words:
            return None
        return _headline("en", self.words, self.sentences, self.syllables)

    @property
    def kandel_moles(self) -> float | None:
        if self.language != "fr" or not self.words:
            return None
        return _headline("fr", self.words, self.sentences, self.syllables)

    @property
    def headline(self) -> float | None:
        return self.flesch_kincaid_grade if self.language == "en" else self.kandel_moles

    def meets(self, target: Target = DEFAULT_TARGET) -> bool:
        score = self.headline
        if score is None:
            return False
        if self.language == "en":
            return score <= target.max_grade_en
        return score >= target.min_ease_fr

    def hardest_sentences(self, limit: int = 3) -> list[SentenceScore]:
        """The sentences that pull the score down, worst first (ties keep the text's order)."""
        scored = [
            SentenceScore(
                p.text, _headline(self.language, p.words, 1, p.syllables), p.words, p.syllables
            )
            for p in self._parts
        ]
        worst_first = sorted(scored, key=lambda s: s.score, reverse=self.language == "en")
        return worst_first[: max(limit, 0)]


def measure(text: str, language: str) -> Report:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    parts = []
    for sentence in prepare.sentences(text, language):
        count = 0
        previous: list[str] = []
        for word in sentence.words:
            if word.opaque:
                count += 1
                previous.append("")
                continue
            verb = language == "fr" and _after_subject(previous)
            count += syllables.count(word.text, language, verb_context=verb)
            previous.append(_last_part(word.text))
        long_words = sum(1 for w in sentence.words if w.letters > 6)
        parts.append(_Counted(sentence.text, len(sentence.words), count, long_words))
    return Report(
        language=language,
        sentences=len(parts),
        words=sum(p.words for p in parts),
        syllables=sum(p.syllables for p in parts),
        long_words=sum(p.long_words for p in parts),
        _parts=tuple(parts),
    )


def _last_part(word: str) -> str:
    """ "qu’ils" → "ils", "Elles" → "elles": what the verb rule looks at."""
    return word.lower().replace("’", "'").rsplit("'", 1)[-1]


def _after_subject(previous: list[str]) -> bool:
    if previous and previous[-1] in _SUBJECTS:
        return True
    return (
        len(previous) >= 2
        and previous[-1] in _BETWEEN
        and (previous[-2] in _SUBJECTS or previous[-2] in _BETWEEN)
        and any(p in _SUBJECTS for p in previous[-3:])
    )
