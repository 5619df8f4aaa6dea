"""What each KPI page shows: panels of one chart and one table holding the same numbers.

A panel is built from rows of ``kpis.Figures`` (one per day, hour, service, agent …) and a list
of columns; each column says how to read its figure and what kind it is (a count, a duration, a
share), which decides how the page writes it (« 4,5 minutes », « 66,7 % »), how the CSV file
writes it (minutes and percentages as plain numbers) and how the chart draws it. The chart draws
one of the columns, so the table beside it always has the numbers behind every bar.

Every page reads only the rollup tables through ``kpis``: a handful of aggregate queries whatever
the number of visits, so the pages stay fast at province scale.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accueil.insights import kpi_format as fmt
from accueil.insights import kpis
from accueil.insights.kpis import Figures, Scope
from accueil.lib import svgchart

Kind = str  # "count" | "duration" | "share"


@dataclass(frozen=True)
class Column:
    label: str | Promise
    value: Callable[[Figures], float | int | None]
    kind: Kind = "count"

    def text(self, figures: Figures) -> str:
        return show(self.value(figures), self.kind)

    def raw(self, figures: Figures) -> float | int | None:
        """The value written in the CSV file: minutes and percentages, one decimal."""
        value = self.value(figures)
        if value is None:
            return None
        if self.kind == "duration":
            return fmt.minutes(value)
        if self.kind == "share":
            return round(value * 100, 1)
        return value

    def csv_label(self) -> str:
        if self.kind == "duration":
            return _("%(label)s (minutes)") % {"label": self.label}
        if self.kind == "share":
            return _("%(label)s (%%)") % {"label": self.label}
        return str(self.label)


def show(value: float | int | None, kind: Kind) -> str:
    if kind == "duration":
        return fmt.duration(value)
    if kind == "share":
        return fmt.percent(value)
    return fmt.number(value)


def chart_value(value: float | int | None, kind: Kind) -> float | None:
    """What a chart draws: minutes for durations, 0–100 for shares."""
    if value is None:
        return None
    if kind == "duration":
        return value / 60
    if kind == "share":
        return value * 100
    return float(value)


def chart_text(value: float | int | None, kind: Kind) -> str:
    return fmt.duration(value, short=True) if kind == "duration" else show(value, kind)


def tick_format(kind: Kind) -> Callable[[float], str]:
    if kind == "share":
        return lambda v: fmt.percent(v / 100)
    return lambda v: fmt.number(v, 1)


def axis_label(kind: Kind) -> str:
    if kind == "duration":
        return _("Minutes")
    if kind == "share":
        return _("Percent")
    return _("Number")


@dataclass
class Row:
    label: str  # as the table and the CSV file show it
    short: str  # as the chart's axis shows it
    figures: Figures


@dataclass
class Panel:
    slug: str
    title: str
    chart: SafeString
    columns: Sequence[Column]
    rows: list[Row]
    key_label: str  # the header of the rows' column ("Day", "Service")
    note: str = ""
    extra: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def wide(self) -> bool:
        """A table of many columns goes under its chart, not beside it."""
        return len(self.columns) > 3

    def header(self) -> list[str]:
        return [str(c.label) for c in self.columns]

    def body(self) -> list[tuple[str, list[str]]]:
        return [(row.label, [c.text(row.figures) for c in self.columns]) for row in self.rows]

    def csv_rows(self) -> list[list[Any]]:
        head = [self.key_label, *[c.csv_label() for c in self.columns]]
        return [head] + [[r.label, *[c.raw(r.figures) for c in self.columns]] for r in self.rows]


def describe(title: str, rows: Sequence[Row], column: Column) -> str:
    """The chart's text alternative: what it shows, its highest and lowest values."""
    known = [(r, column.value(r.figures)) for r in rows if column.value(r.figures) is not None]
    if not known:
        return _("%(title)s: no data for this period.") % {"title": title}
    high = max(known, key=lambda item: item[1] or 0)
    low = min(known, key=lambda item: item[1] or 0)
    return _(
        "%(title)s, %(count)s values. Highest: %(high)s (%(high_value)s). "
        "Lowest: %(low)s (%(low_value)s). The table gives every figure."
    ) % {
        "title": title,
        "count": len(known),
        "high": high[0].label,
        "high_value": column.text(high[0].figures),
        "low": low[0].label,
        "low_value": column.text(low[0].figures),
    }


