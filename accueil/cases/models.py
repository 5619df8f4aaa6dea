"""Cases: a citizen's request handled over time, from intake to resolution.

A case belongs to an agency and to the office whose business hours time it (the clocks of the
service standard). It is addressed by its reference (``R-2026-4K7QXM``) in URLs, never by a
sequential id; the citizen's power over it comes from a tracking secret (core/capabilities.py)
given in the acknowledgement, never from the reference alone.

Every change goes through ``cases/actions.py``; ``version`` lets two agents editing the same
case find out, instead of one silently overwriting the other.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accueil.catalog.models import Bilingual, Channel
from accueil.core import capabilities
from accueil.core.validators import single_line


class Status(models.TextChoices):
    # "request status": French agrees with « demande » (feminine): « Réglée », « Fermée ».
    NEW = "new", pgettext_lazy("request status", "Received")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("request status", "Acknowledged")
    IN_PROGRESS = "in_progress", pgettext_lazy("request status", "In progress")
    WAITING = "waiting", pgettext_lazy("request status", "Waiting for the citizen")
    RESOLVED = "resolved", pgettext_lazy("request status", "Resolved")
    CLOSED = "closed", pgettext_lazy("request status", "Closed")


OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING)
# "Breaching soon": open, with a clock at its 75 % warning or past due. One definition for the
# workspace, the API and the partial index that answers them (a clock stopped by a reply is
# "met" or "missed", never at risk).
AT_RISK_STATES = ("warning", "breached")
AT_RISK = models.Q(status__in=OPEN_STATUSES) & (
    models.Q(response_state__in=AT_RISK_STATES) | models.Q(resolution_state__in=AT_RISK_STATES)
)

# Which status may follow which (staff changes; a citizen's reply has its own rules).
NEXT_STATUSES = {
    Status.NEW: {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED},
    Status.ACKNOWLEDGED: {Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED},
    Status.IN_PROGRESS: {Status.WAITING, Status.RESOLVED},
    Status.WAITING: {Status.IN_PROGRESS, Status.RESOLVED},
    Status.RESOLVED: {Status.IN_PROGRESS, Status.CLOSED},
    Status.CLOSED: set(),
}


class Assignment(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("In turn")
    LEAST_LOADED = "least_loaded", _("To whoever has the fewest open requests")


class Team(Bilingual, models.Model):
    """Agents who work the same requests."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="teams", verbose_name=_("agency")
    )
    slug = models.SlugField(_("short name"))
    name_fr = models.CharField(_("name (French)"), max_length=200, validators=[single_line])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[single_line])
    assignment = models.CharField(
        _("new requests go"),
        max_length=16,
        choices=Assignment.choices,
        default=Assignment.LEAST_LOADED,
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="case_teams",
        verbose_name=_("members"),
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name_fr"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "slug"], name="team_slug_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="case_memberships",
        verbose_name=_("agent"),
    )
    # An agent away (leave, training) gets no new requests; the ones they hold stay theirs.
    available = models.BooleanField(_("receives new requests"), default=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")
        ]

    def __str__(self) -> str:
        return str(self.user)


class FieldKind(models.TextChoices):
    TEXT = "text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice in a list")
    YES_NO = "yes_no", _("Yes or no")
    FILE = "file", _("File")
    LOCATION = "location", _("Place (address or map position)")


