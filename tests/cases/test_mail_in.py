"""Email into requests, through the one action (cases/mail_actions.py): a new message opens a
request; only a signed token threads a reply; machines, duplicates and loops open nothing;
files follow issue 8's rules one by one; nothing personal reaches the logs."""

import json
import logging
from datetime import timedelta
from email.utils import formataddr
from pathlib import Path

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from accueil.accounts.models import ClientApp, ClientScope
from accueil.cases import actions
from accueil.cases.mail_actions import do_forget_old_inbound, do_receive_mail
from accueil.cases.models import Attachment, Case, CaseLink, InboundMail, Message, Status
from accueil.core.actions import ActionError
from accueil.core.actors import Actor
from accueil.core.models import Event
from accueil.notify.models import Message as Outgoing
from accueil.notify.outbox import run_batch
from tests.cases.mail import RECEIVING, message, receiving_address, reply_to
from tests.cases.test_citizen import assert_inert
from tests.factories import AgencyFactory, OfficeFactory, ServiceFactory
from tests.security.corpus.files import jpeg_with_gps, read

SYSTEM = Actor.system()
XSS = json.loads((Path(__file__).parents[1] / "security/corpus/xss.json").read_text())["payloads"]


@pytest.fixture
def mailroom(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    receiving_address(world)
    return world


def sent_to(address: str):
    """The last email our outbox sent to ``address``, as the mail program receives it."""
    run_batch()
    found = [m.message() for m in django_mail.outbox if address in m.to]
    assert found, f"nothing sent to {address}"
    return found[-1]


def receive(raw: bytes, **kwargs):
    return do_receive_mail(SYSTEM, raw, **kwargs)


# -- a new message ------------------------------------------------------------------------------


def test_a_new_message_opens_a_request_on_the_addresses_service_and_acknowledges_it(mailroom):
    outcome = receive(message())
    assert outcome.outcome == "opened"
    case = Case.objects.get(reference=outcome.reference)
    assert case.service == mailroom.service and case.channel == "email"
    assert case.contact_email == "lea@example.org" and case.contact_name == "Léa Roy"
    assert case.description.startswith("Nid-de-poule rue Principale\n\nBonjour,")
    ack = sent_to("lea@example.org")
    assert case.reference in ack["Subject"]


def test_the_recipient_matches_without_case_or_plus_tag_and_from_cc_or_the_envelope(mailroom):
    assert receive(message(to="REQUETES+whatever@Ville.Example")).outcome == "opened"
    assert receive(message(to="x@y.example", headers={"Cc": RECEIVING})).outcome == "opened"
    assert receive(message(to="x@y.example"), recipient=RECEIVING).outcome == "opened"
    raw = message(to="x@y.example", headers={"X-Original-To": RECEIVING})
    assert receive(raw).outcome == "opened"


def test_a_message_to_no_receiving_address_is_refused_as_unknown(mailroom):
    with pytest.raises(ActionError) as refused:
        receive(message(to="someone@elsewhere.example"))
    assert refused.value.code == "unknown_address"
    assert not Case.objects.exists() and not InboundMail.objects.exists()


def test_unreadable_bytes_are_refused_and_change_nothing(mailroom):
    for raw in (b"", b"\x00\x01\x02 not a message at all"):
        with pytest.raises(ActionError) as refused:
            receive(raw)
        assert refused.value.code == "unreadable"
    assert not Case.objects.exists()


def test_a_client_application_reaches_only_its_own_agencys_addresses(mailroom):
    other = AgencyFactory()
    app, _key = ClientApp.issue(other, "Fournisseur", ClientScope.MAIL)
    with pytest.raises(ActionError) as refused:
        do_receive_mail(app.actor(), message())
    assert refused.value.code == "unknown_address"
    own, _key = ClientApp.issue(mailroom.agency, "Fournisseur", ClientScope.MAIL)
    outcome = do_receive_mail(own.actor(), message())
    event = Event.objects.get(verb="mail.received")
    assert outcome.outcome == "opened" and event.data["client_app"] == str(own.pk)


def test_html_only_mail_becomes_text_and_the_language_follows_the_message(mailroom):
    html = "<html><body><p>The <b>street light</b> on Oak Street is out.</p></body></html>"
    raw = message("x", subject="Street light out", headers={"Content-Language": "en"}, html=html)
    # An HTML-only message: drop the plain part the helper added.
    outcome = receive(raw.replace(b"Content-Type: text/plain", b"Content-Type: text/x-ignored"))
    case = Case.objects.get(reference=outcome.reference)
    assert "street light" in case.description and "<b>" not in case.description
    assert case.language == "en"


# -- replies ------------------------------------------------------------------------------------


def test_a_reply_to_our_acknowledgement_lands_on_the_same_request_with_quotes_trimmed(mailroom):
    case = Case.objects.get(reference=receive(message()).reference)
    ack = sent_to("lea@example.org")
    outcome = receive(reply_to(ack, "Il est encore plus gros ce matin."))
    assert outcome.outcome == "replied" and outcome.reference == case.reference
    answer = Message.objects.get(case=case, kind="citizen")
    assert answer.body == "Il est encore plus gros ce matin." and answer.channel == "email"
    assert Case.objects.count() == 1


def test_a_reply_with_only_a_photo_keeps_the_photo_not_our_quoted_email(mailroom):
    case = Case.objects.get(reference=receive(message()).reference)
    ack = sent_to("lea@example.org")
    raw = reply_to(ack, "", files=[("trou.jpg", "image/jpeg", jpeg_with_gps())])
    assert receive(raw).outcome == "replied"
    answer = Message.objects.get(case=case, kind="citizen")
    assert answer.body == "(Le courriel ne contenait pas de texte.)"
    assert [a.name for a in answer.attachments.all()] == ["trou.jpg"]


def test_a_reply_citing_only_our_message_id_is_threaded_too(mailroom):
    case = Case.objects.get(reference=receive(message()).reference)
    ack = sent_to("lea@example.org")
    raw = message(
        "Voici une précision.",
        to=RECEIVING,  # written to the plain address, not the reply address
        headers={"In-Reply-To": ack["Message-ID"]},
    )
    assert receive(raw).reference == case.reference


def test_a_forged_from_with_no_token_opens_a_new_request_instead(mailroom):
    case = Case.objects.get(reference=receive(message()).reference)
    forged = message(
        "Annulez ma demande.",
        sender="Léa Roy <lea@example.org>",
        subject=f"Re: Nous avons reçu votre demande {case.reference}",
    )
    outcome = receive(forged)
    assert outcome.outcome == "opened" and outcome.reference != case.reference
    assert not Message.objects.filter(case=case, kind="citizen").exists()


def test_a_forged_in_reply_to_or_a_wrong_token_never_attaches(mailroom):
    case = Case.objects.get(reference=receive(message()).reference)
    ack = sent_to("lea@example.org")
    good_token = ack["Reply-To"].split(".")[-2].split("@")[0]
    bad_token = ("a" if good_token[0] != "a" else "b") + good_token[1:]
    forged_address = ack["Reply-To"].replace(good_token, bad_token)
    attempts = [
        message("Hop", to=forged_address),
        message(
            "Hop", headers={"In-Reply-To": f"<x.{case.reference.lower()}.{bad_token}@accueil>"}
        ),
        message("Hop", headers={"In-Reply-To": "<0b6c8f0e@accueil>", "References": "<a@b>"}),
    ]
    for raw in attempts:
        assert receive(raw).reference != case.reference
    assert not Message.objects.filter(case=case, kind="citizen").exists()


def ack_thread(case):
    return case.reference.lower()


def test_a_token_of_another_agencys_request_does_not_cross_agencies(mailroom):
    other = AgencyFactory()
    office = OfficeFactory(agency=other)
    service = ServiceFactory(agency=other, offices=[office])
    their_case = actions.do_open_case(
        SYSTEM,
        service=service,
        channel="email",
        intake=actions.Intake(description="Ailleurs", language="fr", email="x@example.org"),
    )
    from accueil.cases import mailthread

    address = mailthread.reply_address(their_case, RECEIVING)
    outcome = receive(message("Hop", to=address))
    assert outcome.outcome == "opened" and outcome.reference != their_case.reference


def test_a_reply_to_a_closed_request_opens_a_new_one_linked_to_it(mailroom):
    case = Case.objects.get(reference=receive(message()).reference)
    ack = sent_to("lea@example.org")
    agent = Actor.staff(case.assignee)
    actions.do_change_status(agent, case, Status.RESOLVED)
    actions.do_change_status(agent, case, Status.CLOSED)
    outcome = receive(reply_to(ack, "Le trou est revenu."))
    assert outcome.outcome == "opened" and outcome.reason == "after_closed"
    new = Case.objects.get(reference=outcome.reference)
    assert new.service == case.service and new.description.endswith("Le trou est revenu.")
    assert CaseLink.objects.filter(case=new, other=case).exists()
    assert CaseLink.objects.filter(case=case, other=new).exists()


def test_a_reply_to_a_resolved_request_reopens_it(mailroom):
    case = Case.objects.get(reference=receive(message()).reference)
    ack = sent_to("lea@example.org")
    actions.do_change_status(Actor.staff(case.assignee), case, Status.RESOLVED)
    assert receive(reply_to(ack, "Ce n’est pas réglé.")).outcome == "replied"
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_our_replies_and_status_notices_are_threaded_to_the_citizens_message(mailroom):
    citizen_id = "<CAF+original-1@mail.example.org>"
    case = Case.objects.get(reference=receive(message(message_id=citizen_id)).reference)
    ack = sent_to("lea@example.org")
    actions.do_reply(Actor.staff(case.assignee), case, "Une équipe passera jeudi.")
    answer = sent_to("lea@example.org")
    for sent in (ack, answer):
        assert sent["In-Reply-To"] == citizen_id
        assert citizen_id in sent["References"]
        thread = sent["References"].split()[0]
        assert case.reference.lower() in thread
        assert sent["Reply-To"].startswith("requetes+" + case.reference.lower() + ".")
    assert ack["References"].split()[0] == answer["References"].split()[0]  # one thread


# -- machines, duplicates, loops ------------------------------------------------------------------


AUTO_REPLY = {"Auto-Submitted": "auto-replied"}


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
    ],
)
def test_an_auto_reply_opens_nothing_and_sends_nothing(mailroom, headers):
    outcome = receive(message("Je suis absente jusqu’au 5.", headers=headers))
    assert outcome.outcome == "ignored" and outcome.reason
    assert not Case.objects.exists() and not Outgoing.objects.exists()
    row = InboundMail.objects.get()
    assert row.outcome == "ignored" and row.message_id == "" and row.sender_digest == ""


