"""Visits in an office queue, and the daily ticket counters that number them."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.core import capabilities
from accueil.lib.cache import TTLCache


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


class Source(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk")
    WEB = "web", _("Web or QR code")
    VIRTUAL = "virtual", _("Virtual line")
    COUNTER = "counter", _("Walk-in, entered by staff")
    PHONE = "phone", _("Phone, entered by staff")
    API = "api", _("Application")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    REFERRED = "referred", _("Referred elsewhere")
    FOLLOW_UP = "follow_up", _("Needs a follow-up")
    UNRESOLVED = "unresolved", _("Not resolved")


class Need(models.TextChoices):
    ACCESSIBILITY = "accessibility", _("Reduced mobility or a disability")
    ELDERLY = "elderly", _("Senior or frail")
    PREGNANT = "pregnant", _("Pregnancy")
    CHILDREN = "children", _("With young children")
    INTERPRETER = "interpreter", _("Needs an interpreter")


PRIORITY_NEEDS = {Need.ACCESSIBILITY, Need.ELDERLY, Need.PREGNANT}


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
    needs = models.JSONField(_("declared needs"), default=list, blank=True)
    priority = models.BooleanField(_("priority"), default=False)  # served before arrival order
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default="kiosk")
    arrived_at = models.DateTimeField(_("arrived"), default=timezone.now)
    # Place in the line: the arrival time, unless a transfer put the visit elsewhere.
    queue_at = models.DateTimeField(default=timezone.now)
    desk = models.ForeignKey(
        "catalog.Desk", null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    # A transfer to one desk: only that desk calls the visitor.
    for_desk = models.ForeignKey(
        "catalog.Desk", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    called_at = models.DateTimeField(null=True, blank=True)
    first_called_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    # The wait predicted at check-in, kept beside the actual wait so accuracy can be published.
    predicted_wait = models.PositiveIntegerField(null=True, blank=True)
    near_notice_sent = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    # What the first request with that key asked for: the same key with another body is refused.
    request_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["arrived_at"]
        constraints = [
            models.UniqueConstraint(fields=["office", "day", "ticket"], name="one_ticket_a_day")
        ]
        indexes = [
            models.Index(
                fields=["office", "status", "service", "priority", "queue_at"], name="queue_order"
            ),
            models.Index(fields=["office", "called_at"], name="recent_calls"),
        ]

    def __str__(self) -> str:
        return self.ticket

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def secret(self) -> str:
        """What gives the visitor power over their visit (status page, leaving the line)."""
        return capabilities.secret_for("visit", self.id)


OPEN_STATUSES = (VisitStatus.WAITING, VisitStatus.CALLED, VisitStatus.SERVING)


class Placement(models.TextChoices):
    FRONT = "front", _("At the front of the new line")
    ARRIVAL = "arrival", _("By original arrival time")
    END = "end", _("At the end of the new line")


class QueueRules(models.Model):
    """How one office runs its lines. Offices without a row use the defaults."""

    office = models.OneToOneField(
        "catalog.Office", on_delete=models.CASCADE, related_name="queue_rules"
    )
    priority_first = models.BooleanField(_("serve declared priority needs first"), default=True)
    transfer_placement = models.CharField(
        _("where a transferred visitor goes"),
        max_length=8,
        choices=Placement.choices,
        default=Placement.ARRIVAL,
    )
    recall_delay = models.PositiveSmallIntegerField(
        _("seconds before a recall is allowed"), default=20
    )
    recalls_before_no_show = models.PositiveSmallIntegerField(
        _("recalls before a no-show can be recorded"), default=1
    )
    near_position = models.PositiveSmallIntegerField(
        _("send “your turn is near” at this position"), default=3
    )
    near_minutes = models.PositiveSmallIntegerField(
        _("… or when the predicted wait falls under (minutes)"), default=10
    )
    appointment_desks = models.PositiveSmallIntegerField(
        _("desks kept for appointments at any one time"), default=1
    )
    appointment_window = models.PositiveSmallIntegerField(
        _("minutes before or after the booked time that still count as on time"), default=15
    )
    last_ticket = models.PositiveSmallIntegerField(
        _("no new tickets this many minutes before closing"),
        default=0,
        help_text=_("Staff can still add a visitor; appointments still check in."),
    )
    kiosk_prints_ticket = models.BooleanField(
        _("the kiosk prints a paper ticket"),
        default=False,
        help_text=_("For a kiosk with an 80 mm receipt printer set as the browser's printer."),
    )

    class Meta:
        verbose_name = _("queue rules")
        verbose_name_plural = _("queue rules")

    def __str__(self) -> str:
        return str(self.office)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _rules_cache.forget(self.office_id)

    @classmethod
    def for_office(cls, office) -> "QueueRules":
        """The office's rules, read again at most every 30 seconds per process."""
        return _rules_cache.get(
            office.pk,
            lambda: cls.objects.filter(office_id=office.pk).first() or cls(office_id=office.pk),
        )


