"""The inbound-mail webhook over real HTTP (`accueil serve` on the test database): a mail
provider posts the raw message with a client application's key of the ``mail`` scope."""

import json
import socket
import time

from accueil.accounts.models import ClientApp, ClientScope
from accueil.cases.models import Attachment, Case
from tests.cases.mail import message, receiving_address
from tests.cases.test_api_http import call
from tests.security.corpus.files import jpeg_with_gps
from tests.servers import running

PATH = "/api/v1/mail/inbound"
MB = 1_000_000


def post_mail(base, raw: bytes, key: str | None, content_type="message/rfc822", recipient=""):
    headers = {"Content-Type": content_type}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    path = f"{PATH}?recipient={recipient}" if recipient else PATH
    response, data = call(base, "POST", path, raw, headers)
    return response.status, json.loads(data)


def test_a_provider_delivers_a_message_over_http(transactional_db, world, tmp_path):
    receiving_address(world)
    _app, key = ClientApp.issue(world.agency, "Fournisseur", ClientScope.MAIL)
    _app, open311_key = ClientApp.issue(world.agency, "Appli", ClientScope.OPEN311)
    raw = message(message_id="<http-1@example.org>")
    # 4 MB in all: over Django's 2.5 MB cap for bodies that are not forms, under ours.
    photo = jpeg_with_gps(size=(1200, 900))
    big = message(
        message_id="<http-big@example.org>",
        files=[("trou.jpg", "image/jpeg", photo), ("rapport.txt", "text/plain", b"x" * 4 * MB)],
    )
    with running(1, tmp_path) as [server]:
        assert post_mail(server.base, raw, None)[0] == 401
        assert post_mail(server.base, raw, "app_nothing_here")[0] == 401
        status, body = post_mail(server.base, raw, open311_key)
        assert status == 403 and body["error"]["code"] == "forbidden"
        status, opened = post_mail(server.base, raw, key)
        assert status == 201 and opened["outcome"] == "opened"
        status, again = post_mail(server.base, raw, key)
        assert status == 200 and again == {**opened, "outcome": "duplicate", "reason": "opened"}
        status, body = post_mail(server.base, message(to="x@ailleurs.example"), key)
        assert status == 404 and body["error"]["code"] == "unknown_address"
        bcc = message(to="x@ailleurs.example", message_id="<http-bcc@example.org>")
        status, body = post_mail(server.base, bcc, key, recipient="requetes@ville.example")
        assert status == 201 and body["outcome"] == "opened"
        status, body = post_mail(server.base, b"\x00garbage", key)
        assert status == 400 and body["error"]["code"] == "unreadable"
        status, body = post_mail(server.base, raw, key, content_type="application/json")
        assert status == 415 and body["error"]["code"] == "unsupported_media_type"
        status, large = post_mail(server.base, big, key)
        assert status == 201, large
    assert Case.objects.get(reference=opened["reference"]).channel == "email"
    # The 4 MB message was read whole: its photo kept, its text file refused by the service.
    large_case = Case.objects.get(reference=large["reference"])
    assert list(Attachment.objects.filter(case=large_case).values_list("name", flat=True)) == [
        "trou.jpg"
    ]
    assert "rapport.txt" in large_case.messages.get(kind="note").body


def test_a_message_over_the_limit_is_refused_before_it_is_read(transactional_db, world, tmp_path):
    receiving_address(world)
    _app, key = ClientApp.issue(world.agency, "Fournisseur", ClientScope.MAIL)
    with running(1, tmp_path, env={"ACCUEIL_MAIL_MAX_MB": "2"}) as [server]:
        sent, head, body = post_claiming(server.base, key, 50 * MB)
    assert sent < 50 * MB and head.startswith(b"HTTP/1.1 413"), head
    assert b"too_large" in body
    assert not Case.objects.exists()


def post_claiming(base: str, key: str, length: int) -> tuple[int, bytes, bytes]:
    """Headers saying ``length`` bytes, then at most 1 MB of them while watching for the
    answer: (bytes sent, head, body)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(
            (
                f"POST {PATH} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Authorization: Bearer {key}\r\nContent-Type: message/rfc822\r\n"
                f"Content-Length: {length}\r\n\r\n"
            ).encode()
        )
        sent, answer = 0, b""
        sock.setblocking(False)
        while sent < MB and b"\r\n\r\n" not in answer:
            try:
                sent += sock.send(bytes(64 * 1024))
            except BlockingIOError:
                pass
            except ConnectionError:
                break
            try:
                answer += sock.recv(65536)
            except BlockingIOError:
                time.sleep(0.01)
        sock.settimeout(10)
        try:
            while b"}" not in answer:
                more = sock.recv(65536)
                if not more:
                    break
                answer += more
        except (TimeoutError, ConnectionError):
            pass
    head, _, body = answer.partition(b"\r\n\r\n")
    return sent, head, body
