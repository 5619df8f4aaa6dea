"""The transparency page and the open-data files: what ``public.public_figures`` computed,
shown to everyone (no sign-in), rate-limited per client address."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accueil.core.actions import ActionError
from accueil.core.errors import action_refused
from accueil.core.guards import public
from accueil.insights import public as figures_of
from accueil.insights.public_page import page_context
from accueil.lib import csvexport


def _slow_down(request, wait: int) -> HttpResponse:
    error = ActionError(
        "rate_limited", _("Too many requests. Please wait a moment and try again."), status=429
    )
    response = action_refused(request, error)
    response["Retry-After"] = str(wait)
    return response


@public
@require_GET
def transparency(request):
    wait = figures_of.too_many(request)
    if wait:
        return _slow_down(request, wait)
    agency, choices = figures_of.choose_agency(request.GET.get("agency"))
    context = {"agency": agency, "choices": choices}
    if agency is not None:
        context.update(page_context(figures_of.public_figures(agency), get_language() or "fr"))
    return render(request, "insights/transparency.html", context)


def _filename(agency, extension: str) -> str:
    return f"accueil-performance-{agency.slug}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _headers(response, agency, extension: str):
    response["Content-Disposition"] = f'attachment; filename="{_filename(agency, extension)}"'
    response["Link"] = f'<{figures_of.LICENCE["url"]}>; rel="license"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


@public
@require_GET
def open_data_csv(request):
    wait = figures_of.too_many(request)
    if wait:
        return _slow_down(request, wait)
    agency = figures_of.agency_or_refuse(request.GET.get("agency"))
    rows = figures_of.open_data_rows(figures_of.public_figures(agency))
    columns = figures_of.OPEN_DATA_COLUMNS
    lines = [columns, *([row[c] for c in columns] for row in rows)]
    response = StreamingHttpResponse(
        csvexport.stream(lines), content_type="text/csv; charset=utf-8"
    )
    return _headers(response, agency, "csv")


@public
@require_GET
def open_data_json(request):
    wait = figures_of.too_many(request)
    if wait:
        return _slow_down(request, wait)
    agency = figures_of.agency_or_refuse(request.GET.get("agency"))
    document = figures_of.open_data_document(figures_of.public_figures(agency))
    body = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _headers(response, agency, "json")
