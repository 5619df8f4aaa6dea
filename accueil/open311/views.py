"""The GeoReport v2 endpoints at ``/open311/v2/`` (see docs/open311.md).

Each view reads its parameters through ``params.Params`` (query string or body), answers in
the format the path or the ``Accept`` header chose (``formats``), and refuses with the
specification's error list: one ``endpoint`` wrapper renders every refusal, in the request's
language (``Accept-Language``; English when a client sends none, as most machines do).

Who may do what: anyone reads (rate-limited per address; CORS open, for browser-based apps);
a request is opened only with an application's key (``api_key``, scope ``open311``), for the
key's own jurisdiction, rate-limited per key and per address. Writes go through
``open311.actions.do_submit``, which calls the cases app's ``do_open_case``.
"""

import hashlib
import json
from contextlib import suppress
from datetime import timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from accueil.accounts.models import ClientApp, ClientScope
from accueil.cases.intake import (
    Intake,
    clean_address,
    clean_answers,
    clean_contact,
    clean_coordinate,
    clean_description,
)
from accueil.cases.models import Case, FieldKind
from accueil.catalog.models import Agency
from accueil.core import ratelimit
from accueil.core.actions import ActionError
from accueil.core.guards import public
from accueil.open311 import formats, publish
from accueil.open311.actions import do_submit
from accueil.open311.models import Submission
from accueil.open311.params import Params, Refusal, comma_list, parse_instant

WINDOW = timedelta(days=90)  # the specification's default span, and the longest one asked
PAGE = 1000  # ... and its cap on the requests one answer lists
SPEC_STATUSES = (400, 403, 404, 405, 413, 429)


def _language(request) -> str:
    if not request.headers.get("Accept-Language"):
        return "en"
    return "en" if (translation.get_language() or "fr")[:2] == "en" else "fr"