def test_a_bounce_opens_nothing_and_sends_nothing(mailroom):
    bounce = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
        b"To: requetes@ville.example\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <bounce-1@mx.example.org>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nThis is the mail system. I'm sorry.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; gone@example.org\r\n"
        b"Action: failed\r\nStatus: 5.1.1\r\n--B--\r\n"
    )
    assert receive(bounce).outcome == "ignored"
    assert not Case.objects.exists() and not Outgoing.objects.exists()


def test_an_auto_reply_to_our_acknowledgement_is_ignored_not_threaded(mailroom):
    case = Case.objects.get(reference=receive(message()).reference)
    ack = sent_to("lea@example.org")
    before = Outgoing.objects.count()
    assert receive(reply_to(ack, "Absente.", headers=AUTO_REPLY)).outcome == "ignored"
    assert not Message.objects.filter(case=case, kind="citizen").exists()
    assert Outgoing.objects.count() == before


def test_the_same_message_delivered_twice_makes_one_request_and_one_message(mailroom):
    raw = message(message_id="<twice@example.org>")
    first, second = receive(raw), receive(raw)
    assert first.outcome == "opened"
    assert second.outcome == "duplicate" and second.reference == first.reference
    assert Case.objects.count() == 1
    assert Outgoing.objects.filter(template="case.received").count() == 1


