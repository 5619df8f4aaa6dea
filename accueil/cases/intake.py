"""Checking what a citizen (or an agent taking a call) gives when opening a request.

The web form, staff intake and the REST API read their input differently, then all pass it
through here: one set of rules for the description, contact, place and the service's own
questions (``CaseField``). A value is refused with a sentence in the reader's language.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accueil.cases.models import CaseField, FieldKind
from accueil.core.contact import clean_email, clean_phone
from accueil.core.validators import single_line

MAX_DESCRIPTION = 10_000
MAX_TEXT = 300
MAX_LONG_TEXT = 5_000
YES = {"true", "yes", "oui", "1", "on"}
NO = {"false", "no", "non", "0", "off", ""}


@dataclass
class Intake:
    """A request's input, cleaned: what ``do_open_case`` stores."""

    description: str
    language: str
    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    answers: dict[str, Any] = field(default_factory=dict)


def _line(value: Any, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise ValidationError(_("Keep this under %(limit)s characters.") % {"limit": limit})
    if text:
        single_line(text)
    return text


def clean_description(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError(_("Describe your request."))
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError(
            _("Keep your description under %(limit)s characters.") % {"limit": MAX_DESCRIPTION}
        )
    return text


def clean_name(value: Any) -> str:
    return _line(value, 200)


def clean_address(value: Any) -> str:
    return _line(value, MAX_TEXT)


def clean_coordinate(value: Any, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("Give the position as a number, e.g. 45.5017.")) from None
    if not number.is_finite() or abs(number) > limit:
        raise ValidationError(_("This position is not on Earth."))
    return number.quantize(Decimal("0.000001"))


def clean_answer(question: CaseField, value: Any) -> Any:
    """One answer to a service's question, in the form it is stored (JSON-ready)."""
    kind = question.kind
    if kind == FieldKind.FILE:
        return None  # files are attachments, checked by lib/uploads.py
    empty = value is None or (isinstance(value, str) and not value.strip())
    if kind == FieldKind.YES_NO and isinstance(value, bool):
        return value
    if empty:
        if question.required:
            raise ValidationError(_("Answer this question."))
        return None
    if kind == FieldKind.TEXT:
        return _line(value, MAX_TEXT)
    if kind == FieldKind.LONG_TEXT:
        text = str(value).strip()
        if len(text) > MAX_LONG_TEXT:
            raise ValidationError(
                _("Keep this under %(limit)s characters.") % {"limit": MAX_LONG_TEXT}
            )
        return text
    if kind == FieldKind.NUMBER:
        if isinstance(value, bool):
            raise ValidationError(_("Give a number, e.g. 12 or 3,5."))
        try:
            number = Decimal(str(value).strip().replace(",", ".").replace("\u00a0", ""))
        except InvalidOperation:
            raise ValidationError(_("Give a number, e.g. 12 or 3,5.")) from None
        if not number.is_finite() or abs(number) >= Decimal(10) ** 12:
            raise ValidationError(_("Give a number, e.g. 12 or 3,5."))
        return str(number.normalize()) if number != number.to_integral() else str(int(number))
    if kind == FieldKind.DATE:
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValidationError(_("Give a date as year-month-day, e.g. 2026-12-01.")) from None
    if kind == FieldKind.CHOICE:
        allowed = [str(choice.get("value")) for choice in question.choices]
        if str(value) not in allowed:
            raise ValidationError(_("Choose one of the answers offered."))
        return str(value)
    if kind == FieldKind.YES_NO:
        text = str(value).strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValidationError(_("Answer yes or no."))
    if kind == FieldKind.LOCATION:
        return _line(value, MAX_TEXT)
    raise ValidationError(_("This question cannot be answered here."))  # pragma: no cover


def clean_answers(questions: list[CaseField], raw: dict[str, Any]) -> tuple[dict, dict[str, str]]:
    """Every question's answer, and the problems by question code (empty when all is well).

    Codes that name no question of the service are refused too: an integrator's typo must not
    be silently dropped."""
    answers: dict[str, Any] = {}
    problems: dict[str, str] = {}
    known = {question.code for question in questions}
    for code in raw:
        if code not in known:
            problems[str(code)[:60]] = _("This service asks no such question.")
    for question in questions:
        try:
            value = clean_answer(question, raw.get(question.code))
        except ValidationError as error:
            problems[question.code] = " ".join(str(m) for m in error.messages)
            continue
        if value is not None:
            answers[question.code] = value
    return answers, problems


def clean_contact(name: Any, email: Any, phone: Any) -> tuple[str, str, str, dict[str, str]]:
    problems: dict[str, str] = {}
    cleaned = []
    for key, value, cleaner in (
        ("name", name, clean_name),
        ("email", email, clean_email),
        ("phone", phone, clean_phone),
    ):
        try:
            cleaned.append(cleaner(value))
        except ValidationError as error:
            problems[key] = " ".join(str(m) for m in error.messages)
            cleaned.append("")
    return cleaned[0], cleaned[1], cleaned[2], problems
