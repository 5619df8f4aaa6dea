"""Survey comments as supervisors read them: themes, the abuse word list, the filtered list.

Reads only; the writes (tags, flags, redaction) are in ``reporting_actions.py``.

- **Themes**: an agency's active ``ThemeRule`` rows compiled into a tagger
  (``accueil/lib/themes.py``): stems, accents folded, French and English.
- **Abuse**: a short list of insults, slurs and threats, matched the same way. A match flags
  the comment for a supervisor to look at; nothing is hidden or deleted by a word list.
- **The list**: comments of the actor's agency and offices, newest first, with filters on
  theme, flag, service, office, period and a text search (accent-blind on both databases:
  the search is applied to a folded copy of the words in Python, over the page already
  narrowed by the other filters and capped, never over the whole table).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from accueil.catalog.access import offices_for
from accueil.core.actors import Actor
from accueil.feedback.models import Response, ResponseTheme, ThemeRule
from accueil.lib.themes import Rule, Tagger, fold

ABUSE = Rule(
    "abuse",
    {
        "fr": [
            "connard", "connasse", "salope", "salaud", "enculé", "pute", "putain", "pétasse",
            "ta gueule", "ferme ta gueule", "crétin", "abruti", "imbécile", "débile", "merde",
            "bougnoule", "nègre", "pédé", "tuer", "crever", "bombe",
        ],
        "en": [
            "asshole", "bitch", "bastard", "fuck", "fucking", "shit", "moron", "retard",
            "idiot", "stupid", "cunt", "faggot", "nigger", "kill", "bomb",
        ],
    },
)  # fmt: skip
_ABUSE = Tagger([ABUSE])

LIST_LIMIT = 200


def abusive(text: str, language: str) -> bool:
    return bool(_ABUSE.tag(text, language))


def tagger_for(agency_id) -> tuple[Tagger, dict[str, ThemeRule]]:
    """The agency's active themes, compiled, and the rules by code."""
    rules = {rule.code: rule for rule in ThemeRule.objects.filter(agency_id=agency_id, active=True)}
    return Tagger(Rule(code, rule.keywords()) for code, rule in rules.items()), rules


@dataclass(frozen=True)
class VerbatimFilters:
    theme: str = ""  # a ThemeRule code
    flagged: str = ""  # "yes", "no" or "" (both)
    service: str = ""  # ids, as the GET form sends them
    office: str = ""
    channel: str = ""
    start: datetime | None = None
    end: datetime | None = None
    search: str = ""


def verbatims(actor: Actor, filters: VerbatimFilters, limit: int | None = LIST_LIMIT):
    """Responses with a comment that the actor may read, newest first (at most ``limit``;
    ``None``: all of them, read in chunks — the CSV export)."""
    rows: QuerySet[Response] = (
        Response.objects.filter(agency_id=actor.agency_id, office__in=offices_for(actor))
        .exclude(comment="")
        .select_related("service", "office", "agent", "verbatim", "invitation")
        .prefetch_related(
            Prefetch(
                "themes",
                queryset=ResponseTheme.objects.select_related("theme").order_by(
                    "theme__position", "theme__code"
                ),
            )
        )
        .order_by("-submitted_at", "-id")
    )
    if filters.theme:
        rows = rows.filter(themes__theme__code=filters.theme)
    if filters.flagged == "yes":
        rows = rows.filter(verbatim__flagged_at__isnull=False)
    elif filters.flagged == "no":
        rows = rows.exclude(verbatim__flagged_at__isnull=False)
    if filters.service:
        rows = rows.filter(service_id=filters.service)
    if filters.office:
        rows = rows.filter(office_id=filters.office)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.start is not None:
        rows = rows.filter(invitation__created_at__gte=filters.start)
    if filters.end is not None:
        rows = rows.filter(invitation__created_at__lt=filters.end)
    if limit is not None and not filters.search:
        return list(rows[:limit])
    return _searched(rows, filters.search, limit)


def _searched(rows: QuerySet[Response], search: str, limit: int | None) -> Iterator[Response]:
    """Accent-blind, case-blind: every word of ``search`` somewhere in the comment."""
    wanted = fold(search).split()
    found = 0
    if limit is not None:
        rows = rows[: limit * 10]  # a page's search never reads the whole table
    for response in rows.iterator(chunk_size=500):
        if all(word in fold(response.comment) for word in wanted):
            yield response
            found += 1
            if found == limit:
                return
