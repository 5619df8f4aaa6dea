"""Every change to a queue, safe under concurrency on SQLite and PostgreSQL.

Ticket numbers come from a per-office, per-prefix, per-local-day counter row, incremented inside
the same transaction as the visit: PostgreSQL locks the row (SELECT … FOR UPDATE), SQLite's
BEGIN IMMEDIATE serialises writers. Every other transition is a conditional
``UPDATE … WHERE status IN (…)`` whose row count says whether it happened, so two desks can
never get the same visitor and two clicks can never complete a visit twice — without relying
on SELECT … FOR UPDATE, which SQLite ignores.

A desk calls only while an agent holds it open (and not on a break), and holds at most one
visitor called or being served: the desk session's row is locked for the call, so two presses
of N at one desk cannot call two people.

Each action records its Event and announces the change to live displays (``live.announce``)
inside its transaction; notices to the citizen go through the outbox in the same transaction.
Work after the commit ("your turn is near" for others) can fail without undoing the call: it
is logged, and the worker's sweep sends what was missed (``sweep.send_near_notices``).
"""

import logging
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accueil.core import capabilities
from accueil.core.actions import ActionError
from accueil.core.actors import SYSTEM, Actor, ActorKind, Role
from accueil.core.events import record_event
from accueil.lib import dates
from accueil.queues import live, notices
from accueil.queues.models import (
    PRIORITY_NEEDS,
    Appointment,
    DeskSession,
    Need,
    Outcome,
    Placement,
    QueueRules,
    Source,
    TicketCounter,
    Visit,
    VisitStatus,
)

log = logging.getLogger(__name__)
CANDIDATES = 20  # visitors looked at per attempt when several desks compete


SESSION_TOUCH_EVERY = timedelta(minutes=1)  # heartbeats written at most this often


def _conflict() -> ActionError:
    return ActionError("conflict", _("This visit has changed meanwhile. Reload and try again."))


BUMP_COUNTER = (
    "UPDATE {table} SET last_number = last_number + 1 "
    "WHERE office_id = %s AND prefix = %s AND day = %s RETURNING last_number"
)


def next_number(office, prefix: str, day) -> int:
    """Inside a transaction: the next number for this prefix today, never given twice.

    One ``UPDATE … RETURNING``: it locks the counter row until commit (PostgreSQL) or runs
    under SQLite's write lock, so two check-ins can never read the same number.
    """
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    params = [
        TicketCounter._meta.get_field("office").get_db_prep_value(office.pk, connection),
        prefix,
        TicketCounter._meta.get_field("day").get_db_prep_value(day, connection),
    ]
    for _attempt in range(3):
        with connection.cursor() as cursor:
            cursor.execute(BUMP_COUNTER.format(table=table), params)
            row = cursor.fetchone()
        if row is not None:
            return row[0]
        try:
            with transaction.atomic():  # savepoint: a concurrent creator may win
                TicketCounter.objects.create(office=office, prefix=prefix, day=day)
        except IntegrityError:
            pass
    raise RuntimeError("could not number the ticket")  # pragma: no cover


# -- who may do what: every action below authorises the actor it is given -----------------------


def authorise(actor: Actor, office, holds: tuple[str, object] | None = None) -> None:
    """Staff of the office, the system, or the citizen holding ``holds``; else 404.

    404, not 403: whoever may not act on an object must not learn that it exists."""
    if actor.kind == ActorKind.SYSTEM or actor.reaches_office(office) and actor.is_staff:
        return
    if holds is not None and actor.holds_object(*holds):
        return
    raise Http404


def authorise_ticket(actor: Actor, office) -> None:
    """Taking a ticket: the public (kiosk page, web, app), a kiosk token of this office only,
    staff of the office, the system."""
    if actor.kind in (ActorKind.PUBLIC, ActorKind.SYSTEM, ActorKind.CLIENT_APP):
        return
    if actor.kind in (ActorKind.KIOSK, ActorKind.STAFF, ActorKind.API) and actor.reaches_office(
        office
    ):
        return
    raise Http404


def access_visit(actor: Actor, visit_id) -> Visit:
    """The one lookup of a visit for an actor: staff of its office (page or token), or the
    citizen holding it. An unknown id and one the actor may not see get the same 404."""
    visit = (
        Visit.objects.select_related("office__agency", "service", "desk")
        .filter(id=visit_id)
        .first()
    )
    if visit is None:
        raise Http404
    authorise(actor, visit.office, holds=("visit", visit.id))
    return visit


