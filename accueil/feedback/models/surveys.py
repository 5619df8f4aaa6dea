"""Surveys after a visit or a case, the invitations that lead to them, and the answers.

- A **Survey** is a list of bilingual questions: the A-11 form (a required trust question, then
  "what went well?" / "what did not go well?" over the service drivers, then a comment), the
  7-driver form (5-point agreement on each driver), or an agency's own (at most 15 questions).
- **SurveySettings** says, per service, which survey follows a visit or a case, how many people
  are asked (a sampling rate), how long an invitation stays open and how often one person may be
  asked at most.
- An **Invitation** is made once per visit or case (a unique key: the event consumer that makes
  them may replay a batch). Its power is its secret (``core/capabilities.py``, kind "survey"),
  rebuilt from its id and never stored; the cooldown compares a digest of the contact, never the
  contact itself.
- A **Response** is one per invitation (a OneToOne); it copies where and by whom the person was
  served, so reports read one table. **Answers** hold one value per question.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accueil.catalog.models import Channel
from accueil.core import capabilities

MAX_QUESTIONS = 15
SHORT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
SHORT_LENGTH = 10  # 50 bits, behind a rate limit


def short_code_for(invitation_id) -> str:
    """Ten characters to type from a card at the desk, derived from the id with the secret key."""
    number = int.from_bytes(capabilities.digest_for("survey-short", invitation_id)[:8], "big")
    return "".join(SHORT_ALPHABET[(number >> (5 * i)) & 31] for i in range(SHORT_LENGTH))


def normalise_short_code(text: str) -> str:
    """What a person typed, read as Crockford base 32: case, dashes and spaces ignored, O is 0,
    I and L are 1."""
    text = "".join(text.upper().split()).replace("-", "")
    return text.translate(str.maketrans("OIL", "011"))


def short_digest_for(code: str) -> str:
    return hashlib.sha256(f"survey-short:{code}".encode()).hexdigest()


class SurveyKind(models.TextChoices):
    A11 = "a11", _("A-11 form (trust, what went well)")
    DRIVERS = "drivers", _("Seven drivers, 5-point scale")
    CUSTOM = "custom", _("Custom")


class QuestionKind(models.TextChoices):
    TRUST_THUMBS = "trust_thumbs", _("Thumbs up or down")
    SCALE5 = "scale5", _("Agreement on a 5-point scale")
    CHOICES = "choices", _("Tick boxes")
    COMMENT = "comment", _("Free comment")


class Driver(models.TextChoices):
    """The customer-experience drivers of OMB Circular A-11 section 280."""

    NONE = "", _("None")
    SATISFACTION = "satisfaction", _("Satisfaction")
    TRUST = "trust", _("Trust")
    EFFECTIVENESS = "effectiveness", _("Effectiveness")
    EASE = "ease", _("Ease")
    EFFICIENCY = "efficiency", _("Efficiency")
    TRANSPARENCY = "transparency", _("Equity and transparency")
    HUMANITY = "humanity", _("Humanity")
    HELPFULNESS = "helpfulness", _("Employee helpfulness")


class Subject(models.TextChoices):
    VISIT = "visit", _("Visit")
    CASE = "case", _("Request")


class SentVia(models.TextChoices):
    SMS = "sms", _("Text message")
    EMAIL = "email", _("Email")
    QR = "qr", _("QR code or short link at the desk")
    TABLET = "tablet", _("Counter tablet")
    NONE = "", _("Not sent")


def _in_language(obj, field: str) -> str:
    language = (get_language() or "fr")[:2]
    other = "en" if language == "fr" else "fr"
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_{other}", "")


class Survey(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=SurveyKind.choices, default=SurveyKind.CUSTOM
    )
    title_fr = models.CharField(_("title in French"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            # One A-11 form and one 7-driver form per agency; custom surveys as many as wanted.
            models.UniqueConstraint(
                fields=["agency", "kind"],
                condition=~models.Q(kind="custom"),
                name="one_standard_survey_per_kind",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _in_language(self, "title")


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    label_fr = models.CharField(_("question in French"), max_length=300)
    label_en = models.CharField(_("question in English"), max_length=300)
    driver = models.CharField(
        _("driver"), max_length=16, choices=Driver.choices, blank=True, default=""
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    required = models.BooleanField(_("required"), default=False)
    # "choices" questions: [{"code": "ease", "label_fr": "…", "label_en": "…"}, …]
    choices = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="question_code_per_survey")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _in_language(self, "label")

    def choice_list(self) -> list[tuple[str, str]]:
        """(code, label in the active language) for each choice."""
        language = (get_language() or "fr")[:2]
        return [
            (str(c.get("code", "")), str(c.get(f"label_{language}") or c.get("label_fr", "")))
            for c in self.choices or []
            if isinstance(c, dict)
        ]


class SurveySettings(models.Model):
    """Per service: which survey, how many people are asked, for how long, how often."""

    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    service = models.OneToOneField(
        "catalog.Service", on_delete=models.CASCADE, related_name="survey_settings"
    )
    survey = models.ForeignKey(
        Survey,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("survey"),
        help_text=_("Empty: the agency's A-11 form."),
    )
    sampling_rate = models.PositiveSmallIntegerField(
        _("share of people asked (%)"),
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    expiry_days = models.PositiveSmallIntegerField(
        _("days an invitation stays open"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    cooldown_days = models.PositiveSmallIntegerField(
        _("days before the same person is asked again"),
        default=30,
        validators=[MaxValueValidator(365)],
    )
    # Values of SentVia: how invitations may reach people for this service.
    channels = models.JSONField(
        _("ways of inviting"), default=list, blank=True, help_text=_("sms, email, qr, tablet")
    )

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")

    def __str__(self) -> str:
        return str(self.service)

    def save(self, *args, **kwargs):
        # Edited as an inline of its service: the agency is the service's.
        self.agency_id = self.service.agency_id
        super().save(*args, **kwargs)

    def allows(self, via: str) -> bool:
        return not self.channels or via in self.channels


class Invitation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey("catalog.Office", on_delete=models.PROTECT, related_name="+")
    desk = models.ForeignKey(
        "catalog.Desk", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    subject_type = models.CharField(max_length=8, choices=Subject.choices)
    subject_id = models.UUIDField()
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("served by"),
    )
    language = models.CharField(_("language"), max_length=2, default="fr")
    sent_via = models.CharField(max_length=8, choices=SentVia.choices, blank=True, default="")
    contact_digest = models.CharField(max_length=64, blank=True, db_index=True)
    # The short code typed from the desk's card (``/s/ABCDE-FGHJK/``) is derived like the
    # secret; only its digest is stored, to find the invitation it leads to.
    short_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="one_invitation_per_subject"
            )
        ]
        indexes = [
            models.Index(fields=["agency", "contact_digest", "created_at"], name="invite_cooldown"),
            models.Index(fields=["desk", "-created_at"], name="invite_by_desk"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.created_at:%Y-%m-%d}"

    @property
    def secret(self) -> str:
        return capabilities.secret_for("survey", self.id)

    @property
    def short_code(self) -> str:
        return short_code_for(self.id)

    def expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class Response(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey("catalog.Office", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("served by"),
    )
    submitted_at = models.DateTimeField(_("answered"), default=timezone.now, db_index=True)
    # The optional second screen (other questions, comment) was sent, or skipped: no more changes.
    completed_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    language = models.CharField(_("language"), max_length=2, default="fr")

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [
            models.Index(fields=["agency", "service", "submitted_at"], name="response_by_service")
        ]

    def __str__(self) -> str:
        return f"{self.submitted_at:%Y-%m-%d %H:%M}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value_int = models.SmallIntegerField(null=True, blank=True)  # thumbs 1/0; scale 1–5
    value_text = models.TextField(blank=True)
    choices = models.JSONField(default=list, blank=True)  # codes ticked

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return str(self.question_id)
