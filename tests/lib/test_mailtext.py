"""accueil.lib.mailtext: refusals and limits, charset fallbacks, headers that stay one line,
which parts are body, automatic messages, language, calendar, and trimming rules that the
golden corpus (tests/golden/mail/) does not show on its own."""

from __future__ import annotations

import base64
from datetime import UTC

import pytest

from accueil.lib.mailtext import MAX_BYTES, MailRefused, html, parse, trim
from accueil.lib.mailtext.charset import decode
from accueil.lib.mailtext.flowed import unflow
from accueil.lib.mailtext.trim import MAX_LINE, new_words

PLAIN = (
    b"From: Marie <marie@Example.ORG>\r\n"
    b"To: info@ville.example\r\n"
    b"Subject: Nid-de-poule\r\n"
    b"Message-ID: <m1@example.org>\r\n"
    b"Date: Mon, 30 Nov 2026 10:05:00 -0500\r\n"
    b"\r\n"
    b"Il y a un trou rue Principale.\r\n"
)


def message(headers: str = "", body: bytes | str = "Bonjour", content_type: str = "") -> bytes:
    """A minimal message with extra header lines and a body."""
    head = "From: Marie <marie@example.org>\nTo: info@ville.example\nSubject: Test\n" + headers
    if content_type:
        head += f"Content-Type: {content_type}\n"
    data = body.encode("utf-8") if isinstance(body, str) else body
    return head.encode("utf-8") + b"\n" + data


# Refusals and limits ---------------------------------------------------------------------------


def test_a_plain_message_gives_its_words_and_headers():
    mail = parse(PLAIN)
    assert mail.text == "Il y a un trou rue Principale."
    assert mail.full_text == mail.text
    assert mail.message_id == "m1@example.org"
    assert mail.sender is not None and mail.sender.address == "marie@example.org"
    assert mail.date is not None and mail.date.utcoffset() is not None
    assert mail.automatic == ""


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


def test_the_default_limit_is_25_megabytes():
    assert MAX_BYTES == 25_000_000
    with pytest.raises(MailRefused) as refused:
        parse(PLAIN + b"x" * (MAX_BYTES - len(PLAIN) + 1))
    assert refused.value.reason == "too_large"


def test_bytes_without_any_mail_header_are_refused_as_unreadable():
    with pytest.raises(MailRefused) as refused:
        parse(b"\x00\xff\x10 this is not mail at all")
    assert refused.value.reason == "unreadable"


def _attachment(number: int) -> str:
    return (
        f"--b\nContent-Type: application/pdf\n"
        f'Content-Disposition: attachment; filename="f{number}.pdf"\n\n%PDF-{number}\n'
    )


def test_only_the_first_parts_up_to_the_cap_are_read():
    body = "--b\nContent-Type: text/plain\n\nVoici.\n" + "".join(_attachment(n) for n in range(80))
    mail = parse(message(body=body + "--b--\n", content_type='multipart/mixed; boundary="b"'))
    assert mail.text == "Voici."
    assert len(mail.parts) == 49  # 50 leaves: the body and 49 attachments
    assert mail.parts[0].filename == "f0.pdf"
    assert (
        len(
            parse(
                message(body=body + "--b--\n", content_type='multipart/mixed; boundary="b"'),
                max_parts=5,
            ).parts
        )
        == 4
    )


def test_parts_nested_deeper_than_the_cap_are_not_read():
    depth = 30
    body = ""
    for level in range(depth):
        body += f'--b{level}\nContent-Type: multipart/mixed; boundary="b{level + 1}"\n\n'
    body += f"--b{depth}\nContent-Type: text/plain\n\nTout au fond.\n--b{depth}--\n"
    for level in reversed(range(depth)):
        body += f"--b{level}--\n"
    raw = message(body=body, content_type='multipart/mixed; boundary="b0"')
    assert parse(raw).text == ""
    assert parse(raw, max_depth=40).text == "Tout au fond."


# Charsets ------------------------------------------------------------------------------------

