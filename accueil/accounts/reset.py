"""Staff password reset by email: the forms, the signed link, and the wording it is sent with.

The link carries Django's ``PasswordResetTokenGenerator`` token: it expires after
``PASSWORD_RESET_TIMEOUT`` and stops working once used, because it is derived from the
password hash and the last sign-in, both of which the reset changes.
"""

import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from accueil.notify.templates_text import ensure_defaults

NOTICE = "account.password_reset"


class ResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of your staff account"),
        max_length=254,
        help_text=_(
            "If an account uses this address, a link to choose a new password is sent to it."
        ),
    )


class NewPasswordForm(SetPasswordForm):
    """Django's own form: both fields must match and pass AUTH_PASSWORD_VALIDATORS."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].widget.attrs.pop("autofocus", None)
        # Django's help is an HTML list; the page shows help in a paragraph, so plain sentences.
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())


def reset_link(user) -> str:
    """The absolute link, in the user's language, with a fresh token."""
    token = default_token_generator.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    with translation.override(user.language):
        path = reverse("accounts:password-reset-confirm", args=[uid, token])
    return settings.SITE_URL + path


def digest(link: str) -> str:
    return hashlib.sha256(link.encode()).hexdigest()[:32]


def expiry_minutes() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 60)


def ensure_wording() -> None:
    """The default wording, from the content files, if this database has never loaded it:
    a reset that silently sends nothing would leave a locked-out person with no way back."""
    with transaction.atomic():
        ensure_defaults(NOTICE)
