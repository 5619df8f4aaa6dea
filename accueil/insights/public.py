"""The public figures: results against every published service standard, satisfaction, and the
accuracy of what we announced (predicted waits, due dates), with small counts suppressed.

One function, :func:`public_figures`, computes everything the transparency page, the public API
and the open-data files show, from the rollups only (two grouped queries, whatever the number of
visits), and caches it for a few minutes per agency and day: the three outputs cannot disagree,
and a burst of visitors costs one computation.

Privacy: only counts leave here, never a visit, a ticket, a case or a name. Every count under 5
is hidden together with its percentage, and more cells are hidden until no hidden one can be
recomputed from the shown ones (``accueil.lib.suppression``). The equations given to it are the
sums the outputs show (months add up to their quarter, offices add up to the agency) and, to
assume the worst, the sums that *could* count the same people across two tables (the visits of
every service with a wait standard and the visits shown a predicted wait; the decided requests
of every service with a resolution standard and the requests given a due date).

Periods: the last 12 months, extended back to the start of their first quarter so that every
quarter shown is whole (its months are all listed); the current month and quarter are "to date".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accueil.catalog.models import Agency, Office, ServiceStandard
from accueil.core import ratelimit
from accueil.core.actions import ActionError
from accueil.insights.models import NONE, DailyRollup
from accueil.lib import suppression
from accueil.lib.suppression import Cell, Table

CACHE_SECONDS = 300
T = TypeVar("T")
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
#: The rollup columns that hold each measure's (volume, within the standard).
MEASURE_COLUMNS = {
    "wait": ("wait_eligible", "wait_within"),
    "response": ("response_eligible", "response_within"),
    "resolution": ("resolution_eligible", "resolution_within"),
}
SERVICE_COLUMNS = (
    "wait_eligible",
    "wait_within",
    "response_eligible",
    "response_within",
    "resolution_eligible",
    "resolution_within",
    "satisfaction_answers",
    "satisfied",
)
OFFICE_COLUMNS = (
    "predicted",
    "predicted_within",
    "predicted_error_seconds",
    "resolution_eligible",
    "resolution_within",
)
ALL = "all"  # the key of the agency-wide row of a table by office


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month or quarter, named by its first day."""

    kind: str  # "month" | "quarter"
    start: date

    @property
    def code(self) -> str:
        """ "2026-11" or "2026-Q4"."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def months(self) -> list[date]:
        count = 1 if self.kind == "month" else 3
        return [_add_months(self.start, n) for n in range(count)]

    @property
    def fiscal_year(self) -> str:
        """The Government of Canada's fiscal year (April to March): "2026-2027"."""
        first = self.start.year if self.start.month >= 4 else self.start.year - 1
        return f"{first}-{first + 1}"

    @property
    def fiscal_quarter(self) -> int:
        return (self.start.month - 4) % 12 // 3 + 1


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def periods(today: date) -> tuple[list[Period], list[Period]]:
    """The months and quarters shown on ``today``: whole quarters covering the last 12 months."""
    first = _quarter_start(_add_months(today.replace(day=1), -11))
    months, quarters = [], []
    month = first
    while month <= today:
        months.append(Period("month", month))
        if month == _quarter_start(month):
            quarters.append(Period("quarter", month))
        month = _add_months(month, 1)
    return months, quarters


@dataclass
class Result:
    """One period's published figure; counts are None when suppressed."""

    period: Period
    volume: int | None
    within: int | None
    suppressed: bool
    percent: float | None = None  # share within, 0–100, one decimal
    met: bool | None = None  # against the standard's target (standards only)
    mean_error_minutes: float | None = None  # predicted waits only


@dataclass
class StandardFigures:
    id: UUID
    measure: str
    threshold: int
    unit: str
    target_percent: int
    description: dict[str, str]
    months: list[Result] = field(default_factory=list)
    quarters: list[Result] = field(default_factory=list)

    @property
    def latest_month(self) -> Result:
        return self.months[-1]

    @property
    def latest_quarter(self) -> Result:
        return self.quarters[-1]


