"""State changes on staff accounts: each checks, writes, and records its event."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accueil.accounts import lockout, reset
from accueil.accounts.models import (
    ApiToken,
    ClientApp,
    ClientScope,
    Role,
    TokenKind,
    User,
    role_at_least,
)
from accueil.core.actors import PUBLIC, Actor, ActorKind
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


def do_issue_client_key(
    actor: Actor, name: str, scope: str, *, agency=None, contact: str = ""
) -> tuple[ClientApp, str]:
    """A key for a client application of the actor's agency (an administrator), or of
    ``agency`` when the system issues it (the ``open311-key`` command)."""
    if actor.kind == ActorKind.SYSTEM:
        if agency is None:
            raise PermissionDenied
    elif not actor.has_role(Role.ADMIN) or actor.office_ids is not None:
        raise PermissionDenied  # an administrator of the whole agency, not of some offices
    else:
        agency = actor.user.agency
    if scope not in ClientScope.values:
        raise ValueError(f"unknown scope {scope!r}")
    name = " ".join(str(name).split())[:100]
    if not name:
        raise ValueError("a client application needs a name")
    with transaction.atomic():
        app, plain_text = ClientApp.issue(
            agency, name, scope, created_by=actor.event_user, contact=contact
        )
        record_event(
            "client_app.issued",
            app,
            actor=actor,
            agency=agency,
            data={"scope": scope, "key_id": app.key_id},
        )
    return app, plain_text


def do_revoke_client_key(actor: Actor, app: ClientApp) -> None:
    if not actor.has_role(Role.ADMIN) or app.agency_id != actor.agency_id:
        raise Http404
    with transaction.atomic():
        revoked = ClientApp.objects.filter(pk=app.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            record_event("client_app.revoked", app, actor=actor, data={"key_id": app.key_id})


def do_request_password_reset(email: str) -> int:
    """Send a reset link to every active account with this address; return how many.

    The caller answers the same whatever the count, so the page never tells whether an
    address has an account. The email goes through the outbox (retries, the per-recipient
    hourly cap), in the account's language."""
    from accueil.notify.actions import notify

    users = [
        user
        for user in get_user_model().objects.filter(email__iexact=email.strip(), is_active=True)
        if user.has_usable_password()
    ]
    if users:
        reset.ensure_wording()
    for user in users:
        link = reset.reset_link(user)
        with transaction.atomic():
            notify(
                key=reset.NOTICE,
                channel="email",
                recipient=user.email,
                language=user.language,
                values={
                    "username": user.username,
                    "link": link,
                    "minutes": reset.expiry_minutes(),
                },
                # One message per link (the token changes each second), named by a digest:
                # the key is shown in the admin, and the token would open the account.
                idempotency_key=f"{reset.NOTICE}:{user.pk}:{reset.digest(link)}",
                agency=user.agency,
            )
            record_event("account.password_reset_requested", user, actor=PUBLIC, agency=user.agency)
    return len(users)


def do_reset_password(user: User, new_password: str) -> None:
    """Set the password chosen through a reset link.

    The new hash ends every other session of the account (Django checks each session against
    the password hash) and the link itself, whose token was derived from the old hash. The
    per-account sign-in slowdown is forgotten: whoever reads the mailbox is the owner."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        # The holder of the link acts as the staff member it was sent to.
        record_event("account.password_reset", user, actor=Actor.staff(user), agency=user.agency)
    lockout.forget(user.get_username())