def citizen_of_visit(visit_id, secret) -> Actor:
    """The citizen holding a visit's secret (given at check-in); 404 for a wrong secret."""
    if not capabilities.holds("visit", visit_id, secret):
        raise Http404
    return Actor.citizen("visit", visit_id)


def access_visit_as_holder(visit_id, secret) -> Visit:
    """The visit whose secret the caller holds (status page, leaving the line), or 404.

    A wrong secret and an unknown id get the same answer: the id alone grants nothing."""
    return access_visit(citizen_of_visit(visit_id, secret), visit_id)


def access_appointment_as_holder(appointment_id, secret) -> Appointment:
    appointment = (
        Appointment.objects.select_related("office__agency", "service")
        .filter(id=appointment_id)
        .first()
    )
    if appointment is None or not capabilities.holds("appointment", appointment.id, secret):
        raise Http404
    return appointment


def _event(verb, visit, actor, now, **data):
    record_event(
        verb,
        visit,
        actor=actor,
        agency=visit.office.agency,
        at=now,
        data={
            "ticket": visit.ticket,
            "office": str(visit.office_id),
            "service": str(visit.service_id),
            "source": visit.source,  # the channel, for the rollups (insights)
            **data,
        },
    )


def do_check_in(
    office,
    service,
    *,
    language="fr",
    phone="",
    email="",
    needs=(),
    source=Source.KIOSK,
    idempotency_key=None,
    fingerprint="",
    actor: Actor = SYSTEM,
    now=None,
    booked=False,
    predictor=None,
) -> Visit:
    """Take a ticket. The same idempotency key (a retry, a double tap) returns the same visit.

    ``idempotency_key`` must already be scoped to the caller; ``fingerprint`` digests what the
    caller asked for, so the same key sent with another request is refused (422), not answered
    with the first visit. ``booked``: an appointment arriving within its window, served before
    arrival order. ``predictor``: called with the new, unsaved visit; the wait it returns is
    stored with it."""
    authorise_ticket(actor, office)
    if idempotency_key:
        existing = Visit.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_request(existing, fingerprint)
    if not office.active or not service.active or not service.offices.filter(id=office.id).exists():
        raise ActionError("unavailable", _("This service is not offered at this office."))
    needs = sorted({Need(n) for n in needs})
    rules = QueueRules.for_office(office)
    now = now or timezone.now()
    day = now.astimezone(office.zone).date()
    try:
        with transaction.atomic():
            number = next_number(office, service.ticket_prefix, day)
            visit = Visit(
                office=office,
                service=service,
                day=day,
                number=number,
                ticket=f"{service.ticket_prefix}-{number:03d}",
                language=language,
                phone=phone,
                email=email,
                needs=[str(n) for n in needs],
                priority=booked
                or (rules.priority_first and bool(PRIORITY_NEEDS.intersection(needs))),
                source=source,
                arrived_at=now,
                queue_at=now,
                idempotency_key=idempotency_key,
                request_fingerprint=fingerprint,
            )
            if predictor is not None:
                visit.predicted_wait = predictor(visit)
            visit.save(force_insert=True)
            _event("visit.checked_in", visit, actor, now, source=source)
            # A newcomer the predictor admitted is already in this process's forecast.
            live.announce(office.id, keeps_forecast=visit.predicted_wait is not None)
    except IntegrityError:
        if idempotency_key:  # the same request won in parallel
            return _same_request(Visit.objects.get(idempotency_key=idempotency_key), fingerprint)
        raise
    return visit


def why_closed_for_tickets(office, now=None) -> ActionError | None:
    """Kiosk, web check-in and the public API take tickets only while the office is open, and
    not in its last minutes (``QueueRules.last_ticket``); staff can still add a visitor and
    appointments still check in. The refusal says when the office opens again."""
    now = now or timezone.now()
    calendar = office.cached_calendar()
    closes = calendar.closes_at(now)
    cutoff = timedelta(minutes=QueueRules.for_office(office).last_ticket)
    if closes is not None and closes - now > cutoff:
        return None
    opens = calendar.next_opening(closes or now)
    language = (get_language() or "fr")[:2]
    if opens is None:
        message = _("This office is not taking tickets at the moment.")
    elif opens.date() == now.astimezone(office.zone).date():
        message = _("This office is not taking tickets now. It opens again at %(time)s.") % {
            "time": dates.time_of_day(opens, language)
        }
    else:
        message = _("This office is not taking tickets now. It opens again on %(when)s.") % {
            "when": dates.day_and_time(opens, language, year=False)
        }
    return ActionError("office_closed", message, opens_at=opens.isoformat() if opens else None)


