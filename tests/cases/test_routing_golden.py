"""Routing's golden file: requests in, the team they reach out (tests/golden/routing.csv).

The rules below are the agency's; each row of the file is a request and the team the rules
must send it to, with why. Rows are run on real rows, through the same ``team_for`` the
intake action calls."""

import csv
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from accueil.cases.models import Case, RoutingRule, Team
from accueil.cases.routing import team_for
from accueil.catalog.models import Category
from tests.factories import AgencyFactory, OfficeFactory, ServiceFactory

GOLDEN = Path(__file__).parents[1] / "golden" / "routing.csv"
ROWS = list(csv.DictReader(GOLDEN.open(encoding="utf-8", newline="")))

# position, service, category, keywords, area, team
RULES = [
    (10, "voirie", None, "", "", "roads"),
    (20, None, None, "bac, débordé, recycling, bin, compost", "", "bins"),
    (25, None, None, "lampadaire", "K2P", "lights-downtown"),
    (30, None, None, "", "K1A, K1B", "east"),
    (40, None, None, "", "45.40,-75.80,45.50,-75.60", "north"),
    (50, None, "permis", "", "", "permits"),
    (90, None, None, "", "", "front"),
]


@pytest.fixture
def agency(db):
    agency = AgencyFactory()
    office = OfficeFactory(agency=agency)
    permits = Category.objects.create(
        agency=agency, slug="permis", name_fr="Permis", name_en="Permits"
    )
    services = {
        "voirie": ServiceFactory(agency=agency, slug="voirie", offices=[office]),
        "information": ServiceFactory(agency=agency, slug="information", offices=[office]),
        "permis-animaux": ServiceFactory(
            agency=agency, slug="permis-animaux", offices=[office], category=permits
        ),
    }
    teams = {}
    for position, service, category, keywords, area, team in RULES:
        if team not in teams:
            teams[team] = Team.objects.create(agency=agency, slug=team, name_fr=team, name_en=team)
        RoutingRule.objects.create(
            agency=agency,
            position=position,
            service=services[service] if service else None,
            category=permits if category else None,
            keywords=keywords,
            area=area,
            team=teams[team],
        )
    agency.test_office, agency.test_services = office, services
    return agency


def request_from(row, agency) -> Case:
    description = row["description"]
    if "nfd" in row["id"]:
        description = unicodedata.normalize("NFD", description)
    answers = dict(item.split("=", 1) for item in row["answers"].split(";") if item)
    service = agency.test_services[row["service"]]
    return Case(
        agency=agency,
        service=service,
        office=agency.test_office,
        description=description,
        fields=answers,
        address=row["address"],
        latitude=Decimal(row["latitude"]) if row["latitude"] else None,
        longitude=Decimal(row["longitude"]) if row["longitude"] else None,
    )


def test_the_golden_file_has_enough_cases():
    assert len(ROWS) >= 25
    assert {row["expected_team"] for row in ROWS} == {rule[-1] for rule in RULES}


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_routing_golden(agency, row):
    team = team_for(request_from(row, agency))
    assert team is not None and team.slug == row["expected_team"], row["why"]
