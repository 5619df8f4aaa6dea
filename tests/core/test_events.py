import pytest

from accueil.core.actors import SYSTEM, Actor
from accueil.core.events import events_for, record_event
from accueil.core.models import Event, EventLogIsAppendOnly


def test_an_event_records_who_what_and_which_object(personas):
    event = record_event(
        "service.updated", personas.service, actor=Actor.staff(personas.admin), data={"a": 1}
    )
    assert event.actor == personas.admin
    assert event.actor_kind == "staff"
    assert event.agency == personas.agency
    assert event.object_id == str(personas.service.id)
    assert list(events_for(personas.service)) == [event]


def test_events_cannot_be_changed_or_deleted(personas):
    event = record_event("service.updated", personas.service, actor=SYSTEM)
    assert event.actor_kind == "system"
    event.verb = "something.else"
    with pytest.raises(EventLogIsAppendOnly):
        event.save()
    with pytest.raises(EventLogIsAppendOnly):
        event.delete()
    with pytest.raises(EventLogIsAppendOnly):
        Event.objects.filter(pk=event.pk).update(verb="x")
    with pytest.raises(EventLogIsAppendOnly):
        Event.objects.all().delete()
    event.refresh_from_db()
    assert event.verb == "service.updated"
