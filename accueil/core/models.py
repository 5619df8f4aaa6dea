"""The append-only event log: one row for every state change, read by dashboards and audit."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.core.actors import ActorKind


class EventLogIsAppendOnly(RuntimeError):
    pass


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise EventLogIsAppendOnly("events are never updated")

    def delete(self):
        raise EventLogIsAppendOnly("events are never deleted")


class Event(models.Model):
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    agency = models.ForeignKey(
        "catalog.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    # Where it happened, when the action knows: what dashboards and consumers filter on.
    office = models.ForeignKey(
        "catalog.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # PostgreSQL: the id of the transaction that wrote the row. Ids are handed out before
    # commit, so a later id can become visible first; consumers read in (txid, id) order up to
    # the oldest transaction still running, and so never skip a row (core/consumers.py).
    # SQLite commits one writer at a time: 0, and id order is commit order.
    txid = models.BigIntegerField(default=0, editable=False)
    verb = models.CharField(_("what"), max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "created_at"]),
            models.Index(fields=["agency", "verb", "created_at"]),
            models.Index(fields=["office", "verb", "created_at"], name="events_by_office"),
            models.Index(fields=["txid", "id"], name="events_in_commit_order"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.verb} {self.object_type}:{self.object_id}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise EventLogIsAppendOnly("events are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EventLogIsAppendOnly("events are never deleted")


class RateBucket(models.Model):
    """One client's budget for one limited action (see ``accueil.core.ratelimit``, GCRA).

    In the database so every process shares it; the client address is only ever hashed.
    """

    bucket = models.CharField(max_length=64, unique=True)  # hash of scope and client address
    tat = models.BigIntegerField()  # when the bucket is full again, microseconds since the epoch
    allowed = models.BooleanField(default=True)  # the last request's answer, read by RETURNING

    def __str__(self) -> str:
        return f"{self.bucket[:8]} {self.tat}"


class ConsumerCursor(models.Model):
    """How far one event consumer has read the log, and how it is doing (core/consumers.py)."""

    name = models.CharField(_("consumer"), max_length=100, unique=True)
    txid = models.BigIntegerField(_("last transaction read"), default=0)
    event_id = models.BigIntegerField(_("last event read"), default=0)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("event consumer")
        verbose_name_plural = _("event consumers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