def check_open_for_tickets(office, now=None) -> None:
    """Refuse a ticket while ``why_closed_for_tickets`` has a reason."""
    refusal = why_closed_for_tickets(office, now)
    if refusal is not None:
        raise refusal


def _same_request(visit: Visit, fingerprint: str) -> Visit:
    if visit.request_fingerprint != fingerprint:
        raise ActionError(
            "idempotency_mismatch",
            _("This Idempotency-Key was already used for another request. Use a new key."),
            status=422,
        )
    return visit


def do_take_ticket(office, service, now=None, **details):
    """Check in with the wait predicted for the newcomer: (visit, guess).

    The ticket is taken once the transaction commits; a prediction that fails afterwards (the
    database dropped the connection) leaves the wait unknown instead of turning the committed
    check-in into an error that would make the person take a second ticket."""
    from accueil.queues.waits import Guess, admit_newcomer, predict, predict_for_reading

    now = now or timezone.now()
    admitted = {}

    def predictor(visit):
        if visit.priority:
            return None  # they go ahead of others: predicted below, once in the line
        admitted[visit.id] = admit_newcomer(visit, now)
        return admitted[visit.id].wait

    visit = do_check_in(office, service, now=now, predictor=predictor, **details)
    if visit.id in admitted:
        return visit, admitted[visit.id]
    try:
        if visit.predicted_wait is not None:  # a retry: the visit was there already
            return visit, predict_for_reading(visit, now)
        guess = predict(visit, now)
        record_prediction(visit, guess.wait)
    except DatabaseError:
        log.warning("check-in committed; its wait could not be predicted", exc_info=True)
        return visit, Guess(0, None)
    return visit, guess


def record_prediction(visit, seconds: int | None) -> None:
    """Keep the wait predicted at check-in beside the visit, once."""
    if seconds is None:
        return
    Visit.objects.filter(id=visit.id, predicted_wait=None).update(predicted_wait=seconds)
    visit.predicted_wait = seconds


def desk_services(desk, session=None) -> list:
    """What the desk calls: its agent's chosen services, or the desk's own list."""
    if session is not None:
        chosen = [s.id for s in session.services.all()]
        if chosen:
            return chosen
    return list(desk.services.values_list("id", flat=True))


def waiting_order(queryset, rules=None):
    """Declared priority first (unless the office turned it off), then place in the line."""
    if rules is not None and not rules.priority_first:
        return queryset.order_by("queue_at", "number")
    return queryset.order_by("-priority", "queue_at", "number")


def touch_desk(desk_id, now) -> None:
    """The agent at this desk is still there (at most one write a minute)."""
    DeskSession.objects.filter(
        desk_id=desk_id, closed_at=None, last_seen_at__lt=now - SESSION_TOUCH_EVERY
    ).update(last_seen_at=now)


def may_hold(actor: Actor, session) -> bool:
    """The agent who opened the desk, a supervisor acting for it, or the system (simulator)."""
    if actor.kind == ActorKind.SYSTEM:
        return True
    if actor.is_staff and session.agent_id == actor.user.pk:
        return True
    return actor.has_role(Role.SUPERVISOR)


def _hold_desk(desk, actor, now) -> DeskSession:
    """Inside the call's transaction: the desk's open session, locked until commit.

    The lock (a row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers anyway) makes
    two calls at one desk take turns, so the second sees the visitor the first one called."""
    session = (
        DeskSession.objects.select_for_update()
        .filter(desk=desk, closed_at=None)
        .prefetch_related("services")
        .first()
    )
    if session is None:
        raise ActionError("desk_closed", _("This desk is not open. Open it before calling."))
    if not may_hold(actor, session):
        raise ActionError(
            "not_your_desk", _("Another agent holds this desk. Only they or a supervisor can call.")
        )
    if session.paused_at is not None:
        raise ActionError("paused", _("This desk is on a break. Resume before calling."))
    if session.last_seen_at < now - SESSION_TOUCH_EVERY:
        DeskSession.objects.filter(id=session.id).update(last_seen_at=now)
    return session


