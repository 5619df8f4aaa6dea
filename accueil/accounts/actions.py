"""State changes on staff accounts: each checks, writes, and records its event."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accueil.accounts.models import ApiToken, Role, TokenKind, role_at_least
from accueil.core.actors import Actor
from accueil.core.events import record_event


def do_issue_token(actor: Actor, name: str, role: str | None = None) -> tuple[ApiToken, str]:
    """A new token for the actor's own user, never above the actor's role."""
    role = role or actor.role
    if role not in Role.values or not role_at_least(actor.role, role):
        raise PermissionDenied
    with transaction.atomic():
        token, plain_text = ApiToken.issue(actor.user, name=name, role=role)
        if actor.office_ids is not None:
            token.offices.set(actor.office_ids)
        record_event(
            "api_token.issued",
            token,
            actor=actor,
            agency=actor.user.agency,
            data={"role": role, "key_id": token.key_id},
        )
    return token, plain_text


def do_issue_kiosk_token(actor: Actor, office, name: str) -> tuple[ApiToken, str]:
    """A token for one office's kiosk or integration: it takes tickets there, nothing else.

    Issued by an administrator or supervisor of that office (in their name, so it is revoked
    with their account)."""
    if not actor.has_role(Role.SUPERVISOR):
        raise PermissionDenied
    if not actor.reaches_office(office):
        raise Http404
    with transaction.atomic():
        token, plain_text = ApiToken.issue(actor.user, name=name, role=Role.AGENT)
        token.kind = TokenKind.KIOSK
        token.save(update_fields=["kind"])
        token.offices.set([office])
        record_event(
            "api_token.issued",
            token,
            actor=actor,
            agency=office.agency,
            office=office,
            data={"kind": TokenKind.KIOSK, "key_id": token.key_id, "office": str(office.id)},
        )
    return token, plain_text


def do_revoke_token(actor: Actor, token: ApiToken) -> None:
    if token.user_id != actor.user.pk:
        raise PermissionDenied
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            "api_token.revoked",
            token,
            actor=actor,
            agency=actor.user.agency,
            data={"key_id": token.key_id},
        )
