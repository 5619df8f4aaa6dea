"""The IMAP poller, for an agency whose mail lives in a hosted mailbox (``ACCUEIL_IMAP_*``).

Each round logs in, takes the folder's unseen messages by UID (oldest first, at most
``limit``), reads each without marking it (``BODY.PEEK[]``), hands it to the same action as
``accueil mail-in`` and **only after that action committed** marks it ``\\Seen``. A crash in
between leaves the message unseen: the next round hands it over again, and its Message-ID
makes that count once. Two pollers (two workers) at once do the same.

What happens to a message, as for ``mail-in``: read, ignored (a machine sent it) or a second
delivery → seen; refused for good (unreadable, no receiving address) → seen and flagged, so
the mailbox's owner finds it; a temporary failure (the database) → left unseen and the round
stops, to try again next round.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from accueil.cases.mail_actions import do_receive_mail
from accueil.core.actions import ActionError
from accueil.core.actors import Actor

logger = logging.getLogger("accueil.cases.mail")

PERMANENT = {"unreadable", "too_large", "unknown_address", "unavailable"}
SEEN = b"\\Seen"
FLAGGED = b"\\Flagged"


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    ssl: bool
    user: str
    password: str
    folder: str
    timeout: int

    @classmethod
    def from_settings(cls) -> "Mailbox | None":
        if not settings.IMAP_HOST:
            return None
        return cls(
            settings.IMAP_HOST,
            settings.IMAP_PORT,
            settings.IMAP_SSL,
            settings.IMAP_USER,
            settings.IMAP_PASSWORD,
            settings.IMAP_FOLDER,
            settings.IMAP_TIMEOUT,
        )


def poll_once(mailbox: Mailbox | None = None, limit: int = 100) -> int:
    """One round; returns how many messages were handed over (0 when not configured)."""
    mailbox = mailbox or Mailbox.from_settings()
    if mailbox is None:
        return 0
    handled = 0
    connection = IMAPClient(
        mailbox.host, port=mailbox.port, ssl=mailbox.ssl, timeout=mailbox.timeout
    )
    with connection as client:
        client.login(mailbox.user, mailbox.password)
        client.select_folder(mailbox.folder)
        for uid in sorted(client.search(["UNSEEN"]))[:limit]:
            fetched = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
            raw = fetched.get(b"BODY[]")
            if raw is None:
                continue  # expunged meanwhile
            if not _hand_over(client, uid, raw):
                break
            handled += 1
    return handled


def _hand_over(client: IMAPClient, uid: int, raw: bytes) -> bool:
    """Receive one message and mark it; False to stop the round (try again later)."""
    try:
        do_receive_mail(Actor.system(), raw)
    except ActionError as error:
        if error.code not in PERMANENT:
            logger.warning("imap: message %s left for the next round (%s)", uid, error.code)
            return False
        logger.warning("imap: message %s refused (%s), flagged", uid, error.code)
        client.add_flags([uid], [SEEN, FLAGGED])
        return True
    except DatabaseError as error:
        logger.warning("imap: database unavailable (%s); next round", type(error).__name__)
        return False
    client.add_flags([uid], [SEEN])  # only now: the action has committed
    return True


def poll_job() -> int:
    """The worker's ``mail-poll`` job: a mailbox that cannot be reached waits for next time."""
    try:
        poll_once()
    except (IMAPClientError, OSError) as error:
        logger.warning("imap: mailbox unreachable (%s)", type(error).__name__)
    return 0  # never "more to do at once": the job runs every ACCUEIL_IMAP_POLL_SECONDS
