import json

from openapi_spec_validator import validate

from accueil.accounts.actions import do_issue_token
from accueil.core.actors import Actor
from accueil.site.demo import create_demo
from tests.factories import DeskFactory


def bearer(user):
    _, text = do_issue_token(Actor.staff(user), "test")
    return {"authorization": f"Bearer {text}"}


def test_openapi_document_is_valid_openapi_3(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    validate(document)
    assert "/api/v1/offices" in document["paths"]
    assert "/api/v1/offices/{office}/desks" in document["paths"]


def test_offices_lists_services_and_standards_of_the_demo(client, db):
    create_demo()
    offices = client.get("/api/v1/offices").json()
    assert {o["name"]["en"] for o in offices} == {"City Hall", "East Service Centre"}
    city_hall = next(o for o in offices if o["slug"] == "hotel-de-ville")
    assert city_hall["time_zone"] == "America/Toronto"
    assert isinstance(city_hall["open_now"], bool)
    permits = next(s for s in city_hall["services"] if s["slug"] == "permis-construction")
    assert {"wait", "resolution"} == {s["measure"] for s in permits["standards"]}


def test_offices_query_count_does_not_grow_with_offices(client, db, django_assert_max_num_queries):
    agency = create_demo()
    with django_assert_max_num_queries(15):
        client.get("/api/v1/offices")
    from tests.factories import OfficeFactory

    for _ in range(4):
        OfficeFactory(agency=agency)
    with django_assert_max_num_queries(15):
        client.get("/api/v1/offices")


def test_desks_are_listed_for_staff_of_the_agency_only(client, personas):
    DeskFactory(office=personas.office, label="2")
    url = f"/api/v1/offices/{personas.office.id}/desks"
    response = client.get(url, headers=bearer(personas.owner))
    assert response.status_code == 200
    desks = response.json()
    assert [d["label"] for d in desks] == ["1", "2"]
    assert desks[0]["services"][0]["id"] == str(personas.service.id)
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(personas.stranger)).status_code == 404


def test_an_agent_scoped_to_one_office_cannot_see_another(client, personas):
    url = f"/api/v1/offices/{personas.other_office.id}/desks"
    assert client.get(url, headers=bearer(personas.owner)).status_code == 404
    assert client.get(url, headers=bearer(personas.supervisor)).status_code == 200


def test_errors_follow_the_contract_shape_in_the_callers_language(client, personas):
    headers = bearer(personas.owner)
    french = client.post(
        f"/api/v1/offices/{personas.office.id}/visits",
        {"service": "not-a-uuid"},
        content_type="application/json",
        headers={**headers, "accept-language": "fr"},
    )
    assert french.status_code == 400
    body = french.json()
    assert body["error"]["code"] == "invalid"
    assert body["error"]["message"] == "Certains champs sont manquants ou invalides."
    # A path id that is not a UUID names nothing: the same 404 as an unknown id.
    malformed = client.get(
        "/api/v1/offices/not-a-uuid/desks", headers={**headers, "accept-language": "fr"}
    )
    assert malformed.status_code == 404
    assert malformed.json()["error"]["code"] == "not_found"
    english = client.get("/api/v1/no-such-thing", headers={"accept-language": "en"})
    assert english.status_code == 404
    assert english.json() == {
        "error": {"code": "not_found", "message": "Nothing was found at this address."}
    }
    wrong_method = client.post("/api/v1/offices", headers={"accept-language": "en"})
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    assert wrong_method["Allow"] == "GET"


def test_json_errors_keep_french_accents_readable(client, db):
    body = client.get("/api/v1/nothing", headers={"accept-language": "fr"}).content.decode()
    assert "Rien n’a été trouvé" in body
    assert json.loads(body)["error"]["code"] == "not_found"
