from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import path

from accueil.core.guards import public


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_database(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == connection.vendor


@public
def _database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [path("api/v1/boom", _database_gone), path("fr/boom/", _database_gone)]


@override_settings(ROOT_URLCONF=__name__)
def test_a_lost_database_gives_a_bilingual_503_not_a_500(client, db):
    api = client.get("/api/v1/boom", headers={"accept-language": "en"})
    assert api.status_code == 503
    assert api.json()["error"]["code"] == "unavailable"
    assert api["Retry-After"] == "5"
    page = client.get("/fr/boom/")
    assert page.status_code == 503
    assert "momentanément indisponible" in page.content.decode()
