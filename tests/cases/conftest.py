"""A small agency taking requests: business hours in Montréal, published response and
resolution standards, a team of two agents and a routing rule, the shipped wording loaded."""

from types import SimpleNamespace

import pytest

from accueil.cases.intake import Intake
from accueil.cases.models import CaseField, CaseSettings, Membership, RoutingRule, Team
from accueil.cases.replies import load_replies
from accueil.notify.templates_text import load_files
from tests.factories import (
    AgencyFactory,
    OfficeFactory,
    ServiceFactory,
    StandardFactory,
    UserFactory,
)


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def committed_world(transactional_db):
    """The same, committed: for races between real threads (each has its own connection)."""
    return make_world()


def make_world():
    load_files()
    load_replies()
    agency = AgencyFactory()
    office = OfficeFactory(agency=agency, time_zone="America/Montreal", hours="mon-fri 09:00-17:00")
    service = ServiceFactory(
        agency=agency,
        offices=[office],
        channels=["web", "phone", "in_person"],
        slug="voirie",
        name_fr="Nids-de-poule",
        name_en="Potholes",
    )
    StandardFactory(service=service, measure="response", threshold=8, unit="business_hours")
    StandardFactory(service=service, measure="resolution", threshold=10, unit="business_days")
    CaseSettings.objects.create(service=service, office=office)
    CaseField.objects.create(
        service=service,
        code="size",
        kind="choice",
        label_fr="Taille",
        label_en="Size",
        required=True,
        choices=[
            {"value": "small", "fr": "Petit", "en": "Small"},
            {"value": "large", "fr": "Grand", "en": "Large"},
        ],
    )
    team = Team.objects.create(agency=agency, slug="voirie", name_fr="Voirie", name_en="Roads")
    agents = [UserFactory(agency=agency, username=name, offices=[office]) for name in ("ana", "bo")]
    for agent in agents:
        Membership.objects.create(team=team, user=agent)
    RoutingRule.objects.create(agency=agency, position=10, service=service, team=team)
    other_agency = AgencyFactory()
    stranger_office = OfficeFactory(agency=other_agency)
    return SimpleNamespace(
        agency=agency,
        office=office,
        service=service,
        team=team,
        agents=agents,
        stranger=UserFactory(agency=other_agency, username="stranger", offices=[stranger_office]),
    )


def intake(**overrides) -> Intake:
    values = {
        "description": "Un gros nid-de-poule devant le 12, rue Principale.",
        "language": "fr",
        "name": "Léa Roy",
        "email": "lea@example.org",
        "answers": {"size": "large"},
    }
    values.update(overrides)
    return Intake(**values)
