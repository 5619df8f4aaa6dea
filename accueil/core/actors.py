"""Who is acting: the one ``Actor`` type every action is given and every event records.

An actor is made by exactly one constructor per kind, where the request is authenticated:

- ``Actor.staff(user)``          a signed-in staff member (page session);
- ``Actor.staff_token(token)``   a staff member's API token (never more than its owner today);
- ``Actor.kiosk(token)``         a kiosk or integration token, bound to one office: it may take
                                 tickets there and nothing else;
- ``Actor.citizen(kind, id)``    whoever holds the secret of one visit or appointment (or, later,
                                 a case's tracking secret): power over that object only;
- ``Actor.client_app(name, agency_id, app_id)``  an application speaking for citizens with a key
                                 of its agency (Open311, a mail provider's webhook);
- ``Actor.system()``             the worker, housekeeping, commands and the simulator;
- ``Actor.public()``             an anonymous visitor (a kiosk page, web check-in).

Core knows roles (they rank what staff may do) but no domain app: staff constructors read
``user.role``/``user.offices`` and ``token.role``/``token.offices`` by duck typing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


ROLE_RANK = {Role.AGENT: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}


def role_at_least(role: str, minimum: str) -> bool:
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(minimum)]


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Staff member")
    API = "api", _("API token")
    KIOSK = "kiosk", _("Kiosk or integration token")
    CITIZEN = "citizen", _("Citizen")
    CLIENT_APP = "client_app", _("Client application")
    PUBLIC = "public", _("Member of the public")
    SYSTEM = "system", _("System")


STAFF_KINDS = frozenset({ActorKind.STAFF, ActorKind.API})


@dataclass(frozen=True)
class Actor:
    kind: str
    user: Any = None  # the staff member (staff kinds, and whoever issued a kiosk token)
    role: str | None = None  # staff kinds only
    office_ids: frozenset[UUID] | None = None  # None: every office of the agency
    agency: UUID | None = None
    holds: tuple[str, UUID] | None = None  # a citizen's (object kind, id)
    name: str = ""  # a client application's name
    app_id: UUID | None = None  # a client application's id (its key's owner)

    # -- constructors: one per kind ------------------------------------------------------------

    @classmethod
    def staff(cls, user: Any) -> Actor:
        ids = frozenset(user.offices.values_list("pk", flat=True))
        return cls(ActorKind.STAFF, user, user.role, ids or None, user.agency_id)

    @classmethod
    def staff_token(cls, token: Any, token_office_ids=None, user_office_ids=None) -> Actor:
        """``token_office_ids``/``user_office_ids``: already fetched (one query), else read."""
        user = token.user
        if user_office_ids is None:
            user_office_ids = frozenset(user.offices.values_list("pk", flat=True))
        if token_office_ids is None:
            token_office_ids = frozenset(token.offices.values_list("pk", flat=True))
        # A token never has more power than its owner has today.
        role = min(token.role, user.role, key=lambda r: ROLE_RANK[Role(r)])
        ids = user_office_ids or None
        if token_office_ids:
            ids = token_office_ids if ids is None else ids & token_office_ids
        return cls(ActorKind.API, user, role, ids, user.agency_id)

    @classmethod
    def kiosk(cls, token: Any, office_id: UUID) -> Actor:
        return cls(ActorKind.KIOSK, token.user, None, frozenset({office_id}), token.user.agency_id)

    @classmethod
    def citizen(cls, kind: str, object_id: UUID) -> Actor:
        return cls(ActorKind.CITIZEN, holds=(kind, object_id))

    @classmethod
    def client_app(
        cls, name: str, agency_id: UUID | None = None, app_id: UUID | None = None
    ) -> Actor:
        return cls(ActorKind.CLIENT_APP, agency=agency_id, name=name, app_id=app_id)

    @classmethod
    def public(cls) -> Actor:
        return cls(ActorKind.PUBLIC)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM)

    # -- questions actions ask -----------------------------------------------------------------

    @property
    def agency_id(self) -> UUID | None:
        return self.agency

    @property
    def is_staff(self) -> bool:
        return self.kind in STAFF_KINDS

    @property
    def via_token(self) -> bool:
        return self.kind in (ActorKind.API, ActorKind.KIOSK)

    def has_role(self, minimum: str) -> bool:
        if not self.is_staff or self.role is None:
            return False
        return bool(self.user.is_active) and role_at_least(self.role, minimum)

    def reaches_office(self, office: Any) -> bool:
        """Staff, kiosk: the office is theirs (agency, and office list when they have one)."""
        if self.kind not in (*STAFF_KINDS, ActorKind.KIOSK):
            return False
        if office.agency_id != self.agency:
            return False
        return self.office_ids is None or office.pk in self.office_ids

    def holds_object(self, kind: str, object_id: Any) -> bool:
        return self.kind == ActorKind.CITIZEN and self.holds == (kind, object_id)

    @property
    def event_user(self) -> Any:
        """The staff member an event is attributed to (None for citizens and the system)."""
        return self.user if self.kind in (*STAFF_KINDS, ActorKind.KIOSK) else None


SYSTEM = Actor.system()
PUBLIC = Actor.public()
