"""Open311 as an attack surface: stored XSS comes back inert (JSON, XML, the staff
workspace), XML special characters are escaped, oversized bodies get 413/400 in the
specification's shape, POST and GET are rate-limited, and a media_url is never fetched
unless an administrator turned fetching on (then only through the SSRF guard)."""

import http.server
import json
import threading
from pathlib import Path

import pytest
from lxml import etree

from accueil.accounts.actions import do_issue_client_key
from accueil.accounts.models import ClientScope
from accueil.cases.models import Attachment, Case
from accueil.core.actors import SYSTEM
from accueil.core.jobs import jobs
from accueil.open311.actions import do_keep_media
from accueil.open311.models import Media, Submission
from tests.core.test_uploads import claimed_upload
from tests.factories import TEST_PASSWORD
from tests.open311.conftest import BASE, report, validate
from tests.security.corpus import files

PAYLOADS = json.loads((Path(__file__).parents[1] / "security" / "corpus" / "xss.json").read_text())[
    "payloads"
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_a_payload_comes_back_as_the_same_text_in_json_and_xml(client, city, payload):
    response = client.post(
        f"{BASE}/requests.json",
        report(
            city,
            description=f"Avant {payload} après",
            address_string=payload[:300],
            **{"attribute[plate]": payload[:300]},
        ),
    )
    assert response.status_code == 201, response.content
    reference = response.json()[0]["service_request_id"]
    query = {"jurisdiction_id": city.jurisdiction}
    as_json = client.get(f"{BASE}/requests/{reference}.json", query)
    assert as_json["Content-Type"].startswith("application/json")
    assert as_json.json()[0]["description"] == f"Avant {payload} après"
    assert as_json.json()[0]["address"] == payload[:300]
    as_xml = client.get(f"{BASE}/requests/{reference}.xml", query)
    tree = validate(as_xml.content, "requests")  # still one well-formed document
    assert tree.findtext("request/description") == f"Avant {payload} après"
    assert tree.findtext("request/address") == payload[:300]
    assert b"<img" not in as_xml.content and b"<script" not in as_xml.content
    assert len(list(tree.iter("request"))) == 1


def test_xml_special_characters_are_escaped(client, city):
    text = "A & B < C > D \"quoted\" 'single' ]]> <!-- x --> <?pi?>"
    reference = client.post(f"{BASE}/requests.json", report(city, description=text)).json()[0][
        "service_request_id"
    ]
    xml = client.get(f"{BASE}/requests/{reference}.xml", {"jurisdiction_id": city.jurisdiction})
    assert etree.fromstring(xml.content).findtext("request/description") == text
    assert b"&amp; B &lt; C" in xml.content


def test_a_payload_is_inert_in_the_staff_workspace(client, city):
    payload = "<img src=x onerror=alert(1)>"
    reference = client.post(f"{BASE}/requests.json", report(city, description=payload)).json()[0][
        "service_request_id"
    ]
    client.post("/fr/login/", {"username": city.agents[0].username, "password": TEST_PASSWORD})
    page = client.get(f"/fr/cases/{reference}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert payload not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_an_oversized_body_is_refused_in_the_specifications_shape(client, city):
    too_long = client.post(
        f"{BASE}/requests.xml",
        "description=" + "x" * 3_000_000,
        content_type="application/x-www-form-urlencoded",
    )
    assert too_long.status_code == 400
    validate(too_long.content, "errors")
    claimed = claimed_upload(client, f"{BASE}/requests.json", 50_000_000)
    assert claimed.status_code == 413
    assert claimed.json()[0]["code"] == 413
    assert not Case.objects.exists()


def test_a_description_over_the_limit_is_a_clear_400(client, city):
    response = client.post(f"{BASE}/requests.json", report(city, description="x" * 10_001))
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("description:")


def test_posts_are_limited_per_address_and_per_key(client, city, settings):
    settings.OPEN311_RATE = "2/60"
    statuses = [client.post(f"{BASE}/requests.json", report(city)).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    settings.OPEN311_RATE = "100/60"
    settings.OPEN311_APP_RATE = "1/60"
    key = do_issue_client_key(SYSTEM, "SeeClickFix", ClientScope.OPEN311, agency=city.agency)[1]
    other = client.post(f"{BASE}/requests.xml", report(city, api_key=key), REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 201  # the new key's own bucket: its first
    limited = client.post(
        f"{BASE}/requests.xml", report(city, api_key=key), REMOTE_ADDR="10.9.9.10"
    )
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert validate(limited.content, "errors").findtext("error/code") == "429"


def test_reads_are_limited_per_address(client, city, settings):
    settings.OPEN311_READ_RATE = "2/60"
    query = {"jurisdiction_id": city.jurisdiction}
    statuses = [client.get(f"{BASE}/services.json", query).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []
    body = b""

    def do_GET(self):  # noqa: N802 - the name http.server calls
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(Recorder.body)))
        self.end_headers()
        self.wfile.write(Recorder.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def media_server():
    Recorder.hits = []
    Recorder.body = files.image("PNG")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_media_url_is_never_fetched_by_default(client, city, media_server):
    url = f"{media_server}/photo.png"
    response = client.post(f"{BASE}/requests.json", report(city, media_url=url))
    assert response.status_code == 201
    for job in jobs:  # every worker job, the outbox and media keeping included
        job.run()
    assert Recorder.hits == []
    submission = Submission.objects.get()
    assert (submission.media_url, submission.media) == (url, Media.LINK)
    assert not Attachment.objects.exists()


def test_when_fetching_is_on_the_ssrf_guard_still_refuses_private_addresses(
    client, city, media_server, settings
):
    settings.OPEN311_FETCH_MEDIA = True
    client.post(f"{BASE}/requests.json", report(city, media_url=f"{media_server}/photo.png"))
    assert do_keep_media() == 1
    assert Recorder.hits == []  # loopback: refused before connecting
    submission = Submission.objects.get()
    assert (submission.media, submission.media_note) == (Media.REFUSED, "blocked:private")


def test_when_fetching_is_on_and_the_network_is_opened_the_media_is_kept(
    client, city, media_server, settings
):
    settings.OPEN311_FETCH_MEDIA = True
    settings.WEBHOOK_PRIVATE_NETWORKS = ["127.0.0.0/8"]
    settings.OPEN311_MEDIA_PRIVATE_NETWORKS = ["127.0.0.0/8"]
    client.post(f"{BASE}/requests.json", report(city, media_url=f"{media_server}/photo.png"))
    assert do_keep_media() == 1
    assert Recorder.hits == ["/photo.png"]
    kept = Attachment.objects.get()
    assert (kept.kind, kept.public, kept.from_citizen) == ("png", False, False)
    assert Submission.objects.get().media == Media.FETCHED
    assert do_keep_media() == 0 and Recorder.hits == ["/photo.png"]  # once
