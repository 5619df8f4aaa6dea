"""Every change to a queue, safe under concurrency on SQLite and PostgreSQL.

Ticket numbers come from a per-office, per-prefix, per-local-day counter row, incremented inside
the same transaction as the visit: PostgreSQL locks the row (SELECT … FOR UPDATE), SQLite's
BEGIN IMMEDIATE serialises writers. Every other transition is a conditional
``UPDATE … WHERE status IN (…)`` whose row count says whether it happened, so two desks can
never get the same visitor and two clicks can never complete a visit twice — without relying
on SELECT … FOR UPDATE, which SQLite ignores.

Each action records its Event and announces the change to live displays (``live.announce``)
inside its transaction; notices to the citizen go through the outbox in the same transaction.
"""

from datetime import timedelta
from functools import partial

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.core.events import record_event
from accueil.queues import live, notices
from accueil.queues.models import (
    PRIORITY_NEEDS,
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

CANDIDATES = 20  # visitors looked at per attempt when several desks compete


class QueueError(Exception):
    """A change the current state does not allow; shown to the person who asked, as a 409."""

    def __init__(self, code: str, message) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def _conflict() -> QueueError:
    return QueueError("conflict", _("This visit has changed meanwhile. Reload and try again."))


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
    actor=None,
    now=None,
    booked=False,
    predictor=None,
) -> Visit:
    """Take a ticket. The same idempotency key (a retry, a double tap) returns the same visit.

    ``booked``: an appointment arriving within its window, served before arrival order.
    ``predictor``: called with the new, unsaved visit; the wait it returns is stored with it."""
    if idempotency_key:
        existing = Visit.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if not office.active or not service.active or not service.offices.filter(id=office.id).exists():
        raise QueueError("unavailable", _("This service is not offered at this office."))
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
            )
            if predictor is not None:
                visit.predicted_wait = predictor(visit)
            visit.save(force_insert=True)
            _event("visit.checked_in", visit, actor, now, source=source)
            live.announce(office.id)
    except IntegrityError:
        if idempotency_key:  # the same request won in parallel
            return Visit.objects.get(idempotency_key=idempotency_key)
        raise
    return visit


def do_take_ticket(office, service, now=None, **details):
    """Check in with the wait predicted for the newcomer: (visit, guess)."""
    from accueil.queues.waits import admit_newcomer, predict, predict_for_reading

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
    if visit.predicted_wait is not None:  # a retry: the visit was there already
        return visit, predict_for_reading(visit, now)
    guess = predict(visit, now)
    record_prediction(visit, guess.wait)
    return visit, guess


def record_prediction(visit, seconds: int | None) -> None:
    """Keep the wait predicted at check-in beside the visit, once."""
    if seconds is None:
        return
    Visit.objects.filter(id=visit.id, predicted_wait=None).update(predicted_wait=seconds)
    visit.predicted_wait = seconds


def open_session(desk):
    return (
        DeskSession.objects.filter(desk=desk, closed_at=None).prefetch_related("services").first()
    )


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


def do_call_next(desk, actor=None, now=None) -> Visit | None:
    """Give the desk the first waiting visitor of its services, or None if nobody waits."""
    session = open_session(desk)
    if session is not None and session.paused_at is not None:
        raise QueueError("paused", _("This desk is on a break. Resume before calling."))
    rules = QueueRules.for_office(desk.office)
    waiting = Visit.objects.filter(
        Q(service_id__in=desk_services(desk, session), for_desk=None) | Q(for_desk=desk),
        office_id=desk.office_id,
        status=VisitStatus.WAITING,
    )
    user = getattr(actor, "user", actor)
    ordered = waiting_order(waiting, rules)
    skip_locked = connection.vendor == "postgresql"
    while True:
        moment = now or timezone.now()
        with transaction.atomic():
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
                with transaction.atomic(savepoint=False):
                    won = Visit.objects.filter(id=visit_id, status=VisitStatus.WAITING).update(
                        status=VisitStatus.CALLED,
                        desk=desk,
                        for_desk=None,
                        agent=user if getattr(user, "pk", None) else None,
                        called_at=moment,
                        first_called_at=Coalesce(F("first_called_at"), moment),
                    )
                    if won:
                        visit = Visit.objects.select_related(
                            "office__agency", "desk", "service"
                        ).get(id=visit_id)
                        _event("visit.called", visit, actor, moment, desk=str(desk.id))
                        notices.called(visit)
                        live.announce(visit.office_id)
                        transaction.on_commit(partial(notices.near_turns, desk.office, moment))
                        return visit
        # Every candidate went to another desk meanwhile: look again.


