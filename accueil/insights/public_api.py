"""``GET /api/v1/public/performance``: the transparency page's figures for machines.

Anyone may read it (rate-limited per client address like the other public reads); text fields
are in the language of Accept-Language; counts under 5, and the counts hidden so that those
cannot be worked out, are ``null`` with ``suppressed: true`` (``accueil.insights.public``).
"""

from datetime import datetime
from uuid import UUID

from django.http import HttpResponse
from django.utils.translation import get_language
from ninja import Query, Router, Schema

from accueil.api.errors import rate_limited
from accueil.api.schemas import ErrorOut
from accueil.insights import public

router = Router(tags=["public"])


class LicenceOut(Schema):
    name: str
    title: str
    url: str


class AgencyOut(Schema):
    slug: str
    name: str


class NamedOut(Schema):
    id: UUID
    name: str


class PeriodOut(Schema):
    period: str  # "2026-11" or "2026-Q4"
    kind: str  # "month" | "quarter"
    volume: int | None
    within: int | None
    result_percent: float | None
    suppressed: bool


class StandardPeriodOut(PeriodOut):
    met: bool | None


class PublicStandardOut(Schema):
    id: UUID
    service: NamedOut
    measure: str
    threshold: int
    unit: str
    target_percent: int
    description: str
    periods: list[StandardPeriodOut]


class SatisfactionOut(Schema):
    service: NamedOut
    periods: list[PeriodOut]


class AccuracyPeriodOut(PeriodOut):
    mean_error_minutes: float | None = None


class OfficeAccuracyOut(Schema):
    office: UUID | None  # null: the agency as a whole, or requests not tied to an office
    name: str
    months: list[AccuracyPeriodOut]


class AccuracyOut(Schema):
    predicted_waits: list[OfficeAccuracyOut]
    due_dates: list[OfficeAccuracyOut]


class PerformanceOut(Schema):
    agency: AgencyOut
    generated_at: datetime
    licence: LicenceOut
    suppression_threshold: int
    standards: list[PublicStandardOut]
    satisfaction: list[SatisfactionOut]
    accuracy: AccuracyOut


class PerformanceQuery(Schema):
    agency: str | None = None


@router.get(
    "/public/performance",
    response={200: PerformanceOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Results against every published service standard",
    description=(
        "For every published service standard: the target and the result by month (the last "
        "12, back to the start of their first quarter) and by quarter, with volumes; "
        "satisfaction by service; and how accurate the predicted waits and the announced due "
        "dates were, by office and month. Counts under 5, and the counts hidden so that those "
        "cannot be worked out by subtraction, are null with `suppressed: true`. `?agency=` "
        "names the agency when several publish (else 400 `agency_required`). Licence CC-BY-4.0."
    ),
)
def performance(request, filters: Query[PerformanceQuery]):
    wait = public.too_many(request)
    if wait:
        return rate_limited(wait)
    agency = public.agency_or_refuse(filters.agency)
    language = "en" if (get_language() or "fr").startswith("en") else "fr"

    def answer(figures: public.PublicFigures) -> str:
        # Checked against the documented schema once, when computed; then served as it is.
        return PerformanceOut.model_validate(
            public.api_payload(figures, language)
        ).model_dump_json()

    body = public.cached_output(agency, f"api-{language}", answer)
    return HttpResponse(body, content_type="application/json; charset=utf-8")
