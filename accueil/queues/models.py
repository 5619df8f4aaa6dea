"""Visits in an office queue, and the daily ticket counters that number them."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TicketCounter(models.Model):
    """The last ticket number given for one prefix, in one office, on one local day."""

    office = models.ForeignKey("catalog.Office", on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=2)
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "prefix", "day"], name="one_counter_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.day}: {self.last_number}"


class VisitStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    DONE = "done", _("Served")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Left the queue")


class Visit(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    office = models.ForeignKey("catalog.Office", on_delete=models.PROTECT, related_name="visits")
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="visits")
    day = models.DateField(_("day"))  # local to the office: tickets restart every day
    number = models.PositiveIntegerField()
    ticket = models.CharField(_("ticket"), max_length=8)
    status = models.CharField(
        _("status"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.WAITING
    )
    language = models.CharField(_("language"), max_length=2, default="fr")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    priority = models.BooleanField(_("priority"), default=False)  # declared need
    arrived_at = models.DateTimeField(_("arrived"), default=timezone.now)
    desk = models.ForeignKey(
        "catalog.Desk", null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    called_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["arrived_at"]
        constraints = [
            models.UniqueConstraint(fields=["office", "day", "ticket"], name="one_ticket_a_day")
        ]
        indexes = [
            models.Index(
                fields=["office", "status", "service", "priority", "arrived_at"], name="queue_order"
            ),
        ]

    def __str__(self) -> str:
        return self.ticket
