"""The outbox: every message to a person or a system is a row, and the table is the queue.

A message is written in the same transaction as the change that causes it, so a rollback sends
nothing and a commit always sends. Workers claim rows with a conditional UPDATE (safe on SQLite,
which ignores SELECT … FOR UPDATE, and on PostgreSQL), send, and record the outcome.
"""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.lib.contact import phone_key
from accueil.lib.netguard import BlockedDestination, check_allow_list, check_url
from accueil.notify import labels


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")
    CONSOLE = "console", _("Console (development)")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    DROPPED = "dropped", _("Not sent")  # opted out, or no longer needed at send time


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agency"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=320)
    language = models.CharField(_("language"), max_length=2, default="fr")
    template = models.CharField(_("template"), max_length=100, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    # The same key always means the same message: enqueueing it twice makes one row, and the
    # email's Message-ID derives from it, so a resend after a crash is recognisably the same.
    idempotency_key = models.CharField(
        max_length=200, unique=True, verbose_name=_("idempotency key")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # Set when a worker claims the row: only that worker may record the outcome, and a
    # crashed worker's rows return to the queue once the lease has expired.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, verbose_name=_("lease until"))
    provider_id = models.CharField(_("provider reference"), max_length=200, blank=True)
    # The technical detail (English, for operators) and the reason's code, which pages show as
    # a sentence in the reader's language (accueil.notify.labels).
    error = models.TextField(_("last error"), blank=True)
    error_code = models.CharField(_("reason"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Proactive messages (reminders, campaigns) wait out quiet hours in this zone and carry
    # an unsubscribe link; replies to something the person just did do not.
    proactive = models.BooleanField(_("proactive"), default=False)
    time_zone = models.CharField(
        max_length=64, default="America/Toronto", verbose_name=_("time zone")
    )
    # Why the message exists ("visit", "<uuid>"): re-checked at send time, dropped if gone.
    reason_type = models.CharField(max_length=40, blank=True, verbose_name=_("reason type"))
    reason_id = models.CharField(max_length=64, blank=True, verbose_name=_("reason id"))
    # Messages about the same thing share a thread in mail clients: a dot-atom
    # ("r-2026-4k7qxm.<token>") carried in the Message-ID and References of each (email).
    thread = models.CharField(max_length=100, blank=True, verbose_name=_("thread"))
    # Email only: where the person's answer should go (Reply-To), and the Message-IDs of the
    # messages this one answers, oldest first, space-separated (In-Reply-To, References).
    reply_to = models.CharField(max_length=320, blank=True, verbose_name=_("reply to"))
    references = models.CharField(max_length=1000, blank=True, verbose_name=_("in reply to"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["status", "lease_until"], name="outbox_leases"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.template or self.idempotency_key} ({self.status})"

    @property
    def reason(self) -> str:
        """Why it failed or waits, in the active language (old rows: their English text)."""
        return labels.reason(self.error_code, self.error)

    @property
    def type_label(self) -> str:
        return labels.message_type(self.template)

    @property
    def message_id(self) -> str:
        """An RFC 5322 Message-ID that is the same on every attempt; a threaded message
        carries its thread in it too, so an answer that quotes only this id (In-Reply-To)
        still says which thread it belongs to."""
        unique = uuid.uuid5(uuid.NAMESPACE_URL, self.idempotency_key)
        return f"<{unique}.{self.thread}@accueil>" if self.thread else f"<{unique}@accueil>"

    @property
    def thread_id(self) -> str:
        """The Message-ID every message of the thread refers to (In-Reply-To, References)."""
        return f"<{self.thread}@accueil>"


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """An agency system that receives signed JSON notices (HMAC-SHA256)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=100)
    # A CharField with a URL validator: the admin form then never guesses a scheme.
    url = models.CharField(
        _("address"), max_length=500, validators=[URLValidator(schemes=["http", "https"])]
    )
    secret = models.CharField(_("signing secret"), max_length=100, default=_new_secret)
    allowed_networks = models.CharField(
        _("private networks allowed"),
        max_length=300,
        blank=True,
        help_text=_(
            "Only for systems inside your network, e.g. 10.1.0.0/16, and only within the "
            "private networks this platform's operator permits. Leave empty: private and local "
            "addresses are refused."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def allow_list(self) -> list[str]:
        return [item.strip() for item in self.allowed_networks.split(",") if item.strip()]

    def clean(self) -> None:
        permitted = settings.WEBHOOK_PRIVATE_NETWORKS
        try:
            check_allow_list(self.allow_list(), permitted)
        except BlockedDestination as error:
            raise ValidationError({"allowed_networks": network_refusal(error, permitted)}) from None
        try:
            check_url(self.url, allow=self.allow_list(), permitted=permitted)
        except BlockedDestination as error:
            raise ValidationError(
                {
                    "url": ValidationError(
                        _("This address cannot receive notices: %(reason)s."),
                        code=f"blocked_{error.code}",
                        params={"reason": blocked_reason(error)},
                    )
                }
            ) from None


def blocked_reason(error: BlockedDestination):
    """Why netguard refused a URL, in the reader's language (it speaks codes, not words).

    Lazy, like the message it goes into: both are said in the language of whoever reads them.
    """
    reasons = {
        "scheme": _("only http and https addresses are allowed"),
        "credentials": _("a user name or password in the address is not allowed"),
        "no_host": _("the address has no host name"),
        "port": _("the port is not a number"),
        "unresolved": _("the name does not resolve"),
        "never": _("it leads to a link-local or cloud metadata address, which is never allowed"),
        "private": _(
            "it leads to a private or local address that the networks allowed below do not open"
        ),
    }
    return reasons.get(error.code, reasons["private"])


def network_refusal(error: BlockedDestination, permitted: list[str]) -> ValidationError:
    if error.code == "never":
        return ValidationError(
            _("%(network)s includes link-local or cloud metadata addresses: never allowed."),
            code="never",
            params={"network": error.subject},
        )
    if error.code == "not_permitted" and permitted:
        return ValidationError(
            _(
                "%(network)s is outside the private networks this platform lets agencies open "
                "(%(permitted)s)."
            ),
            code="not_permitted",
            params={"network": error.subject, "permitted": ", ".join(permitted)},
        )
    if error.code == "not_permitted":
        return ValidationError(
            _(
                "This platform does not let agencies open private networks (%(network)s). "
                "Ask its operator."
            ),
            code="not_permitted",
            params={"network": error.subject},
        )
    return ValidationError(
        _("Write networks like 10.1.0.0/16, separated by commas."), code="network_syntax"
    )


def normalise_address(channel: str, address: str) -> str:
    """The same person's address, however it was written: a STOP from ``+1 613 555 0111``
    matches a later message to ``613-555-0111`` (both ``+16135550111``)."""
    address = address.strip()
    if channel == Channel.SMS:
        return phone_key(address)
    return address.lower()


def address_digest(channel: str, address: str) -> str:
    """Opt-outs keep a digest, not the address: the list itself holds no contact details."""
    return hashlib.sha256(f"{channel}:{normalise_address(channel, address)}".encode()).hexdigest()


class OptOut(models.Model):
    """Someone asked not to receive messages on a channel (STOP, ARRÊT, unsubscribe link)."""

    channel = models.CharField(max_length=16, choices=Channel.choices, verbose_name=_("channel"))
    address_digest = models.CharField(max_length=64, verbose_name=_("address digest"))
    source = models.CharField(_("how"), max_length=40)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["channel", "address_digest"], name="one_opt_out")
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.address_digest[:12]}"

    @classmethod
    def record(cls, channel: str, address: str, source: str) -> "OptOut":
        opt_out, _created = cls.objects.get_or_create(
            channel=channel,
            address_digest=address_digest(channel, address),
            defaults={"source": source},
        )
        return opt_out

    @classmethod
    def applies(cls, channel: str, address: str) -> bool:
        return cls.objects.filter(
            channel=channel, address_digest=address_digest(channel, address)
        ).exists()


class Template(models.Model):
    """Wording of one message, per agency (or the platform default), channel and language."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: the default used by every agency that has not written its own."),
        verbose_name=_("agency"),
    )
    key = models.CharField(_("event"), max_length=100)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    language = models.CharField(
        _("language"), max_length=2, choices=[("fr", "Français"), ("en", "English")]
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["key", "channel", "language"]
        # Two partial constraints rather than nulls_distinct, which SQLite lacks.
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "key", "channel", "language"],
                name="one_agency_template",
                condition=models.Q(agency__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["key", "channel", "language"],
                name="one_default_template",
                condition=models.Q(agency__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.channel}, {self.language})"


class Campaign(models.Model):
    """A CSV import of documents about to expire, each row becoming a scheduled reminder."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=100)
    days_ahead = models.PositiveSmallIntegerField(_("days before expiry"), default=30)
    time_zone = models.CharField(
        max_length=64, default="America/Toronto", verbose_name=_("time zone")
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The uploaded file, erased once imported: the reminders hold what they need.
    source = models.TextField(blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    accepted_rows = models.PositiveIntegerField(default=0)
    rejections = models.JSONField(default=list, blank=True)  # [{"line": 3, "reason": "..."}]
    heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def percent(self) -> int:
        return round(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class Consent(models.Model):
    """A person agreed to receive messages on a channel, for a purpose: when, and how."""

    channel = models.CharField(max_length=16, choices=Channel.choices, verbose_name=_("channel"))
    address_digest = models.CharField(max_length=64, verbose_name=_("address digest"))
    purpose = models.CharField(_("purpose"), max_length=60)  # "visit notices", "reminders"
    source = models.CharField(_("how"), max_length=60)  # "kiosk check-in", "web form"
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["channel", "address_digest"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.purpose}"

    @classmethod
    def record(cls, channel: str, address: str, purpose: str, source: str) -> "Consent":
        """Recording consent also lifts an earlier opt-out: the person asked again."""
        digest = address_digest(channel, address)
        OptOut.objects.filter(channel=channel, address_digest=digest).delete()
        return cls.objects.create(
            channel=channel, address_digest=digest, purpose=purpose, source=source
        )
