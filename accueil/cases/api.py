"""Requests (cases) in the REST API (DESIGN.md §5): the services that take them, opening one,
reading one, and the staff's list and changes.

Mounted by accueil/api/v1.py. Every change goes through ``cases/actions.py``; every input is
cleaned by the same rules as the web form (``cases/intake.py``), and the problems are listed
per field (``description``, ``contact.email``, ``fields.size``…) in one 422.

Who may read a request: staff of its office with a bearer token, or whoever holds its tracking
secret (``?secret=``, given only in the answer to the request that opened it and in the
acknowledgement). Anybody else — a wrong secret, another case's secret, a token of another
agency — gets the 404 an unknown reference gets.
"""

import base64
import functools
import hashlib
import json
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from accueil.api import auth
from accueil.api.errors import error_response, rate_limited
from accueil.api.schemas import ErrorOut
from accueil.cases import actions
from accueil.cases.intake import (
    Intake,
    clean_address,
    clean_answers,
    clean_contact,
    clean_coordinate,
    clean_description,
)
from accueil.cases.models import (
    AT_RISK,
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseField,
    CaseSettings,
    Membership,
    Message,
    MessageKind,
    Team,
)
from accueil.cases.models import (
    Status as CaseStatus,
)
from accueil.cases.replies import fill, templates_for
from accueil.cases.schemas import (
    AssignIn,
    CaseIn,
    CaseOut,
    CasePage,
    CaseServiceOut,
    NoteIn,
    OpenedOut,
    ReplyIn,
    StatusIn,
    iso,
)
from accueil.cases.search import search
from accueil.catalog.models import Channel, Service
from accueil.core import ratelimit
from accueil.core.actors import Actor
from accueil.core.uploads import attachment_response

router = Router(tags=["cases"])
PUBLIC_ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}
STAFF_ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
VIEWS = ("all", "open", "mine", "team", "unassigned", "breaching")
SECRET_QUERY = Query(
    "",
    max_length=64,
    description="The request's tracking secret (the citizen); not needed with an agent's token",
)


def _name(obj) -> dict:
    return {"fr": obj.name_fr, "en": obj.name_en}


def _problems(message: str, details: list[tuple[str, str]], status: int = 422):
    return error_response(
        status, "invalid", message, [{"field": field, "problem": p} for field, p in details]
    )


def _invalid(field: str, problem: str):
    return _problems(problem, [(field, problem)])


# -- services ----------------------------------------------------------------------------------


def _services(agency: str):
    found = Service.objects.filter(active=True)
    if agency:
        found = found.filter(agency__slug=agency)
    return (
        found.select_related("agency", "category")
        .prefetch_related(
            "standards",
            Prefetch("case_fields", queryset=CaseField.objects.order_by("position", "code")),
        )
        .order_by("agency__slug", "name_fr")
    )


def service_out(service, case_settings: CaseSettings | None) -> dict:
    kinds = case_settings.attachment_kinds if case_settings else ["jpeg", "png", "pdf"]
    max_mb = case_settings.attachment_max_mb if case_settings else 10
    return {
        "id": service.id,
        "slug": service.slug,
        "agency": {"slug": service.agency.slug, "name": _name(service.agency)},
        "name": _name(service),
        "category": _name(service.category) if service.category else None,
        "channels": service.channels,
        "takes_requests_online": Channel.WEB in service.channels,
        "standards": [
            {
                "id": s.id,
                "measure": s.measure,
                "threshold": s.threshold,
                "unit": s.unit,
                "target_percent": s.target_percent,
                "description": s.describe(),
            }
            for s in service.standards.all()
            if s.published
        ],
        "fields": [
            {
                "code": f.code,
                "kind": f.kind,
                "label": {"fr": f.label_fr, "en": f.label_en},
                "help": {"fr": f.help_fr, "en": f.help_en},
                "required": f.required,
                "choices": [
                    {
                        "value": str(c.get("value", "")),
                        "fr": str(c.get("fr", "")),
                        "en": str(c.get("en", "")),
                    }
                    for c in f.choices
                ],
            }
            for f in service.case_fields.all()
        ],
        "files": {"kinds": list(kinds), "max_mb": max_mb},
    }


