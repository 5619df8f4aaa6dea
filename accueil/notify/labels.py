"""What staff read about a message: its type by name, and why it failed or waits, translated.

The outbox stores a reason *code* (``Message.error_code``) beside the technical detail
(``Message.error``, kept in English for operators and logs: an SMTP code, an HTTP status).
Pages show the code's sentence in the reader's language. Rows written before codes existed
have only the English detail: ``legacy_code`` recognises the sentences the outbox used to write.
"""

import re

from django.utils.translation import gettext_lazy as _

MESSAGE_TYPES = {
    "account.login_throttled": _("Wrong passwords for a staff account"),
    "account.password_reset": _("Password reset link"),
    "appointment.booked": _("Appointment confirmed"),
    "appointment.moved": _("Appointment moved"),
    "appointment.reminder": _("Appointment reminder"),
    "appointment.disrupted": _("Appointment disrupted"),
    "document.expiring": _("Document expiring (campaign)"),
    "visit.called": _("Your turn: go to the desk"),
    "visit.turn_near": _("Your turn is near"),
    "visit.disrupted": _("Service disrupted"),
}

REASONS = {
    "no_longer_needed": _("No longer needed when its time came."),
    "opted_out": _("The person asked to receive no more messages here."),
    "quiet_hours": _("Waiting for the end of quiet hours."),
    "rate_limit": _("Waiting: this person already received several messages this hour."),
    "sms_not_configured": _("SMS is not configured on this server (SMS_API_URL)."),
    "not_international": _("The phone number is not in international form."),
    "too_long": _("Too long for the SMS limit."),
    "provider_error": _("The SMS provider refused the message (%(detail)s)."),
    "unreachable": _("Could not be reached; it will be tried again (%(detail)s)."),
    "recipient_refused": _("The mail server refused the address (%(detail)s)."),
    "recipient_deferred": _("The mail server asked to try again later (%(detail)s)."),
    "smtp_error": _("The mail server answered with an error (%(detail)s)."),
    "subject_line_break": _("The subject holds a line break."),
    "webhook_inactive": _("The webhook is missing or switched off."),
    "blocked_destination": _("The webhook address is not allowed (%(detail)s)."),
    "webhook_error": _("The webhook answered with an error (%(detail)s)."),
    "could_not_be_written": _("The wording could not be filled in (%(detail)s)."),
    "no_channel": _("No such channel (%(detail)s)."),
}

# What the outbox wrote before it stored codes: the detail is whatever the sentence carried.
LEGACY = [
    (re.compile(r"^no longer needed$"), "no_longer_needed"),
    (re.compile(r"^opted out$"), "opted_out"),
    (re.compile(r"^quiet hours$"), "quiet_hours"),
    (re.compile(r"^rate limit$"), "rate_limit"),
    (re.compile(r"SMS is not configured"), "sms_not_configured"),
    (re.compile(r"not in international form"), "not_international"),
    (re.compile(r"SMS segments"), "too_long"),
    (re.compile(r"could not be written"), "could_not_be_written"),
    (re.compile(r"recipient refused"), "recipient_refused"),
    (re.compile(r"recipient deferred"), "recipient_deferred"),
    (re.compile(r"webhook endpoint missing"), "webhook_inactive"),
    (re.compile(r"blocked destination"), "blocked_destination"),
    (re.compile(r"provider error"), "provider_error"),
]


def message_type(key: str) -> str:
    """A message type's name; a key nobody named yet shows as itself."""
    label = MESSAGE_TYPES.get(key)
    return str(label) if label is not None else key


def legacy_code(error: str) -> str:
    for pattern, code in LEGACY:
        if pattern.search(error):
            return code
    return ""


def reason(code: str, error: str) -> str:
    """The sentence for a reason code (or an old row's English text), with its detail."""
    code = code or legacy_code(error)
    sentence = REASONS.get(code)
    if sentence is None:
        return error
    detail = error.removeprefix("gave up: ")
    return str(sentence) % {"detail": detail} if "%(detail)s" in str(sentence) else str(sentence)
