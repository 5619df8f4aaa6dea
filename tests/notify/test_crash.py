"""Kill the worker with SIGKILL while it sends; nothing is lost and nothing goes out twice."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from accueil.notify.models import Message, Status
from tests.servers import database_url

MESSAGES = 1000
KILLS = 5


def start_worker(smtp_port: int, tmp_path) -> subprocess.Popen:
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
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "accueil.cli", "worker", "--poll", "0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


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
        worker.terminate()
        worker.wait(timeout=10)

    received = smtp_server.message_ids()
    expected = {m.message_id for m in Message.objects.all()}
    assert set(received) == expected, f"seed {seed}"
    # SMTP has no way to take a message back: a kill after the server accepted a message and
    # before the row was marked can resend it, with the same Message-ID, so the receiving
    # side sees it as one message. At most one message is in that state per kill.
    duplicates = len(received) - len(set(received))
    assert duplicates <= kills, f"{duplicates} duplicates for {kills} kills (seed {seed})"
    print(f"\ncrash test ({connection.vendor}): {kills} kills, {duplicates} resent, seed {seed}")
