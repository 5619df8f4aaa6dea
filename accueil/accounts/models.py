"""Staff users (agent, supervisor, admin) scoped to one agency, hashed API tokens, and the
keys of client applications (Open311 apps, inbound-mail webhooks)."""

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.core.actors import ROLE_RANK, Actor, Role, role_at_least

__all__ = ["ROLE_RANK", "Role", "role_at_least", "User", "ApiToken", "ClientApp", "ClientScope"]


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("Empty only for platform operators."),
        verbose_name=_("agency"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    offices = models.ManyToManyField(
        "catalog.Office",
        blank=True,
        related_name="staff",
        verbose_name=_("offices"),
        help_text=_("Leave empty to give access to every office of the agency."),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default="fr"
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["username"]

    def has_role(self, minimum: str) -> bool:
        return self.is_active and role_at_least(self.role, minimum)

    def save(self, *args, **kwargs):
        # Agency administrators reach the Django admin; nobody else needs it.
        self.is_staff = self.is_superuser or self.role == Role.ADMIN
        super().save(*args, **kwargs)


def _hash_secret(secret: str) -> str:
    # Tokens are 256-bit random strings, so a fast hash is enough: there is nothing to guess.
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)

    def with_office_ids(self):
        """The token's and its owner's office ids in the same query (``token_office_ids``,
        ``user_office_ids``: comma-separated), so checking a token costs one query."""
        token_offices = ApiToken.offices.through.objects.filter(apitoken=OuterRef("pk"))
        user_offices = User.offices.through.objects.filter(user=OuterRef("user_id"))
        return self.annotate(
            token_office_ids=_joined(token_offices, "apitoken", "office_id"),
            user_office_ids=_joined(user_offices, "user", "office_id"),
        )


class _GroupConcat(models.Aggregate):
    """Ids joined by commas: GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL."""

    function = "GROUP_CONCAT"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "STRING_AGG(%(expressions)s::text, ',')"
        return self.as_sql(compiler, connection, template=template, **extra)


def _joined(rows, owner: str, column: str) -> Subquery:
    """One row per owner (the outer row): its ``column`` values joined by commas."""
    return Subquery(rows.order_by().values(owner).annotate(ids=_GroupConcat(column)).values("ids"))


class TokenKind(models.TextChoices):
    STAFF = "staff", _("Staff member's token")
    KIOSK = "kiosk", _("Kiosk or integration token (one office, tickets only)")


class ApiToken(models.Model):
    """A bearer token for the REST API; only its hash is stored, the token is shown once."""

    PREFIX = "acc"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    key_id = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    kind = models.CharField(
        _("kind"), max_length=8, choices=TokenKind.choices, default=TokenKind.STAFF
    )
    offices = models.ManyToManyField(
        "catalog.Office",
        blank=True,
        related_name="+",
        verbose_name=_("offices"),
        help_text=_("Leave empty for every office the owner can reach."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    @classmethod
    def issue(cls, user: User, name: str, role: str | None = None, days: int | None = None):
        """Create a token and return ``(token, plain_text)``; the plain text is never stored."""
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_id=key_id,
            key_hash=_hash_secret(secret),
            role=role or user.role,
            expires_at=timezone.now() + timedelta(days=days or settings.API_TOKEN_DAYS),
        )
        return token, f"{cls.PREFIX}_{key_id}_{secret}"

    @classmethod
    def find(cls, plain_text: str) -> "ApiToken | None":
        parts = plain_text.split("_", 2)
        if len(parts) != 3 or parts[0] != cls.PREFIX:
            return None
        _prefix, key_id, secret = parts
        token = (
            cls.objects.usable()
            .with_office_ids()
            .select_related("user")
            .filter(key_id=key_id)
            .first()
        )
        if token is None or not secrets.compare_digest(token.key_hash, _hash_secret(secret)):
            return None
        return token


def _ids(joined: str | None) -> frozenset[uuid.UUID]:
    return frozenset(uuid.UUID(text) for text in (joined or "").split(",") if text)


def actor_for_token(token: ApiToken):
    """The Actor a token found by ``ApiToken.find`` stands for: no further query."""
    token_ids = _ids(getattr(token, "token_office_ids", None))
    if token.kind == TokenKind.KIOSK:
        # Bound to exactly one office; a kiosk token edited to have none or several is void.
        return Actor.kiosk(token, next(iter(token_ids))) if len(token_ids) == 1 else None
    user_ids = _ids(getattr(token, "user_office_ids", None))
    return Actor.staff_token(token, token_ids, user_ids)


class LoginThrottle(models.Model):
    """Wrong passwords for one username from every address (see ``accounts.lockout``).

    Kept for any username typed, known or not, so the answer never tells which accounts exist;
    the username itself is stored only as a keyed hash.
    """

    account = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    since = models.DateTimeField()  # first failure of this run: one notice per run
    last_failure_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.account[:8]}: {self.failures}"


class ClientScope(models.TextChoices):
    """What a client application's key may do: one scope per key."""

    OPEN311 = "open311", _("Open311 requests (civic apps)")
    MAIL = "mail", _("Inbound email (a mail provider's webhook)")


class ClientAppQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class ClientApp(models.Model):
    """An application that speaks for citizens (an Open311 app, a mail provider's webhook).

    It holds a key issued by an administrator: only the key's hash is stored and the key is
    shown once. A key opens requests on its agency's behalf through one scope and nothing else;
    revoking it stops it at once."""

    PREFIX = "app"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="client_apps"
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("may"), max_length=16, choices=ClientScope.choices)
    contact = models.CharField(
        _("contact"),
        max_length=200,
        blank=True,
        help_text=_("Who to call about this application (a person, an address)."),
    )
    key_id = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ClientAppQuerySet.as_manager()

    class Meta:
        verbose_name = _("client application")
        verbose_name_plural = _("client applications")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    @classmethod
    def issue(cls, agency, name: str, scope: str, created_by=None, contact: str = ""):
        """Create an application's key and return ``(app, plain_text)``; never stored."""
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        app = cls.objects.create(
            agency=agency,
            name=name,
            scope=scope,
            contact=contact,
            key_id=key_id,
            key_hash=_hash_secret(secret),
            created_by=created_by,
        )
        return app, f"{cls.PREFIX}_{key_id}_{secret}"

    @classmethod
    def find(cls, plain_text: str, scope: str) -> "ClientApp | None":
        """The usable application holding this key for ``scope``, in one query; else None."""
        parts = str(plain_text or "").split("_", 2)
        if len(parts) != 3 or parts[0] != cls.PREFIX:
            return None
        _prefix, key_id, secret = parts
        app = cls.objects.usable().filter(key_id=key_id, scope=scope).first()
        if app is None or not secrets.compare_digest(app.key_hash, _hash_secret(secret)):
            return None
        return app

    def actor(self) -> Actor:
        return Actor.client_app(self.name, self.agency_id, app_id=self.pk)