FRENCH = "L’été à Québec : « ça va » — où ?"


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        (FRENCH.encode("utf-8"), "utf-8"),
        (FRENCH.encode("cp1252"), "windows-1252"),
        (FRENCH.encode("cp1252"), "iso-8859-1"),  # ’ and — are 0x92, 0x97: not Latin-1
        (FRENCH.encode("cp1252"), None),
        (FRENCH.encode("cp1252"), "us-ascii"),
        (FRENCH.encode("cp1252"), "utf-8"),  # declared wrong: falls back
        (FRENCH.encode("utf-8"), "iso-8859-1"),  # UTF-8 mislabelled Latin-1
        (FRENCH.encode("utf-8"), "x-no-such-charset"),
        (FRENCH.encode("cp1252"), "x-no-such-charset"),
        (FRENCH.encode("utf-8"), "base64"),  # a codec that is not a text encoding
    ],
)
def test_french_text_comes_out_readable_whatever_the_charset_says(data, declared):
    assert decode(data, declared) == FRENCH


def test_a_latin1_body_with_no_charset_and_an_8bit_subject_are_readable():
    raw = (
        b"From: Fran\xe7ois <f@example.org>\nSubject: \xc9cocentre ferm\xe9\n"
        b"Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n"
        b"L\x92\xe9cocentre est ferm\xe9 \xab samedi \xbb.\n"
    )
    mail = parse(raw)
    assert mail.subject == "Écocentre fermé"
    assert mail.sender is not None and mail.sender.name == "François"
    assert mail.text == "L’écocentre est fermé « samedi »."


def test_an_encoded_word_with_an_unknown_charset_does_not_break_the_subject():
    mail = parse(message(headers="").replace(b"Subject: Test", b"Subject: =?x-bogus?q?caf=E9?= ok"))
    assert mail.subject.endswith("ok")


def test_broken_base64_and_quoted_printable_give_what_can_be_read():
    bad_b64 = parse(
        message(
            headers="Content-Transfer-Encoding: base64\n",
            body=base64.b64encode("Bonjour à vous".encode()).decode()[:-3] + "!!*\n",
            content_type="text/plain; charset=utf-8",
        )
    )
    assert bad_b64.text.startswith("Bonjour")
    bad_qp = parse(
        message(
            headers="Content-Transfer-Encoding: quoted-printable\n",
            body="Caf=C3=A9 =ZZ fin=\n",
            content_type="text/plain; charset=utf-8",
        )
    )
    assert bad_qp.text.startswith("Café")


# Headers -------------------------------------------------------------------------------------


def test_encoded_cr_lf_in_subject_and_names_never_reaches_a_header_value():
    raw = (
        b"From: =?utf-8?q?Eve=0D=0ABcc=3A_x=40y=2Eorg?= <eve@example.org>\n"
        b"Subject: =?utf-8?q?Salut=0D=0ABcc=3A_victim=40example=2Eorg?=\n"
        b"Reply-To: =?utf-8?q?a=0Ab?= <r@example.org>\n\nx\n"
    )
    mail = parse(raw)
    assert mail.subject == "Salut Bcc: victim@example.org"
    assert mail.sender is not None and mail.sender.name == "Eve Bcc: x@y.org"
    assert mail.reply_to is not None and mail.reply_to.name == "a b"


def test_a_folded_subject_is_one_line_and_tabs_become_spaces():
    raw = b"From: a@example.org\nSubject: Demande\n\tde permis\x07 urgente\n\nx\n"
    assert parse(raw).subject == "Demande de permis urgente"


def test_recipients_gather_every_delivery_header_once_with_lower_case_domains():
    raw = message(
        headers=(
            "Cc: Info <INFO@Ville.Example>, autre@ville.example\n"
            "Delivered-To: 311+r-abc@Ville.Example\n"
            "X-Original-To: info@ville.example\n"
            "Envelope-To: Permis@ville.example\n"
        )
    )
    addresses = [a.address for a in parse(raw).recipients]
    assert addresses == [
        "info@ville.example",
        "autre@ville.example",
        "311+r-abc@ville.example",
        "Permis@ville.example",
    ]


@pytest.mark.parametrize("value", ["", "not an address", "<>", "@example.org", "Marie <marie@>"])
def test_a_missing_or_unparseable_sender_is_none(value):
    raw = message().replace(b"From: Marie <marie@example.org>", f"From: {value}".encode())
    assert parse(raw).sender is None


