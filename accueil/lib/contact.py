"""One way to read a phone number, for every place that takes one (Django-free).

Check-in forms and the API, appointment bookings, campaign imports and the SMS provider's
inbound messages all write numbers differently: ``613-555-0111``, ``(613) 555-0111``,
``+1 613 555 0111``, ``１-６１３…``. Every one of them goes through ``normalise_phone`` and comes
out in E.164 (``+16135550111``), so an opt-out sent from one form matches a later message to
another. Numbers without a country code are read as Canadian (``DEFAULT_REGION``).

Refusals carry a ``code`` (``PhoneError.code``) that callers turn into words in the reader's
language: ``empty``, ``characters`` (letters or symbols), ``too_short``, ``too_long``,
``invalid`` (no such country code, or a number no telephone network would give out).
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

DEFAULT_REGION = "CA"
MAX_INPUT = 64  # characters; longer is never a phone number (the API allows 40)
PHONE_CODES = ("empty", "characters", "too_short", "too_long", "invalid")
_ALLOWED = re.compile(r"\+?[0-9 ().\-/]+")
_REASONS = phonenumbers.ValidationResult


class PhoneError(ValueError):
    """The text cannot be read as a phone number; ``code`` says why (``PHONE_CODES``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _ascii_digits(text: str) -> str:
    """Any script's decimal digits (fullwidth, Arabic-Indic…) as ASCII; spacing as a space."""
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        if ch.isdecimal():
            out.append(str(unicodedata.decimal(ch)))
        elif ch.isspace():
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def normalise_phone(text: str, region: str = DEFAULT_REGION) -> str:
    """``text`` as an E.164 number (``+16135550111``), or ``PhoneError``."""
    text = text.strip()
    if not text:
        raise PhoneError("empty")
    if len(text) > MAX_INPUT:
        raise PhoneError("too_long")
    compact = _ascii_digits(text)
    # Letters are refused rather than read as a keypad ("1-800-FLOWERS"): on a form they are
    # a mistake far more often than a vanity number.
    if not _ALLOWED.fullmatch(compact) or "+" in compact[1:]:
        raise PhoneError("characters")
    try:
        number = phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.TOO_LONG:
            raise PhoneError("too_long") from None
        if error.error_type in (
            phonenumbers.NumberParseException.TOO_SHORT_NSN,
            phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD,
        ):
            raise PhoneError("too_short") from None
        raise PhoneError("invalid") from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in (_REASONS.TOO_SHORT, _REASONS.IS_POSSIBLE_LOCAL_ONLY):
        raise PhoneError("too_short")  # local-only: the area code is missing
    if reason == _REASONS.TOO_LONG:
        raise PhoneError("too_long")
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("invalid")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def phone_key(text: str) -> str:
    """What identifies a number for matching (opt-outs): E.164 when it can be read, else the
    bare digits with a ``+``, so that text which is not a number still matches itself."""
    try:
        return normalise_phone(text)
    except PhoneError:
        return "+" + "".join(ch for ch in _ascii_digits(text) if ch.isdigit())
