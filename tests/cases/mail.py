"""Building email for the mail-in tests: real RFC 5322 bytes, made with the standard library
the way mail programs make them (multipart, encoded names, HTML alternatives, attachments)."""

from email.message import EmailMessage
from email.policy import default
from email.utils import format_datetime, make_msgid

from django.utils import timezone

from accueil.cases.models import MailAddress

RECEIVING = "requetes@ville.example"
# Mail programs fold long Message-IDs as they are; the standard library's default policy would
# encode them (RFC 2047) past 78 characters, which no mail program does.
POLICY = default.clone(max_line_length=998)


def receiving_address(world, address: str = RECEIVING, language: str = "fr") -> MailAddress:
    return MailAddress.objects.create(
        agency=world.agency, address=address, service=world.service, language=language
    )


def message(
    text: str = "Bonjour,\n\nUn gros nid-de-poule devant le 12, rue Principale.\n\nLéa",
    *,
    sender: str = "Léa Roy <lea@example.org>",
    to: str = f"Ville <{RECEIVING}>",
    subject: str = "Nid-de-poule rue Principale",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    html: str | None = None,
    files: list[tuple[str, str, bytes]] = (),
    inline: list[tuple[str, str, bytes]] = (),
) -> bytes:
    """One message; ``files`` and ``inline``: (name, content type, bytes)."""
    mail = EmailMessage(policy=POLICY)
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message_id or make_msgid(domain="example.org")
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(text)
    if html is not None:
        mail.add_alternative(html, subtype="html")
    for name, content_type, data in inline:
        main, sub = content_type.split("/")
        body = mail.get_body(("html",)) if html is not None else mail
        body.add_related(data, maintype=main, subtype=sub, cid=f"<{name}>", filename=name)
    for name, content_type, data in files:
        main, sub = content_type.split("/")
        mail.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return bytes(mail)


def reply_to(sent, text: str, *, quote: str = "", sender: str = "lea@example.org", **kw) -> bytes:
    """The citizen's answer to ``sent`` (a message as our SMTP server received it), the way
    a mail program writes it: to its Reply-To, citing its Message-ID, quoting it below."""
    quoted = "\n".join(
        f"> {line}" for line in (quote or "Nous avons reçu votre demande").split("\n")
    )
    said = "Le mar. 1 déc. 2026 à 10:00, Ville <no-reply@ville.example> a écrit :"
    body = f"{text}\n\n{said}\n{quoted}\n"
    references = f"{sent['References'] or ''} {sent['Message-ID']}".strip()
    headers = {"In-Reply-To": sent["Message-ID"], "References": references, **kw.pop("headers", {})}
    return message(
        body,
        sender=sender,
        to=sent["Reply-To"] or RECEIVING,
        subject=f"Re: {sent['Subject']}",
        headers=headers,
        **kw,
    )
