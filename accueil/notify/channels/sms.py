"""SMS through a provider with Twilio's Messages API shape.

Send: ``POST {base}/2010-04-01/Accounts/{sid}/Messages.json`` (form: To, From, Body,
StatusCallback), HTTP Basic auth with the account id and token, JSON answer with the message
``sid``. Receipts and inbound messages come back signed with ``X-Twilio-Signature``
(see ``accueil.notify.sms_hooks``). Any provider with this shape works by changing SMS_API_URL.
"""

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.urls import reverse

from accueil.lib.sms import measure, sms_friendly
from accueil.notify.channels import PermanentFailure, TemporaryFailure

E164 = re.compile(r"^\+[1-9]\d{7,14}$")
# Provider error codes that no retry will fix.
PERMANENT_CODES = {21211, 21408, 21610, 21612, 21614}
UNSUBSCRIBED = 21610


class SmsChannel:
    def send(self, message) -> str:
        if not settings.SMS_API_URL:
            raise TemporaryFailure("SMS is not configured (SMS_API_URL)", "sms_not_configured")
        if not E164.match(message.recipient):
            raise PermanentFailure(
                "the phone number is not in international form", "not_international"
            )
        body = sms_friendly(message.body)
        if measure(body).segments > settings.SMS_MAX_SEGMENTS:
            raise PermanentFailure(
                f"longer than {settings.SMS_MAX_SEGMENTS} SMS segments", "too_long"
            )
        account = settings.SMS_ACCOUNT_ID
        url = f"{settings.SMS_API_URL.rstrip('/')}/2010-04-01/Accounts/{account}/Messages.json"
        form = urllib.parse.urlencode(
            {
                "To": message.recipient,
                "From": settings.SMS_FROM,
                "Body": body,
                "StatusCallback": settings.SITE_URL + reverse("sms-status"),
            }
        ).encode()
        credentials = base64.b64encode(f"{account}:{settings.SMS_AUTH_TOKEN}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - operator-configured https URL
            url,
            data=form,
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            self._raise_for(error, message.recipient)
        except (OSError, ValueError) as error:
            raise TemporaryFailure(type(error).__name__, "unreachable") from None
        if not answer.get("sid"):
            raise TemporaryFailure("the provider gave no message id", "provider_error")
        return str(answer["sid"])

    @staticmethod
    def _raise_for(error: urllib.error.HTTPError, recipient: str):
        try:
            code = int(json.loads(error.read() or b"{}").get("code", 0))
        except (ValueError, TypeError):
            code = 0
        if code == UNSUBSCRIBED:
            # The person texted STOP to the provider directly: remember it here too.
            from accueil.notify.models import Channel, OptOut

            OptOut.record(Channel.SMS, recipient, source="provider opt-out")
        if error.code == 400 and code in PERMANENT_CODES:
            raise PermanentFailure(f"provider error {code}", "provider_error") from None
        # 401 (credentials being fixed), 429 (slow down), 5xx: try again later.
        raise TemporaryFailure(
            f"HTTP {error.code} provider error {code}", "provider_error"
        ) from None

    def close(self) -> None:
        pass
