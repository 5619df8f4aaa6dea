"""Kill the worker with SIGKILL while it sends; nothing is lost and nothing goes out twice."""

import asyncio
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from accueil.notify.models import Message, Status
from tests.notify.conftest import RecordingHandler, free_port
from tests.servers import database_url

MESSAGES = 1000
KILLS = 5


def start_worker(smtp_port: int, tmp_path, **overrides: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCUEIL_", "EMAIL_"))}
    env.update(
        {
            "DATABASE_URL": database_url(),
            "ACCUEIL_ENV": "test",
            "ACCUEIL_DATA_DIR": str(tmp_path),
            "ACCUEIL_OUTBOX_LEASE_SECONDS": "2",
            "ACCUEIL_OUTBOX_BATCH": "20",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            **overrides,
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "accueil.cli", "worker", "--poll", "0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop(*workers: subprocess.Popen) -> None:
    """Terminate, and kill what does not stop: no worker outlives its test."""
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def sent_count() -> int:
    return Message.objects.filter(status=Status.SENT).count()


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_sending_loses_nothing_and_sends_each_message_once(
    smtp_server, tmp_path
):
    Message.objects.bulk_create(
        Message(
            channel="email",
            recipient=f"p{i}@example.ca",
            idempotency_key=f"crash:{i}",
            subject=f"Message {i}",
            body="Bonjour",
        )
        for i in range(MESSAGES)
    )
    seed = random.randrange(2**32)
    chance = random.Random(seed)
    kills = 0
    while kills < KILLS:
        before = sent_count()
        worker = start_worker(smtp_server.port, tmp_path)
        # Kill at a random moment once it is sending, so the kill lands mid-batch.
        wait_for(
            lambda before=before, worker=worker: sent_count() > before or worker.poll() is not None,
            60,
            "sending",
        )
        assert worker.poll() is None, worker.stderr.read().decode()
        time.sleep(chance.uniform(0, 0.15))
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        kills += 1
        assert sent_count() < MESSAGES, f"finished before {KILLS} kills (seed {seed})"
    worker = start_worker(smtp_server.port, tmp_path)
    try:
        wait_for(lambda: sent_count() == MESSAGES, 180, "every message sent")
    finally:
        stop(worker)

    received = smtp_server.message_ids()
    expected = {m.message_id for m in Message.objects.all()}
    assert set(received) == expected, f"seed {seed}"
    # SMTP has no way to take a message back: a kill after the server accepted a message and
    # before the row was marked can resend it, with the same Message-ID, so the receiving
    # side sees it as one message. At most one message is in that state per kill.
    duplicates = len(received) - len(set(received))
    assert duplicates <= kills, f"{duplicates} duplicates for {kills} kills (seed {seed})"
    print(f"\ncrash test ({connection.vendor}): {kills} kills, {duplicates} resent, seed {seed}")


class SlowHandler(RecordingHandler):
    """An SMTP server that takes ``delay`` seconds to accept each message."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp_server():
    handler = SlowHandler(delay=0.7)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_sends_that_outlast_the_batch_lease_are_not_taken_back_by_another_worker(
    slow_smtp_server, tmp_path
):
    """Two workers, a lease of 2 s, batches of 3 and a server taking 0.7 s a message: the third
    send of every batch runs past the lease the batch was claimed with. Each send renews its
    own row's lease first, so the other worker never takes it back mid-send."""
    count = 24
    Message.objects.bulk_create(
        Message(
            channel="email",
            recipient=f"slow{i}@example.ca",
            idempotency_key=f"slow:{i}",
            subject=f"Message {i}",
            body="Bonjour",
        )
        for i in range(count)
    )
    workers = [
        start_worker(slow_smtp_server.port, tmp_path, ACCUEIL_OUTBOX_BATCH="3") for _ in range(2)
    ]
    try:
        wait_for(lambda: sent_count() == count, 120, "every message sent")
    finally:
        stop(*workers)
    received = slow_smtp_server.message_ids()
    assert sorted(received) == sorted(m.message_id for m in Message.objects.all())  # no repeat
