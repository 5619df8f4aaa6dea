"""The one place that decides who may see or change what.

Every staff view and API operation goes through an ``Actor`` (a signed-in user or an API
token) and the ``access_*`` helpers below, which return only objects of the actor's agency
and offices and raise ``Http404`` for anything else, so a stranger cannot even learn that an
object exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from accueil.accounts.models import Role
from accueil.catalog.models import Desk, Office, Service
from accueil.core.actors import Actor

__all__ = ["Actor", "access_desk", "access_office", "access_service", "offices_for"]


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


# -- view decorators; the authorization meta-test reads the marks they leave -------------------


def staff_required(minimum: str = Role.AGENT) -> Callable[[Callable[..., Any]], Any]:
    """Signed-in staff of at least ``minimum`` role; sets ``request.actor``."""

    def decorator(view: Callable[..., Any]) -> Any:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.agency_id is None or not user.has_role(minimum):
                raise PermissionDenied
            request.actor = Actor.staff(user)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        wrapped.access_rule = ("staff", minimum)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: Callable[..., Any]) -> Any:
    """Marks a view as open to everyone, on purpose."""
    view.access_rule = ("public",)  # type: ignore[attr-defined]
    return view
