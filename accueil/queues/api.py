"""The queue part of the REST contract (DESIGN.md): visits, desks, display events.

Mounted by accueil/api/v1.py, which keeps the shared plumbing (auth, errors, schemas).
"""

import hashlib
import json
from typing import Literal
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema, Status

from accueil.api import auth
from accueil.api.errors import invalid_field, rate_limited
from accueil.api.schemas import ErrorOut, Translated
from accueil.catalog.access import access_desk
from accueil.catalog.models import Office
from accueil.core import ratelimit
from accueil.core.actors import Actor, ActorKind
from accueil.core.contact import clean_email, clean_phone
from accueil.queues import actions
from accueil.queues.board import board_state
from accueil.queues.models import Need, Outcome, Placement, Source, Visit, VisitStatus
from accueil.queues.waits import Guess, predict_for_reading, wait_range

router = Router(tags=["queues"])
PUBLIC_ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}
STAFF_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class CheckInIn(Schema):
    service: UUID
    language: Literal["fr", "en"] | None = None
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    needs: list[Need] = Field(default_factory=list, max_length=len(Need.choices))


class ServiceRef(Schema):
    id: UUID
    name: Translated


class VisitOut(Schema):
    id: UUID
    secret: str = Field(
        description="The visitor's key to this visit (status, leaving the line); "
        "given only to whoever took the ticket and to staff of the office"
    )
    ticket: str
    status: str
    position: int | None
    estimated_wait_seconds: int | None
    estimated_wait_minutes: list[int] | None = Field(
        description="An honest range [low, high] in minutes, rounded to 5"
    )
    office: UUID
    service: ServiceRef
    desk: str | None
    language: str
    priority: bool
    arrived_at: str
    called_at: str | None
    status_url: str


class CompleteIn(Schema):
    outcome: Outcome = Outcome.RESOLVED


class TransferIn(Schema):
    service: UUID | None = None
    desk: UUID | None = None
    placement: Placement | None = None


def visit_out(visit, guess: Guess | None = None) -> dict:
    if guess is None and visit.status == VisitStatus.WAITING:
        guess = predict_for_reading(visit, timezone.now())
    waiting = visit.status == VisitStatus.WAITING and guess is not None
    wait = guess.wait if waiting else None
    minutes = wait_range(wait)
    return {
        "id": visit.id,
        "ticket": visit.ticket,
        "status": visit.status,
        "position": guess.position if waiting else None,
        "estimated_wait_seconds": wait,
        "estimated_wait_minutes": list(minutes) if minutes else None,
        "office": visit.office_id,
        "service": {
            "id": visit.service_id,
            "name": {"fr": visit.service.name_fr, "en": visit.service.name_en},
        },
        "desk": visit.desk.label if visit.desk_id and visit.desk else None,
        "language": visit.language,
        "priority": visit.priority,
        "arrived_at": visit.arrived_at.isoformat(),
        "called_at": visit.called_at.isoformat() if visit.called_at else None,
        "status_url": f"{settings.SITE_URL}/{visit.language}/visits/{visit.id}/{visit.secret}/",
        "secret": visit.secret,
    }


def holder_or_staff(request, visit_id: UUID, secret: str) -> tuple[Visit, Actor]:
    """The visit for whoever holds its secret, or for staff of its office (bearer token).

    Without either, 404: the id alone (which staff pages and events may show) grants nothing."""
    if secret:
        actor = actions.citizen_of_visit(visit_id, secret)
    else:
        actor = auth.agent(request)
        if actor is None:
            raise Http404
    return actions.access_visit(actor, visit_id), actor


def caller_scope(request, actor: Actor) -> str:
    """Whose Idempotency-Key this is: the token's owner, else the client address's (hashed)."""
    if actor.via_token:
        return f"{actor.kind}:{actor.user.pk}"
    address = ratelimit.client_address(request)
    return "addr:" + hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]