@dataclass
class ServiceFigures:
    id: UUID
    name: dict[str, str]
    standards: list[StandardFigures]
    satisfaction_months: list[Result]
    satisfaction_quarters: list[Result]


@dataclass
class OfficeRow:
    """One office (or the agency, ``id is None``) of an accuracy table, by month."""

    id: UUID | None
    name: dict[str, str]
    months: list[Result]


@dataclass
class PublicFigures:
    agency_slug: str
    agency_name: dict[str, str]
    generated_at: datetime
    months: list[Period]
    quarters: list[Period]
    services: list[ServiceFigures]
    predicted_waits: list[OfficeRow]  # offices, then the agency
    due_dates: list[OfficeRow]

    @property
    def standards(self) -> list[tuple[ServiceFigures, StandardFigures]]:
        return [(s, std) for s in self.services for std in s.standards]


def _in_languages(text) -> dict[str, str]:
    out = {}
    for language in ("fr", "en"):
        with translation.override(language):
            out[language] = str(text())
    return out


def _result(cell: Cell, period: Period, target: int | None = None) -> Result:
    if cell.suppressed:
        return Result(period, None, None, True)
    volume, within = cell.volume, int(cell.counts.get("within", 0))
    result = Result(period, volume, within, False)
    if volume:
        result.percent = round(100 * within / volume, 1)
        if target is not None:
            result.met = within * 100 >= target * volume
        if "error_seconds" in cell.counts:
            result.mean_error_minutes = round(cell.counts["error_seconds"] / volume / 60, 1)
    return result


def _grouped(agency: Agency, start: date, end: date, by: str, columns) -> dict:
    rows = (
        DailyRollup.objects.filter(agency_id=agency.id, day__gte=start, day__lte=end)
        .values(by, month=TruncMonth("day"))
        .annotate(**{c: Sum(c) for c in columns})
        .order_by()
    )
    found: dict = {}
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime) else month
        found[(row[by], month)] = {c: int(row[c] or 0) for c in columns}
    return found


