"""Email in: the one action every way mail arrives calls (``accueil mail-in``, the provider
webhook ``POST /api/v1/mail/inbound``, the IMAP poller).

``do_receive_mail(actor, raw, recipient=…)`` reads the message (``accueil.lib.mailtext``),
finds the agency's receiving address among its recipients, and then, in this order:

1. **the same message again** (its Message-ID already received by the agency): nothing new
   happens; the outcome names the request the first delivery made. Two deliveries at once are
   settled by the unique key on ``InboundMail`` (the second waits for the first's commit, then
   finds it);
2. **mail sent by a machine** (auto-reply, bounce, bulk: the parser's ``automatic``): recorded
   as ignored, with no address kept; no request, no acknowledgement, so no mail loop;
3. **a reply**, recognised only by a valid signed token (``cases/mailthread.py``): added to its
   request as the citizen (``do_citizen_reply``). A reply to a request that is closed, or
   resolved past its reopening window, opens a new request linked to the old one: the citizen
   wrote to us and expects an answer, and staff see the history through the link;
4. otherwise **a new request** on the address's service, acknowledged to the sender as any
   request is — at most ``MAIL_ACKS_PER_HOUR`` acknowledgements an hour per sender address,
   so that an auto-responder that says nothing of being one cannot start a loop (the request
   still opens; only the acknowledgement is held back).

Files go through issue 8's rules (the service's kinds and size): each is kept or refused on
its own, and the refused ones are listed in an internal note, so one ``.exe`` never loses the
message. Inline images under ``INLINE_MIN_BYTES`` (signature logos, tracking pixels) are
dropped; larger ones (a photo pasted in the text) are kept like attachments.

Refusals are ``ActionError``s with stable codes, which the command turns into the exit status a
mail server understands and the webhook into its 4xx: ``unreadable``, ``too_large``,
``unknown_address``, ``unavailable``.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accueil.cases import actions, mailthread
from accueil.cases.intake import MAX_DESCRIPTION, Intake, clean_contact
from accueil.cases.models import (
    Case,
    CaseLink,
    InboundMail,
    InboundOutcome,
    MailAddress,
    Message,
    MessageKind,
    Status,
)
from accueil.catalog.models import Channel
from accueil.core.actions import ActionError
from accueil.core.actors import Actor, ActorKind
from accueil.core.events import record_event
from accueil.core.uploads import check_upload, refusal_message
from accueil.lib.mailtext import Mail, MailRefused, parse
from accueil.lib.uploads import CleanFile, Refused, clean_name

logger = logging.getLogger("accueil.cases.mail")

INLINE_MIN_BYTES = 16_000  # smaller inline images are logos and pixels, not the citizen's photo
SKIPPED_TYPES = ("text/calendar", "application/ics")  # read into the text by the parser
ACK_WINDOW = timedelta(hours=1)
INBOUND_KEPT = timedelta(days=30)
MAX_NAME = 1_000  # characters of a file's name looked at (clean_name keeps 120)


@dataclass(frozen=True)
class MailOutcome:
    """What became of one message: ``opened``, ``replied``, ``duplicate`` or ``ignored``."""

    outcome: str
    reference: str = ""
    reason: str = ""

    @property
    def created(self) -> bool:
        return self.outcome in (InboundOutcome.OPENED, InboundOutcome.REPLIED)


# -- reading -----------------------------------------------------------------------------------


def read_mail(raw: bytes) -> Mail:
    """The parsed message, or the refusal (permanent: sending it again will not help)."""
    try:
        return parse(raw, max_bytes=settings.MAIL_MAX_BYTES)
    except MailRefused as refused:
        if refused.reason == "too_large":
            raise ActionError(
                "too_large",
                _("This message is too large: the limit is %(limit)s MB.")
                % {"limit": settings.MAIL_MAX_BYTES // 1_000_000},
                413,
            ) from None
        message = _("This is not an email message we can read.")
        raise ActionError("unreadable", message, 400) from None


def access_mail_address(actor: Actor, mail: Mail, recipient: str = "") -> MailAddress:
    """The receiving address the message was sent to: the envelope recipient first, then
    To, Cc, Delivered-To, X-Original-To. A client application only reaches its agency's."""
    if actor.kind not in (ActorKind.SYSTEM, ActorKind.CLIENT_APP):
        raise PermissionDenied
    wanted = [mailthread.normalise(recipient)] if recipient else []
    wanted += [mailthread.normalise(r.address) for r in mail.recipients]
    wanted = [address for address in dict.fromkeys(wanted) if address]
    found = MailAddress.objects.filter(address__in=wanted, active=True).select_related(
        "agency", "service"
    )
    if actor.kind == ActorKind.CLIENT_APP:
        found = found.filter(agency_id=actor.agency_id)
    by_address = {address.address: address for address in found}
    for address in wanted:
        if address in by_address:
            return by_address[address]
    raise ActionError(
        "unknown_address", _("No request service receives mail at this address."), 404
    )


