"""The one helper every action uses to record what it changed."""

from typing import Any

from django.db import models

from accueil.core.models import ActorKind, Event


def record_event(
    verb: str,
    obj: models.Model,
    *,
    actor: Any = None,
    data: dict[str, Any] | None = None,
    agency: Any = None,
    at: Any = None,
) -> Event:
    """Append one event. ``actor`` is a user, an accounts.access.Actor, or None (system)."""
    user = getattr(actor, "user", actor)
    if actor is None:
        kind = ActorKind.SYSTEM
    else:
        kind = ActorKind.API if getattr(actor, "via_token", False) else ActorKind.STAFF
    if agency is None:
        agency = getattr(obj, "agency", None)
        if agency is None and obj._meta.model_name == "agency":
            agency = obj
    return Event.objects.create(
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        actor=user,
        actor_kind=kind,
        data=data or {},
        agency=agency,
        **({"created_at": at} if at is not None else {}),
    )


def events_for(obj: models.Model) -> models.QuerySet[Event]:
    return Event.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
