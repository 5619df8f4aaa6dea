"""Notify's actions: the one call other features make ("send this event's message to this
person"), and every change staff or providers make to messages, wording, campaigns and opt-outs.
Views and provider callbacks call these; they never write the models themselves."""

import logging

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accueil.core.actors import Actor, Role
from accueil.core.events import record_event
from accueil.notify.models import (
    Campaign,
    Channel,
    Message,
    OptOut,
    Status,
    Template,
    address_digest,
)
from accueil.notify.outbox import enqueue
from accueil.notify.templates_text import choose, render

logger = logging.getLogger("accueil.notify")
RESENDABLE = (Status.FAILED, Status.DROPPED)  # what a supervisor may send again


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


# -- staff: the outbox, wording, campaigns ------------------------------------------------------


def do_resend(actor: Actor, message: Message) -> bool:
    """A supervisor sends a failed or dropped message again; False if no longer resendable."""
    if not actor.has_role(Role.SUPERVISOR) or message.agency_id != actor.agency_id:
        raise Http404
    with transaction.atomic():
        updated = Message.objects.filter(id=message.id, status__in=RESENDABLE).update(
            status=Status.QUEUED,
            attempts=0,
            next_attempt_at=timezone.now(),
            error="",
            error_code="",
            claim_token=None,
            lease_until=None,
        )
        if updated:
            record_event("message.resent", message, actor=actor, agency=message.agency)
    return bool(updated)


def do_save_template(actor: Actor, template: Template, *, subject: str, body: str) -> Template:
    """An administrator rewords a message. Editing a default makes the agency's own version; the
    default stays for other agencies."""
    if not actor.has_role(Role.ADMIN):
        raise Http404
    if template.agency_id not in (None, actor.agency_id):
        raise Http404
    with transaction.atomic():
        own, _created = Template.objects.update_or_create(
            agency_id=actor.agency_id,
            key=template.key,
            channel=template.channel,
            language=template.language,
            defaults={"subject": subject, "body": body},
        )
        record_event("template.updated", own, actor=actor, agency=actor.user.agency)
    return own


def do_start_campaign(actor: Actor, *, name: str, days_ahead: int, source, time_zone: str):
    """A supervisor uploads a reminder campaign; the worker imports it in chunks."""
    if not actor.has_role(Role.SUPERVISOR):
        raise Http404
    with transaction.atomic():
        campaign = Campaign.objects.create(
            agency_id=actor.agency_id,
            name=name,
            days_ahead=days_ahead,
            source=source,
            created_by=actor.user,
            time_zone=time_zone,
        )
        record_event("campaign.created", campaign, actor=actor)
    return campaign


def do_cancel_campaign(actor: Actor, campaign) -> bool:
    """Reminders not yet sent will not go; False if it was already cancelled."""
    if not actor.has_role(Role.SUPERVISOR) or campaign.agency_id != actor.agency_id:
        raise Http404
    with transaction.atomic():
        cancelled = (
            Campaign.objects.filter(id=campaign.id)
            .exclude(state="cancelled")
            .update(state="cancelled", source="")
        )
        if cancelled:
            record_event("campaign.cancelled", campaign, actor=actor)
    return bool(cancelled)


# -- the SMS provider's callbacks (signature already verified) ----------------------------------


def do_record_receipt(provider_id: str, final: str, error: str) -> int:
    """A delivery receipt: only a message still "sent" changes, so a replay does nothing."""
    return Message.objects.filter(
        channel=Channel.SMS, provider_id=provider_id, status=Status.SENT
    ).update(status=final, error=error, error_code="provider_error" if error else "")


def do_opt_out(channel: str, address: str, source: str) -> None:
    OptOut.record(channel, address, source=source)


def do_opt_in(channel: str, address: str) -> None:
    OptOut.objects.filter(channel=channel, address_digest=address_digest(channel, address)).delete()
