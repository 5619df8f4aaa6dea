"""What the SMS provider sends back: delivery receipts and inbound messages (STOP, ARRÊT)."""

import base64
import hashlib
import hmac
import unicodedata

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accueil.core.guards import public
from accueil.notify.actions import do_opt_in, do_opt_out, do_record_receipt
from accueil.notify.models import Channel, Status

STOP_WORDS = {"STOP", "ARRET", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "DESABONNER"}
START_WORDS = {"START", "UNSTOP", "DEBUT", "REPRENDRE"}
FINAL_RECEIPTS = {
    "delivered": Status.DELIVERED,
    "undelivered": Status.FAILED,
    "failed": Status.FAILED,
}


def _refused() -> HttpResponse:
    return HttpResponse("invalid signature", status=403, content_type="text/plain")


EMPTY_REPLY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def provider_signature(url: str, params: dict[str, str], token: str) -> str:
    """Twilio's scheme: HMAC-SHA1 over the URL and the sorted parameters, base64."""
    signed = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _verified(request) -> bool:
    if not settings.SMS_AUTH_TOKEN:
        return False
    url = settings.SITE_URL + request.path
    params = {key: request.POST[key] for key in request.POST}
    expected = provider_signature(url, params, settings.SMS_AUTH_TOKEN)
    return hmac.compare_digest(expected, request.headers.get("X-Twilio-Signature", ""))


def _keyword(text: str) -> str:
    bare = unicodedata.normalize("NFKD", text.strip()).encode("ascii", "ignore").decode()
    return bare.upper().strip(" .!")


@public
@csrf_exempt  # the provider cannot hold a CSRF token; its signature is checked instead
@require_POST
def status(request):
    if not _verified(request):
        return _refused()
    final = FINAL_RECEIPTS.get(request.POST.get("MessageStatus", ""))
    if final is not None:
        # Only a message that is still "sent" changes, so a replayed receipt does nothing.
        error = f"provider error {request.POST.get('ErrorCode')}" if final == Status.FAILED else ""
        do_record_receipt(request.POST.get("MessageSid", ""), final, error)
    return HttpResponse(status=204)


@public
@csrf_exempt
@require_POST
def inbound(request):
    if not _verified(request):
        return _refused()
    sender, word = request.POST.get("From", ""), _keyword(request.POST.get("Body", ""))
    if word in STOP_WORDS:
        do_opt_out(Channel.SMS, sender, source="SMS " + word)
    elif word in START_WORDS:
        do_opt_in(Channel.SMS, sender)
    return HttpResponse(EMPTY_REPLY, content_type="application/xml")
