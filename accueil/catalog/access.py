"""Offices, services and desks as an actor may see them.

Every staff view and API operation fetches them through the ``access_*`` helpers below, which
return only objects of the actor's agency and offices and raise ``Http404`` for anything else,
so a stranger cannot even learn that an object exists. (Who the actor is: core/actors.py; which
views are staff-only: core/guards.py; each app's own objects: its actions' ``access_*``.)
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from accueil.catalog.models import Desk, Office, Service
from accueil.core.actors import Actor


def offices_for(actor: Actor) -> QuerySet[Office]:
    offices = Office.objects.filter(agency_id=actor.agency_id)
    if actor.office_ids is not None:
        offices = offices.filter(id__in=actor.office_ids)
    return offices


def services_for(actor: Actor) -> QuerySet[Service]:
    return Service.objects.filter(agency_id=actor.agency_id)


def access_office(actor: Actor, office_id: UUID | str) -> Office:
    try:
        return offices_for(actor).get(id=office_id)
    except (Office.DoesNotExist, ValueError):
        raise Http404 from None


def access_service(actor: Actor, service_id: UUID | str) -> Service:
    try:
        return services_for(actor).get(id=service_id)
    except (Service.DoesNotExist, ValueError):
        raise Http404 from None


def access_desk(actor: Actor, desk_id: UUID | str) -> Desk:
    try:
        return Desk.objects.select_related("office").get(id=desk_id, office__in=offices_for(actor))
    except (Desk.DoesNotExist, ValueError):
        raise Http404 from None