def bars(
    slug: str, title: str, rows: Sequence[Row], column: Column, *, horizontal: bool = False
) -> SafeString:
    points = [
        svgchart.Point(
            r.short,
            chart_value(column.value(r.figures), column.kind),
            chart_text(column.value(r.figures), column.kind),
        )
        for r in rows
    ]
    svg = svgchart.bar_chart(
        points,
        title=title,
        desc=describe(title, rows, column),
        value_label=axis_label(column.kind),
        horizontal=horizontal,
        tick_format=tick_format(column.kind),
        max_value=100 if column.kind == "share" else None,
        no_data=_("No data for this period"),
        chart_id=f"chart-{slug}",
    )
    return mark_safe(svg)  # noqa: S308 — svgchart escapes every text it writes


def lines(
    slug: str,
    title: str,
    rows: Sequence[Row],
    previous: Sequence[Row],
    column: Column,
) -> SafeString:
    """This period against the previous one, day by day (the n-th day of each)."""

    def points(some: Sequence[Row]) -> list[svgchart.Point]:
        return [
            svgchart.Point(r.short, chart_value(column.value(r.figures), column.kind)) for r in some
        ]

    current_total = _total(rows)
    previous_total = _total(previous)
    desc = _(
        "%(title)s. This period: %(current)s; previous period: %(previous)s. "
        "The table gives every figure."
    ) % {
        "title": title,
        "current": column.text(current_total),
        "previous": column.text(previous_total),
    }
    svg = svgchart.line_chart(
        [
            svgchart.Series(_("This period"), points(rows)),
            svgchart.Series(_("Previous period"), points(previous), dashed=True),
        ],
        title=title,
        desc=desc,
        value_label=axis_label(column.kind),
        tick_format=tick_format(column.kind),
        max_value=100 if column.kind == "share" else None,
        no_data=_("No data for this period"),
        chart_id=f"chart-{slug}",
    )
    return mark_safe(svg)  # noqa: S308 — svgchart escapes every text it writes


def _total(rows: Sequence[Row]) -> Figures:
    total = Figures()
    for row in rows:
        total = total.add(row.figures)
    return total


# -- grouping over time ------------------------------------------------------------------------


def time_grouping(scope: Scope) -> str:
    """Days up to two months, weeks up to a year, then months: a chart keeps few enough bars."""
    days = (scope.end - scope.start).days + 1
    if days <= 62:
        return "day"
    if days <= 370:
        return "week"
    return "month"


def _buckets(scope: Scope, by: str) -> list[date]:
    found: list[date] = []
    day = scope.start
    while day <= scope.end:
        key = kpis._bucket(day, by)
        if not found or found[-1] != key:
            found.append(key)
        day += timedelta(days=1)
    return found


Days = dict[date, Figures]


def days_of(scope: Scope, *, with_previous: bool = False) -> Days:
    """The scope's figures day by day (and the previous period's, in the same query): one
    aggregate that every chart over time, and the period's totals, are added up from."""
    span = replace(scope, start=scope.previous().start) if with_previous else scope
    return {key: figures for key, figures in kpis.series(span, "day") if isinstance(key, date)}


def total(days: Days, scope: Scope) -> Figures:
    """The period's totals from its days: the same sums ``kpis.figures`` reads."""
    found = Figures()
    for day, figures in days.items():
        if scope.start <= day <= scope.end:
            found = found.add(figures)
    return found


def over_time(scope: Scope, by: str, days: Days | None = None) -> list[Row]:
    """One row per day, week or month of the scope, empty ones included (a closed day is a gap
    in the chart, not a missing bar that shifts the others)."""
    days = days_of(scope) if days is None else days
    found: dict[date, Figures] = {key: Figures() for key in _buckets(scope, by)}
    for day, figures in days.items():
        if scope.start <= day <= scope.end:
            key = kpis._bucket(day, by)
            found[key] = found[key].add(figures)
    return [
        Row(fmt.bucket_label(key, by), fmt.bucket_label(key, by, short=True), figures)
        for key, figures in found.items()
    ]


HOURS_OVER = timedelta(days=28)