def message_key(mail: Mail, raw: bytes | None) -> str:
    """What makes two deliveries the same message: its Message-ID, else its bytes."""
    if mail.message_id:
        basis = mail.message_id.encode("utf-8", "replace")
    elif raw is not None:
        basis = raw
    else:
        basis = repr((mail.sender, mail.date, mail.subject, mail.full_text)).encode()
    return hashlib.sha256(basis).hexdigest()


def sender_digest(mail: Mail) -> str:
    sender = _contact_address(mail)
    if not sender:
        return ""
    return hashlib.sha256(f"{settings.SECRET_KEY}:mail:{sender}".encode()).hexdigest()


def _contact_address(mail: Mail) -> str:
    """Where the person wants answers: Reply-To when the message names one, else From."""
    chosen = mail.reply_to or mail.sender
    return chosen.address.strip().lower() if chosen and chosen.address else ""


def _contact_name(mail: Mail) -> str:
    chosen = mail.reply_to if mail.reply_to and mail.reply_to.name else mail.sender
    return chosen.name if chosen else ""


# -- the action --------------------------------------------------------------------------------


def do_receive_mail(
    actor: Actor, raw: bytes | Mail, *, recipient: str = "", now=None
) -> MailOutcome:
    """Receive one message (raw RFC 5322 bytes, or already parsed); see the module docstring."""
    mail = raw if isinstance(raw, Mail) else read_mail(raw)
    address = access_mail_address(actor, mail, recipient)
    key = message_key(mail, None if isinstance(raw, Mail) else raw)
    earlier = _earlier(address, key)
    if earlier is not None:
        return earlier
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                # First, so that a second delivery at once waits here for this one's commit.
                row = InboundMail.objects.create(
                    agency=address.agency,
                    message_key=key,
                    outcome=InboundOutcome.IGNORED,
                    received_at=now,
                )
        except IntegrityError:
            earlier = _earlier(address, key)
            if earlier is None:
                raise
            return earlier
        if mail.automatic:
            return _ignore(actor, row, address, mail.automatic[:40])
        case = mailthread.case_for(mail, address.agency_id, recipient)
        if case is not None and _still_open(case, now):
            return _reply(actor, row, mail, case, now)
        return _open(actor, row, address, mail, now, after=case)


def _earlier(address: MailAddress, key: str) -> MailOutcome | None:
    found = (
        InboundMail.objects.filter(agency_id=address.agency_id, message_key=key)
        .select_related("case")
        .first()
    )
    if found is None:
        return None
    return MailOutcome("duplicate", found.case.reference if found.case else "", found.outcome)


def _ignore(actor: Actor, row: InboundMail, address: MailAddress, why: str) -> MailOutcome:
    InboundMail.objects.filter(pk=row.pk).update(reason=why)
    record_event("mail.ignored", row, actor=actor, agency=address.agency, data={"reason": why})
    logger.info("mail ignored (%s), agency %s", why, address.agency_id)
    return MailOutcome(InboundOutcome.IGNORED.value, reason=why)


def _still_open(case: Case, now) -> bool:
    """Would the citizen's answer reach this request (its original after a merge)?"""
    target = case.duplicate_of if case.duplicate_of_id else case
    if target.status == Status.CLOSED:
        return False
    if target.status == Status.RESOLVED and target.resolved_at is not None:
        window = timedelta(days=actions.settings_for(target.service).reopen_days)
        return now - target.resolved_at <= window
    return True


def _reply(actor, row, mail: Mail, case: Case, now) -> MailOutcome:
    files, refused = _files(case.service, mail, case.language)
    body = _text(mail, case.language, with_subject=False)
    message = actions.do_citizen_reply(
        Actor.citizen("case", case.pk), case, body, files=files, now=now, channel=Channel.EMAIL
    )
    if refused:
        _note_refused(case, refused, now)
    _record(actor, row, case, InboundOutcome.REPLIED, mail, now, files, refused)
    logger.info("mail added to a request (message %s)", message.pk)
    return MailOutcome(InboundOutcome.REPLIED.value, case.reference)


def _open(actor, row, address, mail: Mail, now, *, after: Case | None) -> MailOutcome:
    service = after.service if after is not None else address.service
    language = mail.language if mail.language in ("fr", "en") else address.language
    if after is not None:
        language = after.language
    name, email, _phone, _problems = clean_contact(_contact_name(mail), _contact_address(mail), "")
    files, refused = _files(service, mail, language)
    digest = sender_digest(mail)
    acknowledge = bool(email) and _acks_left(address, digest, now)
    case = actions.do_open_case(
        Actor.system(),
        service=service,
        channel=Channel.EMAIL,
        intake=Intake(description=_text(mail, language), language=language, name=name, email=email),
        files=files,
        now=now,
        acknowledge=False,  # below, once the message is recorded: the notice cites it
    )
    if after is not None:
        for one, two in ((case, after), (after, case)):
            CaseLink.objects.get_or_create(case=one, other=two)
    if refused:
        _note_refused(case, refused, now)
    reason = "after_closed" if after is not None else ""
    if email and not acknowledge:
        reason = "acknowledgements_capped"
    InboundMail.objects.filter(pk=row.pk).update(sender_digest=digest, acknowledged=acknowledge)
    _record(actor, row, case, InboundOutcome.OPENED, mail, now, files, refused, reason)
    if acknowledge:
        actions.acknowledge_case(case)
    logger.info("mail opened a request (%s)", reason or "new")
    return MailOutcome(InboundOutcome.OPENED.value, case.reference, reason)


