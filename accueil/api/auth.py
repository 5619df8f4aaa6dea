from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja.security import HttpBearer

from accueil.accounts.access import Actor
from accueil.accounts.models import ApiToken, Role

_TOUCH_EVERY = timedelta(minutes=1)


class StaffToken(HttpBearer):
    """``Authorization: Bearer acc_…`` for a staff role of at least ``minimum``."""

    def __init__(self, minimum: str = Role.AGENT):
        super().__init__()
        self.minimum = minimum

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
