"""Cleaning the contact details a visitor or a citizen with a request leaves for notices
(shared by queues and cases, so one number is written one way everywhere)."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from accueil.lib.contact import PhoneError, normalise_phone


def phone_problem(code: str) -> str:
    """What is wrong with a phone number, in the reader's language (``PhoneError.code``)."""
    problems = {
        "characters": _("Write the phone number with digits, spaces or dashes, e.g. 514 555-0100."),
        "too_short": _("This phone number is too short: give all 10 digits, e.g. 514 555-0100."),
        "too_long": _("This phone number is too long."),
        "invalid": _(
            "This number cannot receive messages. Check it, or start with + and the country code."
        ),
    }
    return str(problems.get(code, problems["invalid"]))


def clean_phone(text: str) -> str:
    """Any usual way of writing a number, as E.164 (+15145550100); '' if none.

    The one normaliser (``accueil.lib.contact``) is shared with campaign imports and opt-outs.
    """
    text = (text or "").strip()
    if not text:
        return ""
    try:
        return normalise_phone(text)
    except PhoneError as error:
        raise ValidationError(phone_problem(error.code), code=f"phone_{error.code}") from None


def clean_email(text: str) -> str:
    text = (text or "").strip()
    if not text:
        return ""
    if len(text) > 254 or any(ch in text for ch in "\r\n"):
        raise ValidationError(_("Enter a valid email address."))
    try:
        validate_email(text)
    except ValidationError:
        raise ValidationError(_("Enter a valid email address.")) from None
    return text
