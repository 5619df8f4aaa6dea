"""The KPI pages' content: the overview's headline figures and the panels of each view.

Each function takes the ``Scope`` the supervisor chose and the names of what they may see
(offices, services, agents) and returns what the template and the CSV export show. The queries
are all aggregates over the rollups (``kpis``), a fixed number per page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.catalog.models import Channel
from accueil.insights import kpi_format as fmt
from accueil.insights import kpi_panels as p
from accueil.insights import kpis
from accueil.insights.kpis import Figures, Scope

VIEWS = {
    "visits": gettext_lazy("Visits and waits"),
    "requests": gettext_lazy("Requests"),
    "satisfaction": gettext_lazy("Satisfaction"),
    "agents": gettext_lazy("Agents"),
}


@dataclass
class Names:
    """Display names of the keys the rollups hold (UUIDs and channel codes)."""

    offices: dict[Any, str]
    services: dict[Any, str]
    agents: dict[Any, str]

    @property
    def channels(self) -> dict[Any, str]:
        return {code: str(label) for code, label in Channel.choices}


# -- overview ----------------------------------------------------------------------------------


@dataclass
class Headline:
    label: str
    current: str
    previous: str
    change: str
    raw_current: float | int | None
    raw_previous: float | int | None
    kind: str


HEADLINES: list[p.Column] = [
    p.ARRIVALS,
    p.WAIT_MEAN,
    p.WAIT_MEDIAN,
    p.WAIT_P90,
    p.WITHIN,
    p.SERVICE_MEAN,
    p.NO_SHOW,
    p.ABANDON,
    p.OPENED,
    p.FIRST_RESPONSE,
    p.RESOLUTION,
    p.RESOLUTION_WITHIN,
    p.FIRST_CONTACT,
    p.BACKLOG,
    p.SATISFACTION,
    p.TRUST,
    p.RESPONSE_RATE,
]


def _with_backlog(figures: Figures, open_at_end: int) -> Figures:
    return Figures({**figures.sums, "backlog_end": open_at_end})


def overview(scope: Scope) -> tuple[list[Headline], p.Panel]:
    """The period's figures beside the previous period's, with the change in words, and the
    visitors day by day: two aggregates (both periods' days, the backlog before this one)."""
    previous = scope.previous()
    days = p.days_of(scope, with_previous=True)
    now, before = p.total(days, scope), p.total(days, previous)
    open_before = kpis.backlog(previous)
    now = _with_backlog(now, open_before + now.backlog_change)
    before = _with_backlog(before, open_before)
    found = []
    for column in HEADLINES:
        current, earlier = column.value(now), column.value(before)
        found.append(
            Headline(
                str(column.label),
                column.text(now),
                column.text(before),
                fmt.change(current, earlier, column.kind),
                column.raw(now),
                column.raw(before),
                column.kind,
            )
        )
    return found, _overview_chart(scope, days)


def _overview_chart(scope: Scope, days: p.Days) -> p.Panel:
    by = p.time_grouping(scope)
    rows = p.over_time(scope, by, days)
    previous = p.over_time(scope.previous(), by, days)
    title = _("Visitors, this period and the previous one")
    merged = [
        p.Row(row.label, row.short, Figures({**row.figures.sums, "previous": _prev(previous, i)}))
        for i, row in enumerate(rows)
    ]
    prev_col = p.Column(_("Visitors in the previous period"), lambda f: f.sums.get("previous"))
    return p.Panel(
        "visitors",
        title,
        p.lines("visitors", title, rows, previous, p.ARRIVALS),
        [p.ARRIVALS, prev_col],
        merged,
        _("Period"),
    )


def _prev(rows: list[p.Row], index: int) -> int | None:
    return rows[index].figures.arrivals if index < len(rows) else None


# -- the views ---------------------------------------------------------------------------------


def visits(scope: Scope, names: Names) -> list[p.Panel]:
    by = p.time_grouping(scope)
    both = p.days_of(scope, with_previous=True)
    days = p.over_time(scope, by, both)
    previous = p.over_time(scope.previous(), by, both)
    services = p.by_key(scope, "service", names.services)
    hours = p.by_hour(scope)
    offices = p.by_key(scope, "office", names.offices)
    t_days = _("Mean wait, this period and the previous one")
    t_services = _("Visitors called within the service standard, by service")
    t_hours = (
        _("Visitors by hour of arrival")
        if p.last_weeks(scope) == scope
        else _("Visitors by hour of arrival, over the period’s last four weeks")
    )
    t_offices = _("Visitors who left before being called, by office")
    return [
        p.Panel(
            "waits",
            t_days,
            p.lines("waits", t_days, days, previous, p.WAIT_MEAN),
            [p.ARRIVALS, p.SERVED, p.WAIT_MEAN, p.WAIT_MEDIAN, p.WAIT_P90, p.WITHIN],
            days,
            _("Period"),
        ),
        p.Panel(
            "services",
            t_services,
            p.bars("services", t_services, services, p.WITHIN, horizontal=True),
            [p.ELIGIBLE, p.WITHIN, p.WAIT_MEAN, p.WAIT_P90, p.SERVICE_MEAN],
            services,
            _("Service"),
        ),
        p.Panel(
            "hours",
            t_hours,
            p.bars("hours", t_hours, hours, p.ARRIVALS),
            [p.ARRIVALS, p.WAIT_MEAN, p.WAIT_P90, p.WITHIN],
            hours,
            _("Hour"),
        ),
        p.Panel(
            "offices",
            t_offices,
            p.bars("offices", t_offices, offices, p.ABANDON, horizontal=True),
            [p.ARRIVALS, p.SERVED, p.NO_SHOW, p.ABANDON, p.SERVICE_MEAN],
            offices,
            _("Office"),
        ),
    ]


def requests(scope: Scope, names: Names) -> list[p.Panel]:
    by = p.time_grouping(scope)
    days = p.over_time(scope, by)
    # Open at the start: every change up to the day before the period.
    day_before = scope.start - timedelta(days=1)
    open_count = kpis.backlog(replace(scope, end=day_before))
    backlog_rows = []
    for row in days:
        open_count += row.figures.backlog_change
        backlog_rows.append(
            p.Row(row.label, row.short, Figures({**row.figures.sums, "backlog_end": open_count}))
        )
    services = p.by_key(scope, "service", names.services)
    channels = p.by_key(scope, "channel", names.channels)
    t_days = _("Requests opened")
    t_backlog = _("Open requests at the end of each period")
    t_services = _("Requests resolved by the due date, by service")
    t_channels = _("Mean time to resolution, by channel")
    flow = [p.OPENED, p.FIRST_RESPONSE, p.RESPONSE_WITHIN, p.RESOLUTIONS, p.RESOLUTION]
    quality = [p.RESOLUTIONS, p.RESOLUTION, p.RESOLUTION_WITHIN, p.FIRST_CONTACT]
    return [
        p.Panel(
            "opened",
            t_days,
            p.bars("opened", t_days, days, p.OPENED),
            flow,
            days,
            _("Period"),
        ),
        p.Panel(
            "backlog",
            t_backlog,
            p.bars("backlog", t_backlog, backlog_rows, p.BACKLOG),
            [p.OPENED, p.RESOLUTIONS, p.BACKLOG],
            backlog_rows,
            _("Period"),
        ),
        p.Panel(
            "services",
            t_services,
            p.bars("services", t_services, services, p.RESOLUTION_WITHIN, horizontal=True),
            [p.OPENED, *quality, p.FIRST_RESPONSE],
            services,
            _("Service"),
        ),
        p.Panel(
            "channels",
            t_channels,
            p.bars("channels", t_channels, channels, p.RESOLUTION, horizontal=True),
            [p.OPENED, *quality],
            channels,
            _("Channel"),
        ),
    ]


def satisfaction(scope: Scope, names: Names) -> list[p.Panel]:
    by = p.time_grouping(scope)
    days = p.over_time(scope, by)
    services = p.by_key(scope, "service", names.services)
    channels = p.by_key(scope, "channel", names.channels)
    columns = [
        p.INVITATIONS,
        p.RESPONSES,
        p.RESPONSE_RATE,
        p.SURVEY_ANSWERS,
        p.SATISFACTION,
        p.TRUST,
    ]
    t_days = _("Satisfied respondents over time")
    t_services = _("Satisfied respondents, by service")
    t_channels = _("Survey response rate, by channel")
    return [
        p.Panel(
            "services",
            t_services,
            p.bars("services", t_services, services, p.SATISFACTION, horizontal=True),
            columns,
            services,
            _("Service"),
        ),
        p.Panel(
            "channels",
            t_channels,
            p.bars("channels", t_channels, channels, p.RESPONSE_RATE, horizontal=True),
            columns,
            channels,
            _("Channel"),
        ),
        p.Panel(
            "time",
            t_days,
            p.bars("time", t_days, days, p.SATISFACTION),
            columns,
            days,
            _("Period"),
        ),
    ]


def agents(scope: Scope, names: Names) -> list[p.Panel]:
    rows = p.by_key(scope, "agent", names.agents)
    title = _("Visitors served, by agent")
    satisfied = p.Column(gettext_lazy("Satisfied"), lambda f: f.satisfaction_share, "share")
    return [
        p.Panel(
            "agents",
            title,
            p.bars("agents", title, rows, p.SERVED, horizontal=True),
            [
                p.CALLED,
                p.SERVED,
                p.SERVICE_MEAN,
                p.NO_SHOWS,
                p.TRANSFERS,
                p.FIRST_RESPONSES,
                p.RESOLUTIONS,
                p.SURVEY_ANSWERS,
                satisfied,
            ],
            rows,
            _("Agent"),
            note=_("Agents' figures count every channel: a channel filter does not apply here."),
        )
    ]


BUILDERS = {
    "visits": visits,
    "requests": requests,
    "satisfaction": satisfaction,
    "agents": agents,
}
