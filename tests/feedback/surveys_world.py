"""A small agency whose visits and requests lead to surveys, for the surveys' tests.

Imported by tests/feedback/test_surveys_*.py (fixtures ``world`` and ``committed_world``)."""

import time
from types import SimpleNamespace

import pytest

from accueil.cases.models import CaseSettings
from accueil.core.actors import Actor
from accueil.core.consumers import behind, consumers, feed
from accueil.notify.templates_text import load_files
from accueil.queues.actions import do_call_next, do_check_in, do_complete, do_open_desk
from tests.factories import (
    AgencyFactory,
    DeskFactory,
    OfficeFactory,
    ServiceFactory,
    UserFactory,
)


def make_world():
    load_files()
    agency = AgencyFactory(name_fr="Ville de Lévis", name_en="City of Lévis")
    office = OfficeFactory(agency=agency, time_zone="America/Montreal")
    service = ServiceFactory(
        agency=agency,
        offices=[office],
        channels=["web", "in_person", "email"],
        name_fr="Permis",
        name_en="Permits",
    )
    CaseSettings.objects.create(service=service, office=office)
    desk = DeskFactory(office=office, label="3")
    desk.services.set([service])
    agent = UserFactory(agency=agency, username="ana", offices=[office])
    other_agency = AgencyFactory()
    return SimpleNamespace(
        agency=agency,
        office=office,
        service=service,
        desk=desk,
        agent=agent,
        colleague=UserFactory(agency=agency, username="bo", offices=[office]),
        admin=UserFactory(agency=agency, username="boss", role="admin"),
        stranger=UserFactory(agency=other_agency, username="stranger"),
        other_agency=other_agency,
    )


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def committed_world(transactional_db):
    return make_world()


def served_visit(world, **details):
    """A visit taken, called and completed at the world's desk by its agent."""
    agent = Actor.staff(world.agent)
    do_open_desk(world.desk, world.agent, [], actor=agent)
    visit = do_check_in(world.office, world.service, **details)
    called = do_call_next(world.desk, actor=agent)
    assert called is not None and called.id == visit.id
    return do_complete(called, actor=agent)


def run_consumer() -> int:
    """Feed the invitations consumer until it has read every event; how many it read.

    On PostgreSQL a consumer reads only events older than every transaction still running on
    the server (transaction ids are server-wide: another suite's open transaction holds it back
    a moment), so the tests that use it commit (``transaction=True``) and this waits for the
    events to be read, not for a time."""
    consumer = consumers.get("feedback.invitations")
    total = 0
    deadline = time.monotonic() + 60
    while behind(consumer) and time.monotonic() < deadline:
        handled = feed(consumer)
        total += handled
        if not handled:
            time.sleep(0.1)
    assert behind(consumer) == 0, "the invitations consumer was held back for a minute"
    return total
