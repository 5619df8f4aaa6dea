"""An agency whose potholes service takes requests from apps, with a question of every kind,
an Open311 key for an application, and helpers to call and validate the endpoints."""

from pathlib import Path

import pytest
from lxml import etree

from accueil.accounts.actions import do_issue_client_key
from accueil.accounts.models import ClientScope
from accueil.cases.models import CaseField
from accueil.catalog.models import Service
from accueil.core.actors import SYSTEM
from tests.cases.conftest import make_world

XSD = Path(__file__).parent / "xsd"
BASE = "/open311/v2"


def with_open311(world):
    Service.objects.filter(pk=world.service.pk).update(
        channels=["web", "phone", "in_person", "app"]
    )
    world.service.refresh_from_db()
    questions = [
        ("count", "number", "Combien ?", "How many?", False),
        ("seen", "date", "Vu le", "Seen on", False),
        ("danger", "yes_no", "Dangereux ?", "Dangerous?", False),
        ("plate", "text", "Plaque", "Plate", False),
        ("details", "long_text", "Détails", "Details", False),
        ("where", "location", "Où ?", "Where?", True),
        ("photo", "file", "Photo", "Photo", False),
    ]
    for position, (code, kind, fr, en, required) in enumerate(questions, start=1):
        CaseField.objects.create(
            service=world.service,
            code=code,
            kind=kind,
            label_fr=fr,
            label_en=en,
            required=required,
            position=position,
        )
    world.app, world.key = do_issue_client_key(
        SYSTEM, "FixMyStreet", ClientScope.OPEN311, agency=world.agency
    )
    world.jurisdiction = world.agency.slug
    return world


@pytest.fixture
def city(db):
    return with_open311(make_world())


@pytest.fixture
def committed_city(transactional_db):
    return with_open311(make_world())


def report(city, **overrides) -> dict:
    """A POST as FixMyStreet sends it."""
    values = {
        "api_key": city.key,
        "jurisdiction_id": city.jurisdiction,
        "service_code": "voirie",
        "lat": "45.501690",
        "long": "-73.567253",
        "address_string": "12, rue Principale",
        "description": "Un nid-de-poule profond devant le 12.",
        "email": "lea@example.org",
        "first_name": "Léa",
        "last_name": "Roy",
        "phone": "514 555-0199",
        "attribute[size]": "large",
        "media_url": "https://photos.example.org/p/1.jpg",
        "account_id": "fms-42",
        "device_id": "phone-7",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def validate(document: bytes, schema: str):
    """Parse the XML and validate it against our XSD of that document; return the tree."""
    xsd = etree.XMLSchema(etree.parse(str(XSD / f"{schema}.xsd")))
    tree = etree.fromstring(document)
    xsd.assertValid(tree)
    return tree
