"""The one helper every action uses to record what it changed."""

from typing import Any

from django.db import connection, models
from django.db.models import BigIntegerField, Func, TextField
from django.db.models.functions import Cast

from accueil.core.actors import Actor
from accueil.core.models import Event


def _as_bigint(function: Func) -> Cast:
    return Cast(Cast(function, TextField()), BigIntegerField())


def current_txid() -> Cast:
    """PostgreSQL: the id of the transaction writing the row, as a bigint (see Event.txid)."""
    return _as_bigint(Func(function="pg_current_xact_id", output_field=TextField()))


def oldest_running_txid() -> Cast:
    """PostgreSQL: the oldest transaction still running; every older one has ended."""
    snapshot = Func(function="pg_current_snapshot", output_field=TextField())
    return _as_bigint(Func(snapshot, function="pg_snapshot_xmin", output_field=TextField()))


def record_event(
    verb: str,
    obj: models.Model,
    *,
    actor: Actor,
    data: dict[str, Any] | None = None,
    agency: Any = None,
    office: Any = None,
    service: Any = None,
    at: Any = None,
) -> Event:
    """Append one event, done by ``actor`` (core/actors.py: the only thing accepted here).

    ``office`` and ``service`` (objects or ids) say where it happened; without them, the
    ``office``/``service`` ids in ``data`` are used."""
    if not isinstance(actor, Actor):
        raise TypeError(f"record_event needs an Actor, not {type(actor).__name__}")
    data = data or {}
    if actor.app_id is not None:  # which client application's key did it
        data = {**data, "client_app": str(actor.app_id)}
    if agency is None:
        agency = getattr(obj, "agency", None)
        if agency is None and obj._meta.model_name == "agency":
            agency = obj
    extra: dict[str, Any] = {}
    if at is not None:
        extra["created_at"] = at
    if connection.vendor == "postgresql":
        extra["txid"] = current_txid()
    event: Event = Event.objects.create(
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        actor=actor.event_user,
        actor_kind=actor.kind,
        data=data,
        agency=agency,
        office_id=_pk(office) or data.get("office"),
        service_id=_pk(service) or data.get("service"),
        **extra,
    )
    return event


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def events_for(obj: models.Model) -> models.QuerySet[Event]:
    return Event.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