def compute(agency: Agency, today: date | None = None) -> PublicFigures:
    """The agency's public figures on ``today`` (its local date by default), suppressed."""
    today = today or timezone.localdate()
    months, quarters = periods(today)
    start = months[0].start
    by_service = _grouped(agency, start, today, "service_id", SERVICE_COLUMNS)
    by_office = _grouped(agency, start, today, "office_id", OFFICE_COLUMNS)
    standards = list(
        ServiceStandard.objects.filter(published=True, service__agency=agency, service__active=True)
        .select_related("service")
        .order_by("service__name_fr", "measure")
    )
    table = Table()

    def cells_by_period(prefix: tuple, counts_for) -> None:
        """A month cell per month and a quarter cell per quarter, the quarter their sum."""
        for quarter in quarters:
            parts = []
            total: dict[str, int] = {}
            for month in quarter.months:
                if month > today:
                    continue
                counts = counts_for(month)
                table.add(Cell((*prefix, month), counts))
                parts.append((*prefix, month))
                for name, value in counts.items():
                    total[name] = total.get(name, 0) + value
            table.add(Cell((*prefix, quarter.code), total, total=True))
            table.sum_of((*prefix, quarter.code), parts)

    service_ids = []
    for standard in standards:
        volume_column, within_column = MEASURE_COLUMNS[standard.measure]
        sid = standard.service_id

        def standard_counts(month, sid=sid, v=volume_column, w=within_column):
            row = by_service.get((sid, month), {})
            return {"volume": row.get(v, 0), "within": row.get(w, 0)}

        cells_by_period(("standard", standard.id), standard_counts)
        if sid not in service_ids:
            service_ids.append(sid)
    for sid in service_ids:

        def satisfaction_counts(month, sid=sid):
            row = by_service.get((sid, month), {})
            return {"volume": row.get("satisfaction_answers", 0), "within": row.get("satisfied", 0)}

        cells_by_period(("satisfaction", sid), satisfaction_counts)

    # Accuracy by office and month, and the agency's row, their sum.
    office_ids = sorted({key[0] for key in by_office}, key=str)
    tables = {
        "predicted": ("predicted", "predicted_within", "wait"),
        "due": ("resolution_eligible", "resolution_within", "resolution"),
    }
    active: dict[str, list] = {}
    for name, (volume_column, within_column, measure) in tables.items():
        active[name] = [
            o
            for o in office_ids
            if any(
                by_office[(o, m.start)][volume_column] for m in months if (o, m.start) in by_office
            )
        ]
        for month in months:
            parts = []
            total: dict[str, int] = {}
            for office_id in active[name]:
                row = by_office.get((office_id, month.start), {})
                counts = {"volume": row.get(volume_column, 0), "within": row.get(within_column, 0)}
                if name == "predicted":
                    counts["error_seconds"] = row.get("predicted_error_seconds", 0)
                table.add(Cell((name, office_id, month.start), counts))
                parts.append((name, office_id, month.start))
                for key, value in counts.items():
                    total[key] = total.get(key, 0) + value
            table.add(Cell((name, ALL, month.start), total, total=True))
            if parts:
                table.sum_of((name, ALL, month.start), parts)
            same = [("standard", s.id, month.start) for s in standards if s.measure == measure]
            if same and parts:  # assume the worst: both tables count the same people
                table.same_total(same, [(name, ALL, month.start)])
    suppression.suppress(table)

    def results(prefix: tuple, target: int | None = None) -> tuple[list[Result], list[Result]]:
        month_results = [
            _result(table.cells[(*prefix, m.start)], m, target)
            for m in months
            if (*prefix, m.start) in table.cells
        ]
        quarter_results = [_result(table.cells[(*prefix, q.code)], q, target) for q in quarters]
        return month_results, quarter_results

    services: dict[UUID, ServiceFigures] = {}
    for standard in standards:
        service = standard.service
        if service.id not in services:
            sat_months, sat_quarters = results(("satisfaction", service.id))
            services[service.id] = ServiceFigures(
                service.id,
                {"fr": service.name_in("fr"), "en": service.name_in("en")},
                [],
                sat_months,
                sat_quarters,
            )
        month_results, quarter_results = results(("standard", standard.id), standard.target_percent)
        services[service.id].standards.append(
            StandardFigures(
                standard.id,
                standard.measure,
                standard.threshold,
                standard.unit,
                standard.target_percent,
                _in_languages(standard.describe),
                month_results,
                quarter_results,
            )
        )

    names = {
        o.id: {"fr": o.name_in("fr"), "en": o.name_in("en")}
        for o in Office.objects.filter(agency=agency)
    }
    elsewhere = _in_languages(lambda: _("Requests not tied to an office"))
    everywhere = _in_languages(lambda: _("All offices"))

    def office_rows(name: str) -> list[OfficeRow]:
        rows = []
        for office_id in active[name]:
            label = elsewhere if office_id == NONE else names.get(office_id, elsewhere)
            rows.append(
                OfficeRow(
                    None if office_id == NONE else office_id,
                    label,
                    [_result(table.cells[(name, office_id, m.start)], m) for m in months],
                )
            )
        rows.sort(key=lambda row: row.name["fr"])
        rows.append(
            OfficeRow(
                None, everywhere, [_result(table.cells[(name, ALL, m.start)], m) for m in months]
            )
        )
        return rows

    return PublicFigures(
        agency.slug,
        {"fr": agency.name_in("fr"), "en": agency.name_in("en")},
        timezone.now(),
        months,
        quarters,
        list(services.values()),
        office_rows("predicted"),
        office_rows("due"),
    )


def public_figures(agency: Agency) -> PublicFigures:
    """:func:`compute`, kept for ``CACHE_SECONDS`` per agency and local day."""
    today = timezone.localdate()
    key = f"insights:public:{agency.id}:{today.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = compute(agency, today)
        cache.set(key, found, CACHE_SECONDS)
    return found


