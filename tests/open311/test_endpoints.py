"""Every GeoReport v2 endpoint in JSON and in XML, the XML validated against the element names
and nesting of the specification (tests/open311/xsd/), and what real clients send."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest

from accueil.accounts.actions import do_issue_client_key, do_issue_token
from accueil.cases.models import Case
from accueil.catalog.models import Office
from accueil.core.actors import Actor
from accueil.open311.models import Submission
from tests.open311.conftest import BASE, report, validate


def get(client, path, **params):
    return client.get(BASE + path, params)


def created(client, city, fmt="json", **overrides):
    response = client.post(f"{BASE}/requests.{fmt}", report(city, **overrides))
    assert response.status_code == 201, response.content
    return response


def test_discovery_names_the_endpoint_in_json_and_xml(client, city):
    data = get(client, "/discovery.json", jurisdiction_id=city.jurisdiction).json()
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    response = get(client, "/discovery.xml", jurisdiction_id=city.jurisdiction)
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    tree = validate(response.content, "discovery")
    assert tree.findtext("endpoints/endpoint/url") == endpoint["url"]
    # Several jurisdictions here and none named: the server's own discovery, not an error.
    assert client.get(f"{BASE}/discovery.json").json()["endpoints"] == data["endpoints"]


def test_services_lists_only_active_services_open_to_apps(client, city):
    from tests.factories import ServiceFactory

    ServiceFactory(agency=city.agency, slug="web-only", channels=["web"])
    ServiceFactory(agency=city.agency, slug="retired", channels=["app"], active=False)
    data = get(client, "/services.json", jurisdiction_id=city.jurisdiction).json()
    assert [s["service_code"] for s in data] == ["voirie"]
    assert data[0]["metadata"] is True and data[0]["type"] == "realtime"
    tree = validate(
        get(client, "/services.xml", jurisdiction_id=city.jurisdiction).content, "services"
    )
    assert [e.text for e in tree.iter("service_code")] == ["voirie"]


def test_a_service_definition_maps_every_kind_of_question(client, city):
    response = get(client, "/services/voirie.json", jurisdiction_id=city.jurisdiction)
    attributes = {a["code"]: a for a in response.json()["attributes"]}
    assert {code: a["datatype"] for code, a in attributes.items()} == {
        "size": "singlevaluelist",
        "count": "number",
        "seen": "datetime",
        "danger": "singlevaluelist",
        "plate": "string",
        "details": "text",
    }  # the place is the request's own lat/long/address; a file is its media_url
    assert attributes["size"]["required"] is True
    assert attributes["size"]["values"] == [
        {"key": "small", "name": "Small"},
        {"key": "large", "name": "Large"},
    ]
    assert [v["key"] for v in attributes["danger"]["values"]] == ["true", "false"]
    assert [a["order"] for a in response.json()["attributes"]] == [1, 2, 3, 4, 5, 6]
    xml = get(client, "/services/voirie.xml", jurisdiction_id=city.jurisdiction).content
    tree = validate(xml, "service_definition")
    assert tree.findtext("attributes/attribute/values/value/name") == "Small"


def test_a_service_definition_is_in_the_language_asked(client, city):
    response = client.get(
        f"{BASE}/services/voirie.json",
        {"jurisdiction_id": city.jurisdiction},
        headers={"Accept-Language": "fr-CA,fr;q=0.9"},
    )
    attributes = {a["code"]: a for a in response.json()["attributes"]}
    assert attributes["size"]["description"] == "Taille"
    assert attributes["size"]["values"][0]["name"] == "Petit"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_post_opens_a_case_seen_through_open311_and_by_staff(client, city, fmt):
    response = created(client, city, fmt)
    if fmt == "xml":
        tree = validate(response.content, "created")
        reference = tree.findtext("request/service_request_id")
        token = tree.findtext("request/token")
        assert tree.findtext("request/account_id") == "fms-42"
    else:
        body = response.json()
        assert len(body) == 1
        reference, token = body[0]["service_request_id"], body[0]["token"]
        assert body[0]["account_id"] == "fms-42"
        assert "requests decided within" in body[0]["service_notice"]
    case = Case.objects.get(reference=reference)
    assert (case.channel, case.contact_name, case.contact_email) == (
        "app",
        "Léa Roy",
        "lea@example.org",
    )
    assert case.fields == {"size": "large", "where": "12, rue Principale"}
    assert Submission.objects.get(case=case).client_app == city.app
    # Open311 GET, one and the list, in both formats
    one = get(client, f"/requests/{reference}.json", jurisdiction_id=city.jurisdiction).json()
    assert one[0]["service_request_id"] == reference and one[0]["status"] == "open"
    assert one[0]["description"] == "Un nid-de-poule profond devant le 12."
    assert one[0]["media_url"] == "https://photos.example.org/p/1.jpg"
    listed = get(client, "/requests.json", jurisdiction_id=city.jurisdiction).json()
    assert [r["service_request_id"] for r in listed] == [reference]
    xml = get(client, f"/requests/{reference}.xml", jurisdiction_id=city.jurisdiction).content
    assert validate(xml, "requests").findtext("request/lat") == "45.50169"
    validate(get(client, "/requests.xml", jurisdiction_id=city.jurisdiction).content, "requests")
    # the token resolves to the id
    resolved = get(client, f"/tokens/{token}.json", jurisdiction_id=city.jurisdiction).json()
    assert resolved == [{"service_request_id": reference, "token": token}]
    validate(
        get(client, f"/tokens/{token}.xml", jurisdiction_id=city.jurisdiction).content, "token"
    )
    # staff see it through the REST API
    staff_token = do_issue_token(Actor.staff(city.agents[0]), "test")[1]
    staff = client.get(
        f"/api/v1/cases/{reference}", headers={"Authorization": f"Bearer {staff_token}"}
    )
    assert staff.status_code == 200 and staff.json()["channel"] == "app"
    assert staff.json()["staff"]["contact"]["email"] == "lea@example.org"


def test_the_format_follows_the_accept_header_and_json_is_the_default(client, city):
    plain = client.get(f"{BASE}/services", {"jurisdiction_id": city.jurisdiction})
    assert plain["Content-Type"].startswith("application/json")
    xml = client.get(
        f"{BASE}/services", {"jurisdiction_id": city.jurisdiction}, headers={"Accept": "text/xml"}
    )
    validate(xml.content, "services")
    suffix_wins = client.get(
        f"{BASE}/services.json",
        {"jurisdiction_id": city.jurisdiction},
        headers={"Accept": "text/xml"},
    )
    assert suffix_wins["Content-Type"].startswith("application/json")


def test_what_real_clients_send_is_understood(client, city):
    # a doubled slash, the singular service/{code}, no jurisdiction on a server of one agency
    assert (
        client.get(f"{BASE}//services.json", {"jurisdiction_id": city.jurisdiction}).status_code
        == 200
    )
    assert (
        client.get(f"{BASE}/service/voirie.xml", {"jurisdiction_id": city.jurisdiction}).status_code
        == 200
    )
    # parameters in the query string, api_key included, body empty
    query = urlencode(report(city, description="Par la requête"))
    by_query = client.post(f"{BASE}//requests.json?{query}")
    assert by_query.status_code == 201, by_query.content
    # urlencoded, and multipart as a phone app sends a form with a photo
    urlencoded = client.post(
        f"{BASE}/requests.json",
        urlencode(report(city, description="En urlencoded")),
        content_type="application/x-www-form-urlencoded",
    )
    assert urlencoded.status_code == 201, urlencoded.content
    multipart = client.post(f"{BASE}/requests.json", report(city, description="En multipart"))
    assert multipart.status_code == 201
    # a list-valued attribute (attribute[code][]) with one value
    data = report(city, description="En liste")
    del data["attribute[size]"]
    data["attribute[size][]"] = ["small"]
    assert client.post(f"{BASE}/requests.json", data).status_code == 201
    data["attribute[size][]"] = ["small", "large"]
    assert client.post(f"{BASE}/requests.json", data).status_code == 400
    descriptions = set(Case.objects.values_list("description", flat=True))
    assert descriptions == {"Par la requête", "En urlencoded", "En multipart", "En liste"}


def test_a_single_agency_server_needs_no_jurisdiction(client, city):
    refused = client.get(f"{BASE}/services.json")
    assert refused.status_code == 400  # two agencies here: which one?
    assert "jurisdiction_id" in refused.json()[0]["description"]
    other = city.stranger.agency
    city.stranger.delete()
    Office.objects.filter(agency=other).delete()
    other.delete()
    assert [s["service_code"] for s in client.get(f"{BASE}/services.json").json()] == ["voirie"]
    assert (
        client.post(f"{BASE}/requests.json", report(city, jurisdiction_id=None)).status_code == 201
    )


def test_dates_with_and_without_a_time_zone_filter_requests(client, city):
    created(client, city)
    case = Case.objects.get()
    local = case.opened_at.astimezone(city.office.zone)
    naive_start = (local.replace(tzinfo=None) - timedelta(minutes=1)).isoformat()
    with_zone = (local - timedelta(minutes=1)).isoformat()
    for start in (naive_start, with_zone, local.date().isoformat()):
        found = get(
            client, "/requests.json", jurisdiction_id=city.jurisdiction, start_date=start
        ).json()
        assert [r["service_request_id"] for r in found] == [case.reference], start
    later = (local.replace(tzinfo=None) + timedelta(minutes=1)).isoformat()
    assert (
        get(client, "/requests.json", jurisdiction_id=city.jurisdiction, start_date=later).json()
        == []
    )


def test_requests_filter_by_id_list_service_and_status(client, city):
    first = created(client, city).json()[0]["service_request_id"]
    second = created(client, city, description="Un autre trou.").json()[0]["service_request_id"]
    both = get(
        client,
        "/requests.json",
        jurisdiction_id=city.jurisdiction,
        service_request_id=f"{first},{second}",
    )
    assert {r["service_request_id"] for r in both.json()} == {first, second}
    assert (
        get(client, "/requests.json", jurisdiction_id=city.jurisdiction, status="closed").json()
        == []
    )
    assert (
        len(
            get(
                client, "/requests.json", jurisdiction_id=city.jurisdiction, status="open,closed"
            ).json()
        )
        == 2
    )
    assert (
        get(
            client, "/requests.json", jurisdiction_id=city.jurisdiction, service_code="other"
        ).json()
        == []
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_errors_use_the_specifications_format(client, city, fmt):
    cases = [
        (client.post(f"{BASE}/requests.{fmt}", report(city, api_key="app_nope_nope")), 403),
        (client.post(f"{BASE}/requests.{fmt}", report(city, api_key=None)), 403),
        (client.post(f"{BASE}/requests.{fmt}", report(city, service_code="nothing")), 400),
        (
            client.post(
                f"{BASE}/requests.{fmt}", report(city, lat=None, long=None, address_string=None)
            ),
            400,
        ),
        (client.post(f"{BASE}/requests.{fmt}", report(city, email="not-an-email")), 400),
        (client.post(f"{BASE}/requests.{fmt}", report(city, **{"attribute[size]": "huge"})), 400),
        (client.post(f"{BASE}/requests.{fmt}", report(city, jurisdiction_id="atlantis")), 404),
        (client.get(f"{BASE}/services/nothing.{fmt}", {"jurisdiction_id": city.jurisdiction}), 404),
        (
            client.get(
                f"{BASE}/requests/R-2026-AAAAAA.{fmt}", {"jurisdiction_id": city.jurisdiction}
            ),
            404,
        ),
        (client.get(f"{BASE}/tokens/nothing.{fmt}", {"jurisdiction_id": city.jurisdiction}), 404),
        (client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "atlantis"}), 404),
        (client.get(f"{BASE}/nowhere.{fmt}"), 404),
        (
            client.get(
                f"{BASE}/requests.{fmt}",
                {"jurisdiction_id": city.jurisdiction, "start_date": "yesterday"},
            ),
            400,
        ),
    ]
    for response, status in cases:
        assert response.status_code == status, (status, response.content)
        if fmt == "xml":
            tree = validate(response.content, "errors")
            assert tree.findtext("error/code") == str(status)
        else:
            body = response.json()
            assert body and all(e["code"] == status and e["description"] for e in body)
    assert not Case.objects.exists()


def test_an_invalid_or_revoked_key_gets_403_and_opens_nothing(client, city):
    from accueil.accounts.actions import do_revoke_client_key
    from tests.factories import UserFactory

    stranger_key = do_issue_client_key(
        Actor.system(), "Other", "open311", agency=city.stranger.agency
    )[1]
    refused = client.post(f"{BASE}/requests.json", report(city, api_key=stranger_key))
    assert refused.status_code == 403  # another agency's key for our jurisdiction
    mail_key = do_issue_client_key(Actor.system(), "Mail", "mail", agency=city.agency)[1]
    assert client.post(f"{BASE}/requests.json", report(city, api_key=mail_key)).status_code == 403
    admin = UserFactory(agency=city.agency, username="chief", role="admin")
    do_revoke_client_key(Actor.staff(admin), city.app)
    assert client.post(f"{BASE}/requests.json", report(city)).status_code == 403
    assert not Case.objects.exists()


def test_a_retry_with_the_same_idempotency_key_gets_the_same_request(client, city):
    headers = {"Idempotency-Key": "fms-report-1"}
    first = client.post(f"{BASE}/requests.json", report(city), headers=headers)
    again = client.post(f"{BASE}/requests.json", report(city), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = client.post(f"{BASE}/requests.json", report(city, description="Autre"), headers=headers)
    assert other.status_code == 400
    assert Case.objects.count() == 1


def test_get_answers_browser_apps_with_cors_and_post_does_not(client, city):
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": city.jurisdiction})
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(f"{BASE}/requests.json")
    assert preflight.status_code == 204
    posted = created(client, city)
    assert "Access-Control-Allow-Origin" not in posted


def test_the_list_costs_the_same_for_one_request_as_for_ten(client, city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{BASE}/requests.json", {"jurisdiction_id": city.jurisdiction})
        assert response.status_code == 200
        return len(response.json()), len(queries)

    created(client, city)
    one = count()
    for _ in range(9):
        created(client, city)
    ten = count()
    assert (one[0], ten[0]) == (1, 10)
    assert one[1] == ten[1], (one, ten)
