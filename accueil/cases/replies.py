"""Reply templates: reviewed files, one per language, filled with the case's values.

``content/replies/<slug>_fr.md`` and ``<slug>_en.md``, each with a ``title:`` in a small front
matter, are loaded by ``load_replies()`` (the demo and ``accueil manage load_replies`` call it);
an agency may add its own in the admin. Placeholders are the notices' ``((name))`` form:
``name``, ``reference``, ``service``, ``due``, ``reopen_until`` and the code of each of the
service's questions. One the case cannot fill is left as written, so the agent sees it.
"""

import re
from datetime import timedelta
from pathlib import Path

from django.db.models import Q
from django.utils import timezone

from accueil.cases.actions import settings_for
from accueil.cases.models import ReplyTemplate
from accueil.lib import dates

REPLIES_DIR = Path(__file__).parent / "content" / "replies"
FILE_NAME = re.compile(r"^(?P<slug>[a-z0-9-]+)_(?P<language>fr|en)\.md$")
PLACEHOLDER = re.compile(r"\(\(\s*([a-z_][a-z0-9_]*)\s*\)\)")


def read_reply(path: Path) -> tuple[str, str, str]:
    """(title, language, body) of one file."""
    match = FILE_NAME.match(path.name)
    if match is None:
        raise ValueError(f"{path.name}: name must look like resolved_fr.md")
    text = path.read_text(encoding="utf-8")
    title = match["slug"]
    if text.startswith("---\n"):
        header, _, text = text[4:].partition("\n---\n")
        for line in header.splitlines():
            name, _, value = line.partition(":")
            if name.strip() == "title":
                title = value.strip()
    return title, match["language"], text.strip() + "\n"


def load_replies(directory: Path = REPLIES_DIR) -> int:
    """Create or update the shipped replies; agencies' own stay as they are."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted(directory.glob("*.md")):
        title, language, body = read_reply(path)
        slug = FILE_NAME.match(path.name)["slug"]  # type: ignore[index]
        found.setdefault(slug, {}).update({f"title_{language}": title, f"body_{language}": body})
    for slug, fields in found.items():
        ReplyTemplate.objects.update_or_create(agency=None, slug=slug, defaults=fields)
    return len(found)


def templates_for(agency) -> list[ReplyTemplate]:
    return list(
        ReplyTemplate.objects.filter(Q(agency=agency) | Q(agency__isnull=True), active=True)
    )


def values_for(case, language: str) -> dict[str, str]:
    reopen_days = settings_for(case.service).reopen_days
    local_due = (
        timezone.localtime(case.resolution_due_at, case.office.zone)
        if case.resolution_due_at
        else None
    )
    reopen_until = timezone.localtime(timezone.now(), case.office.zone) + timedelta(
        days=reopen_days
    )
    values = {
        "name": case.contact_name or ("Madame, Monsieur" if language == "fr" else "there"),
        "reference": case.reference,
        "service": case.service.name_in(language),
        "due": dates.day(local_due, language) if local_due else "",
        "reopen_until": dates.day(reopen_until, language),
    }
    for code, answer in (case.fields or {}).items():
        values.setdefault(code, str(answer))
    return values


def fill(template: ReplyTemplate, case, language: str) -> str:
    values = values_for(case, language)

    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1))
        return found if found else match.group(0)

    return PLACEHOLDER.sub(value, template.body(language))
