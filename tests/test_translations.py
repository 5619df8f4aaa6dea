"""The French catalogue is complete, compiled, current and typographically French."""

import gettext
import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
FRENCH_PO = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
FRENCH_MO = FRENCH_PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\w*\}")


def french_entries():
    return [entry for entry in polib.pofile(str(FRENCH_PO)) if not entry.obsolete]


def translations(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_no_french_string_is_untranslated_or_fuzzy():
    catalogue = polib.pofile(str(FRENCH_PO))
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert not catalogue.metadata_is_fuzzy


def test_placeholders_survive_translation():
    for entry in french_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in translations(entry):
            assert sorted(PLACEHOLDER.findall(text)) == expected, entry.msgid


@pytest.mark.parametrize("mark", [":", ";", "?", "!", "»", "%"])
def test_french_typography_uses_a_non_breaking_space(mark):
    """« Bonjour » and 80 % need a non-breaking space; so do : ; ? ! after a word."""
    for entry in french_entries():
        for text in translations(entry):
            visible = re.sub(r"<[^>]+>|%\(\w+\)[sd]|%%(?=\))", "", text)
            visible = visible.replace("%%", "%")
            for index, char in enumerate(visible):
                if char != mark or index == 0:
                    continue
                if (
                    mark == "%"
                    and not visible[index - 1].isspace()
                    and not visible[index - 1].isdigit()
                ):
                    continue
                if mark in ":;" and visible[index - 1].isdigit():
                    continue  # 09:00 or "16:30; sat": a time or an example of input, not prose
                before = visible[index - 1]
                assert before in "\u00a0\u202f", f"{entry.msgid!r}: {text!r}"


def test_french_uses_guillemets_and_apostrophes():
    for entry in french_entries():
        for text in translations(entry):
            visible = re.sub(r"<[^>]+>", "", text)
            assert '"' not in visible and "“" not in visible, text
            assert "'" not in visible, f"typographic apostrophe expected: {text!r}"


def test_compiled_catalogue_matches_the_source():
    with FRENCH_MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in french_entries():
        if entry.msgid_plural:
            for n, index in ((1, 0), (2, 1)):
                assert (
                    compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                    == entry.msgstr_plural[index]
                )
        elif entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr, "make messages"
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, "run: make messages"


@pytest.mark.skipif(
    shutil.which("xgettext") is None and os.environ.get("CI") != "true",
    reason="needs GNU gettext (xgettext); under CI its absence is a failure",
)
def test_catalogue_holds_every_string_of_the_code(tmp_path, monkeypatch):
    """Extracting again, from a copy of the sources, finds no string the catalogue lacks."""
    sources = tmp_path / "accueil"
    shutil.copytree(
        settings.BASE_DIR, sources, ignore=shutil.ignore_patterns("locale", "__pycache__")
    )
    monkeypatch.chdir(sources)
    with override_settings(LOCALE_PATHS=[sources / "locale"]):
        call_command("makemessages", locale=["fr"], ignore_patterns=["migrations/*"], verbosity=0)
    extracted = {e.msgid for e in polib.pofile(str(sources / "locale/fr/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in french_entries()}
    assert extracted - committed == set(), "run: make messages, then translate"
