"""accueil.lib.mailtext: limits, refusals, charset fallbacks, headers that stay one line."""

from __future__ import annotations

import pytest

from accueil.lib.mailtext import MailRefused, parse

PLAIN = (
    b"From: Marie <marie@Example.ORG>\r\n"
    b"To: info@ville.example\r\n"
    b"Subject: Nid-de-poule\r\n"
    b"Message-ID: <m1@example.org>\r\n"
    b"Date: Mon, 30 Nov 2026 10:05:00 -0500\r\n"
    b"\r\n"
    b"Il y a un trou rue Principale.\r\n"
)


def test_a_plain_message_gives_its_words_and_headers():
    mail = parse(PLAIN)
    assert mail.text == "Il y a un trou rue Principale."
    assert mail.message_id == "m1@example.org"
    assert mail.sender is not None and mail.sender.address == "marie@example.org"
    assert mail.date is not None and mail.date.utcoffset() is not None


@pytest.mark.parametrize("raw", [b"", b"\r\n\r\n  \n"])
def test_an_empty_message_is_refused_as_empty(raw):
    with pytest.raises(MailRefused) as refused:
        parse(raw)
    assert refused.value.reason == "empty"


def test_a_message_over_the_limit_is_refused_as_too_large():
    with pytest.raises(MailRefused) as refused:
        parse(PLAIN, max_bytes=len(PLAIN) - 1)
    assert refused.value.reason == "too_large"
    assert parse(PLAIN, max_bytes=len(PLAIN)).text


def test_bytes_without_any_mail_header_are_refused_as_unreadable():
    with pytest.raises(MailRefused) as refused:
        parse(b"\x00\xff\x10 this is not mail at all")
    assert refused.value.reason == "unreadable"
