"""A real server (``accueil serve``) driven by Open311 clients written by others, from PyPI:

- ``georeport`` (requests + xmltodict) lists services, reads a service definition and reads
  requests, in JSON and in XML (its XML path parses our documents with xmltodict);
- ``civicbot``'s ``Open311Client`` (standard library only) is the one Python 3 client on PyPI
  that posts a request: it checks its form against our service list and definition first,
  then sends it urlencoded; it also resolves the token. Neither library has a discovery call;
  civicbot's transport fetches ``discovery.json`` at the path its client builds.
"""

import pytest
from civicbot.http import HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport

from accueil.cases.models import Case
from tests.servers import serving

pytestmark = pytest.mark.django_db(transaction=True)


def test_independent_clients_discover_list_post_and_read(committed_city, tmp_path):
    city = committed_city
    with serving(1, tmp_path) as (base,):
        root = f"{base}/open311/v2"
        civic = Open311Client(
            Endpoint(id="accueil", name="Accueil", base_url=root, write=True),
            transport=HttpTransport(rate_limiter=RateLimiter(min_interval=0)),
            jurisdiction_id=city.jurisdiction,
        )
        discovery = civic.http.get_json(civic._url("discovery"), civic._params())
        assert discovery["endpoints"][0]["url"] == root
        assert "application/json" in discovery["endpoints"][0]["formats"]

        georeport = GeoReport(root, jurisdiction=city.jurisdiction)
        services = georeport.get_service_list()
        assert [s["service_code"] for s in services] == ["voirie"]
        definition = georeport.get_service_definition("voirie")
        assert {a["code"] for a in definition["attributes"]} >= {"size", "count", "seen"}

        sent = civic.create_request(
            "voirie",
            dry_run=False,
            confirm="SEND",
            api_key=city.key,
            validate_remote=True,  # checks the form against our services and definition
            lat=45.50169,
            lng=-73.567253,
            address_string="12, rue Principale",
            description="Nid-de-poule signalé par une application tierce.",
            email="lea@example.org",
            first_name="Léa",
            last_name="Roy",
            attributes={"size": "large", "danger": "true", "seen": "2026-11-30T17:45:00-05:00"},
            media_url="https://photos.example.org/p/9.jpg",
        )
        answer = sent.response[0]
        reference = answer["service_request_id"]
        case = Case.objects.get(reference=reference)
        assert case.channel == "app"
        assert case.fields["danger"] is True and case.fields["seen"] == "2026-11-30"
        assert civic.get_token(answer["token"])[0]["service_request_id"] == reference

        one = georeport.get_service_request(reference)
        assert one["status"] == "open" and one["description"].startswith("Nid-de-poule")
        listed = georeport.get_service_requests(service_code="voirie", status="open")
        assert [r["service_request_id"] for r in listed] == [reference]

        as_xml = GeoReport(root, jurisdiction=city.jurisdiction, output_format="xml")
        assert as_xml.get_service_list()["service_code"] == "voirie"  # one: xmltodict's dict
        assert as_xml.get_service_definition("voirie")["service_code"] == "voirie"
        read = as_xml.get_service_request(reference)
        assert read["service_request_id"] == reference and read["status"] == "open"
