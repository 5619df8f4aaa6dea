from datetime import time

from accueil.catalog.models import OpeningHours
from accueil.core.events import events_for
from accueil.lib.businesstime import parse_weekly
from tests.factories import TEST_PASSWORD


def sign_in(client, username):
    client.post("/fr/login/", {"username": username, "password": TEST_PASSWORD})


def service_form(service, **changes):
    data = {
        "name_fr": service.name_fr,
        "name_en": service.name_en,
        "category": "",
        "description_fr": "",
        "description_en": "",
        "what_to_bring_fr": "",
        "what_to_bring_en": "",
        "eligibility_fr": "",
        "eligibility_en": "",
        "fees_fr": "",
        "fees_en": "",
        "duration_fr": "",
        "duration_en": "",
        "channels": ["in_person"],
        "offices": [str(o.id) for o in service.offices.all()],
        "ticket_prefix": "B",
        "appointment_minutes": "0",
        "retention_days": "365",
        "active": "on",
    }
    data.update(changes)
    return data


def test_an_admin_edits_a_service_and_the_change_is_recorded(client, personas):
    sign_in(client, "boss")
    url = f"/fr/staff/settings/services/{personas.service.id}/"
    assert client.get(url).status_code == 200
    response = client.post(url, service_form(personas.service, name_en="Dog licences"))
    assert response.status_code == 302
    personas.service.refresh_from_db()
    assert personas.service.name_en == "Dog licences"
    event = events_for(personas.service).get()
    assert event.verb == "service.updated" and "name_en" in event.data["fields"]
    assert event.actor == personas.admin


def test_invalid_service_input_is_refused_in_french_without_saving(client, personas):
    sign_in(client, "boss")
    url = f"/fr/staff/settings/services/{personas.service.id}/"
    response = client.post(url, service_form(personas.service, ticket_prefix="a1", channels=[]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Une ou deux lettres majuscules." in page
    assert 'aria-invalid="true"' in page
    personas.service.refresh_from_db()
    assert personas.service.ticket_prefix == "A"


def test_extra_fields_such_as_agency_are_ignored(client, personas):
    sign_in(client, "boss")
    url = f"/fr/staff/settings/services/{personas.service.id}/"
    client.post(url, service_form(personas.service, agency=str(personas.other_agency.id)))
    personas.service.refresh_from_db()
    assert personas.service.agency == personas.agency


def test_offices_of_another_agency_cannot_be_attached_to_a_service(client, personas):
    sign_in(client, "boss")
    url = f"/fr/staff/settings/services/{personas.service.id}/"
    data = service_form(personas.service, offices=[str(personas.stranger_office.id)])
    assert client.post(url, data).status_code == 400
    assert personas.stranger_office not in personas.service.offices.all()


def test_an_admin_sets_opening_hours_in_the_compact_form(client, personas):
    sign_in(client, "boss")
    office = personas.office
    office.set_weekly_hours(parse_weekly("mon-fri 09:00-17:00"))
    url = f"/fr/staff/settings/offices/{office.id}/"
    assert "mon 09:00-17:00" in client.get(url).content.decode()
    data = {
        "name_fr": office.name_fr,
        "name_en": office.name_en,
        "address": office.address,
        "time_zone": "America/Regina",
        "phone": "",
        "email": "",
        "active": "on",
        "hours": "mon-fri 08:30-12:00,13:00-16:30; sat 09:00-12:00",
    }
    assert client.post(url, data).status_code == 302
    office.refresh_from_db()
    assert office.time_zone == "America/Regina"
    assert OpeningHours.objects.filter(office=office).count() == 11
    assert office.weekly_hours()[5] == ((time(9), time(12)),)
    assert events_for(office).get().verb == "office.updated"


def test_unreadable_hours_and_unknown_zones_are_refused(client, personas):
    sign_in(client, "boss")
    office = personas.office
    office.set_weekly_hours(parse_weekly("mon-fri 09:00-17:00"))
    url = f"/fr/staff/settings/offices/{office.id}/"
    data = {
        "name_fr": office.name_fr,
        "name_en": office.name_en,
        "address": "",
        "phone": "",
        "email": "",
        "active": "on",
        "time_zone": "Mars/Olympus",
        "hours": "lundi 9h à 17h",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ces heures sont illisibles" in page
    assert "n’est pas un fuseau horaire connu" in page
    assert OpeningHours.objects.filter(office=office).count() == 5


def test_agents_and_supervisors_cannot_open_the_settings(client, personas):
    for username in ("owner", "supervisor"):
        client.post("/fr/logout/")
        sign_in(client, username)
        assert client.get("/fr/staff/settings/").status_code == 403


def test_an_admin_of_another_agency_gets_404(client, personas):
    sign_in(client, "stranger-boss")
    assert client.get(f"/fr/staff/settings/services/{personas.service.id}/").status_code == 404
    assert client.get(f"/fr/staff/settings/offices/{personas.office.id}/").status_code == 404
