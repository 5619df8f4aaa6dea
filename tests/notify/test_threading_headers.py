"""Reply-To, In-Reply-To and References on outgoing email: set by the caller, checked when the
message is queued (nothing can break out of a header), written by the email channel."""

import pytest

from accueil.core.worker import drain_outbox
from accueil.notify.outbox import enqueue


def email(key, **options):
    return enqueue(
        channel="email",
        recipient="lea@example.org",
        idempotency_key=key,
        subject="Votre demande",
        body="Bonjour",
        **options,
    )


def test_reply_to_and_references_reach_the_smtp_server(db, smtp_server):
    queued = email(
        "h1",
        thread="r-2026-aaaaaa.token",
        reply_to="requetes+r-2026-aaaaaa.token@ville.example",
        references=["<first@mail.example.org>"],
    )
    drain_outbox()
    [sent] = smtp_server.messages
    assert sent["Reply-To"] == "requetes+r-2026-aaaaaa.token@ville.example"
    assert sent["In-Reply-To"] == "<first@mail.example.org>"
    assert sent["References"] == f"{queued.thread_id} <first@mail.example.org>"
    assert sent["Message-ID"] == queued.message_id and "r-2026-aaaaaa.token@" in queued.message_id


@pytest.mark.parametrize(
    "options",
    [
        {"reply_to": "a@b.example\r\nBcc: victim@example.org"},
        {"reply_to": "not an address"},
        {"references": ["<a@b>\r\nBcc: victim@example.org"]},
        {"references": ["<a b@c>"]},
        {"references": ["no-brackets@c"]},
        {"thread": "x\nBcc: y"},
        {"thread": "case:with:colons"},
    ],
)
def test_anything_that_could_break_out_of_a_header_is_refused_when_queued(db, options):
    with pytest.raises(ValueError):
        email("h2", **options)


def test_a_row_written_with_a_line_break_fails_at_send_time_and_sends_nothing(db, smtp_server):
    from accueil.notify.models import Message

    message = email("h3")
    Message.objects.filter(pk=message.pk).update(reply_to="a@b.example\r\nBcc: v@example.org")
    drain_outbox()
    assert smtp_server.messages == []
    assert Message.objects.get(pk=message.pk).status == "failed"
