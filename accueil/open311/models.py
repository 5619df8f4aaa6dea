"""What Open311 adds to a request (a case) that came in through a client application.

The case itself is the cases app's, opened by its own action; this row keeps what only
Open311 knows: which application sent it, for which jurisdiction, the token the application
may resolve later, the app's own account and device ids, and the ``media_url`` it gave. The
media is a link: it is never fetched unless an administrator turned fetching on (settings
``OPEN311_FETCH_MEDIA``), and then only by the worker, through the SSRF guard.
"""

import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    # A handle the application may resolve into the request's id, nothing more: it opens no
    # request and reveals only the public reference (see views.token).
    return secrets.token_urlsafe(12)


class Media(models.TextChoices):
    NONE = "", _("No media")
    LINK = "link", _("Kept as a link")
    PENDING = "pending", _("Waiting to be fetched")
    FETCHED = "fetched", _("Kept as an attachment")
    REFUSED = "refused", _("Not fetched (refused)")


class Submission(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="open311", verbose_name=_("request")
    )
    client_app = models.ForeignKey(
        "accounts.ClientApp",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("client application"),
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=100, blank=True)
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    media_url = models.CharField(_("media URL"), max_length=2000, blank=True)
    media = models.CharField(max_length=16, choices=Media.choices, blank=True, default="")
    media_note = models.CharField(max_length=100, blank=True)  # why a fetch was refused
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(media="pending"),
                name="open311_media_pending",
            )
        ]

    def __str__(self) -> str:
        return str(self.case_id)