_rules_cache: TTLCache = TTLCache(seconds=30)


class DeskSession(models.Model):
    """An agent at a desk, serving some services, from opening to closing; may be on a break."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    desk = models.ForeignKey("catalog.Desk", on_delete=models.CASCADE, related_name="sessions")
    agent = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    services = models.ManyToManyField("catalog.Service", related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    # The agent's last sign of life at this desk (console, calls, transitions): a visitor called
    # at a desk silent for a while goes back to the line (queues.sweep).
    last_seen_at = models.DateTimeField(default=timezone.now)
    paused_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["desk"], condition=models.Q(closed_at=None), name="one_open_session_a_desk"
            )
        ]

    def __str__(self) -> str:
        return f"{self.desk} {self.agent}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    CHECKED_IN = "checked_in", _("Arrived")
    MISSED = "missed", _("Did not come")


class Appointment(models.Model):
    """A booked slot; it becomes a priority visit when the person checks in on time.

    The UUID is the person's key (links to see, cancel, reschedule); the short code is what
    they type at the kiosk.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    office = models.ForeignKey("catalog.Office", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    code = models.CharField(_("booking code"), max_length=8, unique=True)
    language = models.CharField(_("language"), max_length=2, default="fr")
    name = models.CharField(_("name"), max_length=120, blank=True)
    # Blank when booked by staff for someone on the phone who has no email address.
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # How it was booked: the web page, an application (API), or staff for a caller.
    source = models.CharField(
        _("booked through"), max_length=16, choices=Source.choices, default="web"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    sequence = models.PositiveSmallIntegerField(default=0)  # calendar updates (reschedules)
    visit = models.OneToOneField(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointment"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["office", "starts_at"], name="appointments_by_time")]

    def __str__(self) -> str:
        return self.code

    @property
    def secret(self) -> str:
        """What gives the person power over their booking (see it, move it, cancel it)."""
        return capabilities.secret_for("appointment", self.id)


class SlotCount(models.Model):
    """How many appointments one slot holds; raised by a conditional UPDATE, never past the
    capacity, so two people can never both get the last place."""

    office = models.ForeignKey("catalog.Office", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "service", "starts_at"], name="one_count_a_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}: {self.booked}"


class ServiceNoticeQuerySet(models.QuerySet):
    def active(self, office, now=None):
        """Notices of the office in force now: published, not expired, not withdrawn."""
        now = now or timezone.now()
        return self.filter(
            office=office, withdrawn_at=None, starts_at__lte=now, expires_at__gt=now
        ).select_related("service")

    def concerning(self, service):
        """Those for every line of the office, or for this one."""
        return self.filter(models.Q(service=None) | models.Q(service=service))


class ServiceNotice(models.Model):
    """A closure, a delay, a move: shown on the board, the kiosk, web check-in, the office page
    and every status page of the office until it expires or a supervisor withdraws it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    office = models.ForeignKey("catalog.Office", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text_fr = models.CharField(_("notice in French"), max_length=300)
    text_en = models.CharField(_("notice in English"), max_length=300)
    starts_at = models.DateTimeField(_("from"), default=timezone.now)
    expires_at = models.DateTimeField(_("until"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ServiceNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("service notice")
        verbose_name_plural = _("service notices")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["office", "expires_at"], name="notices_in_force")]

    def __str__(self) -> str:
        return self.text_fr

    def text_in(self, language: str) -> str:
        return self.text_en if language.startswith("en") else self.text_fr
