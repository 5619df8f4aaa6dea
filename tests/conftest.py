import os
import sys
from types import SimpleNamespace

import pytest

from accueil.accounts.models import Role
from tests.factories import (
    AgencyFactory,
    DeskFactory,
    OfficeFactory,
    ServiceFactory,
    StandardFactory,
    UserFactory,
)
from tests.pagecheck import CheckingClient

# The suite starts well over a hundred Python processes (servers, workers killed mid-send, the
# mail-in command, the configuration checks, the browser suite's set-up). With
# PYTHONDONTWRITEBYTECODE set (some shells and containers set it) none of them finds a compiled
# module and each compiles Django and every dependency again: about 3 s of CPU per process
# instead of 1. The compiled files go where Python keeps them (__pycache__, ignored by git).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"


@pytest.fixture
def client():
    return CheckingClient()


@pytest.fixture
def personas(db):
    """Owner and colleague share an office; the stranger works for another agency."""
    return make_personas()


def make_personas() -> SimpleNamespace:
    """The ``personas`` fixture's people and places, for a module that builds them once."""
    agency = AgencyFactory()
    office = OfficeFactory(agency=agency)
    other_office = OfficeFactory(agency=agency)
    service = ServiceFactory(agency=agency, offices=[office, other_office])
    StandardFactory(service=service)
    desk = DeskFactory(office=office, label="1")
    desk.services.set([service])
    other_agency = AgencyFactory()
    stranger_office = OfficeFactory(agency=other_agency)
    stranger_service = ServiceFactory(agency=other_agency, offices=[stranger_office])
    return SimpleNamespace(
        agency=agency,
        office=office,
        other_office=other_office,
        service=service,
        desk=desk,
        owner=UserFactory(agency=agency, username="owner", offices=[office]),
        colleague=UserFactory(agency=agency, username="colleague", offices=[office]),
        supervisor=UserFactory(agency=agency, username="supervisor", role=Role.SUPERVISOR),
        admin=UserFactory(agency=agency, username="boss", role=Role.ADMIN),
        other_agency=other_agency,
        stranger_office=stranger_office,
        stranger_service=stranger_service,
        stranger=UserFactory(agency=other_agency, username="stranger", offices=[stranger_office]),
        stranger_admin=UserFactory(agency=other_agency, username="stranger-boss", role=Role.ADMIN),
    )


def pytest_addoption(parser):
    parser.addoption("--update-routes", action="store_true", help="rewrite tests/route-list.json")


@pytest.fixture(autouse=True, scope="session")
def _update_routes(request):
    if request.config.getoption("--update-routes"):
        import json
        from pathlib import Path

        from tests.routes import route_list

        path = Path(__file__).parent / "route-list.json"
        path.write_text(json.dumps(route_list(), indent=2) + "\n", encoding="utf-8")
