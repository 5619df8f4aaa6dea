"""The one call other features make: "send this event's message to this person"."""

import logging

from django.db import transaction

from accueil.notify.models import Message, Status, Template
from accueil.notify.outbox import enqueue
from accueil.notify.templates_text import choose, render

logger = logging.getLogger("accueil.notify")


def notify(
    *,
    key: str,
    channel: str,
    recipient: str,
    language: str,
    values: dict[str, object],
    idempotency_key: str,
    agency=None,
    **options,
) -> Message:
    """Render the agency's wording in the person's language and add it to the outbox.

    Call it inside the transaction of the change that causes the message: a rollback then
    sends nothing. Raises ``MissingValue`` rather than send a message with a hole in it.
    """
    template = choose(key, channel, language, agency)
    rendered = render(template, values)
    return enqueue(
        channel=channel,
        recipient=recipient,
        idempotency_key=idempotency_key,
        subject=rendered.subject,
        body=rendered.body,
        language=template.language,
        template=key,
        agency=agency,
        **options,
    )


def notify_beside(**message) -> Message:
    """``notify`` for a notice that rides along with another change (a call, a booking).

    A notice that cannot be written — the agency's wording lacks a value, a name holds a line
    break an email subject refuses, no template exists — must not undo the change it
    accompanies: it fails alone, visibly (a failed row in the outbox, which staff see), and
    the change goes on. A database error is not caught: that change fails as a whole."""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            return notify(**message)
    except (ValueError, LookupError, Template.DoesNotExist) as error:
        logger.warning("notice %s could not be written: %s", message["key"], type(error).__name__)
        failed, _created = Message.objects.get_or_create(
            idempotency_key=message["idempotency_key"],
            defaults={
                "channel": message["channel"],
                "recipient": message["recipient"],
                "language": message["language"],
                "template": message["key"],
                "agency": message.get("agency"),
                "status": Status.FAILED,
                "error": f"could not be written: {error}",
                "error_code": "could_not_be_written",
                "reason_type": message.get("reason", ("", ""))[0],
                "reason_id": str(message.get("reason", ("", ""))[1]),
            },
        )
        return failed