@router.get(
    "/services",
    response={200: list[CaseServiceOut], 400: ErrorOut},
    summary="Every service, with its channels, its request form and the files it accepts",
    description="Public. `?agency=<slug>` keeps one agency's services.",
)
def list_services(request, agency: str = Query("", max_length=100)):  # noqa: ARG001
    services = list(_services(agency))
    case_settings = {
        found.service_id: found
        for found in CaseSettings.objects.filter(service__in=[s.id for s in services])
    }
    return [service_out(s, case_settings.get(s.id)) for s in services]


# -- opening a request -------------------------------------------------------------------------


def _service_for(payload: CaseIn):
    """The service named by id, or by slug (with the agency's slug when two agencies share
    it): the service, or the 422 that says what to send instead."""
    try:
        found = Service.objects.filter(id=UUID(payload.service))
    except ValueError:
        found = Service.objects.filter(slug=payload.service)
    if payload.agency:
        found = found.filter(agency__slug=payload.agency)
    services = list(found.select_related("agency")[:2])
    if not services:
        return None, _invalid("service", _("No service has this name or identifier."))
    if len(services) > 1:
        return None, _invalid(
            "agency", _("Several agencies offer a service with this name: give the agency too.")
        )
    return services[0], None


def _intake(payload: CaseIn, service, language: str) -> tuple[Intake | None, list]:
    """The request cleaned by intake.py's rules, or every problem, named by field."""
    problems: list[tuple[str, str]] = []

    def cleaned(field: str, cleaner, *args):
        try:
            return cleaner(*args)
        except ValidationError as error:
            problems.append((field, " ".join(str(m) for m in error.messages)))
            return None

    description = cleaned("description", clean_description, payload.description)
    name, email, phone, contact_problems = clean_contact(
        payload.contact.name, payload.contact.email, payload.contact.phone
    )
    problems += [(f"contact.{key}", problem) for key, problem in contact_problems.items()]
    location = payload.location
    address = cleaned("location.address", clean_address, location.address if location else "")
    latitude = cleaned("location.lat", clean_coordinate, location.lat if location else None, 90)
    longitude = cleaned("location.long", clean_coordinate, location.long if location else None, 180)
    answers, answer_problems = clean_answers(list(service.case_fields.all()), payload.fields)
    problems += [(f"fields.{code}", problem) for code, problem in answer_problems.items()]
    if problems:
        return None, problems
    return (
        Intake(
            description=description or "",
            language=language,
            name=name,
            email=email,
            phone=phone,
            address=address or "",
            latitude=latitude,
            longitude=longitude,
            answers=answers,
        ),
        [],
    )


def caller_scope(request, actor: Actor) -> str:
    """Whose Idempotency-Key this is: the token's owner, else the client address's (hashed)."""
    if actor.via_token:
        return f"{actor.kind}:{actor.user.pk}"
    address = ratelimit.client_address(request)
    return "addr:" + hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]


