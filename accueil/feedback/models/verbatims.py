"""What supervisors do with survey comments ("verbatims"): themes, abuse flags, redaction.

- A **ThemeRule** is an agency's theme (« Attente », "Waiting time") with the keywords that find
  it in a French or an English comment. Administrators edit them; the tagger stems them
  (``accueil/lib/themes.py``). A new agency starts from ``feedback/themes_default.py``.
- A **ResponseTheme** says that a response's comment talks about a theme. Tags are computed by
  the ``feedback.themes`` consumer when a comment arrives (``reporting_background.py``), once
  per (response, theme).
- A **Verbatim** is the review state of one response's comment: flagged as abusive (by the
  word list, or by a supervisor) and redacted (by a supervisor, who removed personal
  information: the original words are not kept, anywhere — only who, when and how many
  characters went, here and in the event).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.feedback.models.surveys import _in_language


def split_keywords(text: str) -> list[str]:
    """Keywords as an administrator types them: one per line, or separated by commas."""
    return [k.strip() for line in (text or "").splitlines() for k in line.split(",") if k.strip()]


class ThemeRule(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    code = models.SlugField(_("code"), max_length=40)
    label_fr = models.CharField(_("theme in French"), max_length=100)
    label_en = models.CharField(_("theme in English"), max_length=100)
    keywords_fr = models.TextField(
        _("French keywords"),
        blank=True,
        help_text=_(
            "One per line or separated by commas. Several words on one line must all appear."
        ),
    )
    keywords_en = models.TextField(
        _("English keywords"),
        blank=True,
        help_text=_(
            "One per line or separated by commas. Several words on one line must all appear."
        ),
    )
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("comment theme")
        verbose_name_plural = _("comment themes")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="theme_code_per_agency")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _in_language(self, "label")

    def keywords(self) -> dict[str, list[str]]:
        return {"fr": split_keywords(self.keywords_fr), "en": split_keywords(self.keywords_en)}


class ResponseTheme(models.Model):
    response = models.ForeignKey(
        "feedback.Response", on_delete=models.CASCADE, related_name="themes"
    )
    theme = models.ForeignKey(ThemeRule, on_delete=models.CASCADE, related_name="tags")

    class Meta:
        verbose_name = _("comment theme tag")
        verbose_name_plural = _("comment theme tags")
        constraints = [
            models.UniqueConstraint(fields=["response", "theme"], name="one_tag_per_theme")
        ]

    def __str__(self) -> str:
        return str(self.theme)


class FlagSource(models.TextChoices):
    WORDS = "words", _("Word list")
    STAFF = "staff", _("A supervisor")


class Verbatim(models.Model):
    """The review state of one response's comment (made when the comment is first read)."""

    response = models.OneToOneField(
        "feedback.Response", on_delete=models.CASCADE, primary_key=True, related_name="verbatim"
    )
    # Copied from the response so the verbatims list filters one table's indexed columns.
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    flagged_at = models.DateTimeField(_("flagged"), null=True, blank=True)
    flag_source = models.CharField(
        _("flagged by"), max_length=8, choices=FlagSource.choices, blank=True
    )
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    redacted_at = models.DateTimeField(_("personal information removed"), null=True, blank=True)
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    redactions = models.PositiveSmallIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment review")
        verbose_name_plural = _("comment reviews")
        indexes = [models.Index(fields=["agency", "flagged_at"], name="verbatim_flagged")]

    def __str__(self) -> str:
        return str(self.response_id)

    @property
    def flagged(self) -> bool:
        return self.flagged_at is not None