def _cors(response, methods: str) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = methods
    response["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
    return response


def endpoint(methods=("GET",)):
    """Public; format and language chosen; every refusal in the specification's shape."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, fmt=None, **kwargs):
            fmt = formats.choose(request, fmt)
            language = _language(request)
            with translation.override(language):
                if request.method == "OPTIONS":
                    return _cors(HttpResponse(status=204), ", ".join(methods))
                try:
                    if request.method not in (*methods, "HEAD" if "GET" in methods else ""):
                        raise Refusal(405, _("This method is not allowed here."))
                    response = view(request, fmt, language, **kwargs)
                except Refusal as refusal:
                    response = formats.errors(
                        fmt, refusal.status, *refusal.problems, retry_after=refusal.retry_after
                    )
                    if refusal.status == 405:
                        response["Allow"] = ", ".join(methods)
                except ActionError as error:
                    status = error.status if error.status in SPEC_STATUSES else 400
                    response = formats.errors(fmt, status, str(error.message))
                except Http404:
                    response = formats.errors(fmt, 404, _("Nothing was found at this address."))
            response["Vary"] = "Accept, Accept-Language"
            if request.method in ("GET", "HEAD"):
                _cors(response, "GET")  # reads only: a key never belongs in a browser
            return response

        return public(wrapped)

    return decorate


# -- the jurisdiction --------------------------------------------------------------------------


def _agency(params: Params) -> Agency:
    """``jurisdiction_id`` names an agency (its slug); a server with one agency needs none."""
    slug = params.get("jurisdiction_id")
    if slug:
        found = Agency.objects.filter(slug=slug[:50]).first()
        if found is None:
            raise Refusal(404, _("There is no jurisdiction “%(id)s” here.") % {"id": slug[:50]})
        return found
    agencies = list(Agency.objects.order_by("slug")[:2])
    if len(agencies) == 1:
        return agencies[0]
    if not agencies:
        raise Refusal(404, _("This server serves no jurisdiction yet."))
    raise Refusal(400, _("Give jurisdiction_id: this server serves several jurisdictions."))


def _zone(agency: Agency) -> ZoneInfo:
    office = agency.offices.order_by("name_fr").first()
    return office.zone if office is not None else ZoneInfo(settings.TIME_ZONE)


def _limited(request, scope: str, rate: str, client: str | None = None) -> None:
    wait = ratelimit.hit(request, scope, ratelimit.Limit.parse(rate), client=client)
    if wait:
        raise Refusal(
            429, _("Too many requests. Please wait a moment and try again."), retry_after=wait
        )


def _read(request) -> Params:
    _limited(request, "open311-read", settings.OPEN311_READ_RATE)
    return Params(request)


# -- discovery and services --------------------------------------------------------------------


@endpoint()
def discovery(request, fmt, language):
    params = _read(request)
    try:
        agency = _agency(params)
    except Refusal as refusal:
        if refusal.status != 400:
            raise
        agency = None  # several jurisdictions and none named: the server's own discovery
    contact = settings.SITE_URL
    if agency is not None:
        office = agency.offices.exclude(email="").order_by("name_fr").first()
        contact = agency.name_in(language)
        if office is not None:
            contact = f"{contact} <{office.email}>"
    data = {
        "changeset": publish.CHANGESET,
        "contact": contact,
        "key_service": _(
            "Keys are issued by the agency's administrators, one for each application: "
            "write to the contact above."
        ),
        "endpoints": [
            {
                "specification": publish.SPECIFICATION,
                "url": f"{settings.SITE_URL}/open311/v2",
                "changeset": publish.CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return formats.respond(fmt, "discovery", data)


@endpoint()
def services(request, fmt, language):
    agency = _agency(_read(request))
    data = [publish.service_out(service, language) for service in publish.offered(agency.pk)]
    return formats.respond(fmt, "services", data, "service")


def _service(agency_id, code: str):
    found = next((s for s in publish.offered(agency_id) if s.slug == code), None)
    if found is None:
        raise Refusal(404, _("There is no service “%(code)s” here.") % {"code": code[:60]})
    return found


@endpoint()
def definition(request, fmt, language, code):
    agency = _agency(_read(request))
    data = publish.definition_out(_service(agency.pk, code), language)
    return formats.respond(fmt, "service_definition", data)


# -- reading requests --------------------------------------------------------------------------


def _published(agency: Agency):
    """The agency's requests of the services open to apps, and each service's notice."""
    offered = publish.offered(agency.pk)
    notices = {service.pk: publish.service_notice(service) for service in offered}
    found = Case.objects.filter(agency_id=agency.pk, service_id__in=list(notices))
    return found, notices


def _window(params: Params, zone: ZoneInfo):
    start_text, end_text = params.get("start_date"), params.get("end_date")
    start = parse_instant(start_text, zone, "start_date") if start_text else None
    end = parse_instant(end_text, zone, "end_date") if end_text else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start:
        raise Refusal(400, _("end_date must come after start_date."))
    if end - start > WINDOW:
        raise Refusal(400, _("Ask for 90 days at most between start_date and end_date."))
    return start, end


@endpoint(methods=("GET", "POST"))
def requests(request, fmt, language):
    if request.method == "POST":
        return _submit(request, fmt, language)
    params = _read(request)
    agency = _agency(params)
    found, notices = _published(agency)
    ids = comma_list(params.get("service_request_id"), limit=PAGE)
    if ids:  # the specification: a list of ids overrides every other filter
        found = found.filter(reference__in=[i.upper()[:16] for i in ids])
    else:
        codes = comma_list(params.get("service_code"))
        if codes:
            found = found.filter(service__slug__in=codes)
        statuses = comma_list(params.get("status").lower())
        if any(status not in ("open", "closed") for status in statuses):
            raise Refusal(400, _("status is open, closed, or both separated by a comma."))
        if statuses and set(statuses) != {"open", "closed"}:
            if "open" in statuses:
                found = found.filter(status__in=publish.OPEN_STATUSES)
            else:
                found = found.exclude(status__in=publish.OPEN_STATUSES)
        start, end = _window(params, _zone(agency))
        found = found.filter(opened_at__gte=start, opened_at__lte=end)
    rows = found.order_by("-opened_at", "-id").values(*publish.COLUMNS)[:PAGE]
    labels: dict = {}
    data = [publish.request_out(row, language, notices, labels) for row in rows]
    return formats.respond(fmt, "service_requests", data, "request")


@endpoint()
def request_detail(request, fmt, language, reference):
    agency = _agency(_read(request))
    found, notices = _published(agency)
    row = found.filter(reference=reference.upper()[:16]).values(*publish.COLUMNS).first()
    if row is None:
        raise Refusal(404, _("There is no request “%(id)s” here.") % {"id": reference[:16]})
    data = [publish.request_out(row, language, notices, {})]
    return formats.respond(fmt, "service_requests", data, "request")


@endpoint()
def token(request, fmt, language, token):  # noqa: ARG001 - the wrapper's arguments
    agency = _agency(_read(request))
    found = (
        Submission.objects.filter(token=token[:32], case__agency_id=agency.pk)
        .select_related("case")
        .first()
    )
    if found is None:
        raise Refusal(404, _("There is no request for this token here."))
    data = [{"service_request_id": found.case.reference, "token": found.token}]
    return formats.respond(fmt, "service_requests", data, "request")


# -- opening a request -------------------------------------------------------------------------


def _application(request, params: Params) -> ClientApp:
    _limited(request, "open311-post", settings.OPEN311_RATE)
    app = ClientApp.find(params.get("api_key"), ClientScope.OPEN311)
    if app is None:
        raise Refusal(403, _("This api_key is missing, unknown or revoked."))
    _limited(request, "open311-app", settings.OPEN311_APP_RATE, client=f"app:{app.pk}")
    slug = params.get("jurisdiction_id")
    if slug and slug != app.agency.slug:
        if not Agency.objects.filter(slug=slug[:50]).exists():
            raise Refusal(404, _("There is no jurisdiction “%(id)s” here.") % {"id": slug[:50]})
        raise Refusal(403, _("This api_key is not valid for this jurisdiction."))
    return app


def _media_url(text: str) -> str:
    if not text:
        return ""
    try:
        if len(text) > 2000:
            raise ValidationError("too long")
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise Refusal(400, _("media_url must be an http or https address.")) from None
    return text


def _answers(service, params: Params, address: str, place: str, zone: ZoneInfo):
    """The service's questions answered from ``attribute[…]``; a place question from the
    request's own place. Returns (answers, problems)."""
    questions = list(service.case_fields.all())
    by_code = {question.code: question for question in questions}
    raw: dict = {}
    problems: list[str] = []
    for code, values in params.attributes().items():
        question = by_code.get(code)
        if question is not None and question.kind in publish.NOT_ATTRIBUTES:
            continue  # answered by the request's place or media_url, not by an attribute
        if len(values) > 1:
            problems.append(f"attribute[{code}]: " + _("This question takes one answer."))
            continue
        value = values[0] if values else ""
        if question is not None and question.kind == FieldKind.DATE and len(value) > 10:
            with suppress(Refusal):  # if not a date-time, the cleaner says what a date is
                value = parse_instant(value, zone, code).astimezone(zone).date().isoformat()
        raw[code] = value
    for question in questions:
        if question.kind == FieldKind.LOCATION:
            raw[question.code] = address or place
    answers, answer_problems = clean_answers(questions, raw)
    problems += [f"attribute[{code}]: {problem}" for code, problem in answer_problems.items()]
    return answers, problems


def _intake(service, params: Params, language: str, zone: ZoneInfo) -> Intake:
    problems: list[str] = []

    def cleaned(name: str, cleaner, *args):
        try:
            return cleaner(*args)
        except ValidationError as error:
            problems.append(f"{name}: " + " ".join(str(m) for m in error.messages))
            return None

    lat, long = params.get("lat"), params.get("long")
    address = params.get("address_string") or params.get("address_id")
    if not address and not (lat and long):
        raise Refusal(400, _("Give the place: lat and long, or address_string."))
    if bool(lat) != bool(long):
        problems.append(_("Give lat and long together."))
    latitude = cleaned("lat", clean_coordinate, lat, 90)
    longitude = cleaned("long", clean_coordinate, long, 180)
    address = cleaned("address_string", clean_address, address) or ""
    # The specification makes the description optional; our requests always say what they
    # are about, so a request without one is named after its service.
    text = params.get("description") or service.name_in(language)
    description = cleaned("description", clean_description, text)
    name = " ".join(p for p in (params.get("first_name"), params.get("last_name")) if p)
    name, email, phone, contact_problems = clean_contact(
        name, params.get("email"), params.get("phone")
    )
    for key, problem in contact_problems.items():
        field = {"name": "first_name"}.get(key, key)
        problems.append(f"{field}: {problem}")
    place = f"{latitude}, {longitude}" if latitude is not None and longitude is not None else ""
    answers, answer_problems = _answers(service, params, address, place, zone)
    problems += answer_problems
    if problems:
        raise Refusal(400, *problems)
    return Intake(
        description=description or "",
        language=language,
        name=name,
        email=email,
        phone=phone,
        address=address,
        latitude=latitude,
        longitude=longitude,
        answers=answers,
    )


def _submit(request, fmt, language):
    params = Params(request)
    app = _application(request, params)
    code = params.get("service_code")
    if not code:
        raise Refusal(400, _("Give service_code: the code of a service listed by services."))
    service = next((s for s in publish.offered(app.agency_id) if s.slug == code), None)
    if service is None:
        raise Refusal(400, _("There is no service “%(code)s” here.") % {"code": code[:60]})
    intake = _intake(service, params, language, _zone(app.agency))
    media_url = _media_url(params.get("media_url"))
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 100:
        raise Refusal(400, _("The Idempotency-Key header is too long."))
    digest = hashlib.sha256(json.dumps(params.fingerprint_items()).encode()).hexdigest()
    submission = do_submit(
        app,
        service=service,
        intake=intake,
        jurisdiction=params.get("jurisdiction_id")[:100],
        media_url=media_url,
        account_id=params.get("account_id")[:100],
        device_id=params.get("device_id")[:100],
        idempotency_key=f"open311:{app.pk}:{key}" if key else None,
        fingerprint=digest if key else "",
    )
    data = [
        {
            "service_request_id": submission.case.reference,
            "token": submission.token,
            "service_notice": publish.service_notice(service),
            "account_id": submission.account_id or None,
        }
    ]
    return formats.respond(fmt, "service_requests", data, "request", status=201)


requests = csrf_exempt(requests)  # an application holds a key, not a CSRF cookie
