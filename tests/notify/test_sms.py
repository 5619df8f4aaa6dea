"""SMS through a local server speaking the provider's API; receipts and STOP come back signed."""

import pytest

from accueil.core.worker import drain_outbox
from accueil.notify.models import Message, OptOut, Status
from accueil.notify.outbox import enqueue
from accueil.notify.sms_hooks import provider_signature
from tests.notify.fake_sms import FakeSmsProvider


@pytest.fixture
def provider(settings):
    with FakeSmsProvider() as fake:
        settings.SMS_API_URL = fake.url
        settings.SMS_ACCOUNT_ID = fake.account
        settings.SMS_AUTH_TOKEN = fake.token
        settings.SMS_FROM = "+15145550100"
        settings.SITE_URL = "https://accueil.example.ca"
        yield fake


def sms(key, to="+15145550123", body="C’est votre tour : guichet 4.", **extra):
    return enqueue(channel="sms", recipient=to, idempotency_key=key, body=body, **extra)


def signed_post(client, path, params, token="test-auth-token"):
    signature = provider_signature("https://accueil.example.ca" + path, params, token)
    return client.post(path, params, headers={"x-twilio-signature": signature})


def test_an_sms_reaches_the_provider_in_gsm7_with_a_status_callback(db, provider):
    message = sms("s1")
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.provider_id.startswith("SM")
    [sent] = provider.sent
    assert sent["To"] == "+15145550123" and sent["From"] == "+15145550100"
    assert sent["Body"] == "C'est votre tour : guichet 4."  # typographic ’ made GSM-7
    assert sent["StatusCallback"] == "https://accueil.example.ca/notify/sms/status"


def test_delivery_receipts_update_the_message_and_replays_change_nothing(db, provider, client):
    message = sms("s2")
    drain_outbox()
    message.refresh_from_db()
    receipt = {"MessageSid": message.provider_id, "MessageStatus": "delivered"}
    assert signed_post(client, "/notify/sms/status", receipt).status_code == 204
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    failed = {"MessageSid": message.provider_id, "MessageStatus": "failed", "ErrorCode": "30003"}
    signed_post(client, "/notify/sms/status", failed)  # late or replayed: ignored
    message.refresh_from_db()
    assert message.status == Status.DELIVERED


def test_an_undelivered_receipt_marks_the_message_failed(db, provider, client):
    message = sms("s3")
    drain_outbox()
    message.refresh_from_db()
    signed_post(
        client,
        "/notify/sms/status",
        {"MessageSid": message.provider_id, "MessageStatus": "undelivered", "ErrorCode": "30005"},
    )
    message.refresh_from_db()
    assert message.status == Status.FAILED and "30005" in message.error


def test_unsigned_or_forged_callbacks_are_refused(db, provider, client):
    message = sms("s4")
    drain_outbox()
    message.refresh_from_db()
    receipt = {"MessageSid": message.provider_id, "MessageStatus": "failed"}
    assert client.post("/notify/sms/status", receipt).status_code == 403
    assert signed_post(client, "/notify/sms/status", receipt, token="wrong").status_code == 403
    stop = {"From": "+15145550123", "Body": "STOP"}
    assert client.post("/notify/sms/inbound", stop).status_code == 403
    message.refresh_from_db()
    assert message.status == Status.SENT and not OptOut.objects.exists()


@pytest.mark.parametrize("word", ["STOP", "arrêt", " Arret. ", "STOPALL"])
def test_stop_or_arret_opts_out_before_the_next_send(db, provider, client, word):
    response = signed_post(client, "/notify/sms/inbound", {"From": "+1 514 555 0123", "Body": word})
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    message = sms("s5")
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.DROPPED and provider.sent == []


def test_start_opts_back_in(db, provider, client):
    signed_post(client, "/notify/sms/inbound", {"From": "+15145550123", "Body": "ARRÊT"})
    signed_post(client, "/notify/sms/inbound", {"From": "+15145550123", "Body": "START"})
    sms("s6")
    drain_outbox()
    assert len(provider.sent) == 1


@pytest.mark.parametrize(
    "to,opted_out", [("+15005550001", False), ("+15005550009", False), ("+15005550010", True)]
)
def test_provider_refusals_are_permanent_and_visible(db, provider, to, opted_out):
    message = sms("s7", to=to)
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.FAILED and "provider error" in message.error
    assert OptOut.applies("sms", to) is opted_out


def test_a_provider_outage_is_retried_and_queues_keep_working(db, provider):
    provider.outage = True
    message = sms("s8")
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and "503" in message.error


def test_bad_credentials_are_retried_not_lost(db, provider, settings):
    settings.SMS_AUTH_TOKEN = "rotated"
    message = sms("s9")
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and "401" in message.error


@pytest.mark.parametrize("to", ["5145550123", "+1 (514) 555-0123", "abc"])
def test_numbers_not_in_international_form_are_refused(db, provider, to):
    message = sms("s10", to=to)
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.FAILED and provider.sent == []


def test_messages_longer_than_the_segment_cap_are_refused(db, provider, settings):
    settings.SMS_MAX_SEGMENTS = 1
    message = sms("s11", body="ê" * 71)  # UCS-2: two segments
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.FAILED and "segments" in message.error
    assert Message.objects.count() == 1