class CaseField(models.Model):
    """A question the request form of one service asks, defined by administrators."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.CASCADE,
        related_name="case_fields",
        verbose_name=_("service"),
    )
    code = models.SlugField(_("code"), max_length=40, help_text=_("Used by the API and templates."))
    kind = models.CharField(_("kind"), max_length=16, choices=FieldKind.choices)
    label_fr = models.CharField(_("question (French)"), max_length=200, validators=[single_line])
    label_en = models.CharField(_("question (English)"), max_length=200, validators=[single_line])
    help_fr = models.CharField(_("help (French)"), max_length=300, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # For a choice: [{"value": "pothole", "fr": "Nid-de-poule", "en": "Pothole"}, …]
    choices = models.JSONField(_("choices"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("form question")
        verbose_name_plural = _("form questions")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="field_code_unique_in_service")
        ]

    def __str__(self) -> str:
        return self.code

    def label(self, language: str) -> str:
        return getattr(self, f"label_{language}", "") or self.label_fr

    def help(self, language: str) -> str:
        return getattr(self, f"help_{language}", "") or self.help_fr

    def choice_label(self, value: str, language: str) -> str:
        for choice in self.choices:
            if choice.get("value") == value:
                return str(choice.get(language) or choice.get("fr") or value)
        return value


def default_kinds() -> list[str]:
    return ["jpeg", "png", "pdf"]


class CaseSettings(models.Model):
    """How one service takes requests: the office that times them, files, reopening."""

    service = models.OneToOneField(
        "catalog.Service",
        on_delete=models.CASCADE,
        related_name="case_settings",
        verbose_name=_("service"),
    )
    office = models.ForeignKey(
        "catalog.Office",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("office whose hours time the requests"),
    )
    attachment_kinds = models.JSONField(_("files accepted"), default=default_kinds, blank=True)
    attachment_max_mb = models.PositiveSmallIntegerField(_("largest file (MB)"), default=10)
    reopen_days = models.PositiveSmallIntegerField(
        _("days a citizen may reopen a resolved request"), default=14
    )

    class Meta:
        verbose_name = _("request settings")
        verbose_name_plural = _("request settings")

    def __str__(self) -> str:
        return str(self.service)


class RoutingRule(models.Model):
    """Sends new requests to a team. Rules are tried in order; the first that matches wins.

    A blank condition matches anything, so a last rule with no condition is the default."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    category = models.ForeignKey(
        "catalog.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated; any one found in the request matches."),
    )
    area = models.CharField(
        _("area"),
        max_length=300,
        blank=True,
        help_text=_(
            "Comma-separated postal code beginnings (H2X, G1R) or a box of coordinates: "
            "south,west,north,east."
        ),
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="rules", verbose_name=_("team")
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position}: {self.team}"


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=16, unique=True)
    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="cases")
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="cases")
    office = models.ForeignKey("catalog.Office", on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=2, default="fr")
    description = models.TextField(_("request"))
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    fields = models.JSONField(_("answers"), default=dict, blank=True)
    opened_at = models.DateTimeField(_("received"), default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The status changes the clocks read: [[iso instant, status], …] (the events say the same,
    # with who and why; this copy lets a list compute clocks without reading the event log).
    transitions = models.JSONField(default=list, blank=True)
    response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    # "running", "warning", "breached", "paused", "met", "missed" (caseclock.ClockReading.state)
    response_state = models.CharField(max_length=16, blank=True)
    resolution_state = models.CharField(max_length=16, blank=True)
    # The next instant the clock job must look at this case (a warning or a due time).
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    # A REST client's Idempotency-Key, scoped to the caller (api.py): a retry gets this case.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["agency", "status", "-opened_at"], name="case_agency_status"),
            models.Index(fields=["assignee", "status"], name="case_assignee_status"),
            models.Index(fields=["team", "status"], name="case_team_status"),
            models.Index(fields=["agency", "resolution_due_at"], name="case_agency_due"),
            # The workspace and API lists: newest first, read in index order and stopped after
            # one page (bench/cases.py at 100,000 requests: a sort of every row before).
            models.Index(fields=["agency", "-opened_at", "-id"], name="case_agency_newest"),
            models.Index(fields=["assignee", "-opened_at", "-id"], name="case_assignee_newest"),
            models.Index(fields=["team", "-opened_at", "-id"], name="case_team_newest"),
            # Routing "in turn": each agent's latest assignment, one index probe per agent.
            models.Index(fields=["assignee", "-assigned_at"], name="case_assignee_given"),
            # Breaching soon: the few requests at risk, counted and listed without a scan.
            models.Index(
                fields=["agency", "resolution_due_at"], condition=AT_RISK, name="case_at_risk"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def tracking_secret(self) -> str:
        return capabilities.secret_for("case", self.id)


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Reply to the citizen")
    CITIZEN = "citizen", _("From the citizen")
    NOTE = "note", _("Internal note")


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    language = models.CharField(max_length=2, default="fr")
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    template = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["case", "created_at"], name="message_case_time")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.NOTE


class Attachment(models.Model):
    """A file sent with a request or a message, cleaned at upload (lib/uploads.py).

    Stored in the database, so N stateless processes share it and retention deletes it with
    the rest; served only through a view that checks who may see the case."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    from_citizen = models.BooleanField(default=False)
    public = models.BooleanField(default=True)  # False: staff only (with an internal note)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class CaseLink(models.Model):
    """Two requests about related matters (not duplicates): each shows the other."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "other"], name="one_link_per_pair")]

    def __str__(self) -> str:
        return f"{self.case_id} ~ {self.other_id}"


class ReplyTemplate(models.Model):
    """A reviewed reply, in both languages, with ((placeholders)) for the case's values.

    The shipped ones come from ``cases/content/replies/<slug>_fr.md`` and ``_en.md``
    (``agency`` empty); an agency may add its own."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("agency"),
    )
    slug = models.SlugField(_("short name"), max_length=60)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_fr = models.TextField(_("text (French)"))
    body_en = models.TextField(_("text (English)"))
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["title_fr"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "slug"], name="reply_slug_unique"),
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(agency__isnull=True),
                name="shipped_reply_slug_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.slug

    def title(self, language: str) -> str:
        return getattr(self, f"title_{language}", "") or self.title_fr

    def body(self, language: str) -> str:
        return getattr(self, f"body_{language}", "") or self.body_fr


class MailAddress(models.Model):
    """An address of the agency that receives requests by email, and the service they open.

    Matched case-insensitively against a message's recipients (To, Cc, Delivered-To,
    X-Original-To, the envelope recipient), ignoring a ``+tag`` subaddress: the part after
    ``+`` is where our replies' tokens go (``requests+r-2026-4k7qxm.<token>@…``). An address
    belongs to one agency: ``accueil mail-in`` learns the agency from it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    address = models.EmailField(
        _("address"),
        unique=True,
        help_text=_("Lower case, without a + part, e.g. requests@city.example."),
    )
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("new requests go to"),
    )
    language = models.CharField(
        _("language when the message does not say"),
        max_length=2,
        choices=[("fr", "Français"), ("en", "English")],
        default="fr",
    )
    active = models.BooleanField(_("receives mail"), default=True)

    class Meta:
        verbose_name = _("receiving address")
        verbose_name_plural = _("receiving addresses")
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address

    def save(self, *args, **kwargs):
        self.address = (self.address or "").strip().lower()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.address = (self.address or "").strip().lower()
        if "+" in self.address.partition("@")[0]:
            raise ValidationError(
                {"address": _("Leave out the + part: replies use it to find their request.")}
            )
        if self.service_id and self.agency_id and self.service.agency_id != self.agency_id:
            raise ValidationError({"service": _("Choose a service of your agency.")})