def test_message_ids_lose_their_brackets_and_keep_their_order():
    raw = message(
        headers=(
            "Message-ID: <new@example.org>\n"
            "In-Reply-To: <b@accueil.example> (comment)\n"
            "References: <a@accueil.example>\n <b@accueil.example>  <c@accueil.example>\n"
        )
    )
    mail = parse(raw)
    assert mail.message_id == "new@example.org"
    assert mail.in_reply_to == ["b@accueil.example"]
    assert mail.references == ["a@accueil.example", "b@accueil.example", "c@accueil.example"]
    bare = parse(message(headers="Message-ID: bare@example.org\n"))
    assert bare.message_id == "bare@example.org"


@pytest.mark.parametrize(
    ("value", "aware"),
    [
        ("Mon, 30 Nov 2026 10:05:00 -0500", True),
        ("Tue, 01 Dec 2026 14:40:00 -0000", True),
        ("Mon, 30 Nov 2026 10:05:00", False),
        ("yesterday", False),
        ("Mon, 99 Nov 2026 10:05:00 +0000", False),
    ],
)
def test_the_date_is_aware_or_none(value, aware):
    date = parse(message(headers=f"Date: {value}\n")).date
    assert (date is not None) == aware
    if date is not None:
        assert date.utcoffset() is not None


def test_a_minus_zero_date_is_utc():
    date = parse(message(headers="Date: Tue, 01 Dec 2026 14:40:00 -0000\n")).date
    assert date is not None and date.tzinfo == UTC


# Bodies and parts ----------------------------------------------------------------------------

ALTERNATIVE = """--a
Content-Type: text/plain; charset=utf-8

{plain}
--a
Content-Type: text/html; charset=utf-8

<p>Version <b>HTML</b></p>
--a--
"""


def test_the_plain_alternative_is_preferred_unless_it_is_empty():
    kind = 'multipart/alternative; boundary="a"'
    assert parse(
        message(body=ALTERNATIVE.format(plain="Version texte"), content_type=kind)
    ).text == ("Version texte")
    assert parse(message(body=ALTERNATIVE.format(plain="  "), content_type=kind)).text == (
        "Version HTML"
    )


def test_an_image_referenced_by_cid_is_inline_even_when_declared_an_attachment():
    body = """--r
Content-Type: text/html

<p>Voir <img src="cid:photo1@x"></p>
--r
Content-Type: image/png
Content-Disposition: attachment; filename="a.png"
Content-ID: <photo1@x>

PNG
--r
Content-Type: image/png
Content-Disposition: attachment; filename="b.png"

PNG
--r--
"""
    mail = parse(message(body=body, content_type='multipart/related; boundary="r"'))
    assert [(p.filename, p.inline, p.content_id) for p in mail.parts] == [
        ("a.png", True, "photo1@x"),
        ("b.png", False, ""),
    ]


def test_a_text_attachment_is_a_part_not_the_body():
    body = """--m
Content-Type: text/plain

Le message.
--m
Content-Type: text/plain; name="notes.txt"
Content-Disposition: attachment; filename="../../notes.txt"

Les notes.
--m--
"""
    mail = parse(message(body=body, content_type='multipart/mixed; boundary="m"'))
    assert mail.text == "Le message."
    assert [(p.filename, p.data) for p in mail.parts] == [(".._.._notes.txt", b"Les notes.")]


def test_a_message_forwarded_as_an_attachment_is_kept_as_its_bytes():
    body = """--m
Content-Type: text/plain

Voir le message joint.
--m
Content-Type: message/rfc822

From: x@example.org
Subject: Original

Le texte original.
--m--
"""
    mail = parse(message(body=body, content_type='multipart/mixed; boundary="m"'))
    assert mail.text == "Voir le message joint."
    assert mail.parts[0].content_type == "message/rfc822"
    assert b"Le texte original." in mail.parts[0].data


