"""The feedback app's background work: the consumer that invites people to a survey.

``feedback.invitations`` reads ``visit.completed`` and ``case.resolved`` after its durable
cursor (core/consumers.py). Its writes (invitations, their events, the outbox rows) commit with
the cursor, so a worker killed at any moment neither loses an invitation nor sends one twice;
a replayed batch finds the invitations already made (one per visit or case) and adds nothing.
"""

import uuid

from accueil.cases.models import Case
from accueil.core.consumers import consumers
from accueil.feedback.actions import do_invite
from accueil.feedback.models import Subject
from accueil.queues.models import Visit

VERBS = {"visit.completed", "case.resolved"}


@consumers.register("feedback.invitations", verbs=VERBS)
def invite(events, now=None) -> None:
    """``now``: the worker's clock; the demo's history passes the simulated day's end, when
    those people would have been invited."""
    visit_ids = [e.object_id for e in events if e.verb == "visit.completed"]
    case_ids = [e.object_id for e in events if e.verb == "case.resolved"]
    visits = Visit.objects.select_related("office__agency", "service").in_bulk(visit_ids)
    cases = Case.objects.select_related("office__agency", "service").in_bulk(case_ids)
    for event in events:
        if event.verb == "visit.completed":
            visit = visits.get(_uuid(event.object_id))
            if visit is not None:
                # Who served: the visit's agent, else whoever completed it.
                agent_id = visit.agent_id or event.actor_id
                do_invite(Subject.VISIT, visit, agent_id=agent_id, at=event.created_at, now=now)
        else:
            case = cases.get(_uuid(event.object_id))
            if case is not None and case.anonymised_at is None:
                # Who served: the assignee when it was resolved, else whoever resolved it.
                agent_id = case.assignee_id or event.actor_id
                do_invite(Subject.CASE, case, agent_id=agent_id, at=event.created_at, now=now)


def _uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)
