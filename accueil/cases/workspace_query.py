"""What the agents' list shows: the views (mine, my teams, breaching soon, unassigned, all
open), the filters and the search, each a narrowing of ``actions.cases_for(actor)`` so a list
can never reach past the agent's agency and offices.

Search: on PostgreSQL the generated ``search`` column (French and English configurations, GIN
index, migration 0002) answers in one index scan at 100,000 cases; SQLite has no such column,
so it looks for the words in the reference, the description, the contact's name and the
address (``icontains``: enough for a small office). A reference typed whole goes straight to
the case (the view does that with ``exact_reference``).
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accueil.cases.actions import cases_for
from accueil.cases.models import AT_RISK, OPEN_STATUSES, Case, Membership
from accueil.cases.search import REFERENCE, search
from accueil.core.actors import Actor

PAGE_SIZE = 50
MAX_QUERY = 200  # a search longer than this is a paste by mistake, not a search


@dataclass(frozen=True)
class View:
    slug: str
    label: str


VIEWS = [
    View("mine", _("Mine")),
    View("team", _("My teams")),
    View("breaching", _("Breaching soon")),
    View("unassigned", _("Unassigned")),
    View("open", _("All open")),
    View("all", _("All")),
]
VIEW_SLUGS = {view.slug for view in VIEWS}


def in_view(found: QuerySet[Case], view: str, user) -> QuerySet[Case]:
    if view == "mine":
        return found.filter(assignee=user, status__in=OPEN_STATUSES)
    if view == "team":
        teams = Membership.objects.filter(user=user).values("team_id")
        return found.filter(team_id__in=teams, status__in=OPEN_STATUSES)
    if view == "breaching":
        return found.filter(AT_RISK)
    if view == "unassigned":
        return found.filter(assignee__isnull=True, status__in=OPEN_STATUSES)
    if view == "open":
        return found.filter(status__in=OPEN_STATUSES)
    return found


def ordered(found: QuerySet[Case], view: str) -> QuerySet[Case]:
    """Breaching soon: the most urgent first; everything else: the newest first."""
    if view == "breaching":
        return found.order_by("resolution_due_at", "opened_at", "id")
    return found.order_by("-opened_at", "-id")


def filtered(found: QuerySet[Case], filters: dict) -> QuerySet[Case]:
    """``filters`` as cleaned by ``workspace_forms.FilterForm`` (objects already scoped)."""
    if filters.get("status"):
        found = found.filter(status=filters["status"])
    if filters.get("service"):
        found = found.filter(service=filters["service"])
    if filters.get("team"):
        found = found.filter(team=filters["team"])
    if filters.get("channel"):
        found = found.filter(channel=filters["channel"])
    return found


def searched(found: QuerySet[Case], query: str) -> QuerySet[Case]:
    return search(found, (query or "").strip()[:MAX_QUERY])


def exact_reference(actor: Actor, query: str) -> str | None:
    """The reference typed whole, when the agent may open that case; else None (search)."""
    if not REFERENCE.match(query or ""):
        return None
    reference = query.strip().upper()
    return reference if cases_for(actor).filter(reference=reference).exists() else None


def listing(actor: Actor, user, *, view: str, filters: dict, query: str) -> QuerySet[Case]:
    """The matching cases, in the view's order: a narrow query (the page is chosen from it,
    then ``rows`` reads the page's 50 cases whole). Sorting 60,000 narrow rows to keep 50 costs
    far less than sorting them joined to their service, office, team and assignee."""
    found = searched(filtered(in_view(cases_for(actor), view, user), filters), query)
    return ordered(found, view)


def rows(page_ids: list, view: str) -> list[Case]:
    """The cases of one page with everything a row shows, in one query, in the page's order."""
    found = (
        Case.objects.filter(pk__in=page_ids)
        .select_related("service", "office", "assignee", "team")
        # The list shows the start of the description only: leave the other long columns.
        .defer("fields", "transitions")
    )
    return list(ordered(found, view))