def cached_output(agency: Agency, name: str, make: Callable[[PublicFigures], T]) -> T:
    """What ``make`` draws from the figures (a page's body, the API's JSON, a file), kept like
    the figures: a cached answer is then a cache read, whatever the size of the tables.
    ``name`` says which output and, for text, which language."""
    key = f"insights:public:{name}:{agency.id}:{timezone.localdate().isoformat()}"
    found = cache.get(key)
    if found is None:
        found = make(public_figures(agency))
        cache.set(key, found, CACHE_SECONDS)
    return found


def published_agencies():
    """Agencies that have at least one published standard (the transparency page lists them)."""
    return (
        Agency.objects.filter(services__standards__published=True, services__active=True)
        .distinct()
        .order_by("slug")
    )


# -- what the API and the open-data files say ---------------------------------------------------


def _period_out(result: Result) -> dict:
    return {
        "period": result.period.code,
        "kind": result.period.kind,
        "volume": result.volume,
        "within": result.within,
        "result_percent": result.percent,
        "suppressed": result.suppressed,
    }


def api_payload(figures: PublicFigures, language: str) -> dict:
    """The public API's answer: text fields in ``language``, counts as published."""

    def standard_out(service: ServiceFigures, standard: StandardFigures) -> dict:
        periods_out = []
        for result in [*standard.months, *standard.quarters]:
            out = _period_out(result)
            out["met"] = result.met
            periods_out.append(out)
        return {
            "id": standard.id,
            "service": {"id": service.id, "name": service.name[language]},
            "measure": standard.measure,
            "threshold": standard.threshold,
            "unit": standard.unit,
            "target_percent": standard.target_percent,
            "description": standard.description[language],
            "periods": periods_out,
        }

    def office_out(row: OfficeRow, error: bool) -> dict:
        months_out = []
        for result in row.months:
            out = _period_out(result)
            if error:
                out["mean_error_minutes"] = result.mean_error_minutes
            months_out.append(out)
        return {"office": row.id, "name": row.name[language], "months": months_out}

    return {
        "agency": {"slug": figures.agency_slug, "name": figures.agency_name[language]},
        "generated_at": figures.generated_at,
        "licence": LICENCE,
        "suppression_threshold": suppression.THRESHOLD,
        "standards": [standard_out(s, std) for s, std in figures.standards],
        "satisfaction": [
            {
                "service": {"id": s.id, "name": s.name[language]},
                "periods": [
                    _period_out(r) for r in [*s.satisfaction_months, *s.satisfaction_quarters]
                ],
            }
            for s in figures.services
        ],
        "accuracy": {
            "predicted_waits": [office_out(row, True) for row in figures.predicted_waits],
            "due_dates": [office_out(row, False) for row in figures.due_dates],
        },
    }


#: The open-data columns, modelled on the Government of Canada's service standards dataset.
OPEN_DATA_COLUMNS = (
    "fiscal_yr",
    "period_type",
    "period",
    "fiscal_quarter",
    "agency",
    "agency_name_en",
    "agency_name_fr",
    "service_id",
    "service_name_en",
    "service_name_fr",
    "service_std_id",
    "service_std_type",
    "service_std_en",
    "service_std_fr",
    "threshold",
    "threshold_unit",
    "target",
    "volume_meeting_target",
    "total_volume",
    "performance",
    "target_met",
    "suppressed",
    "comments_en",
    "comments_fr",
)