def pending_visitor(desk) -> Visit | None:
    """The visitor called to or being served at this desk, if any."""
    return (
        Visit.objects.filter(desk=desk, status__in=[VisitStatus.CALLED, VisitStatus.SERVING])
        .select_related("office__agency", "service", "desk")
        .order_by("called_at")
        .first()
    )


def _after_the_call(office, moment) -> None:
    """Others' "your turn is near": after the commit, and never at the cost of the call
    (robust: an error is logged, and the worker's pass sends what was missed)."""

    def tell_those_now_near():  # a named function: Django logs a robust hook's name
        notices.near_turns(office, moment)

    transaction.on_commit(tell_those_now_near, robust=True)


def _call_facts(visit, desk) -> dict:
    """What the rollups learn from a call: on the first call, how long the visitor waited since
    arriving and the wait we predicted for them (the published accuracy of our predictions)."""
    facts: dict = {"desk": str(desk.id)}
    if visit.first_called_at == visit.called_at:
        facts["first"] = True
        facts["waited"] = max(0, int((visit.called_at - visit.arrived_at).total_seconds()))
        facts["predicted"] = visit.predicted_wait
    return facts


def do_call_next(desk, actor: Actor = SYSTEM, now=None) -> Visit | None:
    """Give the desk the first waiting visitor of its services, or None if nobody waits.

    Refused while the desk is closed, paused, held by someone else, or still has a visitor
    called or being served: the agent records that visitor's outcome first."""
    authorise(actor, desk.office)
    rules = QueueRules.for_office(desk.office)
    agent = actor.user if actor.is_staff else None
    skip_locked = connection.vendor == "postgresql"
    while True:
        moment = now or timezone.now()
        with transaction.atomic():
            session = _hold_desk(desk, actor, moment)
            pending = pending_visitor(desk)
            if pending is not None:
                raise ActionError(
                    "visitor_pending",
                    _("Ticket %(ticket)s is still at this desk. Record how it ended first.")
                    % {"ticket": pending.ticket},
                    visit={
                        "id": str(pending.id),
                        "ticket": pending.ticket,
                        "status": pending.status,
                    },
                )
            waiting = Visit.objects.filter(
                Q(service_id__in=desk_services(desk, session), for_desk=None) | Q(for_desk=desk),
                office_id=desk.office_id,
                status=VisitStatus.WAITING,
            )
            ordered = waiting_order(waiting, rules)
            if skip_locked:
                # Each desk locks a different first visitor instead of all racing for one.
                locked = ordered.select_for_update(skip_locked=True).values_list("id", flat=True)
                candidates = list(locked[:1])
            else:
                candidates = list(ordered.values_list("id", flat=True)[:CANDIDATES])
            if not candidates:
                return None
            for visit_id in candidates:
                # The conditional UPDATE decides, on both databases: its row count says who won.
                won = Visit.objects.filter(id=visit_id, status=VisitStatus.WAITING).update(
                    status=VisitStatus.CALLED,
                    desk=desk,
                    for_desk=None,
                    agent=agent,
                    called_at=moment,
                    first_called_at=Coalesce(F("first_called_at"), moment),
                )
                if won:
                    visit = Visit.objects.select_related("office__agency", "desk", "service").get(
                        id=visit_id
                    )
                    _event("visit.called", visit, actor, moment, **_call_facts(visit, desk))
                    notices.called(visit)
                    live.announce(visit.office_id)
                    _after_the_call(desk.office, moment)
                    return visit
        # Every candidate went to another desk meanwhile: look again.


def _transition(visit, allowed, actor, verb, now, extra_filter=None, **changes) -> Visit:
    """Move a visit from one of ``allowed`` statuses, or raise a conflict if it moved first.

    Staff of the office and the system may; the citizen only leaves their own line (cancel)."""
    holds = ("visit", visit.id) if verb == "visit.cancelled" else None
    authorise(actor, visit.office, holds=holds)
    now = now or timezone.now()
    with transaction.atomic():
        query = Visit.objects.filter(id=visit.id, status__in=allowed)
        if extra_filter is not None:
            query = query.filter(extra_filter)
        values = {k: (now if v is timezone.now else v) for k, v in changes.items()}
        if not query.update(**values):
            raise _conflict()
        visit = Visit.objects.select_related("office__agency", "desk", "service").get(id=visit.id)
        if visit.desk_id:
            touch_desk(visit.desk_id, now)
        data = {}
        if verb in ("visit.completed", "visit.no_show") and visit.first_called_at:
            # What predictions learn from: how long the agent was busy, at which local hour.
            data = {
                "busy": int((visit.ended_at - visit.first_called_at).total_seconds()),
                "hour": visit.first_called_at.astimezone(visit.office.zone).hour,
            }
            if verb == "visit.completed":
                data["seconds"] = int((visit.ended_at - visit.started_at).total_seconds())
                data["outcome"] = visit.outcome
        _event(verb, visit, actor, now, **data)
        live.announce(visit.office_id)
    return visit


