"""Which team gets a new request, and which of its agents.

Rules are tried in their order; the first whose every filled-in condition matches wins
(service, category, keywords, area). Keywords and text are compared without case or accents,
so « trottoir glacé » matches « TROTTOIR GLACE ». An area is either postal-code beginnings
(``H2X, H2W``) matched against the address, or a box of coordinates ``south,west,north,east``.

``golden`` tests feed ``tests/golden/routing.csv`` through ``team_for`` on real rows.
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accueil.cases.models import OPEN_STATUSES, Assignment, Case, Membership, RoutingRule, Team

POSTAL_CODE = re.compile(r"\b([A-Z]\d[A-Z])\s?(\d[A-Z]\d)\b")


def folded(text: str) -> str:
    """Lower case without accents, NFC or NFD alike."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _words(text: str) -> str:
    return " " + re.sub(r"[\W_]+", " ", folded(text)) + " "


def keywords_match(keywords: str, text: str) -> bool:
    haystack = _words(text)
    wanted = [_words(k).strip() for k in keywords.split(",")]
    return any(f" {word} " in haystack for word in wanted if word)


def _box(area: str) -> tuple[Decimal, Decimal, Decimal, Decimal] | None:
    parts = [p.strip() for p in area.split(",")]
    if len(parts) != 4:
        return None
    try:
        south, west, north, east = (Decimal(p) for p in parts)
    except InvalidOperation:
        return None
    return south, west, north, east


def area_matches(area: str, address: str, latitude, longitude) -> bool:
    box = _box(area)
    if box is not None:
        if latitude is None or longitude is None:
            return False
        south, west, north, east = box
        return south <= Decimal(latitude) <= north and west <= Decimal(longitude) <= east
    codes = {"".join(m) for m in POSTAL_CODE.findall(folded(address).upper())}
    prefixes = [re.sub(r"\s", "", p).upper() for p in area.split(",") if p.strip()]
    return any(code.startswith(prefix) for code in codes for prefix in prefixes)


def rule_matches(rule: RoutingRule, case: Case) -> bool:
    if rule.service_id and rule.service_id != case.service_id:
        return False
    if rule.category_id and rule.category_id != case.service.category_id:
        return False
    if rule.keywords.strip():
        text = " ".join([case.description, *(str(v) for v in case.fields.values())])
        if not keywords_match(rule.keywords, text):
            return False
    if not rule.area.strip():
        return True
    return area_matches(rule.area, case.address, case.latitude, case.longitude)


def team_for(case: Case) -> Team | None:
    rules = RoutingRule.objects.filter(agency_id=case.agency_id).select_related("team")
    for rule in rules:
        if rule_matches(rule, case):
            return rule.team
    return None


def agent_for(team: Team, office=None):
    """The available member who should take the next request, or None.

    Only members who can open it: an agent limited to some offices is given requests timed by
    one of them. In turn: the one who was given a request longest ago (never first). Fewest
    open: the one holding the fewest open requests, ties broken in turn."""
    # Two subqueries per member, each answered from an index (case_assignee_given,
    # case_assignee_status), instead of joining every request the members ever held: at
    # 100,000 requests the join read 86,000 rows for each request opened (bench/cases.py).
    mine = Case.objects.filter(assignee=OuterRef("user"))
    members = Membership.objects.filter(team=team, available=True, user__is_active=True)
    if office is not None:
        reach = Q(user__offices=None) | Q(user__offices=office)
        members = members.filter(pk__in=Membership.objects.filter(reach).values("pk"))
    members = members.select_related("user").annotate(
        last_given=Subquery(
            mine.filter(assigned_at__isnull=False)
            .order_by("-assigned_at")
            .values("assigned_at")[:1]
        ),
        holding=Coalesce(
            Subquery(
                mine.filter(status__in=OPEN_STATUSES)
                .order_by()
                .values("assignee")
                .annotate(n=Count("*"))
                .values("n")
            ),
            0,
        ),
    )
    candidates = list(members)
    if not candidates:
        return None

    def in_turn(m):
        return (m.last_given is not None, m.last_given, m.user.username)

    if team.assignment == Assignment.ROUND_ROBIN:
        chosen = min(candidates, key=in_turn)
    else:
        chosen = min(candidates, key=lambda m: (m.holding, *in_turn(m)))
    return chosen.user
