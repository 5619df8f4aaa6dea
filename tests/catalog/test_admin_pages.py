"""The admin as an agency administrator meets it: channels as checkboxes, desks and opening
hours reachable from the index."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from accueil.catalog.models import Service
from tests.factories import TEST_PASSWORD


@pytest.fixture(autouse=True)
def in_french():
    """reverse() follows the active language, which an earlier test may have left in English."""
    with translation.override("fr"):
        yield


class FormFields(HTMLParser):
    """The values a browser would submit from the page's main form, unchanged."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            if self._textarea:
                self.data[self._textarea][0] = self.data[self._textarea][0].lstrip("\n")
            self._textarea = None


def form_data(page: str) -> dict[str, list[str]]:
    parser = FormFields()
    parser.feed(page)
    return parser.data


def sign_in(client, user):
    client.post("/fr/login/", {"username": user.username, "password": TEST_PASSWORD})


def test_service_channels_are_checkboxes_that_save_the_same_json(client, personas):
    service = personas.service
    service.channels = ["in_person"]
    service.save()
    sign_in(client, personas.admin)
    url = reverse("admin:catalog_service_change", args=[service.pk])
    page = client.get(url).content.decode()
    assert 'type="checkbox" name="channels" value="web"' in page
    assert 'type="checkbox" name="channels" value="in_person"' in page
    assert "En personne" in page and "En ligne" in page
    assert "<textarea" not in page.split('name="channels"')[0][-300:]

    data = form_data(page)
    assert data["channels"] == ["in_person"]
    data["channels"] = ["web", "in_person", "phone"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    service.refresh_from_db()
    assert service.channels == ["in_person", "web", "phone"]  # the choices' order, as JSON

    again = form_data(client.get(url).content.decode())
    assert again["channels"] == ["in_person", "web", "phone"]
    again["channels"] = []
    assert client.post(url, again).status_code == 302
    assert Service.objects.get(pk=service.pk).channels == []


def test_unknown_channels_are_refused(client, personas):
    sign_in(client, personas.admin)
    url = reverse("admin:catalog_service_change", args=[personas.service.pk])
    data = form_data(client.get(url).content.decode())
    data["channels"] = ["carrier-pigeon"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "carrier-pigeon" in response.content.decode()  # named in the French error


def test_desks_and_opening_hours_are_found_from_the_admin_index(client, personas):
    sign_in(client, personas.admin)
    index = client.get(reverse("admin:index")).content.decode()
    desks = reverse("admin:catalog_desk_changelist")
    hours = reverse("admin:catalog_openinghours_changelist")
    assert f'href="{desks}"' in index and f'href="{hours}"' in index
    assert "Guichets" in index and "Heures d’ouverture" in index
    listing = client.get(desks).content.decode()
    assert personas.office.name_fr in listing
    assert personas.stranger_office.name_fr not in client.get(hours).content.decode()