def _transition(visit, allowed, actor, verb, now, extra_filter=None, **changes) -> Visit:
    """Move a visit from one of ``allowed`` statuses, or raise a conflict if it moved first."""
    now = now or timezone.now()
    with transaction.atomic():
        query = Visit.objects.filter(id=visit.id, status__in=allowed)
        if extra_filter is not None:
            query = query.filter(extra_filter)
        values = {k: (now if v is timezone.now else v) for k, v in changes.items()}
        if not query.update(**values):
            raise _conflict()
        visit = Visit.objects.select_related("office__agency", "desk", "service").get(id=visit.id)
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


def do_recall(visit, actor=None, now=None) -> Visit:
    """Call the same visitor again, not sooner than the office's minimum delay."""
    now = now or timezone.now()
    rules = QueueRules.for_office(visit.office)
    earliest = now - timedelta(seconds=rules.recall_delay)
    if visit.status == VisitStatus.CALLED and visit.called_at and visit.called_at > earliest:
        raise QueueError(
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
    notices.called(visit, again=True)
    return visit


def do_start(visit, actor=None, now=None) -> Visit:
    return _transition(
        visit,
        [VisitStatus.CALLED],
        actor,
        "visit.started",
        now,
        status=VisitStatus.SERVING,
        started_at=timezone.now,
    )


def do_complete(visit, outcome=Outcome.RESOLVED, actor=None, now=None) -> Visit:
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


def do_no_show(visit, actor=None, now=None) -> Visit:
    rules = QueueRules.for_office(visit.office)
    if visit.status == VisitStatus.CALLED and visit.recalls < rules.recalls_before_no_show:
        raise QueueError(
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


def do_transfer(visit, *, service=None, desk=None, placement=None, actor=None, now=None) -> Visit:
    """Send the visitor to another line or desk; their place follows the office's rule."""
    if service is None and desk is None:
        raise QueueError("invalid", _("Choose a service or a desk to transfer to."))
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


def do_cancel(visit, actor=None, now=None) -> Visit:
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


def do_open_desk(desk, agent, services, now=None) -> DeskSession:
    """The agent sits at the desk for these services; any earlier session of either ends."""
    now = now or timezone.now()
    allowed = set(desk.office.services.values_list("id", flat=True))
    chosen = [s for s in services if s.id in allowed]
    with transaction.atomic():
        DeskSession.objects.filter(Q(desk=desk) | Q(agent=agent), closed_at=None).update(
            closed_at=now
        )
        session = DeskSession.objects.create(desk=desk, agent=agent, opened_at=now)
        session.services.set(chosen)
        record_event(
            "desk.opened",
            desk,
            actor=agent,
            agency=desk.office.agency,
            at=now,
            data={"services": [str(s.id) for s in chosen]},
        )
        live.announce(desk.office_id)
    return session


def do_pause_desk(session, paused: bool, actor=None, now=None) -> DeskSession:
    now = now or timezone.now()
    with transaction.atomic():
        DeskSession.objects.filter(id=session.id, closed_at=None).update(
            paused_at=now if paused else None
        )
        session.refresh_from_db()
        record_event(
            "desk.paused" if paused else "desk.resumed",
            session.desk,
            actor=actor,
            agency=session.desk.office.agency,
            at=now,
        )
        live.announce(session.desk.office_id)
    return session


def do_close_desk(session, actor=None, now=None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        DeskSession.objects.filter(id=session.id, closed_at=None).update(closed_at=now)
        record_event(
            "desk.closed", session.desk, actor=actor, agency=session.desk.office.agency, at=now
        )
        live.announce(session.desk.office_id)