def test_a_reply_delivered_twice_is_added_once(mailroom):
    case = Case.objects.get(reference=receive(message()).reference)
    raw = reply_to(sent_to("lea@example.org"), "Encore moi.")
    assert [receive(raw).outcome, receive(raw).outcome] == ["replied", "duplicate"]
    assert Message.objects.filter(case=case, kind="citizen").count() == 1


def test_a_message_without_message_id_is_recognised_by_its_bytes(mailroom):
    raw = message().replace(b"Message-ID:", b"X-Old-Message-ID:")
    assert [receive(raw).outcome, receive(raw).outcome] == ["opened", "duplicate"]


def test_acknowledgements_to_one_sender_are_capped_but_requests_still_open(mailroom, settings):
    settings.MAIL_ACKS_PER_HOUR = 2
    outcomes = [receive(message(f"Message {n}")) for n in range(4)]
    assert [o.outcome for o in outcomes] == ["opened"] * 4
    capped = "acknowledgements_capped"
    assert [o.reason for o in outcomes] == ["", "", capped, capped]
    assert Outgoing.objects.filter(template="case.received").count() == 2
    later = timezone.now() + timedelta(hours=1, minutes=1)
    assert do_receive_mail(SYSTEM, message("Plus tard"), now=later).reason == ""


