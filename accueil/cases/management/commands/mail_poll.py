"""``accueil manage mail_poll [--once]``: read the IMAP mailbox of ``ACCUEIL_IMAP_*``.

Without ``--once`` it polls every ``ACCUEIL_IMAP_POLL_SECONDS`` until stopped; the worker
(``accueil worker``) runs the same round as its ``mail-poll`` job when the mailbox is
configured, so this command is for a deployment that wants the poller apart, or for a test.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accueil.cases.mail_poll import poll_job, poll_once


class Command(BaseCommand):
    help = "Fetch unseen messages from the IMAP mailbox and receive each as email in."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then stop")

    def handle(self, *args, once: bool = False, **options):
        if not settings.IMAP_HOST:
            raise CommandError("no mailbox: set ACCUEIL_IMAP_HOST (docs/email.md)")
        if once:
            self.stdout.write(f"{poll_once()} message(s) received")
            return
        while True:
            poll_job()
            time.sleep(settings.IMAP_POLL_SECONDS)
