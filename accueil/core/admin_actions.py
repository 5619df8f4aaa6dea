"""The admin's writes, as named actions: what an agency administrator saves or deletes in the
Django admin goes through here, with its event, like every other change.

The admin opens the transaction (``changeform_view``/``delete_view`` are atomic), so the object,
its inlines and the event commit together."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accueil.core.actors import Actor
from accueil.core.events import record_event


def _agency_of(obj):
    """The agency an admin-edited object belongs to, for its event."""
    if obj._meta.model_name == "agency":
        return obj
    for path in ("agency", "office", "service", "user"):
        owner = getattr(obj, path, None)
        if owner is not None and path != "agency":
            return _agency_of(owner)
        if owner is not None:
            return owner
    return None


def do_save_object(actor: Actor, obj, *, own_agency_id=None) -> None:
    """Save the edited object; ``own_agency_id``: an agency administrator's rows are theirs."""
    if not actor.is_staff:  # the admin site lets in staff only; an action says so itself
        raise PermissionDenied
    if own_agency_id is not None:
        obj.agency_id = own_agency_id
    obj.save()


def do_finish_admin_change(actor: Actor, form, formsets, created: bool, save_related) -> None:
    """Save the inlines (``save_related``: the admin's own), then one event names every part."""
    with transaction.atomic():
        save_related()
        obj = form.instance
        inlines = sorted(f.model._meta.model_name for f in formsets if f.has_changed())
        verb = f"{obj._meta.model_name}.{'created' if created else 'updated'}"
        data = {"fields": form.changed_data, "inlines": inlines}
        record_event(verb, obj, actor=actor, data=data, agency=_agency_of(obj))


def do_delete_object(actor: Actor, obj) -> None:
    with transaction.atomic():
        record_event(f"{obj._meta.model_name}.deleted", obj, actor=actor, agency=_agency_of(obj))
        obj.delete()
