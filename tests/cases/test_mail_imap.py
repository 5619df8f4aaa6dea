"""The IMAP poller against a real IMAP server on loopback (pymap, its in-memory backend, in a
subprocess): unseen messages become requests, each marked seen only after its request is
committed; a crash in between hands the message over again and it still counts once."""

import socket
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from imapclient import IMAPClient

from accueil.cases import mail_poll
from accueil.cases.models import Case, InboundMail
from tests.cases.mail import message, receiving_address
from tests.servers import free_port

PYMAP = str(Path(sys.executable).parent / "pymap")
USER, PASSWORD = "demouser", "demopass"


@pytest.fixture
def imap_server(settings):
    port = free_port()
    process = subprocess.Popen(
        [
            PYMAP,
            "--no-service",
            "admin",
            "--no-service",
            "managesieve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-tls",
            "dict",
            "--demo-user",
            USER,
            "--demo-password",
            PASSWORD,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "pymap did not start"
            time.sleep(0.1)
    settings.IMAP_HOST, settings.IMAP_PORT, settings.IMAP_SSL = "127.0.0.1", port, False
    settings.IMAP_USER, settings.IMAP_PASSWORD = USER, PASSWORD
    settings.IMAP_FOLDER, settings.IMAP_TIMEOUT = "INBOX", 10
    yield port
    process.terminate()
    process.wait(timeout=10)


def mailbox(port):
    client = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=10)
    client.login(USER, PASSWORD)
    client.select_folder("INBOX")
    return client


def flags_by_uid(port) -> dict:
    client = mailbox(port)
    try:
        found = client.fetch(client.search(["ALL"]), ["FLAGS"])
        return {uid: set(data[b"FLAGS"]) for uid, data in found.items()}
    finally:
        client.logout()


def deliver(port, *raws: bytes) -> None:
    client = mailbox(port)
    for raw in raws:
        client.append("INBOX", raw)
    client.logout()


def test_unseen_messages_become_requests_and_are_marked_only_then(world, imap_server):
    receiving_address(world)
    same = message(message_id="<imap-same@example.org>")
    deliver(
        imap_server,
        same,
        same,  # delivered twice into the mailbox
        message("Absent.", headers={"Auto-Submitted": "auto-replied"}),
        message(to="personne@ailleurs.example"),
    )
    assert mail_poll.poll_once() == 4
    assert Case.objects.count() == 1
    assert sorted(InboundMail.objects.values_list("outcome", flat=True)) == ["ignored", "opened"]
    flags = list(flags_by_uid(imap_server).values())
    assert all(b"\\Seen" in f for f in flags)
    assert [b"\\Flagged" in f for f in flags] == [False, False, False, True]  # the refused one
    assert mail_poll.poll_once() == 0  # nothing unseen left


def test_a_crash_before_marking_hands_the_message_over_again_and_it_counts_once(
    world, imap_server, monkeypatch
):
    receiving_address(world)
    deliver(imap_server, message(message_id="<imap-crash@example.org>"))
    real_add_flags = IMAPClient.add_flags

    def connection_lost(self, *args, **kwargs):
        raise ConnectionResetError("the poller died here")

    monkeypatch.setattr(IMAPClient, "add_flags", connection_lost)
    with pytest.raises(ConnectionResetError):
        mail_poll.poll_once()
    assert Case.objects.count() == 1  # committed before the crash
    assert not any(b"\\Seen" in f for f in flags_by_uid(imap_server).values())
    monkeypatch.setattr(IMAPClient, "add_flags", real_add_flags)
    assert mail_poll.poll_once() == 1
    assert Case.objects.count() == 1
    assert all(b"\\Seen" in f for f in flags_by_uid(imap_server).values())


def test_the_command_polls_once_and_the_job_survives_an_unreachable_mailbox(
    world, imap_server, settings
):
    receiving_address(world)
    deliver(imap_server, message())
    out = StringIO()
    call_command("mail_poll", "--once", stdout=out)
    assert out.getvalue().startswith("1 ") and Case.objects.count() == 1
    settings.IMAP_PORT = free_port()  # nobody listens there
    assert mail_poll.poll_job() == 0
