"""The transparency page and the open-data files: what ``public.public_figures`` computed,
shown to everyone (no sign-in), rate-limited per client address."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
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
    context = {"agency": agency, "choices": choices, "body": ""}
    if agency is not None:
        language = "en" if (get_language() or "fr").startswith("en") else "fr"

        def body(figures) -> str:
            # The figures' part of the page, the same for everyone: no request, no user, no
            # CSRF token in it (the header around it is rendered per request).
            return render_to_string(
                "insights/_transparency_body.html",
                {**page_context(figures, language), "LANGUAGE_CODE": language},
            )

        context["body"] = figures_of.cached_output(agency, f"page-{language}", body)
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

    def file(figures) -> bytes:
        columns = figures_of.OPEN_DATA_COLUMNS
        rows = figures_of.open_data_rows(figures)
        return csvexport.to_bytes([columns, *([row[c] for c in columns] for row in rows)])

    body = figures_of.cached_output(agency, "csv", file)
    return _headers(HttpResponse(body, content_type="text/csv; charset=utf-8"), agency, "csv")


@public
@require_GET
def open_data_json(request):
    wait = figures_of.too_many(request)
    if wait:
        return _slow_down(request, wait)
    agency = figures_of.agency_or_refuse(request.GET.get("agency"))

    def file(figures) -> str:
        document = figures_of.open_data_document(figures)
        return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)

    body = figures_of.cached_output(agency, "json", file)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _headers(response, agency, "json")