def open_data_rows(figures: PublicFigures, today: date | None = None) -> list[dict]:
    """One row per published standard and period (months, then quarters), both languages."""
    today = today or timezone.localdate(figures.generated_at)
    rows = []
    for service, standard in figures.standards:
        for result in [*standard.months, *standard.quarters]:
            period = result.period
            comments = []
            if result.suppressed:
                comments.append(
                    _in_languages(
                        lambda: _(
                            "Fewer than 5 people, or hidden so that a small count cannot be "
                            "worked out from the others: not published to protect privacy."
                        )
                    )
                )
            last_month = _add_months(period.start, 1 if period.kind == "month" else 3)
            if last_month > today:
                comments.append(_in_languages(lambda: _("Period in progress: figures to date.")))
            rows.append(
                {
                    "fiscal_yr": period.fiscal_year,
                    "period_type": period.kind,
                    "period": period.code,
                    "fiscal_quarter": f"Q{period.fiscal_quarter}",
                    "agency": figures.agency_slug,
                    "agency_name_en": figures.agency_name["en"],
                    "agency_name_fr": figures.agency_name["fr"],
                    "service_id": str(service.id),
                    "service_name_en": service.name["en"],
                    "service_name_fr": service.name["fr"],
                    "service_std_id": str(standard.id),
                    "service_std_type": standard.measure,
                    "service_std_en": standard.description["en"],
                    "service_std_fr": standard.description["fr"],
                    "threshold": standard.threshold,
                    "threshold_unit": standard.unit,
                    "target": round(standard.target_percent / 100, 2),
                    "volume_meeting_target": result.within,
                    "total_volume": result.volume,
                    "performance": None
                    if result.percent is None
                    else round(result.within / result.volume, 4),  # type: ignore[operator]
                    "target_met": None if result.met is None else ("Y" if result.met else "N"),
                    "suppressed": "Y" if result.suppressed else "N",
                    "comments_en": " ".join(c["en"] for c in comments),
                    "comments_fr": " ".join(c["fr"] for c in comments),
                }
            )
    return rows


def open_data_document(figures: PublicFigures) -> dict:
    """The JSON file: what it is, its licence and date, then the rows."""
    return {
        "title": _in_languages(lambda: _("Results against our service standards")),
        "agency": figures.agency_slug,
        "generated_at": figures.generated_at.isoformat(),
        "licence": LICENCE,
        "schema": "docs/open-data/performance.schema.json",
        "rows": open_data_rows(figures),
    }


def choose_agency(slug: str | None) -> tuple[Agency | None, list[Agency]]:
    """The agency whose figures are asked for: ``?agency=<slug>``, or the only one that
    publishes. Returns (None, the agencies to choose from) when several do."""
    candidates = published_agencies()
    if slug:
        agency = candidates.filter(slug=slug).first()
        if agency is None:
            raise Http404
        return agency, []
    found = list(candidates[:2]) or list(Agency.objects.order_by("slug")[:2])
    if len(found) == 1:
        return found[0], []
    if not found:
        return None, []
    return None, list(candidates)


def agency_or_refuse(slug: str | None) -> Agency:
    """:func:`choose_agency` for machines: several agencies and none named is a 400."""
    agency, choices = choose_agency(slug)
    if agency is None:
        if not choices:
            raise Http404
        raise ActionError(
            "agency_required",
            _("Several agencies publish their results here: name one with ?agency=."),
            status=400,
            field="agency",
            agencies=[a.slug for a in choices],
        )
    return agency


def too_many(request) -> int | None:
    """The public reads' rate limit (``ACCUEIL_PUBLIC_READ_RATE``), per client address: the
    seconds to wait, or None."""
    return ratelimit.hit(request, "public-read", ratelimit.Limit.parse(settings.PUBLIC_READ_RATE))


_INTEGER_COLUMNS = ("threshold", "volume_meeting_target", "total_volume")
_NUMBER_COLUMNS = ("target", "performance")
_NULLABLE = ("volume_meeting_target", "total_volume", "performance", "target_met")


def typed_csv_row(row: dict[str, str]) -> dict:
    """A CSV line read back as the JSON file's row (empty cell → null, numbers as numbers):
    how the schema documents the CSV too."""
    out: dict = {}
    for name, value in row.items():
        if value == "" and name in _NULLABLE:
            out[name] = None
        elif name in _INTEGER_COLUMNS:
            out[name] = int(value)
        elif name in _NUMBER_COLUMNS:
            out[name] = float(value)
        else:
            out[name] = value
    return out