def do_recall(visit, actor: Actor = SYSTEM, now=None) -> Visit:
    """Call the same visitor again, not sooner than the office's minimum delay."""
    now = now or timezone.now()
    rules = QueueRules.for_office(visit.office)
    earliest = now - timedelta(seconds=rules.recall_delay)
    if visit.status == VisitStatus.CALLED and visit.called_at and visit.called_at > earliest:
        raise ActionError(
            "too_soon",
            _("Wait %(seconds)s seconds between two calls of the same person.")
            % {"seconds": rules.recall_delay},
        )
    visit = _transition(
        visit,
        [VisitStatus.CALLED],
        actor,
        "visit.recalled",
        now,
        extra_filter=Q(called_at__lte=earliest),
        called_at=now,
        recalls=F("recalls") + 1,
    )
    notices.called(visit)
    return visit


def do_start(visit, actor: Actor = SYSTEM, now=None) -> Visit:
    return _transition(
        visit,
        [VisitStatus.CALLED],
        actor,
        "visit.started",
        now,
        status=VisitStatus.SERVING,
        started_at=timezone.now,
    )


def do_complete(visit, outcome=Outcome.RESOLVED, actor: Actor = SYSTEM, now=None) -> Visit:
    """Finish serving. Completing a visit that was called but not started starts it too."""
    outcome = Outcome(outcome)
    return _transition(
        visit,
        [VisitStatus.SERVING, VisitStatus.CALLED],
        actor,
        "visit.completed",
        now,
        status=VisitStatus.DONE,
        started_at=Coalesce(F("started_at"), F("called_at")),
        ended_at=timezone.now,
        outcome=outcome,
    )


def do_no_show(visit, actor: Actor = SYSTEM, now=None) -> Visit:
    rules = QueueRules.for_office(visit.office)
    if visit.status == VisitStatus.CALLED and visit.recalls < rules.recalls_before_no_show:
        raise ActionError(
            "recall_first",
            _("Call this person again before recording that they did not come."),
        )
    return _transition(
        visit,
        [VisitStatus.CALLED],
        actor,
        "visit.no_show",
        now,
        extra_filter=Q(recalls__gte=rules.recalls_before_no_show),
        status=VisitStatus.NO_SHOW,
        ended_at=timezone.now,
    )


def do_transfer(
    visit, *, service=None, desk=None, placement=None, actor: Actor = SYSTEM, now=None
) -> Visit:
    """Send the visitor to another line or desk; their place follows the office's rule."""
    if service is None and desk is None:
        raise ActionError("invalid", _("Choose a service or a desk to transfer to."))
    now = now or timezone.now()
    rules = QueueRules.for_office(visit.office)
    placement = Placement(placement or rules.transfer_placement)
    target_service = service or visit.service
    if placement == Placement.ARRIVAL:
        queue_at = visit.arrived_at
    elif placement == Placement.END:
        queue_at = now
    else:
        first = (
            Visit.objects.filter(
                office_id=visit.office_id, service=target_service, status=VisitStatus.WAITING
            )
            .order_by("queue_at")
            .values_list("queue_at", flat=True)
            .first()
        )
        queue_at = min(first or now, visit.arrived_at) - timedelta(milliseconds=1)
    return _transition(
        visit,
        [VisitStatus.CALLED, VisitStatus.SERVING],
        actor,
        "visit.transferred",
        now,
        status=VisitStatus.WAITING,
        service=target_service,
        for_desk=desk,
        desk=None,
        started_at=None,
        queue_at=queue_at,
    )


def do_cancel(visit, actor: Actor = SYSTEM, now=None) -> Visit:
    """The visitor leaves the line (from their status page, or staff on their behalf)."""
    return _transition(
        visit,
        [VisitStatus.WAITING, VisitStatus.CALLED],
        actor,
        "visit.cancelled",
        now,
        status=VisitStatus.CANCELLED,
        ended_at=timezone.now,
    )