def test_ignored_rows_are_forgotten_after_thirty_days_and_request_rows_stay(mailroom):
    receive(message(headers={"Auto-Submitted": "auto-replied"}))
    receive(message())
    assert do_forget_old_inbound(timezone.now() + timedelta(days=29)) == 0
    assert do_forget_old_inbound(timezone.now() + timedelta(days=31)) == 1
    assert InboundMail.objects.get().case is not None


# -- files ----------------------------------------------------------------------------------------


def test_a_refused_file_does_not_lose_the_message_and_a_note_says_why(mailroom):
    photo = jpeg_with_gps()
    raw = message(
        files=[
            ("trou.jpg", "image/jpeg", photo),
            ("virus.exe", "application/octet-stream", b"MZ\x90\x00" + b"\x00" * 200),
            ("page.pdf", "application/pdf", read("html_renamed.pdf")),
        ]
    )
    case = Case.objects.get(reference=receive(raw).reference)
    [kept] = Attachment.objects.filter(case=case)
    assert kept.name == "trou.jpg" and kept.from_citizen and kept.public
    assert b"GPS" not in kept.data  # cleaned by issue 8's rules
    note = Message.objects.get(case=case, kind="note")
    assert "virus.exe" in note.body and "page.pdf" in note.body
    event = Event.objects.get(verb="mail.received")
    assert event.data["files"] == 1 and event.data["files_refused"] == 2


def test_a_file_over_the_services_size_is_refused_alone(mailroom):
    settings_row = actions.settings_for(mailroom.service)
    settings_row.attachment_max_mb = 1
    settings_row.save()
    big = jpeg_with_gps(size=(3000, 3000)) + b"\x00" * 1_200_000
    case = Case.objects.get(
        reference=receive(message(files=[("gros.jpg", "image/jpeg", big)])).reference
    )
    assert not Attachment.objects.filter(case=case).exists()
    assert "gros.jpg" in Message.objects.get(case=case, kind="note").body


def test_small_inline_images_are_dropped_and_large_ones_kept(mailroom):
    logo = jpeg_with_gps(size=(8, 8))
    photo = jpeg_with_gps(size=(400, 300)) + b"\x00" * 20_000  # > INLINE_MIN_BYTES
    html = '<p>Voyez la photo <img src="cid:photo.jpg"> <img src="cid:logo.jpg"></p>'
    raw = message(
        html=html,
        inline=[("logo.jpg", "image/jpeg", logo), ("photo.jpg", "image/jpeg", photo)],
    )
    case = Case.objects.get(reference=receive(raw).reference)
    assert list(Attachment.objects.filter(case=case).values_list("name", flat=True)) == [
        "photo.jpg"
    ]
    assert not Message.objects.filter(case=case, kind="note").exists()


# -- what people see, what the logs say -----------------------------------------------------------


@pytest.mark.parametrize("payload", XSS)
def test_a_hostile_email_is_inert_on_the_workspace_and_tracking_pages(mailroom, client, payload):
    html = f"<p>{payload}</p><script>alert(1)</script>"
    sender = formataddr((payload[:60], "lea@example.org"))
    raw = message(payload, sender=sender, subject=payload[:200], html=html)
    case = Case.objects.get(reference=receive(raw).reference)
    client.force_login(mailroom.agents[0])
    for url in (f"/fr/cases/{case.reference}/", "/fr/cases/?view=all"):
        assert_inert(client.get(url).content.decode())
    client.logout()
    page = client.get(f"/fr/track/{case.reference}/{case.tracking_secret}/")
    assert_inert(page.content.decode())


def test_no_address_subject_or_text_reaches_the_logs(mailroom, caplog):
    caplog.set_level(logging.DEBUG)
    receive(message(subject="Secret subject", sender="Privé <prive@example.org>"))
    receive(message(headers={"Auto-Submitted": "auto-replied"}, sender="robot@example.org"))
    with pytest.raises(ActionError):
        receive(message(to="nobody@elsewhere.example", sender="x@private.example"))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "mail opened" in logged and "mail ignored" in logged
    for private in ("prive@", "Secret subject", "robot@", "nobody@", "x@private", "Privé"):
        assert private not in logged
