"""The plain-language meter: golden hand counts, the text preparation rules, hardest sentences."""

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accueil.lib.readability import DEFAULT_TARGET, Target, measure

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "readability.csv"
ROWS = list(csv.DictReader(GOLDEN.open(encoding="utf-8", newline="")))
SCORES = ("flesch_reading_ease", "flesch_kincaid_grade", "kandel_moles", "lix")


def counts(text, language="fr"):
    report = measure(text, language)
    return report.sentences, report.words, report.syllables, report.long_words


# -- golden file ---------------------------------------------------------------------------------


def test_golden_file_covers_both_languages_and_shipped_templates():
    languages = [row["language"] for row in ROWS]
    assert len(ROWS) >= 24
    assert languages.count("fr") >= 10 and languages.count("en") >= 10
    assert sum(1 for row in ROWS if "-template-" in row["id"]) >= 4
    handcount = (GOLDEN.parent / "readability-handcount.md").read_text(encoding="utf-8")
    assert all(f"**{row['id']}**" in handcount for row in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_golden_scores_are_the_formulas_applied_to_the_hand_counts(row):
    s, w, syl, long_ = (int(row[k]) for k in ("sentences", "words", "syllables", "long_words"))
    expected = {
        "lix": w / s + 100 * long_ / w,
        "flesch_reading_ease": 206.835 - 1.015 * w / s - 84.6 * syl / w,
        "flesch_kincaid_grade": 0.39 * w / s + 11.8 * syl / w - 15.59,
        "kandel_moles": 207 - 1.015 * w / s - 73.6 * syl / w,
    }
    for name, value in expected.items():
        if row[name]:
            assert float(row[name]) == pytest.approx(value, abs=0.005), name


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_scores_match_the_hand_counts_within_one_point(row):
    report = measure(row["text"], row["language"])
    measured = (report.sentences, report.words, report.syllables, report.long_words)
    hand = tuple(int(row[k]) for k in ("sentences", "words", "syllables", "long_words"))
    for name in SCORES:
        got = getattr(report, name)
        if row[name] == "":
            assert got is None, name
            continue
        assert got == pytest.approx(float(row[name]), abs=1), (
            f"{name}: measured {got:.2f}, hand count gives {row[name]} "
            f"(sentences, words, syllables, long words: measured {measured}, by hand {hand})"
        )


# -- text preparation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,language",
    [
        ("M. Tremblay vous attend. Mme Roy aussi.", "fr"),
        ("Apportez une preuve, p. ex. une facture. Merci.", "fr"),
        ("Apportez une preuve, c.-à-d. une facture. Merci.", "fr"),
        ("Dr. Roy will see you. Please wait.", "en"),
        ("Bring a document, e.g. a bill. Thank you.", "en"),
        ("Bring a document, i.e. a bill. Thank you.", "en"),
        ("Office No. 5 is open. Come in.", "en"),
    ],
)
def test_abbreviations_do_not_end_sentences(text, language):
    assert measure(text, language).sentences == 2


def test_etc_ends_a_sentence_only_before_a_capital():
    assert measure("Apportez vos pièces, etc. Le guichet ouvre.", "fr").sentences == 2
    assert measure("Apportez vos pièces, etc. au guichet.", "fr").sentences == 1
    assert measure("Bring papers, IDs, etc.", "en").sentences == 1


@pytest.mark.parametrize(
    "text,language,words",
    [
        ("Ouvert de 10 h 30 à 17 h.", "fr", 5),  # Ouvert, de, 10 h 30, à, 17 h
        ("Ouvert de 10h30 à 17h.", "fr", 5),
        ("Open from 10:30 a.m. to noon.", "en", 5),  # Open, from, 10:30 a.m, to, noon
        ("Le permis coûte 1\u00a0000,50\u00a0$.", "fr", 4),  # $ is not a word
        ("Appelez le 514 555-1234.", "fr", 3),
        ("Votre billet A-042 est prêt.", "fr", 5),
        ("Du 1er au 15 mars.", "fr", 5),
    ],
)
def test_numbers_and_times_are_one_word_and_never_split_a_sentence(text, language, words):
    report = measure(text, language)
    assert (report.sentences, report.words) == (1, words)


def test_a_number_counts_one_syllable_and_is_never_long():
    assert counts("Le 1234567.") == (1, 2, 2, 0)


def test_placeholders_are_one_word_of_one_syllable_even_with_underscores():
    assert counts("Expire le ((expires_on)).") == (1, 3, 4, 0)  # ex-pi-re 2, le 1, placeholder 1
    assert measure("((a)) ((b)) ((c)).", "en").syllables == 3


@pytest.mark.parametrize("apostrophe", ["'", "\u2019"])
def test_french_elisions_are_one_word_whatever_the_apostrophe(apostrophe):
    # L’office 2 (l’ adds nothing; 7 letters: long), ouvre 1, aujourd’hui 3 (long), qu’une 1, fois 1
    text = f"L{apostrophe}office ouvre aujourd{apostrophe}hui\u00a0: qu{apostrophe}une fois."
    assert counts(text) == (1, 5, 8, 2)


def test_hyphenated_words_are_one_word_with_the_syllables_of_their_parts():
    # Présentez-vous: pré-sen-tez + vous = 4; rendez-vous: 3
    assert counts("Présentez-vous au rendez-vous.") == (1, 3, 8, 2)