# Automatic messages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "subject", "automatic"),
    [
        ("", "Question", ""),
        ("Auto-Submitted: no\n", "Question", ""),
        ("Auto-Submitted: auto-generated\n", "Question", "auto-submitted"),
        ("Auto-Submitted: auto-replied; owner-email=x@y\n", "Question", "auto-submitted"),
        ("X-Autoreply: yes\n", "Question", "auto-reply"),
        ("X-Autorespond: Ferme\n", "Question", "auto-reply"),
        ("X-Precedence: auto_reply\n", "Question", "auto-reply"),
        ("X-Auto-Response-Suppress: All\nIn-Reply-To: <a@b>\n", "Question", "auto-reply"),
        ("X-Auto-Response-Suppress: OOF, DR\nReferences: <a@b>\n", "Question", "auto-reply"),
        ("X-Auto-Response-Suppress: All\n", "Question", ""),  # a new message, not a reply
        ("X-Auto-Response-Suppress: RN\n", "Réponse automatique : absent", "auto-reply"),
        ("", "Absent du bureau la semaine prochaine", ""),  # a subject alone never counts
        ("", "Out of office: back Monday", ""),
        ("List-Unsubscribe: <https://x.example/u>\n", "Nouvelles", "list"),
        ("List-Id: <voisins.example.org>\n", "Réunion", ""),  # a discussion list: people
        ("List-Id: <news.example.org>\nPrecedence: list\n", "Réunion", "list"),
        ("Precedence: bulk\n", "Avis", "precedence"),
        ("Precedence: junk\n", "Avis", "precedence"),
        ("Precedence: first-class\n", "Avis", ""),
        ("X-Loop: accueil@ville.example\n", "Avis", "loop"),
    ],
)
def test_automatic_messages_are_recognised_by_their_headers(headers, subject, automatic):
    raw = message(headers=headers).replace(b"Subject: Test", f"Subject: {subject}".encode())
    assert parse(raw).automatic == automatic


def test_a_read_receipt_is_an_automatic_report():
    body = """--r
Content-Type: text/plain

Votre message a été lu.
--r
Content-Type: message/disposition-notification

Final-Recipient: rfc822; marie@example.org
Disposition: manual-action/MDN-sent-manually; displayed
--r--
"""
    kind = 'multipart/report; report-type=disposition-notification; boundary="r"'
    assert parse(message(body=body, content_type=kind)).automatic == "report"


def test_an_old_style_bounce_from_mailer_daemon_with_the_original_attached_is_a_bounce():
    body = """--m
Content-Type: text/plain

Delivery failed.
--m
Content-Type: message/rfc822

From: info@ville.example
Subject: Réponse

Texte.
--m--
"""
    raw = message(body=body, content_type='multipart/mixed; boundary="m"').replace(
        b"From: Marie <marie@example.org>", b"From: Mail Delivery Subsystem <MAILER-DAEMON@x.org>"
    )
    assert parse(raw).automatic == "bounce"
    # the same shape from a person is a person's message with an attachment
    assert parse(raw.replace(b"MAILER-DAEMON@x.org", b"marie@x.org")).automatic == ""


# Language ------------------------------------------------------------------------------------


def test_content_language_wins_over_the_text():
    raw = message(headers="Content-Language: en-CA\n", body="Bonjour, je suis à la maison.")
    assert parse(raw).language == "en"


@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("Bonjour, le trottoir est brisé devant chez moi depuis une semaine.", "fr"),
        ("Hello, the sidewalk in front of my house has been broken for a week.", "en"),
        ("OK", ""),
        ("Guten Tag, der Bürgersteig vor meinem Haus ist kaputt.", ""),
    ],
)
def test_the_language_is_guessed_from_the_text_when_not_declared(body, language):
    assert parse(message(body=body).replace(b"Subject: Test", b"Subject: 2026")).language == (
        language
    )


# Calendar ------------------------------------------------------------------------------------

CALENDAR = """--c
Content-Type: text/plain

Invitation.
--c
Content-Type: text/calendar; method=REQUEST

BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:1
SUMMARY:Visite du chantier
DTSTART;VALUE=DATE:20261210
LOCATION:12 rue des Pins
END:VEVENT
BEGIN:VEVENT
UID:2
SUMMARY:Suivi
DTSTART:20261211T150000Z
END:VEVENT
END:VCALENDAR
--c--
"""


