"""``accueil mail-in`` as a mail server runs it: a real subprocess reading standard input, on
the test database (SQLite or PostgreSQL), answering with its output and its exit status."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail as django_mail

from accueil.cases.models import Case, Message
from accueil.notify.outbox import run_batch
from tests.cases.mail import RECEIVING, message, receiving_address, reply_to
from tests.servers import database_url

ACCUEIL = str(Path(sys.executable).parent / "accueil")


@pytest.fixture
def mail_in(committed_world, tmp_path, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    receiving_address(committed_world)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "ACCUEIL_ENV": "test",
        "ACCUEIL_DATA_DIR": str(tmp_path),
    }

    def run(raw: bytes, *args: str, **overrides: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [ACCUEIL, "mail-in", *args],
            input=raw,
            capture_output=True,
            env={**env, **overrides},
            timeout=120,
        )

    return run


def test_a_piped_message_opens_a_request_and_a_reply_to_the_acknowledgement_lands_on_it(mail_in):
    opened = mail_in(message())
    assert opened.returncode == 0, opened.stderr
    reference = opened.stdout.decode().strip()
    case = Case.objects.get(reference=reference)
    run_batch()
    [ack] = [m.message() for m in django_mail.outbox if "lea@example.org" in m.to]
    raw = reply_to(ack, "Il est encore là ce matin.", quote="Nous avons reçu votre demande\n")
    replied = mail_in(raw)
    assert replied.returncode == 0 and replied.stdout.decode().strip() == reference
    [answer] = Message.objects.filter(case=case, kind="citizen")
    assert answer.body == "Il est encore là ce matin."  # the quote and its attribution trimmed


def test_the_same_message_piped_twice_prints_the_same_reference_and_makes_one_request(mail_in):
    raw = message(message_id="<twice-cli@example.org>")
    first, second = mail_in(raw), mail_in(raw)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout and Case.objects.count() == 1


def test_a_forged_from_without_a_token_opens_a_new_request(mail_in):
    first = mail_in(message()).stdout.decode().strip()
    forged = mail_in(message("Annulez tout.", subject=f"Re: {first}"))
    assert forged.returncode == 0 and forged.stdout.decode().strip() not in ("", first)
    assert not Message.objects.filter(kind="citizen").exists()


BOUNCE = (
    b"From: MAILER-DAEMON@mx.example.org\r\nTo: " + RECEIVING.encode() + b"\r\n"
    b"Subject: Undelivered Mail Returned to Sender\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
    b"--B\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n"
    b"--B\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n--B--\r\n"
)


@pytest.mark.parametrize("kind", ["auto-reply", "bounce"])
def test_an_auto_reply_or_a_bounce_exits_zero_and_opens_nothing(mail_in, kind):
    raw = message("Absent.", headers={"Auto-Submitted": "auto-replied"})
    result = mail_in(BOUNCE if kind == "bounce" else raw)
    assert result.returncode == 0 and result.stdout.decode().startswith("ignored:")
    assert not Case.objects.exists()


def test_the_envelope_recipient_chooses_the_address(mail_in):
    result = mail_in(message(to="undisclosed-recipients:;"), "--recipient", RECEIVING)
    assert result.returncode == 0 and Case.objects.count() == 1


def test_refusals_exit_with_the_status_a_mail_server_understands(mail_in):
    unknown = mail_in(message(to="personne@ailleurs.example"))
    assert unknown.returncode == 67 and b"unknown_address" in unknown.stderr
    garbage = mail_in(b"\x00\x01 not mail")
    assert garbage.returncode == 65 and b"unreadable" in garbage.stderr
    assert not Case.objects.exists()


def test_an_unreachable_database_is_a_temporary_failure(mail_in):
    result = mail_in(message(), DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere")
    assert result.returncode == 75 and b"try again later" in result.stderr
