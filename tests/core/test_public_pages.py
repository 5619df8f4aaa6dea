import pytest
from django.urls import reverse

from accueil.catalog.models import Office, Service
from accueil.site.demo import create_demo
from tests.factories import OfficeFactory, ServiceFactory, StandardFactory

NBSP = "\u00a0"


@pytest.fixture
def demo(db):
    return create_demo()


def test_root_redirects_to_the_language_the_browser_asks_for(client, db):
    assert client.get("/", headers={"accept-language": "en-CA,en;q=0.9"})["Location"] == "/en/"
    assert client.get("/", headers={"accept-language": "fr-CA,fr;q=0.9"})["Location"] == "/fr/"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_home_lists_every_office_and_service_of_the_demo(client, demo, language):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    page = response.content.decode()
    for office in Office.objects.all():
        assert getattr(office, f"name_{language}") in page
    services = Service.objects.filter(active=True)
    assert services.count() >= 6
    for service in services:
        assert getattr(service, f"name_{language}") in page


def test_inactive_offices_and_services_are_not_public(client, db):
    office = OfficeFactory(active=False, name_en="Closed office")
    service = ServiceFactory(active=False, name_en="Retired service", offices=[office])
    page = client.get("/en/").content.decode()
    assert "Closed office" not in page and "Retired service" not in page
    assert client.get(reverse("site:service", args=[service.id])).status_code == 404
    assert client.get(reverse("site:office", args=[office.id])).status_code == 404


def test_service_page_states_standards_with_french_typography(client, db):
    service = ServiceFactory(what_to_bring_fr="Une pièce d’identité", fees_fr="10 $")
    StandardFactory(
        service=service, measure="wait", threshold=15, unit="minutes", target_percent=80
    )
    StandardFactory(
        service=service, measure="resolution", threshold=1, unit="business_days", target_percent=90
    )
    page = client.get(f"/fr/services/{service.id}/").content.decode()
    assert f"80{NBSP}% des personnes servies en 15 minutes ou moins" in page
    assert f"90{NBSP}% des demandes sont tranchées en 1 jour ouvrable ou moins" in page
    assert "Une pièce d’identité" in page
    english = client.get(f"/en/services/{service.id}/").content.decode()
    assert "80% of visitors served within 15 minutes" in english
    assert "90% of requests decided within 1 business day" in english


def test_bilingual_content_falls_back_to_the_other_language_when_missing(client, db):
    service = ServiceFactory(description_en="", description_fr="Seulement en français.")
    assert "Seulement en français." in client.get(f"/en/services/{service.id}/").content.decode()


def test_unknown_page_is_a_bilingual_404(client, db):
    response = client.get("/fr/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert "Page not found" in client.get("/en/nowhere/").content.decode()


def test_language_switch_points_to_the_same_page_in_the_other_language(client, demo):
    service = Service.objects.first()
    page = client.get(f"/fr/services/{service.id}/").content.decode()
    assert f'href="/en/services/{service.id}/" lang="en"' in page


def test_home_page_query_count_does_not_grow_with_offices(
    client, demo, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        client.get("/fr/")
    for _ in range(5):
        OfficeFactory(agency=demo)
    with django_assert_max_num_queries(8):
        client.get("/fr/")


def test_stored_xss_in_names_is_inert(client, db):
    payload = '"><svg onload=alert(1)><img src=x onerror=alert(1)>{{ request.user }}'
    service = ServiceFactory(name_fr=payload, description_fr="[x](javascript:alert(1)) {% debug %}")
    page = client.get(f"/fr/services/{service.id}/").content.decode()
    assert "<svg onload" not in page and "<img src=x" not in page
    assert "{{ request.user }}" in page and "{% debug %}" in page


def test_an_office_open_around_the_clock_says_so_instead_of_midnight_to_midnight(client, db):
    from accueil.lib.businesstime import parse_weekly
    from tests.factories import OfficeFactory

    office = OfficeFactory()
    office.set_weekly_hours(parse_weekly("mon-sun 00:00-24:00"))
    french = client.get(f"/fr/offices/{office.id}/").content.decode()
    assert "Ouvert toute la journée" in french and "0 h – 0 h" not in french
    assert "Open all day" in client.get(f"/en/offices/{office.id}/").content.decode()
