"""Taking a ticket and calling the next visitor, safe under concurrency on SQLite and PostgreSQL.

Ticket numbers come from a per-office, per-prefix, per-local-day counter row, incremented inside
the same transaction as the visit: PostgreSQL locks the row (SELECT … FOR UPDATE), SQLite's
BEGIN IMMEDIATE serialises writers. Calling the next visitor is a conditional
``UPDATE … WHERE status = 'waiting'`` whose row count says who won, so two desks can never get
the same visitor — without relying on SELECT … FOR UPDATE, which SQLite ignores.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from accueil.core.events import record_event
from accueil.queues.models import TicketCounter, Visit, VisitStatus

CANDIDATES = 20  # visitors looked at per attempt when several desks compete


def next_number(office, prefix: str, day) -> int:
    """Inside a transaction: the next number for this prefix today, never given twice."""
    for _attempt in range(3):
        counter = (
            TicketCounter.objects.select_for_update()
            .filter(office=office, prefix=prefix, day=day)
            .first()
        )
        if counter is None:
            try:
                with transaction.atomic():  # savepoint: a concurrent creator may win
                    counter = TicketCounter.objects.create(office=office, prefix=prefix, day=day)
            except IntegrityError:
                continue
        TicketCounter.objects.filter(pk=counter.pk).update(last_number=counter.last_number + 1)
        return counter.last_number + 1
    raise RuntimeError("could not number the ticket")  # pragma: no cover


def do_check_in(
    office, service, *, language="fr", phone="", email="", priority=False, idempotency_key=None
) -> Visit:
    """Take a ticket. The same idempotency key (a retry, a double tap) returns the same visit."""
    if idempotency_key:
        existing = Visit.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    day = now.astimezone(office.zone).date()
    try:
        with transaction.atomic():
            number = next_number(office, service.ticket_prefix, day)
            visit = Visit.objects.create(
                office=office,
                service=service,
                day=day,
                number=number,
                ticket=f"{service.ticket_prefix}-{number:03d}",
                language=language,
                phone=phone,
                email=email,
                priority=priority,
                arrived_at=now,
                idempotency_key=idempotency_key,
            )
            record_event(
                "visit.checked_in",
                visit,
                agency=office.agency,
                data={"ticket": visit.ticket, "service": str(service.id)},
            )
    except IntegrityError:
        if idempotency_key:  # the same request won in parallel
            return Visit.objects.get(idempotency_key=idempotency_key)
        raise
    return visit


def waiting_order(queryset):
    """Declared priority first, then arrival."""
    return queryset.order_by("-priority", "arrived_at")


def do_call_next(desk, actor=None) -> Visit | None:
    """Give the desk the first waiting visitor of its services, or None if nobody waits."""
    services = list(desk.services.values_list("id", flat=True))
    waiting = Visit.objects.filter(
        office_id=desk.office_id, status=VisitStatus.WAITING, service_id__in=services
    )
    while True:
        candidates = list(waiting_order(waiting).values_list("id", flat=True)[:CANDIDATES])
        if not candidates:
            return None
        for visit_id in candidates:
            with transaction.atomic():
                won = Visit.objects.filter(id=visit_id, status=VisitStatus.WAITING).update(
                    status=VisitStatus.CALLED, desk=desk, called_at=timezone.now()
                )
                if won:
                    visit = Visit.objects.select_related("office__agency").get(id=visit_id)
                    record_event(
                        "visit.called",
                        visit,
                        actor=actor,
                        agency=visit.office.agency,
                        data={"desk": str(desk.id), "ticket": visit.ticket},
                    )
                    return visit
        # Every candidate went to another desk meanwhile: look again.
