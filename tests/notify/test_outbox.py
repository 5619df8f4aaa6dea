"""The outbox sends through a real SMTP server, once, and only what was committed."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accueil.core.worker import drain_outbox
from accueil.notify.models import Message, Status
from accueil.notify.outbox import enqueue, run_batch


def email(key, recipient="camille@example.ca", **extra):
    fields = {"subject": "Votre demande", "body": "Bonjour,\n\nC’est votre tour.", **extra}
    return enqueue(channel="email", recipient=recipient, idempotency_key=key, **fields)


def test_an_email_reaches_the_smtp_server_with_a_stable_message_id(db, smtp_server):
    with transaction.atomic():
        message = email("visit:1:called", language="fr")
    assert drain_outbox() == 1
    received = smtp_server.messages
    assert len(received) == 1
    assert received[0]["Message-ID"] == message.message_id
    assert received[0]["To"] == "camille@example.ca"
    assert received[0]["Content-Language"] == "fr"
    assert "C’est votre tour." in received[0].get_content()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 1
    assert message.sent_at is not None and message.claim_token is None


def test_a_rolled_back_change_sends_nothing(db, smtp_server):
    with pytest.raises(RuntimeError), transaction.atomic():
        email("visit:2:called")
        raise RuntimeError("the change that caused the message failed")
    assert drain_outbox() == 0
    assert smtp_server.messages == [] and not Message.objects.exists()


def test_the_same_key_twice_makes_one_message(db, smtp_server):
    first = email("visit:3:called")
    second = email("visit:3:called", recipient="someone-else@example.ca")
    assert first.pk == second.pk
    drain_outbox()
    assert len(smtp_server.messages) == 1


def test_a_temporary_failure_is_retried_later_with_backoff(db, smtp_server, settings):
    message = email("k4", recipient="defer@example.ca")
    before = timezone.now()
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and message.attempts == 1
    assert "451" in message.error
    delay = message.next_attempt_at - before
    assert delay >= timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS * 0.8)
    assert drain_outbox() == 0  # not due yet
    # The provider recovers; the message goes when it is due.
    Message.objects.filter(pk=message.pk).update(
        recipient="camille@example.ca", next_attempt_at=timezone.now()
    )
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2
    assert len(smtp_server.messages) == 1


def test_backoff_doubles_and_is_capped(settings):
    from accueil.notify.outbox import retry_delay

    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_RETRY_CAP_SECONDS = 3600
    assert 24 <= retry_delay(1).total_seconds() <= 36
    assert 96 <= retry_delay(3).total_seconds() <= 144
    assert retry_delay(30).total_seconds() <= 3600 * 1.2


def test_a_permanent_failure_stops_retrying_and_is_visible(db, smtp_server):
    message = email("k5", recipient="refuse@example.ca")
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.FAILED and "550" in message.error
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert drain_outbox() == 0


def test_it_gives_up_after_the_last_attempt(db, smtp_server, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = email("k6", recipient="defer@example.ca")
    for _ in range(2):
        Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.error.startswith("gave up")


def test_an_unreachable_smtp_server_is_a_temporary_failure(db, settings):
    from tests.notify.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    message = email("k7")
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and message.error


def test_a_line_break_in_a_subject_is_refused(db, smtp_server):
    message = email("k8", subject="Hello\r\nBcc: victim@example.com")
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert smtp_server.messages == []


def test_a_message_scheduled_for_later_waits(db, smtp_server):
    email("k9", send_at=timezone.now() + timedelta(hours=1))
    assert drain_outbox() == 0
    assert smtp_server.messages == []


def test_a_crashed_workers_claim_returns_to_the_queue_after_its_lease(db, smtp_server, settings):
    settings.OUTBOX_LEASE_SECONDS = 60
    message = email("k10")
    from accueil.notify.outbox import claim, recover_expired_leases

    assert [m.pk for m in claim()] == [message.pk]  # ... and the worker dies here
    assert drain_outbox() == 0  # still leased
    Message.objects.filter(pk=message.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert recover_expired_leases() == 1
    drain_outbox()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_a_message_twice(smtp_server, settings):
    settings.OUTBOX_BATCH = 10
    Message.objects.bulk_create(
        Message(
            channel="email",
            recipient=f"p{i}@example.ca",
            idempotency_key=f"two:{i}",
            subject="s",
            body="b",
        )
        for i in range(300)
    )
    errors = []

    def worker():
        try:
            while run_batch(settings.OUTBOX_BATCH):
                pass
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    ids = smtp_server.message_ids()
    assert len(ids) == 300 and len(set(ids)) == 300
    assert Message.objects.filter(status=Status.SENT).count() == 300


def test_a_worker_does_not_send_once_its_lease_has_lapsed(db, smtp_server):
    from accueil.notify.channels.email import EmailChannel
    from accueil.notify.outbox import claim, deliver

    email("lease")
    [message] = claim()
    message.lease_until = timezone.now() - timedelta(seconds=1)  # the batch was too slow
    assert deliver(message, EmailChannel()) == Status.SENDING
    assert smtp_server.messages == []


def test_messages_about_one_case_share_a_thread(db, smtp_server):
    first = email("t1", thread="case.dem-1")  # a dot-atom: it is written into Message-IDs
    email("t2", thread="case.dem-1")
    drain_outbox()
    one, two = smtp_server.messages
    assert one["In-Reply-To"] == two["In-Reply-To"] == first.thread_id
    assert one["References"] == first.thread_id
    assert one["Message-ID"] != two["Message-ID"]


def test_logs_never_hold_addresses_or_bodies(db, smtp_server, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    email("l1", recipient="refuse.camille@example.ca", subject="Secret subject", body="Secret")
    email("l2", recipient="defer.camille@example.ca", subject="Secret subject", body="Secret")
    enqueue(
        channel="webhook",
        recipient="00000000-0000-0000-0000-000000000000",
        idempotency_key="l3",
        body='{"secret": 1}',
    )
    drain_outbox()
    assert Message.objects.filter(status=Status.FAILED).count() == 2  # failures were logged
    assert "failed" in caplog.text
    assert "camille" not in caplog.text and "ecret" not in caplog.text


def test_consent_is_recorded_and_lifts_an_earlier_opt_out(db):
    from accueil.notify.models import Consent, OptOut, address_digest

    OptOut.record("sms", "+15145550123", source="SMS STOP")
    consent = Consent.record(
        "sms", "+1 514 555 0123", purpose="visit notices", source="kiosk check-in"
    )
    assert not OptOut.applies("sms", "+15145550123")
    assert consent.address_digest == address_digest("sms", "+15145550123")
    assert "514" not in consent.address_digest
