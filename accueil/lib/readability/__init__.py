"""The plain-language meter: how easy a French or English text is to read, before it is sent.

``measure(text, language)`` prepares the text (``prepare``: front matter, Markdown, placeholders,
numbers, abbreviations), counts sentences, words, syllables (``syllables``: Pyphen's dictionaries
plus each language's silent letters) and long words, and returns a ``Report`` with the classic
scores (``report``): Flesch reading ease and Flesch–Kincaid grade in English, Kandel–Moles reading
ease in French, LIX in both. ``Report.meets(DEFAULT_TARGET)`` is the check every shipped template
passes (English grade 8 at most, French ease 60 at least), and ``hardest_sentences()`` tells the
writer where to start. Nothing is downloaded: the dictionaries ship inside the pyphen package.
"""

from .report import DEFAULT_TARGET, Report, SentenceScore, Target, measure

__all__ = ["DEFAULT_TARGET", "Report", "SentenceScore", "Target", "measure"]
