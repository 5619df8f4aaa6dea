"""The administrators' page for Open311 keys: issue one (shown once), list, revoke."""

from accueil.accounts.models import ClientApp, ClientScope
from accueil.core.events import events_for
from tests.factories import TEST_PASSWORD, UserFactory

URL = "/fr/staff/open311/keys/"


def sign_in(client, user):
    client.post("/fr/login/", {"username": user.username, "password": TEST_PASSWORD})


def test_an_administrator_issues_a_key_shown_once_that_then_opens_requests(client, personas):
    sign_in(client, personas.admin)
    page = client.post(URL, {"name": "FixMyStreet", "contact": "dev@fixmystreet.example"})
    assert page.status_code == 200
    key = page.context["new_key"]
    app = ClientApp.objects.get()
    assert ClientApp.find(key, ClientScope.OPEN311) == app and app.agency == personas.agency
    assert key in page.content.decode()
    again = client.get(URL).content.decode()
    assert key not in again and "FixMyStreet" in again  # listed, never shown again


def test_an_administrator_revokes_a_key_and_it_stops_at_once(client, personas):
    sign_in(client, personas.admin)
    key = client.post(URL, {"name": "SeeClickFix"}).context["new_key"]
    app = ClientApp.objects.get()
    response = client.post(f"/en/staff/open311/keys/{app.id}/revoke/")
    assert response.status_code == 302
    assert ClientApp.find(key, ClientScope.OPEN311) is None
    assert [e.verb for e in events_for(app).order_by("id")] == [
        "client_app.issued",
        "client_app.revoked",
    ]


def test_the_page_is_bilingual(client, personas):
    sign_in(client, personas.admin)
    assert "Clés Open311" in client.get(URL).content.decode()
    assert "Open311 keys" in client.get("/en/staff/open311/keys/").content.decode()


def test_another_agencys_administrator_can_neither_see_nor_revoke_our_keys(client, personas):
    sign_in(client, personas.admin)
    client.post(URL, {"name": "RueBot Laval"})
    app = ClientApp.objects.get()
    client.post("/fr/logout/")
    sign_in(client, personas.stranger_admin)
    assert "RueBot Laval" not in client.get(URL).content.decode()
    assert client.post(f"/fr/staff/open311/keys/{app.id}/revoke/").status_code == 404
    assert ClientApp.objects.get().revoked_at is None


def test_an_administrator_of_some_offices_only_cannot_issue_keys(client, personas):
    limited = UserFactory(
        agency=personas.agency, username="local-boss", role="admin", offices=[personas.office]
    )
    sign_in(client, limited)
    response = client.post(URL, {"name": "Sneaky"})
    assert response.status_code == 400 and not ClientApp.objects.exists()