def fingerprint(office: UUID, payload: Schema) -> str:
    body = json.dumps({"office": str(office), **payload.dict()}, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


@router.post(
    "/offices/{office}/visits",
    response={201: VisitOut, 422: ErrorOut, **PUBLIC_ERRORS},
    summary="Take a ticket",
    description=(
        "Honours an `Idempotency-Key` header, scoped to the caller (the agent's token, else the "
        "client address): a retry returns the same visit; the same key with a different body "
        "is refused with 422 `idempotency_mismatch`."
    ),
)
def check_in(request, office: UUID, payload: CheckInIn):
    actor = auth.caller(request)
    if actor.kind != ActorKind.KIOSK:  # an office's own kiosk is not one anonymous address
        wait = ratelimit.hit(request, "check-in", ratelimit.Limit.parse(settings.CHECK_IN_RATE))
        if wait:
            return rate_limited(wait)
    found = Office.objects.filter(id=office, active=True).select_related("agency").first()
    if found is None:
        raise Http404
    service = found.services.filter(id=payload.service, active=True).first()
    if service is None:
        return invalid_field("service", _("This service is not offered at this office."))
    actions.check_open_for_tickets(found)
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 100:
        return invalid_field("Idempotency-Key", _("The Idempotency-Key header is too long."))
    if key:
        # Scoped to the caller: another client's identical key is another request.
        key = f"api:{office}:{caller_scope(request, actor)}:{key}"
    try:
        phone = clean_phone(payload.phone)
    except ValidationError as error:
        return invalid_field("phone", error.messages[0])
    try:
        email = clean_email(payload.email)
    except ValidationError as error:
        return invalid_field("email", error.messages[0])
    language = payload.language or translation.get_language()[:2]
    visit, guess = actions.do_take_ticket(
        found,
        service,
        language="en" if language == "en" else "fr",
        phone=phone,
        email=email,
        needs=payload.needs,
        source=Source.KIOSK if actor.kind == ActorKind.KIOSK else Source.API,
        idempotency_key=key or None,
        actor=actor,
        fingerprint=fingerprint(office, payload) if key else "",
    )
    visit.office, visit.service = found, service
    return Status(201, visit_out(visit, guess))


SECRET_QUERY = Query(
    "",
    max_length=64,
    description="The visit's `secret`, given at check-in (not needed with an agent's token)",
)


@router.get(
    "/visits/{visit}",
    response={200: VisitOut, **PUBLIC_ERRORS},
    summary="A visit",
    description="For whoever holds the visit's `secret`, or an agent of its office.",
)
def get_visit(request, visit: UUID, secret: str = SECRET_QUERY):
    return visit_out(holder_or_staff(request, visit, secret)[0])


@router.post(
    "/visits/{visit}/cancel",
    response={200: VisitOut, **PUBLIC_ERRORS},
    summary="Leave the queue",
    description="For whoever holds the visit's `secret`, or an agent of its office.",
)
def cancel(request, visit: UUID, secret: str = SECRET_QUERY):
    found, actor = holder_or_staff(request, visit, secret)
    return visit_out(actions.do_cancel(found, actor=actor))


class DeskOpenIn(Schema):
    services: list[UUID] = Field(
        default_factory=list,
        max_length=200,
        description="The services you serve; empty: the desk's usual services",
    )


class DeskSessionOut(Schema):
    desk: UUID
    label: str
    open: bool
    paused: bool
    agent: str | None
    services: list[ServiceRef]
    opened_at: str | None
    visit: VisitOut | None = Field(description="The visitor called to or served at this desk")


def desk_out(desk, session) -> dict:
    pending = actions.pending_visitor(desk)
    services = session.services.all() if session is not None else []
    return {
        "desk": desk.id,
        "label": desk.label,
        "open": session is not None,
        "paused": bool(session and session.paused_at),
        "agent": session.agent.username if session is not None else None,
        "services": [{"id": s.id, "name": {"fr": s.name_fr, "en": s.name_en}} for s in services],
        "opened_at": session.opened_at.isoformat() if session is not None else None,
        "visit": visit_out(pending) if pending is not None else None,
    }


@router.get(
    "/desks/{desk}",
    response={200: DeskSessionOut, **STAFF_ERRORS},
    auth=auth.agent,
    summary="A desk: open or not, by whom, and the visitor at it",
)
def get_desk(request, desk: UUID):
    found = access_desk(request.actor, desk)
    return desk_out(found, actions.session_of(found))


@router.post(
    "/desks/{desk}/open",
    response={200: DeskSessionOut, **STAFF_ERRORS},
    auth=auth.agent,
    summary="Sit at this desk (your earlier desk, if any, closes)",
)
def open_desk(request, desk: UUID, payload: Body[DeskOpenIn | None] = None):
    found = access_desk(request.actor, desk)
    wanted = payload.services if payload else []
    services = list(found.office.services.filter(id__in=wanted, active=True))
    if len(services) != len(set(wanted)):
        return invalid_field("services", _("This service is not offered at this office."))
    session = actions.do_open_desk(found, request.actor.user, services, actor=request.actor)
    return desk_out(found, session)


def _desk_change(request, desk: UUID, change, **options):
    found = access_desk(request.actor, desk)
    session = change(found, actor=request.actor, **options)
    return desk_out(found, session)


@router.post(
    "/desks/{desk}/pause",
    response={200: DeskSessionOut, **STAFF_ERRORS},
    auth=auth.agent,
    summary="Take a break: nobody is called to this desk until it resumes",
)
def pause_desk(request, desk: UUID):
    return _desk_change(request, desk, actions.do_pause, paused=True)


@router.post(
    "/desks/{desk}/resume",
    response={200: DeskSessionOut, **STAFF_ERRORS},
    auth=auth.agent,
    summary="Back from a break",
)
def resume_desk(request, desk: UUID):
    return _desk_change(request, desk, actions.do_pause, paused=False)


@router.post(
    "/desks/{desk}/close",
    response={200: DeskSessionOut, **STAFF_ERRORS},
    auth=auth.agent,
    summary="Leave this desk",
)
def close_desk(request, desk: UUID):
    return _desk_change(request, desk, actions.do_close)


@router.post(
    "/desks/{desk}/call-next",
    response={200: VisitOut, 204: None, **STAFF_ERRORS},
    auth=auth.agent,
    summary="Call the next visitor to this desk",
    description=(
        "Never gives the same visit to two desks. 204 when nobody waits. 409 `desk_closed` when "
        "the desk is not open, `not_your_desk` when another agent holds it, `paused` on a break, "
        "`visitor_pending` (with `visit`) while a visitor is still called or served at it."
    ),
)
def call_next(request, desk: UUID):
    found = access_desk(request.actor, desk)
    visit = actions.do_call_next(found, actor=request.actor)
    if visit is None:
        return HttpResponse(status=204)
    return visit_out(visit)


def _serve(request, visit: UUID, action, **options):
    found = actions.access_visit(request.actor, visit)
    return visit_out(action(found, actor=request.actor, **options))


@router.post(
    "/visits/{visit}/recall",
    response={200: VisitOut, **STAFF_ERRORS},
    auth=auth.agent,
    summary="Call the same visitor again",
)
def recall(request, visit: UUID):
    return _serve(request, visit, actions.do_recall)


@router.post(
    "/visits/{visit}/start",
    response={200: VisitOut, **STAFF_ERRORS},
    auth=auth.agent,
    summary="The visitor arrived at the desk",
)
def start(request, visit: UUID):
    return _serve(request, visit, actions.do_start)


@router.post(
    "/visits/{visit}/complete",
    response={200: VisitOut, **STAFF_ERRORS},
    auth=auth.agent,
    summary="Finish serving, with an outcome",
)
def complete(request, visit: UUID, payload: Body[CompleteIn | None] = None):
    outcome = payload.outcome if payload else Outcome.RESOLVED
    return _serve(request, visit, actions.do_complete, outcome=outcome)


@router.post(
    "/visits/{visit}/no-show",
    response={200: VisitOut, **STAFF_ERRORS},
    auth=auth.agent,
    summary="The visitor did not come",
)
def no_show(request, visit: UUID):
    return _serve(request, visit, actions.do_no_show)


@router.post(
    "/visits/{visit}/transfer",
    response={200: VisitOut, **STAFF_ERRORS},
    auth=auth.agent,
    summary="Send the visitor to another service or desk",
)
def transfer(request, visit: UUID, payload: TransferIn):
    found = actions.access_visit(request.actor, visit)
    service = desk = None
    if payload.service:
        service = found.office.services.filter(id=payload.service).first()
        if service is None:
            return invalid_field("service", _("This service is not offered at this office."))
    if payload.desk:
        desk = found.office.desks.filter(id=payload.desk).first()
        if desk is None:
            return invalid_field("desk", _("No such desk in this office."))
    moved = actions.do_transfer(
        found, service=service, desk=desk, placement=payload.placement, actor=request.actor
    )
    return visit_out(moved)


class BoardCall(Schema):
    ticket: str
    desk: str
    called_at: str
    status: str


class BoardService(Schema):
    id: UUID
    prefix: str
    name: Translated
    waiting: int
    wait_minutes: list[int] | None


class BoardOffice(Schema):
    id: UUID
    name: Translated


class BoardNotice(Schema):
    fr: str
    en: str
    service: UUID | None = Field(description="The line it concerns; null: the whole office")
    until: str


class BoardOut(Schema):
    office: BoardOffice
    at: str
    notices: list[BoardNotice] = Field(description="Service notices in force")
    calls: list[BoardCall]
    services: list[BoardService]


@router.get(
    "/offices/{office}/board",
    response={200: BoardOut, 404: ErrorOut},
    summary="What a display shows, for polling",
)
def board(request, office: UUID):  # noqa: ARG001 - the signature the framework calls
    state = board_state(office)
    if state is None:
        raise Http404
    return state


@router.get(
    "/offices/{office}/events",
    response={200: None, 404: ErrorOut},
    summary="Server-sent events for displays",
    description=(
        "`text/event-stream`: an `event: board` with the same JSON as `/board` on connection "
        "and after every change, and an `event: ping` every 15 seconds. `accueil serve` keeps the "
        "stream open; behind a plain WSGI server this answers one board and the browser "
        "reconnects after `retry` milliseconds."
    ),
)
def events(request, office: UUID):  # noqa: ARG001 - the signature the framework calls
    state = board_state(office)
    if state is None:
        raise Http404
    payload = json.dumps(state, ensure_ascii=False)
    response = HttpResponse(
        f"retry: 2000\nevent: board\ndata: {payload}\n\n",
        content_type="text/event-stream; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response