class InboundOutcome(models.TextChoices):
    OPENED = "opened", _("Opened a request")
    REPLIED = "replied", _("Added to a request")
    IGNORED = "ignored", _("Ignored (sent by a machine)")


class InboundMail(models.Model):
    """One email received, once: the unique key on (agency, Message-ID) makes a second
    delivery of the same message — a retry, a second route, two pollers — find the first one
    instead of opening a second request. Rows of ignored mail keep no address or id, only
    digests (the sender's, for the acknowledgement cap, keyed with SECRET_KEY)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey("catalog.Agency", on_delete=models.CASCADE, related_name="+")
    # sha256 of the Message-ID (of the raw bytes for a message without one).
    message_key = models.CharField(max_length=64)
    # The Message-ID itself, kept only for mail on a request: our answers cite it.
    message_id = models.CharField(max_length=300, blank=True)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="inbound_mail"
    )
    outcome = models.CharField(max_length=16, choices=InboundOutcome.choices)
    reason = models.CharField(max_length=40, blank=True)
    sender_digest = models.CharField(max_length=64, blank=True)
    acknowledged = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "message_key"], name="one_inbound_per_id")
        ]
        indexes = [
            models.Index(
                fields=["agency", "sender_digest", "received_at"], name="inbound_sender_recent"
            ),
            models.Index(fields=["case", "received_at"], name="inbound_case"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} {self.message_key[:12]}"
