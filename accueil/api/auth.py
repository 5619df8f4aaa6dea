from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja.security import HttpBearer

from accueil.accounts.models import ApiToken, Role, actor_for_token
from accueil.core.actors import PUBLIC, Actor

_TOUCH_EVERY = timedelta(minutes=1)


def bearer_token(header: str) -> str | None:
    """The token of ``Bearer <token>``, else None; never logs what it was given.

    The scheme is case-insensitive and may be followed by several spaces (RFC 9110, 11.4);
    anything else — a bare token, ``Token …``, a tab, a second word — is no bearer token.
    """
    scheme, _, rest = header.strip(" ").partition(" ")
    token = rest.strip(" ")
    if scheme.lower() != "bearer" or not token or any(ch.isspace() for ch in token):
        return None
    return token


class StaffToken(HttpBearer):
    """``Authorization: Bearer acc_…`` for a staff role of at least ``minimum``."""

    def __init__(self, minimum: str = Role.AGENT):
        super().__init__()
        self.minimum = minimum

    def __call__(self, request):
        # django-ninja's own parsing logs the whole header (the credential) at ERROR when it
        # does not start with "Bearer " and DEBUG is on: parse it here, silently.
        token = bearer_token(request.headers.get(self.header, ""))
        if token is None:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request, token):
        actor = token_actor(token)
        if actor is None:
            return None
        if not actor.is_staff or actor.agency_id is None or not actor.has_role(self.minimum):
            raise PermissionDenied  # a kiosk token, or a role below the endpoint's
        request.actor = actor
        return actor


def token_actor(plain_text: str) -> Actor | None:
    """The actor a bearer token stands for, in one query (plus, once a minute, the time it
    was last used); None for an unknown, revoked or expired token."""
    found = ApiToken.find(plain_text)
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > _TOUCH_EVERY:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return actor_for_token(found)


def caller(request) -> Actor:
    """Public endpoints: the kiosk or staff token the caller sent, else the anonymous public.

    A token that is not valid is ignored here (the caller is treated as anonymous, with the
    anonymous limits), as it would be by a page."""
    token = bearer_token(request.headers.get("Authorization", ""))
    actor = token_actor(token) if token else None
    return actor or PUBLIC


agent = StaffToken(Role.AGENT)
supervisor = StaffToken(Role.SUPERVISOR)
admin = StaffToken(Role.ADMIN)