def last_weeks(scope: Scope) -> Scope:
    """The shape of a day is read over the period's last four weeks at most: the hourly rows
    of a year are a million, and the day's shape is about the recent weeks anyway."""
    start = max(scope.start, scope.end - HOURS_OVER + timedelta(days=1))
    return replace(scope, start=start)


def by_hour(scope: Scope) -> list[Row]:
    found = dict(kpis.series(last_weeks(scope), "hour"))
    if not found:
        return []
    hours = [h for h in found if isinstance(h, int)]
    return [
        Row(fmt.hour_label(h), fmt.hour_label(h), found.get(h) or Figures())
        for h in range(min(hours), max(hours) + 1)
    ]


def by_key(scope: Scope, by: str, names: dict[Any, str]) -> list[Row]:
    """Offices, services, channels or agents, named (an unknown key: "Other"), by name."""
    rows = [
        Row(names.get(key) or _("Other"), names.get(key) or _("Other"), figures)
        for key, figures in kpis.series(scope, by)
    ]
    return sorted(rows, key=lambda r: r.label.casefold())


# -- the columns -------------------------------------------------------------------------------

ARRIVALS = Column(pgettext_lazy("tickets taken", "Visitors"), lambda f: f.arrivals)
SERVED = Column(gettext_lazy("Served"), lambda f: f.completed)
WAIT_MEAN = Column(gettext_lazy("Mean wait"), lambda f: f.wait_mean, "duration")
WAIT_MEDIAN = Column(gettext_lazy("Median wait"), lambda f: f.wait_median, "duration")
WAIT_P90 = Column(gettext_lazy("90th percentile wait"), lambda f: f.wait_p90, "duration")
WITHIN = Column(gettext_lazy("Called within the standard"), lambda f: f.wait_within_share, "share")
ELIGIBLE = Column(gettext_lazy("Visitors with a wait standard"), lambda f: f.wait_eligible)
SERVICE_MEAN = Column(gettext_lazy("Mean service time"), lambda f: f.service_mean, "duration")
NO_SHOW = Column(gettext_lazy("No-show rate"), lambda f: f.no_show_share, "share")
ABANDON = Column(gettext_lazy("Left before being called"), lambda f: f.abandonment_share, "share")
OPENED = Column(gettext_lazy("Requests opened"), lambda f: f.cases_opened)
FIRST_RESPONSE = Column(
    gettext_lazy("Mean time to first response"), lambda f: f.first_response_mean, "duration"
)
RESPONSE_WITHIN = Column(
    gettext_lazy("First response on time"), lambda f: f.response_within_share, "share"
)
RESOLUTIONS = Column(gettext_lazy("Requests resolved"), lambda f: f.resolutions)
RESOLUTION = Column(
    gettext_lazy("Mean time to resolution"), lambda f: f.resolution_mean, "duration"
)
RESOLUTION_WITHIN = Column(
    gettext_lazy("Resolved by the due date"), lambda f: f.resolution_within_share, "share"
)
FIRST_CONTACT = Column(
    gettext_lazy("First-contact resolution"), lambda f: f.first_contact_share, "share"
)
INVITATIONS = Column(gettext_lazy("Surveys sent"), lambda f: f.invitations)
RESPONSES = Column(gettext_lazy("Answers"), lambda f: f.responses)
RESPONSE_RATE = Column(gettext_lazy("Response rate"), lambda f: f.response_rate, "share")
SATISFACTION = Column(gettext_lazy("Satisfied"), lambda f: f.satisfaction_share, "share")
TRUST = Column(gettext_lazy("Trust"), lambda f: f.trust_share, "share")
CALLED = Column(gettext_lazy("Calls"), lambda f: f.called)
NO_SHOWS = Column(gettext_lazy("No-shows"), lambda f: f.no_shows)
TRANSFERS = Column(gettext_lazy("Transfers"), lambda f: f.transfers)
FIRST_RESPONSES = Column(gettext_lazy("First responses"), lambda f: f.first_responses)
SURVEY_ANSWERS = Column(gettext_lazy("Survey answers"), lambda f: f.satisfaction_answers)
BACKLOG = Column(gettext_lazy("Open requests at the end"), lambda f: f.sums.get("backlog_end"))