def fingerprint(payload: CaseIn) -> str:
    body = json.dumps(payload.dict(), sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def local(case: Case, value: datetime | None) -> str | None:
    """An instant in ISO 8601 with the offset of the office that times the request."""
    return iso(timezone.localtime(value, case.office.zone) if value is not None else None)


def opened_out(case: Case) -> dict:
    return {
        "reference": case.reference,
        "status": case.status,
        "secret": case.tracking_secret,
        "tracking_url": actions.tracking_url(case),
        "response_due_at": local(case, case.response_due_at),
        "due_at": local(case, case.resolution_due_at),
    }


@router.post(
    "/cases",
    response={201: OpenedOut, **PUBLIC_ERRORS},
    summary="Open a request",
    description=(
        "Anyone (channel `web` or `app`), rate-limited per client address; an agent's token "
        "records a request taken by `phone`, `in_person`, `mail` or `email`. `service` is the "
        "service's id, or its slug (with `agency` when two agencies use it). Problems with the "
        "request are listed per field in one 422 (`description`, `contact.email`, "
        "`location.lat`, `fields.<code>`…). Honours an `Idempotency-Key` header, scoped to the "
        "caller (the agent's token, else the client address): a retry returns the same request; "
        "the same key with another body is refused with 422 `idempotency_mismatch`. Files are "
        "sent afterwards to `/cases/{reference}/attachments`."
    ),
)
def open_case(request, payload: CaseIn):
    actor = auth.caller(request)
    if not actor.is_staff:
        wait = ratelimit.hit(request, "case", ratelimit.Limit.parse(settings.CASE_RATE))
        if wait:
            return rate_limited(wait)
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 100:
        return _invalid("Idempotency-Key", _("The Idempotency-Key header is too long."))
    if key:
        key = f"api:{caller_scope(request, actor)}:{key}"
        # A retry is answered before anything else is looked at (the service may have changed).
        earlier = Case.objects.filter(idempotency_key=key).first()
        if earlier is not None:
            return Status(201, opened_out(actions._same_request(earlier, fingerprint(payload))))
    service, refusal = _service_for(payload)
    if refusal is not None:
        return refusal
    language = payload.language or (translation.get_language() or "fr")[:2]
    language = "en" if language == "en" else "fr"
    intake, problems = _intake(payload, service, language)
    if intake is None:
        return _problems(_("Some fields are missing or invalid."), problems)
    case = actions.do_open_case(
        actor,
        service=service,
        channel=payload.channel or Channel.WEB,
        intake=intake,
        idempotency_key=key or None,
        fingerprint=fingerprint(payload) if key else "",
    )
    return Status(201, opened_out(case))


# -- reading a request -------------------------------------------------------------------------


def reader(request, reference: str, secret: str) -> Actor:
    """The citizen holding the secret, or an agent's token; anybody else: 404."""
    if secret:
        return actions.citizen_of_case(reference, secret)
    try:
        actor = auth.agent(request)
    except PermissionDenied:
        actor = None
    if actor is None:
        raise Http404
    return actor


def clocks_out(case: Case) -> dict:
    return {
        "response": {
            "due_at": local(case, case.response_due_at),
            "state": case.response_state or "",
        },
        "resolution": {
            "due_at": local(case, case.resolution_due_at),
            "state": case.resolution_state or "",
        },
    }


def attachment_url(case: Case, attachment) -> str:
    return f"{settings.SITE_URL}/api/v1/cases/{case.reference}/attachments/{attachment.id}"


def case_out(case: Case, actor: Actor) -> dict:
    """The request as ``actor`` may see it: staff get internal notes, files and who holds it;
    the citizen gets the public timeline and the public files."""
    staff = actor.is_staff
    messages = Message.objects.filter(case=case).select_related("author").order_by("created_at")
    files = Attachment.objects.filter(case=case).defer("data").order_by("created_at")
    if not staff:
        messages = messages.exclude(kind=MessageKind.NOTE)
        files = files.filter(public=True)
    files = list(files)
    by_message: dict = {}
    for file in files:
        by_message.setdefault(file.message_id, []).append(file.id)
    timeline = [
        {
            "at": at,
            "kind": "status",
            "status": status,
            "body": None,
            "author": None,
            "attachments": [],
        }
        for at, status in case.transitions
    ]
    for entry in timeline:
        entry["at"] = local(case, datetime.fromisoformat(entry["at"]))
    timeline += [
        {
            "at": local(case, message.created_at),
            "kind": message.kind,
            "status": None,
            "body": message.body,
            "author": message.author.username if staff and message.author else None,
            "attachments": by_message.get(message.id, []),
        }
        for message in messages
    ]
    timeline.sort(key=lambda entry: datetime.fromisoformat(entry["at"]))
    return {
        "reference": case.reference,
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "service": {"id": case.service.id, "slug": case.service.slug, "name": _name(case.service)},
        "channel": case.channel,
        "language": case.language,
        "description": case.description,
        "address": case.address,
        "latitude": str(case.latitude) if case.latitude is not None else None,
        "longitude": str(case.longitude) if case.longitude is not None else None,
        "fields": case.fields,
        "opened_at": local(case, case.opened_at),
        "acknowledged_at": local(case, case.acknowledged_at),
        "first_response_at": local(case, case.first_response_at),
        "resolved_at": local(case, case.resolved_at),
        "closed_at": local(case, case.closed_at),
        "clocks": clocks_out(case),
        "timeline": timeline,
        "attachments": [
            {
                "id": file.id,
                "name": file.name,
                "kind": file.kind,
                "content_type": file.content_type,
                "size": file.size,
                "from_citizen": file.from_citizen,
                "public": file.public,
                "url": attachment_url(case, file),
            }
            for file in files
        ],
        "staff": {
            "version": case.version,
            "assignee": case.assignee.username if case.assignee_id else None,
            "team": case.team.slug if case.team_id else None,
            "contact": {
                "name": case.contact_name,
                "email": case.contact_email,
                "phone": case.contact_phone,
            },
            "duplicate_of": case.duplicate_of.reference if case.duplicate_of_id else None,
            "tracking_url": actions.tracking_url(case),
        }
        if staff
        else None,
    }


@router.get(
    "/cases/{reference}",
    response={200: CaseOut, **PUBLIC_ERRORS},
    summary="A request: status, clocks and timeline",
    description=(
        "For an agent of its office (bearer token), or the citizen with `?secret=` (its "
        "tracking secret). Internal notes, staff-only files and the `staff` block are for "
        "staff only. Anybody else gets 404, as for an unknown reference."
    ),
)
def get_case(request, reference: str, secret: str = SECRET_QUERY):
    actor = reader(request, reference, secret)
    return case_out(actions.access_case(actor, reference), actor)


# -- the staff's list --------------------------------------------------------------------------


def _cursor(opened_at: datetime, case_id: UUID) -> str:
    raw = f"{opened_at.isoformat()}|{case_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _after(cursor: str) -> Q | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _sep, ident = raw.partition("|")
        at, pk = datetime.fromisoformat(when), UUID(ident)
    except ValueError:
        return None
    if at.tzinfo is None:
        return None
    return Q(opened_at__lt=at) | Q(opened_at=at, id__lt=pk)


ROW_COLUMNS = (
    "id",
    "reference",
    "status",
    "channel",
    "opened_at",
    "version",
    "response_due_at",
    "response_state",
    "resolution_due_at",
    "resolution_state",
    "service_id",
    "service__slug",
    "service__name_fr",
    "service__name_en",
    "assignee__username",
    "team__slug",
    "office__time_zone",
)


def row_out(row: dict) -> dict:
    """One list row from ``values()``: the list reads only the columns it shows (and the
    description's first characters), not whole requests and their related rows."""
    zone = _zone(row["office__time_zone"])

    def at(value):
        return value.astimezone(zone).isoformat() if value is not None else None

    return {
        "reference": row["reference"],
        "status": row["status"],
        "service": {
            "id": row["service_id"],
            "slug": row["service__slug"],
            "name": {"fr": row["service__name_fr"], "en": row["service__name_en"]},
        },
        "channel": row["channel"],
        "summary": " ".join(row["summary"].split())[:120],
        "assignee": row["assignee__username"],
        "team": row["team__slug"],
        "opened_at": at(row["opened_at"]),
        "clocks": {
            "response": {"due_at": at(row["response_due_at"]), "state": row["response_state"]},
            "resolution": {
                "due_at": at(row["resolution_due_at"]),
                "state": row["resolution_state"],
            },
        },
        "version": row["version"],
    }


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@router.get(
    "/cases",
    response={200: CasePage, **STAFF_ERRORS},
    auth=auth.agent,
    summary="The requests an agent may see, newest first",
    description=(
        "`view`: `all` (default), `open`, `mine`, `team` (your teams'), `unassigned` (open and "
        "nobody's), `breaching` (open, a clock at its warning or breached). `status`: one or "
        "more statuses, comma-separated. `q`: a reference, or words (PostgreSQL: full text in "
        "French and English). Pages of `limit` (at most 100); `next` is the `cursor` of the "
        "next page, null on the last."
    ),
)
def list_cases(
    request,
    view: str = Query("all", max_length=20),
    status: str = Query("", max_length=200),
    service: str = Query("", max_length=100, description="A service's id or slug"),
    q: str = Query("", max_length=200),
    cursor: str = Query("", max_length=200),
    limit: int = Query(50, ge=1, le=100),
):
    actor = request.actor
    found = actions.cases_for(actor)
    if view not in VIEWS:
        return _invalid("view", _("Choose a view: %(views)s.") % {"views": ", ".join(VIEWS)})
    if view == "open":
        found = found.filter(status__in=OPEN_STATUSES)
    elif view == "mine":
        found = found.filter(assignee_id=actor.user.pk)
    elif view == "team":
        teams = Membership.objects.filter(user_id=actor.user.pk).values("team_id")
        found = found.filter(team_id__in=teams)
    elif view == "unassigned":
        found = found.filter(assignee__isnull=True, status__in=OPEN_STATUSES)
    elif view == "breaching":
        found = found.filter(AT_RISK)
    if status:
        wanted = [part.strip() for part in status.split(",") if part.strip()]
        if any(part not in CaseStatus.values for part in wanted):
            return _invalid(
                "status",
                _("Choose statuses among: %(statuses)s.")
                % {"statuses": ", ".join(CaseStatus.values)},
            )
        found = found.filter(status__in=wanted)
    if service:
        try:
            found = found.filter(service_id=UUID(service))
        except ValueError:
            found = found.filter(service__slug=service)
    if q.strip():
        found = search(found, q)
    if cursor:
        after = _after(cursor)
        if after is None:
            return _invalid("cursor", _("This cursor is not one this list gave."))
        found = found.filter(after)
    rows = list(
        found.order_by("-opened_at", "-id")
        .annotate(summary=Substr("description", 1, 200))
        .values(*ROW_COLUMNS, "summary")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [row_out(row) for row in rows],
        "next": _cursor(rows[-1]["opened_at"], rows[-1]["id"]) if more and rows else None,
    }


# -- the staff's changes -----------------------------------------------------------------------


def _staff_case(request, reference: str) -> Case:
    return actions.access_case(request.actor, reference)


@router.post(
    "/cases/{reference}/assign",
    response={200: CaseOut, **STAFF_ERRORS},
    auth=auth.agent,
    summary="Give a request to an agent (and a team), or to nobody",
    description="`assignee`: a username of the agency, or null. A stale `version`: 409 `conflict`.",
)
def assign(request, reference: str, payload: AssignIn):
    case = _staff_case(request, reference)
    assignee = team = None
    if payload.assignee is not None:
        assignee = (
            get_user_model()
            .objects.filter(username=payload.assignee, agency_id=case.agency_id, is_active=True)
            .first()
        )
        if assignee is None:
            return _invalid("assignee", _("Choose an agent of your agency."))
    if payload.team is not None:
        team = Team.objects.filter(agency_id=case.agency_id, slug=payload.team).first()
        if team is None:
            return _invalid("team", _("Choose a team of your agency."))
    actions.do_assign(request.actor, case, assignee=assignee, team=team, version=payload.version)
    return case_out(_staff_case(request, reference), request.actor)


@router.post(
    "/cases/{reference}/reply",
    response={200: CaseOut, **STAFF_ERRORS},
    auth=auth.agent,
    summary="Answer the citizen (sent to them in their language)",
    description=(
        "`body`, or a `template` slug alone: the template filled for this request in the "
        "citizen's language. A new or acknowledged request becomes `in_progress`."
    ),
)
def reply(request, reference: str, payload: ReplyIn):
    case = _staff_case(request, reference)
    body = payload.body
    if payload.template:
        template = next((t for t in templates_for(case.agency) if t.slug == payload.template), None)
        if template is None:
            return _invalid("template", _("There is no reply template with this name."))
        if not body.strip():
            body = fill(template, case, case.language)
    actions.do_reply(request.actor, case, body, template=payload.template)
    return case_out(_staff_case(request, reference), request.actor)


@router.post(
    "/cases/{reference}/notes",
    response={200: CaseOut, **STAFF_ERRORS},
    auth=auth.agent,
    summary="Add an internal note (never shown or sent to the citizen)",
)
def note(request, reference: str, payload: NoteIn):
    case = _staff_case(request, reference)
    actions.do_add_note(request.actor, case, payload.body)
    return case_out(_staff_case(request, reference), request.actor)


@router.post(
    "/cases/{reference}/status",
    response={200: CaseOut, **STAFF_ERRORS},
    auth=auth.agent,
    summary="Change a request's status",
    description=(
        "A status the current one cannot become: 409 `not_allowed`; a stale `version`: "
        "409 `conflict`. `waiting` pauses the clocks until the citizen answers."
    ),
)
def change_status(request, reference: str, payload: StatusIn):
    case = _staff_case(request, reference)
    actions.do_change_status(request.actor, case, payload.status, version=payload.version)
    return case_out(_staff_case(request, reference), request.actor)


# -- files -------------------------------------------------------------------------------------


@router.post(
    "/cases/{reference}/attachments",
    response={201: CaseOut, 413: ErrorOut, 415: ErrorOut, **PUBLIC_ERRORS},
    summary="Send files with a message",
    description=(
        "`multipart/form-data`: `body` (the message) and one or more `files`. The citizen "
        "(`?secret=`) sends a reply; an agent's token sends an internal note (`kind=note`, the "
        "default: the files stay staff-only) or a reply (`kind=reply`). Files are sniffed, "
        "images re-encoded without their metadata. A refused file gets its reason, "
        "`upload_<why>` on `files`: 415 for a kind not accepted, scriptable or not what its "
        "name says, 413 too large, 400 for too many pixels or a broken file; a body over the "
        "upload limit: 413 before it is read."
    ),
)
def send_files(
    request,
    reference: str,
    body: Form[str] = "",
    files: File[list[UploadedFile]] = None,
    kind: Form[str] = "note",
    secret: str = SECRET_QUERY,
):
    actor = reader(request, reference, secret)
    if not actor.is_staff:
        wait = ratelimit.hit(request, "case-reply", ratelimit.Limit.parse(settings.CASE_RATE))
        if wait:
            return rate_limited(wait)
    case = actions.access_case(actor, reference)
    if not files:
        return _invalid("files", _("Choose a file to send."))
    if not actor.is_staff:
        actions.do_citizen_reply(actor, case, body, files=files)
    elif kind == "reply":
        actions.do_reply(actor, case, body, files=files)
    elif kind == "note":
        actions.do_add_note(actor, case, body, files=files)
    else:
        return _invalid("kind", _("Choose note or reply."))
    return Status(201, case_out(actions.access_case(actor, reference), actor))


@router.get(
    "/cases/{reference}/attachments/{attachment}",
    response={200: None, **PUBLIC_ERRORS},
    summary="Download a file of a request",
    description=(
        "Always as an attachment (`Content-Disposition: attachment`, `nosniff`), never shown "
        "in the browser. Staff of the office get every file; the citizen (`?secret=`) the "
        "public ones. Anybody else: 404."
    ),
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def download(request, reference: str, attachment: UUID, secret: str = SECRET_QUERY):
    actor = reader(request, reference, secret)
    case = actions.access_case(actor, reference)
    files = Attachment.objects.filter(case=case, id=attachment)
    if not actor.is_staff:
        files = files.filter(public=True)
    found = files.first()
    if found is None:
        raise Http404
    return attachment_response(found.name, found.content_type, bytes(found.data))
