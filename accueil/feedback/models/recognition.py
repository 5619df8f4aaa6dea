"""Recognition: compliments that reach the agent who earned them, the team's wall, and the
weekly wellbeing pulse.

- A **Kudos** is a compliment to one agent: from a citizen, attached to the survey invitation
  of the visit or case they were served in (the agent is the invitation's, never one named in
  a form: one compliment per invitation), or from a colleague of the same agency. It is a
  **wow** when the citizen also gave a top score (trust thumbs-up or 5 out of 5). It stays
  between the agent and the citizen unless the agent asks to put it on the team's wall, and a
  supervisor of the office approves it there.
- The **pulse** is anonymous for real, so it is two tables that share nothing but the week:
  a **PulseReceipt** says *that* an agent answered a week (one per agent and week), a
  **PulseAnswer** says *what* was answered, with a random id, the week and the office only —
  no person, no time of day, no order that would pair it with its receipt. Figures are shown
  only as the publication rule of ``accueil/lib/pulse.py`` allows.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MESSAGE_MAX = 1000
COMMENT_MAX = 1000


class KudosSource(models.TextChoices):
    CITIZEN = "citizen", _("A citizen")
    COLLEAGUE = "colleague", _("A colleague")


class WallStatus(models.TextChoices):
    PRIVATE = "private", _("Only for you")
    PENDING = "pending", _("Waiting for a supervisor")
    APPROVED = "approved", _("On the wall")
    DECLINED = "declined", _("Not put on the wall")


class Kudos(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    # Where the person was served (a colleague's thanks: the agent's office when they have one).
    office = models.ForeignKey(
        "catalog.Office", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="kudos_received",
        verbose_name=_("agent thanked"),
    )
    source = models.CharField(_("from"), max_length=10, choices=KudosSource.choices)
    # A citizen's compliment: the invitation of the visit or case (one compliment each).
    invitation = models.OneToOneField(
        "feedback.Invitation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kudos",
    )
    # A colleague's thanks: who sent it (shown to the agent, never on the wall).
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent by"),
    )
    message = models.TextField(_("message"), max_length=MESSAGE_MAX)
    language = models.CharField(_("language"), max_length=2, default="fr")
    wow = models.BooleanField(_("wow"), default=False)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    seen_at = models.DateTimeField(_("read"), null=True, blank=True)
    wall_status = models.CharField(
        _("wall"), max_length=10, choices=WallStatus.choices, default=WallStatus.PRIVATE
    )
    wall_requested_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("checked by"),
    )
    reviewed_at = models.DateTimeField(_("checked"), null=True, blank=True)

    class Meta:
        verbose_name = _("compliment")
        verbose_name_plural = _("compliments")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agent", "-created_at"], name="kudos_by_agent"),
            models.Index(fields=["agency", "wall_status", "-reviewed_at"], name="kudos_wall"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.created_at:%Y-%m-%d}"


class PulseReceipt(models.Model):
    """That one agent answered one week's pulse; never what they answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.CharField(max_length=8)  # ISO week, "2026-W49"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="one_pulse_per_agent_and_week")
        ]

    def __str__(self) -> str:
        return self.week


class PulseAnswer(models.Model):
    """What was answered, by nobody in particular: no user, no time, a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    # The agent's office when they have exactly one; else none (counted only agency-wide).
    office = models.ForeignKey(
        "catalog.Office", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    week = models.CharField(max_length=8, db_index=True)
    mood = models.PositiveSmallIntegerField()  # 1 (bad) – 5 (very good)
    workload = models.PositiveSmallIntegerField()  # 1 (light) – 5 (far too heavy)
    comment = models.TextField(blank=True, max_length=COMMENT_MAX)

    class Meta:
        indexes = [models.Index(fields=["agency", "week"], name="pulse_by_week")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mood__gte=1, mood__lte=5, workload__gte=1, workload__lte=5),
                name="pulse_values_one_to_five",
            )
        ]

    def __str__(self) -> str:
        return self.week
