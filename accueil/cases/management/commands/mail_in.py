"""``accueil mail-in``: one RFC 5322 message on standard input, as Postfix or Exim pipe it.

Prints the reference of the request it opened or updated and exits 0 — also for a second
delivery of the same message and for mail a machine sent (an auto-reply, a bounce), which is
recorded and ignored: bouncing a bounce is how mail loops start. A refusal says why on
standard error and exits with the status a mail server understands (sysexits.h):

- 65 ``EX_DATAERR``: not a message we can read, or larger than ``ACCUEIL_MAIL_MAX_MB``;
- 67 ``EX_NOUSER``: no receiving address of any agency among the recipients;
- 77 ``EX_NOPERM``: the address's service takes no requests;
- 75 ``EX_TEMPFAIL``: anything that may pass later — the database unreachable or locked, a
  conflict with a change at the same moment, an unexpected error. The mail server keeps the
  message and tries again; the Message-ID makes the retry count once.

Postfix, in master.cf: ``accueil unix - n n - - pipe flags=Rq user=accueil
argv=/srv/accueil/.venv/bin/accueil mail-in --recipient ${original_recipient}``.
"""

import logging
import sys

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from accueil.cases.mail_actions import do_receive_mail
from accueil.core.actions import ActionError
from accueil.core.actors import Actor

logger = logging.getLogger("accueil.cases.mail")

EX_OK = 0
EX_DATAERR = 65
EX_NOUSER = 67
EX_SOFTWARE = 70
EX_TEMPFAIL = 75
EX_NOPERM = 77
PERMANENT = {
    "unreadable": EX_DATAERR,
    "too_large": EX_DATAERR,
    "unknown_address": EX_NOUSER,
    "unavailable": EX_NOPERM,
}


class Command(BaseCommand):
    help = "Read one email on standard input; print the reference of its request."
    requires_system_checks: list[str] = []  # a mail server waits on us: start fast

    def add_arguments(self, parser):
        parser.add_argument(
            "--recipient",
            default="",
            help="the envelope recipient (Postfix: ${original_recipient})",
        )

    def handle(self, *args, recipient: str = "", **options):
        raw = sys.stdin.buffer.read()
        status, line, problem = receive(raw, recipient)
        if line:
            self.stdout.write(line)
        if problem:
            self.stderr.write(problem)
        if status != EX_OK:
            raise SystemExit(status)


def receive(raw: bytes, recipient: str = "") -> tuple[int, str, str]:
    """(exit status, what to print, what to say on standard error) for one message."""
    try:
        outcome = do_receive_mail(Actor.system(), raw, recipient=recipient)
    except ActionError as error:
        status = PERMANENT.get(error.code, EX_TEMPFAIL)
        return status, "", f"mail-in: {error.code}: {error.message}"
    except PermissionDenied:
        return EX_NOPERM, "", "mail-in: not allowed"
    except DatabaseError as error:
        logger.warning("mail-in: database unavailable (%s)", type(error).__name__)
        return EX_TEMPFAIL, "", "mail-in: the database is unavailable; try again later"
    except Exception as error:  # noqa: BLE001 - the mail server keeps the message and retries
        logger.error("mail-in failed (%s)", type(error).__name__)
        return EX_TEMPFAIL, "", "mail-in: internal error; try again later"
    if outcome.reference:
        return EX_OK, outcome.reference, ""
    return EX_OK, f"{outcome.outcome}: {outcome.reason}", ""
