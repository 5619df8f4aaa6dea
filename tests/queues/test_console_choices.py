"""What the console offers: the office's own services, desks by name; the home page's groups."""

import re

from accueil.catalog.models import Category
from accueil.queues.actions import do_call_next, do_check_in, do_open_desk
from accueil.queues.models import DeskSession
from tests.factories import TEST_PASSWORD, DeskFactory, ServiceFactory


def sign_in(client, username="owner"):
    client.post("/fr/login/", {"username": username, "password": TEST_PASSWORD})


def test_the_console_offers_only_services_the_office_provides(client, personas):
    elsewhere = ServiceFactory(
        agency=personas.agency, offices=[personas.other_office], name_fr="Ailleurs seulement"
    )
    sign_in(client)
    page = client.get("/fr/console/").content.decode()
    assert personas.service.name_fr in page
    assert elsewhere.name_fr not in page
    refused = client.post(
        "/fr/console/desk/", {"desk": personas.desk.id, "services": [elsewhere.id]}
    )
    assert refused.status_code == 400
    assert not DeskSession.objects.exists()


def test_transfer_targets_read_as_desks_not_bare_numbers(client, personas):
    DeskFactory(office=personas.office, label="2")
    do_open_desk(personas.desk, personas.owner, [])
    do_check_in(personas.office, personas.service)
    do_call_next(personas.desk)
    sign_in(client)
    page = client.get("/fr/console/").content.decode()
    options = re.findall(r'<option value="[0-9a-f-]{36}"[^>]*>([^<]+)</option>', page)
    assert "Guichet 2" in options
    assert "2" not in options


def test_the_home_page_names_each_category_once(client, personas):
    permits = Category.objects.create(
        agency=personas.agency, slug="permits", name_fr="Permis", name_en="Permits"
    )
    taxes = Category.objects.create(
        agency=personas.agency, slug="taxes", name_fr="Taxes", name_en="Taxes", position=1
    )
    # Alphabetical order by name would interleave the two categories.
    for name, category in [("A", permits), ("B", taxes), ("C", permits), ("D", taxes)]:
        ServiceFactory(agency=personas.agency, name_fr=f"{name} service", category=category)
    page = client.get("/fr/").content.decode()
    assert page.count("<h3>Permis</h3>") == 1
    assert page.count("<h3>Taxes</h3>") == 1
