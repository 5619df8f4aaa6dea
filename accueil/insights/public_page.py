"""The transparency page's words, tables and charts, in the page's language.

Everything here is formatting of ``public.PublicFigures``: numbers with the language's decimal
mark, months by name, "met" and "not met" in words (never colour only), and one SVG chart per
standard whose text alternative says what the table beside it shows.
"""

from django.utils import formats
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accueil.insights.public import PublicFigures, Result
from accueil.lib.svgchart import Point, bar_chart


def period_label(result: Result, short: bool = False) -> str:
    period = result.period
    if period.kind == "month":
        return date_format(period.start, "M Y" if short else "F Y")
    number = (period.start.month - 1) // 3 + 1
    return _("Q%(number)s %(year)s") % {"number": number, "year": period.start.year}


def count_text(value: int | None) -> str:
    if value is None:
        return _("not published")
    return formats.number_format(value, 0, force_grouping=True)


def percent_text(value: float | None) -> str:
    if value is None:
        return _("not published")
    return _("%(value)s%%") % {"value": formats.number_format(value, 1)}


def minutes_text(value: float | None) -> str:
    if value is None:
        return _("not published")
    return _("%(value)s min") % {"value": formats.number_format(value, 1)}


def status_text(result: Result) -> str:
    """The result against the target, in words."""
    if result.suppressed:
        return _("not published")
    if result.met is None:
        return _("no data")
    return _("target met") if result.met else _("target not met")


def _row(result: Result) -> dict:
    return {
        "label": period_label(result),
        "volume": count_text(result.volume),
        "within": count_text(result.within),
        "percent": _("no data")
        if not result.suppressed and not result.volume
        else percent_text(result.percent),
        "status": status_text(result),
        "suppressed": result.suppressed,
        "met": result.met,
        "error": minutes_text(result.mean_error_minutes)
        if result.volume or result.suppressed
        else _("no data"),
    }


def _summary(result: Result, measure: str) -> str:
    """ "November 2026: 82.5 % of 120 visitors within the standard — target met." """
    label = period_label(result)
    if result.suppressed:
        return _("%(period)s: not published, to protect privacy.") % {"period": label}
    if not result.volume:
        return _("%(period)s: no data yet.") % {"period": label}
    people = (
        ngettext("%(count)s visitor", "%(count)s visitors", result.volume)
        if measure == "wait"
        else ngettext("%(count)s request", "%(count)s requests", result.volume)
    ) % {"count": count_text(result.volume)}
    return _("%(period)s: %(percent)s of %(people)s within the standard — %(status)s.") % {
        "period": label,
        "percent": percent_text(result.percent),
        "people": people,
        "status": status_text(result),
    }


def _chart(standard, language: str, chart_id: str) -> str:
    months = standard.months
    points = [
        Point(
            period_label(r),
            None if r.suppressed or not r.volume else r.percent,
            "" if r.suppressed or not r.volume else percent_text(r.percent),
        )
        for r in months
    ]
    shown = [r for r in months if not r.suppressed and r.volume]
    met = sum(1 for r in shown if r.met)
    desc = _(
        "Bar chart of the share within the standard by month, from %(first)s to %(last)s. "
        "Target: %(target)s. Target met in %(met)s of the %(shown)s months with published "
        "figures. The same figures are in the table below."
    ) % {
        "first": period_label(months[0]),
        "last": period_label(months[-1]),
        "target": percent_text(standard.target_percent),
        "met": met,
        "shown": len(shown),
    }
    svg = bar_chart(
        points,
        title=_("%(standard)s: result by month") % {"standard": standard.description[language]},
        desc=desc,
        value_label=_("Share within the standard (%)"),
        category_label=_("Month"),
        horizontal=True,
        max_value=100,
        tick_format=lambda v: formats.number_format(v, 0),
        no_data=_("No published figures yet"),
        chart_id=chart_id,
    )
    return mark_safe(svg)  # noqa: S308 - svgchart escapes every label it writes


def page_context(figures: PublicFigures, language: str) -> dict:
    services = []
    for s_index, service in enumerate(figures.services):
        standards = []
        for index, standard in enumerate(service.standards):
            chart_id = f"chart-{s_index}-{index}"
            standards.append(
                {
                    "id": f"standard-{s_index}-{index}",
                    "description": standard.description[language],
                    "measure": standard.measure,
                    "this_month": _summary(standard.latest_month, standard.measure),
                    "this_quarter": _summary(standard.latest_quarter, standard.measure),
                    "chart": _chart(standard, language, chart_id),
                    "months": [_row(r) for r in reversed(standard.months)],
                    "quarters": [_row(r) for r in reversed(standard.quarters)],
                }
            )
        satisfaction = [_row(r) for r in reversed(service.satisfaction_quarters)]
        services.append(
            {
                "id": f"service-{s_index}",
                "name": service.name[language],
                "standards": standards,
                "satisfaction": satisfaction,
                "has_satisfaction": any(
                    r.suppressed or r.volume for r in service.satisfaction_quarters
                ),
            }
        )

    def has_data(rows) -> bool:
        return any(r.suppressed or r.volume for row in rows for r in row.months)

    def office_tables(rows) -> list[dict]:
        return [
            {
                "id": f"{index}",
                "name": row.name[language],
                "all": row.id is None and index == len(rows) - 1,
                "months": [_row(r) for r in reversed(row.months)],
            }
            for index, row in enumerate(rows)
        ]

    return {
        "figures": figures,
        "agency_name": figures.agency_name[language],
        "services": services,
        "predicted_waits": office_tables(figures.predicted_waits),
        "due_dates": office_tables(figures.due_dates),
        "has_predicted_waits": has_data(figures.predicted_waits),
        "has_due_dates": has_data(figures.due_dates),
        "first_month": period_label(Result(figures.months[0], None, None, False)),
        "last_month": period_label(Result(figures.months[-1], None, None, False)),
    }
