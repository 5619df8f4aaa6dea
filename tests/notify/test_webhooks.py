"""Webhooks reach a real local receiver that checks the signature; private targets are refused."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError

from accueil.core.worker import drain_outbox
from accueil.notify.models import Message, Status, WebhookEndpoint
from accueil.notify.outbox import enqueue
from tests.factories import AgencyFactory


class Receiver(BaseHTTPRequestHandler):
    """Checks X-Accueil-Signature the way an agency system should, then records the body."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        fields = dict(part.split("=", 1) for part in self.headers["X-Accueil-Signature"].split(","))
        expected = hmac.new(
            self.server.secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, fields["v1"]):
            self.send_response(401)
        else:
            self.server.received.append((self.headers["X-Accueil-Message"], json.loads(body)))
            self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(autouse=True)
def operator_permits_loopback(settings):
    """The local receiver listens on loopback, which only the operator's setting can open."""
    settings.WEBHOOK_PRIVATE_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.received, server.status, server.secret = [], 204, ""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def endpoint_for(receiver, **extra):
    endpoint = WebhookEndpoint(
        agency=AgencyFactory(),
        name="Système de permis",
        url=f"http://127.0.0.1:{receiver.server_port}/hooks/accueil",
        allowed_networks="127.0.0.0/8",
        **extra,
    )
    endpoint.full_clean()
    endpoint.save()
    receiver.secret = endpoint.secret
    return endpoint


def notice(endpoint, key="case:1:opened"):
    payload = json.dumps({"event": "case.opened", "reference": "DEM-2026-0001"})
    return enqueue(channel="webhook", recipient=str(endpoint.id), idempotency_key=key, body=payload)


def test_a_signed_notice_reaches_the_receiver(db, receiver):
    message = notice(endpoint_for(receiver))
    drain_outbox()
    assert receiver.received == [
        (str(message.id), {"event": "case.opened", "reference": "DEM-2026-0001"})
    ]
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_wrong_secret_is_rejected_by_the_receiver_and_not_retried(db, receiver):
    endpoint = endpoint_for(receiver)
    receiver.secret = "another secret"
    message = notice(endpoint)
    drain_outbox()
    message.refresh_from_db()
    assert receiver.received == [] and message.status == Status.FAILED and "401" in message.error


def test_a_receiver_error_is_retried(db, receiver):
    receiver.status = 503
    message = notice(endpoint_for(receiver))
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and "503" in message.error


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/h",
        "http://[::1]/h",
        "http://10.0.0.8/h",
        "http://172.16.0.1/h",
        "http://192.168.0.10/h",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/h",
        "file:///etc/passwd",
    ],
)
def test_private_targets_are_refused_with_a_clear_error_when_saved(db, url):
    endpoint = WebhookEndpoint(agency=AgencyFactory(), name="x", url=url)
    with pytest.raises(ValidationError) as error:
        endpoint.full_clean()
    assert "url" in error.value.message_dict


def test_a_target_that_became_private_is_refused_again_when_sending(db, receiver):
    endpoint = endpoint_for(receiver)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(allowed_networks="")
    message = notice(endpoint)
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.FAILED and "blocked destination" in message.error
    assert receiver.received == []
    assert Message.objects.count() == 1
