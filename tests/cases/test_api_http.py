"""The requests API over real HTTP, against `accueil serve` on the test database."""

import http.client
import json

from accueil.cases.models import Attachment, Case
from tests.core.test_uploads import BOUNDARY, MULTIPART, dechunk, multipart, post_claiming_50_mb
from tests.security.corpus import files
from tests.servers import running

MB = 1_000_000
NBSP = "\u00a0"


def call(base, method, path, body=None, headers=None):
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Accept-Language": "fr", **(headers or {})}
    if isinstance(body, dict):
        body = json.dumps(body)
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def test_a_request_opened_over_http_is_tracked_with_its_secret(transactional_db, world, tmp_path):
    with running(1, tmp_path) as [server]:
        response, data = call(
            server.base,
            "POST",
            "/api/v1/cases",
            {
                "service": "voirie",
                "description": "Un lampadaire éteint rue Cartier.",
                "contact": {"email": "lea@example.org"},
                "fields": {"size": "small"},
            },
        )
        assert response.status == 201, data
        opened = json.loads(data)
        assert opened["tracking_url"].startswith(server.base + "/fr/track/")
        path = f"/api/v1/cases/{opened['reference']}"
        found, data = call(server.base, "GET", f"{path}?secret={opened['secret']}")
        assert found.status == 200 and json.loads(data)["status"] == "new"
        stranger, _ = call(server.base, "GET", f"{path}?secret={'A' * 22}")
        assert stranger.status == 404


def test_a_svg_sent_over_http_is_refused_and_nothing_is_kept(transactional_db, world, tmp_path):
    case = Case.objects.create(
        reference="R-2026-HTTPXX",
        agency=world.agency,
        service=world.service,
        office=world.office,
        channel="web",
        description="x",
    )
    with running(1, tmp_path) as [server]:
        message = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="body"\r\n\r\nUn dessin.\r\n'
        ).encode()
        body = message + multipart("files", "dessin.svg", files.read("svg_with_script.svg"))
        response, data = call(
            server.base,
            "POST",
            f"/api/v1/cases/{case.reference}/attachments?secret={case.tracking_secret}",
            body,
            {"Content-Type": MULTIPART},
        )
    assert response.status == 415, data
    assert json.loads(data)["error"]["code"] == "upload_scriptable"
    assert not Attachment.objects.exists()


def test_a_50_mb_upload_is_refused_before_it_is_read(transactional_db, world, tmp_path):
    """Headers saying 50 MB and the first megabyte of the body: the 413 arrives while 49 MB
    are still unsent, on the requests' own upload endpoint."""
    case = Case.objects.create(
        reference="R-2026-HTTPYY",
        agency=world.agency,
        service=world.service,
        office=world.office,
        channel="web",
        description="x",
    )
    path = f"/api/v1/cases/{case.reference}/attachments?secret={case.tracking_secret}"
    with running(1, tmp_path) as [server]:
        sent, head, body = post_claiming_50_mb(server.base, path, "files")
    assert sent < 50 * MB
    assert head.startswith(b"HTTP/1.1 413"), head
    error = json.loads(dechunk(body))["error"]
    assert error["code"] == "too_large"
    assert error["message"].startswith(f"Ce que vous avez envoyé est trop lourd{NBSP}: 50,0")
    assert not Attachment.objects.exists()
