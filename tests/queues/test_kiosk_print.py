"""A kiosk with a receipt printer: the office's rules say so, and the ticket prints itself."""

import uuid
from pathlib import Path

from django.contrib.staticfiles import finders

from accueil.queues.models import QueueRules
from tests.factories import TEST_PASSWORD


def take_ticket(client, personas, **fields):
    data = {"service": personas.service.id, "attempt": uuid.uuid4(), **fields}
    response = client.post(f"/fr/kiosk/{personas.office.id}/", data)
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_a_kiosk_without_a_printer_prints_nothing(client, personas):
    body = take_ticket(client, personas)
    assert 'data-print="1"' not in body
    assert "accueil/css/kiosk" in body  # its 80 mm layout is there for when it prints


def test_the_offices_kiosk_prints_the_ticket_when_its_rules_say_so(client, personas):
    QueueRules.objects.create(office=personas.office, kiosk_prints_ticket=True)
    body = take_ticket(client, personas, needs=["pregnant"], phone="514 555 0100")
    assert 'data-print="1"' in body
    # What a visitor chose is given back on the ticket (screen and paper alike).
    assert "Grossesse" in body and "0100" in body


def test_the_printer_setting_is_in_the_offices_admin(client, personas):
    client.post("/fr/admin/login/", {"username": "boss", "password": TEST_PASSWORD})
    page = client.get(f"/fr/admin/catalog/office/{personas.office.id}/change/")
    assert page.status_code == 200
    assert "kiosk_prints_ticket" in page.content.decode()


def test_the_print_layout_is_a_receipt_80_mm_wide():
    css = Path(finders.find("accueil/css/kiosk.css")).read_text(encoding="utf-8")
    assert "@media print" in css and "size: 80mm auto" in css
