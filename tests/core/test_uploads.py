"""Uploads at the edge of Django: a body over the limits is refused before it is read, refusals
are said in the person's language, and downloads are never rendered by a browser."""

import json
import socket
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.test import RequestFactory
from django.utils import translation

from accueil.core.actions import ActionError
from accueil.core.uploads import (
    CappedUploadHandler,
    attachment_response,
    check_upload,
    refusal_error,
    refusal_message,
)
from accueil.lib.uploads import CODES, KINDS, Refused
from accueil.queues.models import Visit
from tests.security.corpus import files
from tests.servers import running

NBSP = "\u00a0"
MB = 1_000_000
BOUNDARY = "accueil-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(field: str, name: str, data: bytes) -> bytes:
    return (
        (
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


# -- messages ----------------------------------------------------------------------------------


def test_a_file_too_large_is_explained_in_french_with_french_typography(settings):
    settings.UPLOAD_MAX_BYTES = 10 * MB
    refused = Refused("too_large", size=50 * MB, limit=10 * MB)
    with translation.override("fr"):
        message = refusal_message(refused)
    assert message == f"Ce fichier est trop lourd{NBSP}: 50,0{NBSP}Mo. La limite est de 10{NBSP}Mo."
    with translation.override("en"):
        assert refusal_message(refused) == "This file is too large: 50.0 MB. The limit is 10 MB."


EXAMPLES = {
    "too_large": {"size": None, "limit": 10 * MB},
    "kind_not_allowed": {"kind": "pdf", "allowed": ["jpeg", "png"]},
    "mismatch": {"kind": "png", "extension": "jpg", "expected": "png"},
    "scriptable": {"kind": "svg"},
    "too_many_pixels": {"width": 50_000, "height": 50_000, "limit": 40_000_000},
    "unreadable": {"kind": "jpeg"},
    "zip_bomb": {"reason": "ratio"},
    "empty": {},
    "bad_name": {"length": 10_000},
}


def test_every_refusal_code_has_its_own_sentence_in_both_languages():
    assert set(EXAMPLES) == set(CODES)
    said = {}
    for code, context in EXAMPLES.items():
        with translation.override("en"):
            english = refusal_message(Refused(code, **context))
        with translation.override("fr"):
            french = refusal_message(Refused(code, **context))
        assert english != french, code
        said[code] = english
    assert len(set(said.values())) == len(CODES)  # no code falls back on a generic sentence


def test_refusal_messages_say_the_facts_they_carry():
    with translation.override("en"):
        assert "Files accepted: .jpg, .png." in refusal_message(
            Refused("kind_not_allowed", **EXAMPLES["kind_not_allowed"])
        )
        mismatch = refusal_message(Refused("mismatch", **EXAMPLES["mismatch"]))
        assert ".jpg" in mismatch and "PNG" in mismatch and "Rename it .png" in mismatch
        pixels = refusal_message(Refused("too_many_pixels", **EXAMPLES["too_many_pixels"]))
        assert "50,000 × 50,000 pixels" in pixels and "40 million" in pixels
    with translation.override("fr"):
        pixels = refusal_message(Refused("too_many_pixels", **EXAMPLES["too_many_pixels"]))
        assert f"50{NBSP}000 × 50{NBSP}000" in pixels


def test_a_refusal_becomes_the_one_action_error():
    error = refusal_error(Refused("scriptable", kind="svg"), field="attachment")
    assert isinstance(error, ActionError)
    assert (error.code, error.status, error.field) == ("upload_scriptable", 415, "attachment")
    assert refusal_error(Refused("too_large", size=None, limit=MB)).status == 413


def test_check_upload_never_raises_the_sites_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1_000
    uploaded = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + bytes(2_000))
    with pytest.raises(Refused) as caught:
        check_upload(uploaded, allowed=KINDS, max_bytes=10 * MB)
    assert caught.value.context["limit"] == 1_000
    small = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n")
    assert check_upload(small, allowed={"pdf"}).name == "scan.pdf"


# -- the request-size guard, over the test client ---------------------------------------------


def claimed_upload(client, path: str, claimed: int, language: str = "en"):
    """A multipart POST whose Content-Length claims ``claimed`` bytes but carries only a few:
    the test client's payload raises if anything tries to read past what it holds, so a 413
    here proves the body was not read."""
    body = multipart("file", "photo.jpg", b"\xff\xd8\xff" + bytes(100))
    return client.generic(
        "POST",
        path,
        body,
        content_type=MULTIPART,
        headers={"accept-language": language},
        CONTENT_LENGTH=str(claimed),
    )


def test_a_50_mb_upload_to_the_api_is_refused_before_its_body_is_read(client, personas):
    path = f"/api/v1/offices/{personas.office.id}/visits"
    english = claimed_upload(client, path, 50 * MB)
    assert english.status_code == 413
    error = english.json()["error"]
    assert error["code"] == "too_large"
    assert error["message"] == (
        "What you sent is too large: 50.0 MB in all. "
        "The limit is 30 MB for one sending and 10 MB for each file."
    )
    french = claimed_upload(client, path, 50 * MB, language="fr")
    assert french.json()["error"]["message"].startswith(
        f"Ce que vous avez envoyé est trop lourd{NBSP}: 50,0{NBSP}Mo au total."
    )
    assert Visit.objects.count() == 0


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_50_mb_upload_to_a_page_gets_a_bilingual_page(client, db, language):
    response = claimed_upload(client, f"/{language}/login/", 50 * MB, language)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    expected = {"fr": f"50,0{NBSP}Mo au total", "en": "50.0 MB in all"}[language]
    assert expected in page


def test_a_multipart_body_under_the_cap_reaches_the_view(client, db, settings):
    settings.UPLOAD_MAX_BYTES = 100_000
    settings.UPLOAD_REQUEST_MAX_BYTES = 300_000
    body = multipart("file", "photo.jpg", bytes(50_000))
    response = client.generic("POST", "/en/login/", body, content_type=MULTIPART)
    assert response.status_code != 413


def test_a_file_over_its_limit_inside_an_acceptable_request_is_stopped_while_read(
    client, db, settings
):
    settings.UPLOAD_MAX_BYTES = 100_000
    settings.UPLOAD_REQUEST_MAX_BYTES = 300_000
    body = multipart("file", "photo.jpg", bytes(150_000))
    assert len(body) < settings.UPLOAD_REQUEST_MAX_BYTES  # Content-Length passes the guard
    response = client.generic(
        "POST", "/api/v1/offices", body, content_type=MULTIPART, headers={"accept-language": "en"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": "This file is too large. The limit is 0.1 MB.",
    }


def test_the_upload_handler_passes_on_nothing_past_the_cap(rf_request, settings):
    """Whatever Content-Length said: the chunk that crosses the cap is not handed on."""
    settings.UPLOAD_MAX_BYTES = 1_000
    settings.UPLOAD_REQUEST_MAX_BYTES = 5_000
    handler = CappedUploadHandler(rf_request)
    handler.new_file("file", "a.jpg", "image/jpeg", None)
    passed = 0
    with pytest.raises(StopUpload) as stopped:
        for start in range(0, 10_000, 300):
            passed += len(handler.receive_data_chunk(bytes(300), start))
    assert passed <= settings.UPLOAD_MAX_BYTES
    assert stopped.value.connection_reset  # the rest of the body is not even read
    assert rf_request.upload_refused.context["limit"] == 1_000


def test_the_upload_handler_caps_all_files_together(rf_request, settings):
    settings.UPLOAD_MAX_BYTES = 1_000
    settings.UPLOAD_REQUEST_MAX_BYTES = 2_500
    handler = CappedUploadHandler(rf_request)
    passed = 0
    with pytest.raises(StopUpload):
        for index in range(10):
            handler.new_file("file", f"{index}.jpg", "image/jpeg", None)
            passed += len(handler.receive_data_chunk(bytes(900), 0))
    assert passed <= settings.UPLOAD_REQUEST_MAX_BYTES
    assert rf_request.upload_refused.context["scope"] == "request"


@pytest.fixture
def rf_request():
    return RequestFactory().post("/")


# -- the request-size guard, over real HTTP ----------------------------------------------------


def test_a_50_mb_upload_over_http_is_refused_before_the_body_is_sent(transactional_db, tmp_path):
    """Headers saying 50 MB and the first megabyte of the body: the 413 with its message
    arrives while 49 MB are still unsent."""
    with running(1, tmp_path) as [server]:
        sent, head, body = post_claiming_50_mb(server.base, "/api/v1/offices", "file")
    assert sent < 50 * MB
    assert head.startswith(b"HTTP/1.1 413"), head
    error = json.loads(dechunk(body))["error"]
    assert error["code"] == "too_large"
    assert error["message"].startswith(
        f"Ce que vous avez envoyé est trop lourd{NBSP}: 50,0{NBSP}Mo au total."
    )


def post_claiming_50_mb(base: str, path: str, field: str) -> tuple[int, bytes, bytes]:
    """POST a multipart body whose headers say 50 MB, sending at most 1 MB of it while
    watching for the answer (it must not wait for the rest): (bytes sent, head, body)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(
            (
                f"POST {path} HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\n"
                "Accept-Language: fr\r\n"
                f"Content-Type: {MULTIPART}\r\n"
                f"Content-Length: {50 * MB}\r\n\r\n"
            ).encode()
        )
        sent = 0
        sock.sendall(multipart(field, "photo.jpg", b"")[:-20])
        chunk = bytes(64 * 1024)
        sock.setblocking(False)
        answer = b""
        while sent < MB and b"\r\n\r\n" not in answer:
            try:
                sent += sock.send(chunk)
            except BlockingIOError:
                pass  # the server is not reading: its buffers are full
            except ConnectionError:
                break  # it answered and closed; the answer is read below
            try:
                answer += sock.recv(65536)
            except BlockingIOError:
                time.sleep(0.01)
        sock.settimeout(30)
        while not complete(answer):
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    head, body = answer.split(b"\r\n\r\n", 1)
    return sent, head, body


def complete(answer: bytes) -> bool:
    """A whole HTTP answer: the server sends this one in chunks."""
    head, _, body = answer.partition(b"\r\n\r\n")
    return bool(head) and body.endswith(b"0\r\n\r\n")


def dechunk(body: bytes) -> bytes:
    data = b""
    while True:
        size_line, body = body.split(b"\r\n", 1)
        size = int(size_line, 16)
        if size == 0:
            return data
        data, body = data + body[:size], body[size + 2 :]


# -- downloads ---------------------------------------------------------------------------------


def test_a_download_is_always_an_attachment_that_no_browser_renders():
    response = attachment_response("photo.jpg", "image/jpeg", b"\xff\xd8\xff")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"photo.jpg\"; filename*=UTF-8''photo.jpg"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Content-Type"] == "image/jpeg"
    assert response.content == b"\xff\xd8\xff"


@pytest.mark.parametrize(
    "content_type", ["text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", ""]
)
def test_a_download_never_carries_a_content_type_a_browser_would_run(content_type):
    response = attachment_response("page.txt", content_type, b"<script>alert(1)</script>")
    assert response["Content-Type"] == "application/octet-stream"


def test_a_french_name_gets_an_ascii_fallback_and_its_exact_utf8_form():
    disposition = attachment_response("Reçu d’été.pdf", "application/pdf", b"%PDF-")[
        "Content-Disposition"
    ]
    assert disposition == (
        'attachment; filename="Recu d_ete.pdf"; '
        "filename*=UTF-8''Re%C3%A7u%20d%E2%80%99%C3%A9t%C3%A9.pdf"
    )


@pytest.mark.parametrize(
    "name",
    [
        'a"; filename="evil.html',
        "a\r\nSet-Cookie: x=1.pdf",
        "invoice\u202efdp.exe",
        "北京.pdf",
    ],
)
def test_a_hostile_name_cannot_break_out_of_the_header(name):
    disposition = attachment_response(name, "application/pdf", b"")["Content-Disposition"]
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert disposition.count('"') == 2
    assert "\r" not in disposition and "\n" not in disposition and "\u202e" not in disposition
    assert fallback and all(32 <= ord(c) < 127 for c in fallback)
    assert disposition.startswith("attachment;")


def test_a_download_keeps_its_sandbox_through_the_middleware():
    # SecurityHeadersMiddleware only sets its page policy where none is set.
    from accueil.core.middleware import SecurityHeadersMiddleware

    middleware = SecurityHeadersMiddleware(
        lambda request: attachment_response("a.pdf", "application/pdf", b"%PDF-")
    )
    response = middleware(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_an_uploaded_svg_is_refused_through_check_upload():
    uploaded = SimpleUploadedFile("logo.png", files.read("svg_with_script.svg"))
    with pytest.raises(Refused) as caught:
        check_upload(uploaded, allowed=KINDS)
    assert caught.value.code == "scriptable"


def test_a_multipart_body_sent_to_a_json_operation_is_a_400_not_a_500(client, personas):
    body = multipart("file", "photo.jpg", b"\xff\xd8\xff" + bytes(100))
    response = client.generic(
        "POST", f"/api/v1/offices/{personas.office.id}/visits", body, content_type=MULTIPART
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_a_form_field_over_the_memory_limit_is_still_refused_in_a_multipart_page_post(
    client, db, settings
):
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    field = 'Content-Disposition: form-data; name="username"'
    body = f"--{BOUNDARY}\r\n{field}\r\n\r\n{'x' * size}\r\n--{BOUNDARY}--\r\n"
    response = client.generic(
        "POST", "/en/login/", body, content_type=MULTIPART, headers={"accept-language": "en"}
    )
    assert response.status_code == 413
    assert "The request is too large." in response.content.decode()