def _record(actor, row, case, outcome, mail, now, files, refused, reason="") -> None:
    InboundMail.objects.filter(pk=row.pk).update(
        case=case, outcome=outcome, reason=reason, message_id=mail.message_id[:300]
    )
    record_event(
        "mail.received",
        case,
        actor=actor,
        data={
            "outcome": outcome,
            "reason": reason,
            "files": len(files),
            "files_refused": len(refused),
            "linked": reason == "after_closed",
        },
        office=case.office_id,
        service=case.service_id,
        at=now,
    )


def _acks_left(address: MailAddress, digest: str, now) -> bool:
    """Fewer than MAIL_ACKS_PER_HOUR acknowledgements went to this sender in the last hour."""
    sent = InboundMail.objects.filter(
        agency_id=address.agency_id,
        sender_digest=digest,
        acknowledged=True,
        received_at__gt=now - ACK_WINDOW,
    ).count()
    return sent < settings.MAIL_ACKS_PER_HOUR


# -- text and files ----------------------------------------------------------------------------


def _text(mail: Mail, language: str, *, with_subject: bool = True) -> str:
    """The citizen's words: the subject as the first line of a new request, then the new
    text (quotes and signature trimmed by the parser), then an invitation's summary. A new
    request whose text is all quotation (a forward without a word) keeps the whole text; a
    reply keeps only its new words, so a reply with just a file does not repeat our email."""
    text = mail.text.strip()
    if with_subject and not text:
        text = mail.full_text.strip()
    parts = []
    subject = mail.subject.strip()
    if with_subject and subject and not text.startswith(subject):
        parts.append(subject)
    if text:
        parts.append(text)
    if mail.calendar:
        parts.append(mail.calendar.strip())
    body = "\n\n".join(parts)
    if not body:
        with translation.override(language):
            body = _("(The email had no text.)")
    if len(body) > MAX_DESCRIPTION:
        with translation.override(language):
            cut = _("[The rest of the email was too long to keep.]")
        body = body[: MAX_DESCRIPTION - len(cut) - 2].rstrip() + "\n\n" + cut
    return body


def _files(service, mail: Mail, language: str) -> tuple[list[CleanFile], list[tuple[str, str]]]:
    """The message's files that the service accepts, and (name, why) for each refused one
    (said in the request's language, for the note)."""
    with translation.override(language):
        return _sort_files(service, mail)


def _sort_files(service, mail: Mail) -> tuple[list[CleanFile], list[tuple[str, str]]]:
    case_settings = actions.settings_for(service)
    allowed = set(case_settings.attachment_kinds)
    limit = case_settings.attachment_max_mb * actions.MB
    kept: list[CleanFile] = []
    refused: list[tuple[str, str]] = []
    for part in mail.parts:
        if part.content_type.lower() in SKIPPED_TYPES:
            continue
        if part.inline and len(part.data) < INLINE_MIN_BYTES:
            continue
        name = clean_name((part.filename or "file")[:MAX_NAME])
        if len(kept) >= settings.DATA_UPLOAD_MAX_NUMBER_FILES:
            refused.append((name, _("Too many files in one message.")))
            continue
        upload = SimpleUploadedFile(name, part.data, part.content_type)
        try:
            kept.append(check_upload(upload, allowed=allowed, max_bytes=limit))
        except Refused as why:
            refused.append((name, refusal_message(why)))
    return kept, refused


def _note_refused(case: Case, refused: list[tuple[str, str]], now) -> None:
    """An internal note: which files of the email were not kept, and why (staff may ask the
    citizen for them another way)."""
    with translation.override(case.language):
        lines = [_("Files of this email that were not kept:")]
        lines += [f"- {name}: {why}" for name, why in refused]
    Message.objects.create(case=case, kind=MessageKind.NOTE, body="\n".join(lines), created_at=now)


# -- housekeeping ------------------------------------------------------------------------------


def do_forget_old_inbound(now=None) -> int:
    """Rows of ignored mail serve only to recognise a late second delivery and to count
    acknowledgements: after ``INBOUND_KEPT`` they go (rows of mail on a request stay with it,
    and go when the request does)."""
    now = now or timezone.now()
    deleted, _by_model = InboundMail.objects.filter(
        case__isnull=True, received_at__lt=now - INBOUND_KEPT
    ).delete()
    return deleted
