"""Message wording: ((placeholder)) substitution, file loading, and choosing the right version."""

import re
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Q

from accueil.lib.sms import measure, sms_friendly
from accueil.notify.models import Template

PLACEHOLDER = re.compile(r"\(\(\s*([a-z_][a-z0-9_]*)\s*\)\)")
CONTENT_DIR = Path(__file__).parent / "content"


class MissingValue(KeyError):
    """A placeholder has no value: better no message than one with a hole in it."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    segments: int | None  # SMS only


def fill(text: str, values: dict[str, object]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise MissingValue(name)
        return str(values[name])

    return PLACEHOLDER.sub(value, text)


def placeholders(text: str) -> list[str]:
    return sorted(set(PLACEHOLDER.findall(text)))


def choose(key: str, channel: str, language: str, agency=None) -> Template:
    """The agency's own wording first, then the default; the person's language first."""
    candidates = Template.objects.filter(key=key, channel=channel).filter(
        Q(agency=agency) | Q(agency__isnull=True)
    )
    ranked = sorted(
        candidates,
        key=lambda t: (t.agency_id is None, t.language != language),
    )
    if not ranked:
        raise Template.DoesNotExist(f"no template {key} for {channel}")
    return ranked[0]


def render(template: Template, values: dict[str, object]) -> Rendered:
    subject = fill(template.subject, values)
    if any(ch in subject for ch in "\r\n"):
        raise ValueError("a subject cannot contain a line break")
    body = fill(template.body, values).strip() + "\n"
    segments = None
    if template.channel == "sms":
        body = sms_friendly(body.strip())
        segments = measure(body).segments
    return Rendered(subject, body, segments)


# -- files: content/<key>.<channel>_<language>.md with a small front matter ------------------

FILE_NAME = re.compile(r"^(?P<key>[a-z0-9_.]+)\.(?P<channel>email|sms)_(?P<language>fr|en)\.md$")


def read_file(path: Path) -> dict[str, str]:
    match = FILE_NAME.match(path.name)
    if match is None:
        raise ValueError(f"{path.name}: name must look like visit.turn_near.sms_fr.md")
    text = path.read_text(encoding="utf-8")
    fields = dict(match.groupdict())
    if text.startswith("---\n"):
        header, _, text = text[4:].partition("\n---\n")
        for line in header.splitlines():
            name, _, value = line.partition(":")
            fields[name.strip()] = value.strip()
    fields["body"] = text.strip() + "\n"
    return fields


def load_files(directory: Path = CONTENT_DIR) -> int:
    """Create or update the platform defaults from the files; agencies' own versions stay."""
    count = 0
    for path in sorted(directory.glob("*.md")):
        fields = read_file(path)
        Template.objects.update_or_create(
            agency=None,
            key=fields["key"],
            channel=fields["channel"],
            language=fields["language"],
            defaults={"subject": fields.get("subject", ""), "body": fields["body"]},
        )
        count += 1
    return count


def ensure_defaults(key: str) -> None:
    """One notice's platform wording from its files, if this database never loaded it: a
    feature that sends it must not fail until an operator runs ``load_templates``."""
    if Template.objects.filter(key=key, agency=None).exists():
        return
    for path in sorted(CONTENT_DIR.glob(f"{key}.*.md")):
        fields = read_file(path)
        Template.objects.get_or_create(
            agency=None,
            key=fields["key"],
            channel=fields["channel"],
            language=fields["language"],
            defaults={"subject": fields.get("subject", ""), "body": fields["body"]},
        )
