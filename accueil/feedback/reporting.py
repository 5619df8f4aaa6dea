"""The A-11 reporting figures: served, offered, respondents, response rate, driver results.

For one period and one survey, a row per (service, office, channel) the actor may see:

- **served**: visits completed (``Visit.ended_at`` in the period, channel "in person") plus
  requests resolved (``Case.resolved_at`` in the period, the request's own channel);
- **offered**: invitations made in the period (``Invitation.created_at``) for that survey;
- **respondents**: those invitations that were answered (whenever the answer came), so the
  **response rate** (respondents ÷ offered) is the share of the people asked in the period who
  answered — a response in early April to a March visit counts for March;
- **driver results** over those respondents' answers, per question: for a thumbs question the
  count of each answer and the share of thumbs up (A-11's trust figure); for a 5-point
  question the count of each point and the share of 4 and 5; for tick boxes ("what went
  well", "what did not go well") the count of each driver ticked.

Everything is counted by the database (``GROUP BY`` queries, five of them whatever the number of
rows); Python only adds up the grouped counts. Tick boxes are grouped by their whole list of
ticked codes (at most 2⁶ combinations per question) and the codes counted from the groups.

Periods are days, weeks (Monday to Sunday), months, quarters and fiscal years (April to March),
in the reporting time zone (``TIME_ZONE``, ``ACCUEIL_TIME_ZONE``); a quarter is a quarter of
the fiscal year (Q1 = April to June).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from django.conf import settings
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accueil.cases.models import Case
from accueil.catalog.access import offices_for, services_for
from accueil.catalog.models import Channel, Office, Service
from accueil.core.actors import Actor
from accueil.feedback.models import (
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Survey,
    SurveyKind,
)
from accueil.queues.models import Visit, VisitStatus

PERIOD_KINDS = {
    "day": _("Day"),
    "week": _("Week"),
    "month": _("Month"),
    "quarter": _("Quarter"),
    "fiscal_year": _("Fiscal year"),
}
FISCAL_YEAR_START = 4  # April


# -- periods --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day
    end: date  # the day after the last

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        if kind == "day":
            return cls(kind, day, day + timedelta(days=1))
        if kind == "week":
            monday = day - timedelta(days=day.weekday())
            return cls(kind, monday, monday + timedelta(days=7))
        if kind == "month":
            first = day.replace(day=1)
            return cls(kind, first, _add_months(first, 1))
        if kind == "quarter":
            first = day.replace(day=1, month=day.month - (day.month - FISCAL_YEAR_START) % 3)
            return cls(kind, first, _add_months(first, 3))
        if kind == "fiscal_year":
            year = day.year if day.month >= FISCAL_YEAR_START else day.year - 1
            first = date(year, FISCAL_YEAR_START, 1)
            return cls(kind, first, _add_months(first, 12))
        raise ValueError(f"unknown period kind {kind!r}")

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        return Period.containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        return Period.containing(self.kind, self.end)

    def bounds(self, zone: ZoneInfo | None = None) -> tuple[datetime, datetime]:
        """The period as aware instants [start, end) in the reporting zone."""
        zone = zone or ZoneInfo(settings.TIME_ZONE)
        return (
            datetime.combine(self.start, time(0), tzinfo=zone),
            datetime.combine(self.end, time(0), tzinfo=zone),
        )

    @property
    def fiscal_year(self) -> str:
        """« 2026-2027 » for any day from April 2026 to March 2027."""
        year = self.start.year if self.start.month >= FISCAL_YEAR_START else self.start.year - 1
        return f"{year}-{year + 1}"

    @property
    def code(self) -> str:
        """A stable name for files and CSV cells: 2026-11-30, 2026-W49, 2026-11, 2026-2027-Q3,
        2026-2027."""
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            quarter = (self.start.month - FISCAL_YEAR_START) % 12 // 3 + 1
            return f"{self.fiscal_year}-Q{quarter}"
        return self.fiscal_year

    def label(self, language: str) -> str:
        """« 1er au 30 novembre 2026 », "November 1 to 30, 2026", or one day."""
        french = language.startswith("fr")
        locale, pattern = ("fr_CA", "d MMMM y") if french else ("en_CA", "MMMM d, y")
        first = format_date(self.start, pattern, locale=locale)
        if french and self.start.day == 1:
            first = "1er" + first[1:]
        if self.kind == "day":
            return first
        last = format_date(self.last, pattern, locale=locale)
        return f"{first} au {last}" if french else f"{first} to {last}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


# -- figures --------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    """One question's counts, keyed by answer: "1"/"0" (thumbs), "1"…"5" (scale), a choice
    code (tick boxes)."""

    question: Question
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def answered(self) -> int:
        """How many answered (for tick boxes: how many ticks)."""
        return sum(self.counts.values())

    @property
    def keys(self) -> list[str]:
        if self.question.kind == QuestionKind.TRUST_THUMBS:
            return ["1", "0"]
        if self.question.kind == QuestionKind.SCALE5:
            return ["1", "2", "3", "4", "5"]
        return [code for code, _label in self.question.choice_list()]

    @property
    def share(self) -> float | None:
        """Thumbs: share of thumbs up; scale: share of 4 and 5; tick boxes: None."""
        if self.question.kind == QuestionKind.TRUST_THUMBS:
            return _ratio(self.counts["1"], self.counts["1"] + self.counts["0"])
        if self.question.kind == QuestionKind.SCALE5:
            return _ratio(self.counts["4"] + self.counts["5"], self.answered)
        return None


@dataclass
class Row:
    service_id: object  # None on the total row
    office_id: object
    channel: str
    service: Service | None = None
    office: Office | None = None
    served: int = 0
    offered: int = 0
    respondents: int = 0
    results: dict[int, QuestionResult] = field(default_factory=dict)

    @property
    def response_rate(self) -> float | None:
        return _ratio(self.respondents, self.offered)

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label) if self.channel in Channel.values else ""

    def result(self, question: Question) -> QuestionResult:
        return self.results.setdefault(question.pk, QuestionResult(question))


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Filters:
    period: Period
    survey: Survey | None = None
    service: Service | None = None
    office: Office | None = None
    channel: str = ""


@dataclass
class Report:
    filters: Filters
    questions: list[Question]
    rows: list[Row]
    total: Row

    def results(self, row: Row) -> Iterator[QuestionResult]:
        for question in self.questions:
            yield row.result(question)


def default_survey(actor: Actor) -> Survey | None:
    """The agency's A-11 form, else its first survey in use."""
    surveys = Survey.objects.filter(agency_id=actor.agency_id)
    return (
        surveys.filter(kind=SurveyKind.A11).first()
        or surveys.filter(active=True).order_by("created_at").first()
    )


