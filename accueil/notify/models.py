"""The outbox: every message to a person or a system is a row, and the table is the queue.

A message is written in the same transaction as the change that causes it, so a rollback sends
nothing and a commit always sends. Workers claim rows with a conditional UPDATE (safe on SQLite,
which ignores SELECT … FOR UPDATE, and on PostgreSQL), send, and record the outcome.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=320)
    language = models.CharField(_("language"), max_length=2, default="fr")
    template = models.CharField(_("template"), max_length=100, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    # The same key always means the same message: enqueueing it twice makes one row, and the
    # email's Message-ID derives from it, so a resend after a crash is recognisably the same.
    idempotency_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # Set when a worker claims the row: only that worker may record the outcome, and a
    # crashed worker's rows return to the queue once the lease has expired.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(_("provider reference"), max_length=200, blank=True)
    error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

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
    def message_id(self) -> str:
        """An RFC 5322 Message-ID that is the same on every attempt."""
        return f"<{uuid.uuid5(uuid.NAMESPACE_URL, self.idempotency_key)}@accueil>"