def test_a_calendar_invite_is_summarised_one_block_per_event():
    mail = parse(message(body=CALENDAR, content_type='multipart/alternative; boundary="c"'))
    assert mail.calendar == (
        "SUMMARY: Visite du chantier\nDTSTART: 2026-12-10\nLOCATION: 12 rue des Pins\n\n"
        "SUMMARY: Suivi\nDTSTART: 2026-12-11 15:00 (UTC)"
    )
    assert mail.text == "Invitation."
    assert mail.parts == []


def test_an_unreadable_calendar_gives_no_summary():
    broken = CALENDAR.replace("BEGIN:VCALENDAR", "BEGIN:VCALENDAR\nDTSTART:not-a-date\nBEGIN")
    mail = parse(message(body=broken, content_type='multipart/alternative; boundary="c"'))
    assert mail.calendar == ""


# Trimming rules ------------------------------------------------------------------------------


def test_a_sentence_starting_with_a_closing_word_is_not_taken_for_a_signature():
    text = (
        "Hello,\n\nThanks, the bin was picked up.\nBut not the recycling.\n\nBest regards,\nDavid"
    )
    assert new_words(text) == "Hello,\n\nThanks, the bin was picked up.\nBut not the recycling."


def test_answers_written_between_quoted_lines_keep_every_line_the_citizen_wrote():
    text = (
        "On Mon, Nov 30, 2026 at 10:02 AM City <a@city.example> wrote:\n"
        "> Which day?\n"
        "Tuesday.\n"
        "> At what time?\n"
        "Around 8.\n"
    )
    assert new_words(text) == "Tuesday.\nAround 8."


def test_an_outlook_forward_with_no_separator_line_keeps_the_forwarded_message():
    text = (
        "Voici le courriel reçu.\n\n"
        "De : Entrepreneur <e@example.org>\nEnvoyé : lundi 30 novembre 2026 09:12\n"
        "À : Marie <m@example.org>\nObjet : Travaux\n\nLes travaux commencent lundi.\n"
    )
    assert new_words(text, "TR: Travaux").endswith("Les travaux commencent lundi.")
    assert new_words(text, "Re: Travaux") == "Voici le courriel reçu."


def test_a_very_long_line_is_kept_whole():
    line = "On " + "très long " * (MAX_LINE // 5)
    quote = "Le 30 nov. 2026 à 10:02, Ville <v@ville.example> a écrit :\n> x"
    text = f"Bonjour,\n{line}\nMerci\n\n{quote}"
    assert new_words(text) == f"Bonjour,\n{line.strip()}\nMerci"


def test_format_flowed_joins_soft_breaks_and_honours_delsp():
    assert unflow("Un para \ngraphe.\n-- \nSig") == "Un para graphe.\n-- \nSig"
    assert unflow("Un para \ngraphe.", delsp=True) == "Un paragraphe."
    assert unflow("> cité \n> suite\nà moi") == "> cité suite\nà moi"


def test_a_citizens_own_objet_and_date_lines_are_not_taken_for_an_outlook_header_block():
    text = "Bonjour,\n\nObjet : permis\nDate : 1er décembre\nÀ : Service des permis\n\nMerci."
    assert new_words(text) == text


def test_a_long_body_is_searched_only_at_its_start_and_kept_whole_when_nothing_is_cut(monkeypatch):
    monkeypatch.setattr(trim, "MAX_SCAN", 80)
    words = "Première ligne du message.\n" + "Une autre ligne.\n" * 5
    assert new_words(words) == words.strip()
    quoted = "Merci.\n\nOn Mon, Nov 30, 2026 at 10:02 AM City <a@b.example> wrote:\n> x\n" * 3
    assert new_words(quoted) == "Merci."


def test_large_html_is_reduced_without_layout_and_past_the_cap_not_read(monkeypatch):
    table = "<table><tr><td>Rue</td><td>Pins</td></tr><tr><td>No</td><td>12</td></tr></table>"
    assert html.to_text(table).split() == ["Rue", "Pins", "No", "12"]
    monkeypatch.setattr(html, "MAX_LAYOUT", 10)
    lines = [line.strip() for line in html.to_text(table).splitlines() if line.strip()]
    assert lines == ["Rue Pins", "No 12"]
    monkeypatch.setattr(html, "MAX_HTML", len("<p>Début</p>"))
    assert html.to_text("<p>Début</p><p>Fin</p>").strip() == "Début"