def report(actor: Actor, filters: Filters) -> Report:
    """The figures for ``filters``, for the offices and services ``actor`` may see."""
    for chosen in (filters.survey, filters.service, filters.office):
        if chosen is not None and chosen.agency_id != actor.agency_id:
            raise Http404  # filters come from access_* helpers; this is the last word
    start, end = filters.period.bounds()
    offices = offices_for(actor)
    services = services_for(actor)
    if filters.office is not None:
        offices = offices.filter(pk=filters.office.pk)
    if filters.service is not None:
        services = services.filter(pk=filters.service.pk)
    rows: dict[tuple, Row] = {}

    def row(service_id, office_id, channel) -> Row:
        key = (service_id, office_id, channel)
        if key not in rows:
            rows[key] = Row(service_id, office_id, channel)
        return rows[key]

    channel = filters.channel
    if channel in ("", Channel.IN_PERSON):
        visits = Visit.objects.filter(
            office__in=offices,
            service__in=services,
            status=VisitStatus.DONE,
            ended_at__gte=start,
            ended_at__lt=end,
        )
        for group in visits.values("service_id", "office_id").annotate(n=Count("id")):
            row(group["service_id"], group["office_id"], Channel.IN_PERSON).served += group["n"]
    cases = Case.objects.filter(
        office__in=offices, service__in=services, resolved_at__gte=start, resolved_at__lt=end
    )
    if channel:
        cases = cases.filter(channel=channel)
    for group in cases.values("service_id", "office_id", "channel").annotate(n=Count("id")):
        row(group["service_id"], group["office_id"], group["channel"]).served += group["n"]

    questions: list[Question] = []
    if filters.survey is not None:
        invitations = _invitations(filters, offices, services, start, end)
        counted = invitations.values("service_id", "office_id", "channel").annotate(
            offered=Count("id"), respondents=Count("response")
        )
        for group in counted:
            found = row(group["service_id"], group["office_id"], group["channel"])
            found.offered += group["offered"]
            found.respondents += group["respondents"]
        questions = list(filters.survey.questions.exclude(kind=QuestionKind.COMMENT))
        by_id = {q.pk: q for q in questions}
        answers = (
            Answer.objects.filter(response__invitation__in=invitations, question__in=list(by_id))
            .values(
                "response__service_id",
                "response__office_id",
                "response__channel",
                "question_id",
                "value_int",
                "choices",
            )
            .annotate(n=Count("id"))
            .order_by()
        )
        for group in answers:
            found = row(
                group["response__service_id"],
                group["response__office_id"],
                group["response__channel"],
            )
            result = found.result(by_id[group["question_id"]])
            if result.question.kind == QuestionKind.CHOICES:
                for code in group["choices"] or []:
                    result.counts[str(code)] += group["n"]
            elif group["value_int"] is not None:
                result.counts[str(group["value_int"])] += group["n"]

    named = Service.objects.in_bulk({r.service_id for r in rows.values()})
    offices_named = Office.objects.in_bulk({r.office_id for r in rows.values()})
    for found in rows.values():
        found.service = named.get(found.service_id)
        found.office = offices_named.get(found.office_id)
    ordered = sorted(
        rows.values(),
        key=lambda r: (str(r.service or ""), str(r.office or ""), r.channel_label),
    )
    total = Row(None, None, channel)
    for found in ordered:
        total.served += found.served
        total.offered += found.offered
        total.respondents += found.respondents
        for question in questions:
            total.result(question).counts.update(found.result(question).counts)
    return Report(filters, questions, ordered, total)


def _invitations(filters: Filters, offices, services, start, end) -> QuerySet[Invitation]:
    invitations = Invitation.objects.filter(
        survey=filters.survey,
        office__in=offices,
        service__in=services,
        created_at__gte=start,
        created_at__lt=end,
    )
    if filters.channel:
        invitations = invitations.filter(channel=filters.channel)
    return invitations
