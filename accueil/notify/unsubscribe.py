"""Signed unsubscribe links for proactive email (List-Unsubscribe, RFC 8058 one-click)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

SALT = "accueil.notify.unsubscribe"


def token_for(channel: str, address: str) -> str:
    return signing.dumps({"c": channel, "a": address}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[str, str] | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return data["c"], data["a"]


def unsubscribe_url(channel: str, address: str, language: str) -> str:
    with translation.override(language):
        path = reverse("notify:unsubscribe", args=[token_for(channel, address)])
    return settings.SITE_URL + path
