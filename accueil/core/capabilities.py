"""Secrets that give a citizen power over one object: their visit, their appointment.

A visit's or an appointment's id may be seen elsewhere (a staff page, an event, an
integrator's log); the power to read its status page, cancel it or move it comes only from its
**secret**, which is given to the person who created it and to nobody else. The secret is an
HMAC of the object's kind and id under the site's ``SECRET_KEY``: nothing to store, any server
process can rebuild it to put in a link or a QR code, and nobody can derive it from the id.
Offered secrets are compared in constant time; ``SECRET_KEY_FALLBACKS`` keep links valid while
an operator rotates the key.
"""

import base64

from django.conf import settings
from django.urls import register_converter
from django.utils.crypto import constant_time_compare, salted_hmac

LENGTH = 22  # 128 bits, URL-safe base64 without padding
PATTERN = f"[A-Za-z0-9_-]{{{LENGTH}}}"


def _digest(kind: str, object_id, key: str) -> bytes:
    return salted_hmac(
        f"accueil.capability.{kind}", str(object_id), secret=key, algorithm="sha256"
    ).digest()


def _secret(kind: str, object_id, key: str) -> str:
    return base64.urlsafe_b64encode(_digest(kind, object_id, key)[:16]).decode().rstrip("=")


def digest_for(kind: str, object_id) -> bytes:
    """The raw HMAC behind a secret, for secrets written in another alphabet (a short code)."""
    return _digest(kind, object_id, settings.SECRET_KEY)


def secret_for(kind: str, object_id) -> str:
    """The secret of one object (``kind``: "visit", "appointment", …)."""
    return _secret(kind, object_id, settings.SECRET_KEY)


def holds(kind: str, object_id, offered) -> bool:
    """True if ``offered`` is that object's secret (under the current or a previous key)."""
    if not isinstance(offered, str) or len(offered) != LENGTH:
        return False
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    matched = False
    for key in keys:  # every key is tried: the time taken does not say which one matched
        matched |= constant_time_compare(_secret(kind, object_id, key), offered)
    return matched


class SecretConverter:
    """``<secret:secret>`` in URL patterns: anything else is not a route (404)."""

    regex = PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SecretConverter, "secret")
