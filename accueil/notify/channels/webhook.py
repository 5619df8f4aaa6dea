"""Signed JSON notices to agency systems.

Header ``X-Accueil-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` with the
endpoint's secret; receivers check it and reject old timestamps. ``X-Accueil-Message`` carries
the message id, the same on every retry, so a receiver can ignore a repeat.
"""

import hashlib
import hmac
import time

from django.conf import settings

from accueil.lib.netguard import BlockedDestination, post
from accueil.notify.channels import PermanentFailure, TemporaryFailure


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


class WebhookChannel:
    def send(self, message) -> str:
        from accueil.notify.models import WebhookEndpoint

        endpoint = WebhookEndpoint.objects.filter(id=message.recipient, active=True).first()
        if endpoint is None:
            raise PermanentFailure("webhook endpoint missing or inactive", "webhook_inactive")
        body = message.body.encode()
        timestamp = int(time.time())
        signed = signature(endpoint.secret, timestamp, body)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Accueil-Webhook/1",
            "X-Accueil-Message": str(message.id),
            "X-Accueil-Signature": f"t={timestamp},v1={signed}",
        }
        try:
            # Checked again now, with the operator's setting as it is today.
            status = post(
                endpoint.url,
                body,
                headers,
                allow=endpoint.allow_list(),
                permitted=settings.WEBHOOK_PRIVATE_NETWORKS,
            )
        except BlockedDestination as error:
            raise PermanentFailure(f"blocked destination: {error}", "blocked_destination") from None
        except OSError as error:
            raise TemporaryFailure(type(error).__name__, "unreachable") from None
        if 200 <= status < 300:
            return f"http-{status}"
        if status in (408, 425, 429) or status >= 500:
            raise TemporaryFailure(f"HTTP {status}", "webhook_error")
        raise PermanentFailure(f"HTTP {status} (redirects are not followed)", "webhook_error")

    def close(self) -> None:
        pass
