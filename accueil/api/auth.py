from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja.security import HttpBearer

from accueil.accounts.access import Actor
from accueil.accounts.models import ApiToken, Role

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
        found = ApiToken.find(token)
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > _TOUCH_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        actor = Actor.for_token(found)
        if actor.agency_id is None or not actor.has_role(self.minimum):
            raise PermissionDenied
        request.actor = actor
        return actor


agent = StaffToken(Role.AGENT)
supervisor = StaffToken(Role.SUPERVISOR)
admin = StaffToken(Role.ADMIN)
