"""Cleaning the optional contact details a visitor leaves for notices."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

PHONE_NOISE = re.compile(r"[\s().\-]")


def clean_phone(text: str) -> str:
    """A North American or international number, as E.164 (+15145550100); '' if none."""
    text = (text or "").strip()
    if not text:
        return ""
    compact = PHONE_NOISE.sub("", text)
    digits = compact.lstrip("+")
    if not digits.isdigit() or not digits.isascii():
        raise ValidationError(_("Write the phone number with digits only, e.g. 514 555-0100."))
    if not compact.startswith("+"):
        if len(digits) == 10:
            digits = "1" + digits
        elif not (len(digits) == 11 and digits.startswith("1")):
            raise ValidationError(_("This phone number needs 10 digits, e.g. 514 555-0100."))
    if not 8 <= len(digits) <= 15:
        raise ValidationError(_("This phone number is too short or too long."))
    return "+" + digits


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