# -- desks -------------------------------------------------------------------------------------


def session_of(desk) -> DeskSession | None:
    """The desk's open session, if an agent sits at it."""
    return (
        DeskSession.objects.filter(desk=desk, closed_at=None)
        .select_related("agent")
        .prefetch_related("services")
        .first()
    )


def do_open_desk(desk, agent, services, actor: Actor = SYSTEM, now=None) -> DeskSession:
    """The agent sits at the desk for these services; any earlier session of either ends.

    The agent opens it themselves, or a supervisor (or the system) for them."""
    authorise(actor, desk.office)
    if actor.is_staff and actor.user.pk != agent.pk and not actor.has_role(Role.SUPERVISOR):
        raise Http404
    if agent.agency_id != desk.office.agency_id:  # a supervisor seats only their own staff
        raise Http404
    now = now or timezone.now()
    allowed = set(desk.office.services.values_list("id", flat=True))
    chosen = [s for s in services if s.id in allowed]
    with transaction.atomic():
        DeskSession.objects.filter(Q(desk=desk) | Q(agent=agent), closed_at=None).update(
            closed_at=now
        )
        session = DeskSession.objects.create(
            desk=desk, agent=agent, opened_at=now, last_seen_at=now
        )
        session.services.set(chosen)
        record_event(
            "desk.opened",
            desk,
            actor=actor,
            agency=desk.office.agency,
            at=now,
            data={"services": [str(s.id) for s in chosen], "office": str(desk.office_id)},
        )
        live.announce(desk.office_id)
    return session


def _held_session(desk, actor) -> DeskSession:
    authorise(actor, desk.office)
    session = session_of(desk)
    if session is None:
        raise ActionError("desk_closed", _("This desk is not open."))
    if not may_hold(actor, session):
        raise ActionError(
            "not_your_desk", _("Another agent holds this desk. Only they or a supervisor can.")
        )
    return session


def do_pause(desk, paused: bool, actor: Actor = SYSTEM, now=None) -> DeskSession:
    """A break starts (nobody is called to the desk) or ends."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _held_session(desk, actor)
        DeskSession.objects.filter(id=session.id, closed_at=None).update(
            paused_at=now if paused else None, last_seen_at=now
        )
        session.paused_at = now if paused else None
        record_event(
            "desk.paused" if paused else "desk.resumed",
            desk,
            actor=actor,
            agency=desk.office.agency,
            at=now,
            data={"office": str(desk.office_id)},
        )
        live.announce(desk.office_id)
    return session


def do_close(desk, actor: Actor = SYSTEM, now=None) -> None:
    """The agent leaves the desk."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _held_session(desk, actor)
        DeskSession.objects.filter(id=session.id, closed_at=None).update(closed_at=now)
        record_event(
            "desk.closed",
            desk,
            actor=actor,
            agency=desk.office.agency,
            at=now,
            data={"office": str(desk.office_id)},
        )
        live.announce(desk.office_id)


def do_set_desk_services(desk, services, actor: Actor = SYSTEM, now=None) -> DeskSession:
    """Change the services an open desk calls for (a supervisor moving work between desks, or
    the agent at the desk). Services the office does not offer are refused, not dropped."""
    authorise(actor, desk.office)  # first: a stranger learns nothing of the office's services
    now = now or timezone.now()
    allowed = set(desk.office.services.filter(active=True).values_list("id", flat=True))
    chosen = list(services)
    if not chosen:
        raise ActionError("invalid", _("Choose at least one service."), field="services")
    if any(service.id not in allowed for service in chosen):
        raise ActionError(
            "invalid", _("This office does not offer one of these services."), field="services"
        )
    with transaction.atomic():
        session = _held_session(desk, actor)
        # Locked until commit: two changes of one desk's services take turns.
        list(DeskSession.objects.select_for_update().filter(id=session.id).values_list("id"))
        before = sorted(
            str(service_id)
            for service_id in DeskSession.services.through.objects.filter(
                desksession_id=session.id
            ).values_list("service_id", flat=True)
        )
        session.services.set(chosen)
        record_event(
            "desk.services_changed",
            desk,
            actor=actor,
            agency=desk.office.agency,
            at=now,
            data={
                "office": str(desk.office_id),
                "before": before,
                "services": sorted(str(s.id) for s in chosen),
            },
        )
        live.announce(desk.office_id)
    return session
