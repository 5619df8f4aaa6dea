"""Changes to offices and services, shared by the settings pages and the admin."""

from django.db import transaction

from accueil.catalog.models import Office, Service
from accueil.core.actors import Actor
from accueil.core.events import record_event


def do_update_service(actor: Actor, form) -> Service:
    with transaction.atomic():
        service = form.save()
        record_event("service.updated", service, actor=actor, data={"fields": form.changed_data})
    return service


def do_update_office(actor: Actor, form) -> Office:
    """Save an office and replace its weekly opening hours."""
    with transaction.atomic():
        office = form.save()
        office.set_weekly_hours(form.cleaned_data["hours"])
        changed = list(form.changed_data)
        record_event("office.updated", office, actor=actor, data={"fields": changed})
    return office