def test_french_mute_endings_are_not_counted_but_heard_ones_are():
    assert counts("personne") == (1, 1, 2, 1)
    assert counts("journée") == (1, 1, 2, 1)
    assert counts("moment") == (1, 1, 2, 0)
    assert counts("Ils attendent.") == (1, 2, 3, 1)  # the verb's -ent is mute after "ils"
    assert counts("Un agent.") == (1, 2, 3, 0)  # a noun's -ent is heard


def test_english_silent_letters_are_not_counted():
    for word, syllables in [
        ("make", 1),
        ("office", 2),
        ("simple", 2),
        ("places", 2),
        ("minutes", 2),
        ("wanted", 2),
        ("liked", 1),
        ("didn't", 2),
        ("don't", 1),
    ]:
        assert measure(word, "en").syllables == syllables, word


def test_markdown_is_read_as_text_with_headings_and_items_ending_sentences():
    text = (
        "---\nsubject: Ignored front matter, long words everywhere\n---\n"
        "# Heading\n\nSome **bold** and _slanted_ words\n"
        "- first item\n* second item\n1. third item\n\n"
        "[Follow this link](https://example.org/a_very_long_address)\n"
    )
    report = measure(text, "en")
    # Heading | Some bold and slanted words | first item | second item | third item
    # | Follow this link
    assert (report.sentences, report.words) == (6, 15)
    assert [s.text for s in report.hardest_sentences(10) if s.text.startswith("Follow")] == [
        "Follow this link"
    ]


def test_a_line_starting_with_a_capital_ends_the_sentence_before_it():
    text = "((service)), ((office))\nOn ((date)) at ((time))\nand then\nhome."
    assert measure(text, "en").sentences == 2


def test_french_spacing_before_question_and_exclamation_marks_ends_sentences():
    assert measure("Besoin d’aide\u00a0? Appelez-nous\u00a0! Merci.", "fr").sentences == 3


def test_empty_text_has_zero_counts_no_score_and_never_meets_a_target():
    for text in ("", "---\nsubject: x\n---\n", "  \n- \n***\n"):
        report = measure(text, "fr")
        assert counts(text) == (0, 0, 0, 0)
        assert report.headline is None and report.kandel_moles is None
        assert report.lix == 0 and report.average_sentence_length == 0
        assert not report.meets()
        assert report.hardest_sentences() == []


def test_only_french_and_english_are_measured():
    with pytest.raises(ValueError):
        measure("Hallo Welt.", "de")


# -- scores, targets, hardest sentences ------------------------------------------------------------


def test_each_language_gets_its_own_scores_and_headline():
    en = measure("Please wait here.", "en")
    fr = measure("Attendez ici.", "fr")
    assert en.kandel_moles is None and en.headline == en.flesch_kincaid_grade is not None
    assert fr.flesch_reading_ease is None and fr.flesch_kincaid_grade is None
    assert fr.headline == fr.kandel_moles is not None


def test_target_is_a_grade_ceiling_in_english_and_an_ease_floor_in_french():
    text = "Pursuant to the applicable regulatory provisions, we will review your application."
    report = measure(text, "en")
    assert report.flesch_kincaid_grade > DEFAULT_TARGET.max_grade_en
    assert not report.meets()
    assert report.meets(Target(max_grade_en=report.flesch_kincaid_grade))
    french = measure("Conformément aux dispositions réglementaires applicables.", "fr")
    assert not french.meets()
    assert french.meets(Target(min_ease_fr=french.kandel_moles))


def test_hardest_sentences_come_worst_first_with_their_own_score():
    text = (
        "Come in. "
        "The administration will undertake a comprehensive examination of your application. "
        "Please take a ticket at the kiosk."
    )
    report = measure(text, "en")
    hardest = report.hardest_sentences(limit=2)
    assert [s.text[:10] for s in hardest] == ["The admini", "Please tak"]
    assert hardest[0].score > hardest[1].score
    alone = measure(hardest[0].text, "en")
    assert hardest[0].score == pytest.approx(alone.flesch_kincaid_grade)
    assert hardest[0].words == alone.words
    assert len(report.hardest_sentences()) == 3


def test_hardest_french_sentence_is_the_one_with_the_lowest_ease():
    text = (
        "Conformément aux dispositions réglementaires, l’administration examinera votre dossier. "
        "Merci de votre visite ((name))."
    )
    hardest = measure(text, "fr").hardest_sentences(limit=1)
    assert hardest[0].text.startswith("Conformément")
    assert hardest[0].score == pytest.approx(measure(hardest[0].text, "fr").kandel_moles)
    assert measure(text, "fr").hardest_sentences()[-1].text == "Merci de votre visite ((name))."


PIECES = st.sampled_from(
    [*"abeéiouyAEQ’'-.!?:;,()[]*_#>\n \u00a0 019h$%«»", "((x))", "M. ", "etc.", "p. ex."]
    + ["e.g.", "```", "---\n", "- ", "1. ", "http://a.b/c ", "10 h 30", "Ils ", "qu’"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=60).map("".join), st.sampled_from(["fr", "en"]))
def test_any_text_is_measured_and_sentences_add_up_to_the_whole(text, language):
    report = measure(text, language)
    parts = report.hardest_sentences(limit=10**6)
    assert len(parts) == report.sentences <= report.words
    assert sum(s.words for s in parts) == report.words
    assert sum(s.syllables for s in parts) == report.syllables >= report.words
