"""Every template we ship is plain language: notification emails and SMS, and case replies.

The reply templates (`accueil/cases/content/replies/`) are picked up as soon as they exist. A
file's language comes from its name (`…_fr.md`, `…_en.md`, `….fr.md`) or from a parent folder
named `fr` or `en`.
"""

from pathlib import Path

import pytest

from accueil.lib.readability import DEFAULT_TARGET, measure

ROOT = Path(__file__).resolve().parents[1] / "accueil"
SHIPPED = sorted(
    [
        *(ROOT / "notify" / "content").glob("*_fr.md"),
        *(ROOT / "notify" / "content").glob("*_en.md"),
        *(ROOT / "cases" / "content" / "replies").rglob("*.md"),
    ]
)


def language_of(path):
    for language in ("fr", "en"):
        if path.stem.endswith((f"_{language}", f".{language}")):
            return language
    for parent in path.relative_to(ROOT).parents:
        if parent.name in ("fr", "en"):
            return parent.name
    return None


def test_notification_templates_are_found_in_both_languages():
    names = [p.name for p in SHIPPED]
    assert sum(n.endswith("_fr.md") for n in names) >= 10
    assert sum(n.endswith("_en.md") for n in names) >= 10


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(ROOT)) for p in SHIPPED])
def test_shipped_template_meets_the_plain_language_target(path):
    language = language_of(path)
    assert language, f"{path.relative_to(ROOT)}: cannot tell its language from its name"
    report = measure(path.read_text(encoding="utf-8"), language)
    hardest = report.hardest_sentences(limit=1)
    name = "Flesch-Kincaid grade" if language == "en" else "Kandel-Moles ease"
    assert report.meets(DEFAULT_TARGET), (
        f"{path.relative_to(ROOT)} is not plain language: {name} {report.headline:.1f}, "
        f"target {DEFAULT_TARGET}; hardest sentence: "
        f"{hardest[0].text!r} ({hardest[0].score:.1f})"
        if hardest
        else f"{path.relative_to(ROOT)} has nothing to read"
    )
