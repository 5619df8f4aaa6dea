"""The one call other features make: "send this event's message to this person"."""

from accueil.notify.models import Message
from accueil.notify.outbox import enqueue
from accueil.notify.templates_text import choose, render


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
