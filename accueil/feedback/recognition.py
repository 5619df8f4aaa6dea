"""What recognition's pages read: an agent's own results, the team's wall, the pulse's figures.

Nothing here writes. Each function is given the actor and reads only what that actor may see:
an agent's results are their own; the wall is their agency's approved compliments; the pulse's
figures are those ``accueil/lib/pulse.py`` allows, for weeks that are over.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import fmean

from django.http import Http404
from django.utils import timezone

from accueil.catalog.access import offices_for
from accueil.core.actors import Actor
from accueil.feedback.models import (
    Answer,
    Kudos,
    PulseAnswer,
    QuestionKind,
    WallStatus,
)
from accueil.feedback.recognition_actions import week_of
from accueil.lib.pulse import MINIMUM, shown

# An agent's monthly trust share is shown from this many answers: fewer would let them guess
# what one citizen answered.
MONTH_MINIMUM = 5
WALL_SIZE = 24


def month_start(today: date) -> datetime:
    """The first instant of ``today``'s month, in the site's time zone."""
    return timezone.make_aware(datetime.combine(today.replace(day=1), time.min))


# -- the agent's own page ---------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    month: date
    answers: int
    positive: int

    @property
    def shown(self) -> bool:
        return self.answers >= MONTH_MINIMUM

    @property
    def share(self) -> int:
        return round(100 * self.positive / self.answers) if self.answers else 0


def trust_by_month(actor: Actor, today: date | None = None, months: int = 12) -> list[Month]:
    """The share of the agent's own survey answers that trusted the agency, month by month
    (thumbs up, or 4 or 5 on the 5-point scale), newest first."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _step in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    rows = Answer.objects.filter(
        response__agent=actor.user,
        response__submitted_at__gte=since,
        question__driver="trust",
        value_int__isnull=False,
    ).values_list("response__submitted_at", "question__kind", "value_int")
    counts: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for submitted_at, kind, value in rows:
        month = timezone.localtime(submitted_at).date().replace(day=1)
        positive = value == 1 if kind == QuestionKind.TRUST_THUMBS else value >= 4
        counts[month][0] += 1
        counts[month][1] += int(positive)
    return [Month(month, *counts[month]) for month in sorted(counts, reverse=True)]


def own_kudos(actor: Actor):
    return (
        Kudos.objects.filter(agent=actor.user)
        .select_related("service", "office", "sender")
        .order_by("-created_at")
    )


def new_kudos_count(actor: Actor) -> int:
    """Compliments the agent has not seen yet (the staff home shows the count)."""
    return Kudos.objects.filter(agent=actor.user, seen_at__isnull=True).count()


def own_wows(actor: Actor, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    wows = Kudos.objects.filter(agent=actor.user, wow=True)
    return {"month": wows.filter(created_at__gte=month_start(today)).count(), "all": wows.count()}


# -- the wall -----------------------------------------------------------------------------------


def wall(actor: Actor, office=None, today: date | None = None) -> dict:
    """The agency's approved compliments (one office's, if chosen) and this month's wows."""
    today = today or timezone.localdate()
    kudos = Kudos.objects.filter(agency_id=actor.agency_id, wall_status=WallStatus.APPROVED)
    wows = Kudos.objects.filter(
        agency_id=actor.agency_id, wow=True, created_at__gte=month_start(today)
    )
    if office is not None:
        kudos, wows = kudos.filter(office=office), wows.filter(office=office)
    return {
        "kudos": kudos.select_related("agent", "service").order_by("-reviewed_at")[:WALL_SIZE],
        "wow_count": wows.count(),
        "month": today.replace(day=1),
    }


# -- the pulse --------------------------------------------------------------------------------


def closed_weeks(today: date | None = None, count: int = 12) -> list[str]:
    """The last ``count`` weeks that are over, newest first. A week's figures are shown only
    once it is over, so a figure never changes after someone has seen it (no difference
    between two readings can single out a late answer)."""
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    return [week_of(monday - timedelta(weeks=n)) for n in range(1, count + 1)]


def monday_of(week: str) -> date:
    """ "2026-W48" → the Monday that starts it (how people read a week)."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


@dataclass
class Cell:
    label: str
    respondents: int = 0
    mood: float | None = None
    workload: float | None = None
    shown: bool = False


@dataclass
class WeekFigures:
    week: str
    whole: Cell
    monday: date | None = None
    offices: list[Cell] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    minimum: int = MINIMUM


def pulse_figures(actor: Actor, week: str, agency_label: str, today: date | None = None):
    """One week's figures as the publication rule allows, for the offices the supervisor
    reaches (the agency's figure is computed over every office either way)."""
    if week not in closed_weeks(today, count=52):
        raise Http404
    answers = PulseAnswer.objects.filter(agency_id=actor.agency_id, week=week)
    values: dict[object, list[tuple[int, int]]] = defaultdict(list)
    for office_id, mood, workload in answers.values_list("office_id", "mood", "workload"):
        values[office_id].append((mood, workload))
    allowed = shown({key: len(rows) for key, rows in values.items()})

    def cell(label: str, rows: list[tuple[int, int]], visible: bool) -> Cell:
        if not visible:
            return Cell(label)
        return Cell(
            label,
            len(rows),
            round(fmean(m for m, _w in rows), 1),
            round(fmean(w for _m, w in rows), 1),
            True,
        )

    everyone = [row for rows in values.values() for row in rows]
    figures = WeekFigures(week, cell(agency_label, everyone, allowed.whole), monday_of(week))
    for office in offices_for(actor).order_by("name_fr"):
        figures.offices.append(
            cell(office.name, values.get(office.pk, []), office.pk in allowed.parts)
        )
    if allowed.whole:
        # Random ids: this order says nothing about who answered or when.
        figures.comments = list(
            answers.exclude(comment="").order_by("id").values_list("comment", flat=True)
        )
    return figures
