"""Notices to the person waiting, through the outbox: "your turn is near", "it's your turn"."""

from django.db import transaction

from accueil.notify.actions import notify_beside
from accueil.notify.checks import still_wanted
from accueil.queues.models import QueueRules, Visit, VisitStatus


def preferred_channel(person) -> tuple[str, str] | None:
    """A visit's or an appointment's way to reach the person: a text first, else an email."""
    if person.phone:
        return "sms", person.phone
    if person.email:
        return "email", person.email
    return None


def _send(visit, key: str, idempotency: str, **values) -> None:
    channel = preferred_channel(visit)
    if channel is None:
        return
    office = visit.office
    notify_beside(
        key=key,
        channel=channel[0],
        recipient=channel[1],
        language=visit.language,
        values={"office": office.name_in(visit.language), "ticket": visit.ticket, **values},
        idempotency_key=f"visit:{visit.id}:{idempotency}",
        agency=office.agency,
        reason=(key, str(visit.id)),
        time_zone=office.time_zone,
    )


def called(visit) -> None:
    """Inside the call's transaction: "it's your turn, desk 4" (again after a recall: the
    idempotency key counts recalls)."""
    _send(visit, "visit.called", f"called:{visit.recalls}", desk=visit.desk.label)


def near_turns(office, now) -> int:
    """After a call: tell the people whose turn is now near, once each; returns how many."""
    candidates = Visit.objects.filter(
        office=office, status=VisitStatus.WAITING, near_notice_sent=False
    ).exclude(phone="", email="")
    if not candidates.exists():
        return 0
    from accueil.queues.waits import recent_forecast  # the forecast reads desks and history

    rules = QueueRules.for_office(office)
    board = recent_forecast(office, now, refresh=True)
    sent = 0
    for visit in candidates.select_related("office__agency"):
        guess = board.get(visit.id)
        if guess is None:
            continue
        near = guess.position <= rules.near_position or (
            guess.wait is not None and guess.wait <= rules.near_minutes * 60
        )
        if not near:
            continue
        with transaction.atomic():
            if Visit.objects.filter(id=visit.id, near_notice_sent=False).update(
                near_notice_sent=True
            ):
                minutes = max(1, round((guess.wait or 0) / 60))
                _send(visit, "visit.turn_near", "near", minutes=minutes)
                sent += 1
    return sent


def near_turns_everywhere(now) -> int:
    """The worker's pass: what a call's after-commit step could not send (the connection
    dropped, the process died) is sent now; turns that came near without a call too."""
    from accueil.catalog.models import Office

    offices = (
        Visit.objects.filter(status=VisitStatus.WAITING, near_notice_sent=False)
        .exclude(phone="", email="")
        .values_list("office_id", flat=True)
        .distinct()
    )
    return sum(
        near_turns(office, now)
        for office in Office.objects.filter(id__in=list(offices)).select_related("agency")
    )


def send_disruption(visit, notice: str, key: str) -> None:
    _send(visit, "visit.disrupted", f"disrupted:{key}", notice=notice)


@still_wanted.register("visit.turn_near")
def _still_waiting(visit_id: str) -> bool:
    return Visit.objects.filter(id=visit_id, status=VisitStatus.WAITING).exists()


@still_wanted.register("visit.called")
def _still_called(visit_id: str) -> bool:
    return Visit.objects.filter(id=visit_id, status=VisitStatus.CALLED).exists()


@still_wanted.register("visit.disrupted")
def _still_open(visit_id: str) -> bool:
    return Visit.objects.filter(
        id=visit_id, status__in=[VisitStatus.WAITING, VisitStatus.CALLED]
    ).exists()
