"""Theme tagging: the golden file of real-sounding comments, and the matching rules."""

import csv
import unicodedata
from pathlib import Path

import pytest

from accueil.feedback.themes_default import default_rules
from accueil.lib.themes import Rule, Tagger, fold, tag, words

GOLDEN = Path(__file__).parents[1] / "golden" / "themes.csv"
ROWS = list(csv.DictReader(GOLDEN.open(encoding="utf-8")))
TAGGER = Tagger(default_rules())


def test_the_golden_file_has_at_least_25_comments_in_both_languages():
    assert len(ROWS) >= 25
    assert {row["language"] for row in ROWS} >= {"fr", "en", ""}


@pytest.mark.parametrize("row", ROWS, ids=[row["comment"][:40] for row in ROWS])
def test_golden_comments_get_their_expected_themes(row):
    comment = row["comment"]
    if "NFD" in row["why"]:
        comment = unicodedata.normalize("NFD", comment)
        assert comment != unicodedata.normalize("NFC", comment)
    assert set(TAGGER.tag(comment, row["language"])) == set(row["expected"].split())


def test_a_keyword_of_several_words_needs_all_of_them():
    rules = [Rule("desk", {"fr": ["guichet fermé"], "en": ["front desk"]})]
    assert tag("Le guichet était fermé à midi", "fr", rules) == ["desk"]
    assert tag("Le guichet était ouvert", "fr", rules) == []
    assert tag("The desk at the front was empty", "en", rules) == ["desk"]
    assert tag("The desk was empty", "en", rules) == []


def test_accents_are_folded_both_ways():
    rules = [Rule("delay", {"fr": ["delai"]}), Rule("window", {"fr": ["fenêtre"]})]
    assert tag("Un délai énorme", "fr", rules) == ["delay"]
    assert tag("La FENETRE 3 était vide", "fr", rules) == ["window"]


def test_a_comment_is_read_with_its_own_language_rules_only():
    rules = [Rule("wait", {"fr": ["attente"], "en": ["wait"]})]
    assert tag("wait", "fr", rules) == []
    assert tag("wait", "en", rules) == ["wait"]
    assert tag("wait", "", rules) == ["wait"]


def test_themes_come_in_rule_order_once_each():
    rules = [Rule("b", {"en": ["slow"]}), Rule("a", {"en": ["rude", "slow"]})]
    assert tag("slow, slow and rude", "en", rules) == ["b", "a"]


def test_an_empty_keyword_or_comment_matches_nothing():
    rules = [Rule("empty", {"fr": ["", "d’"]})]
    assert tag("d’accord, rien à dire", "fr", rules) == []
    assert tag("", "fr", default_rules()) == []


def test_a_rule_in_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="xx"):
        Tagger([Rule("x", {"xx": ["mot"]})])


def test_fold_and_words():
    assert fold("Œuvre DÉLAI") == "oeuvre delai"
    assert words("L’attente d'1 h 30_min") == ["attente", "min"]
