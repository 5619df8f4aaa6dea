"""Staff users (agent, supervisor, admin) scoped to one agency, and hashed API tokens."""

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


ROLE_RANK = {Role.AGENT: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}


def role_at_least(role: str, minimum: str) -> bool:
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(minimum)]


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
        token = cls.objects.usable().select_related("user").filter(key_id=key_id).first()
        if token is None or not secrets.compare_digest(token.key_hash, _hash_secret(secret)):
            return None
        return token


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
