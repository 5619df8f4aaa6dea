"""Telling a database outage from a bug, wherever the exception surfaces.

Django wraps driver errors in ``django.db.OperationalError`` / ``InterfaceError`` inside its
cursor, but not everywhere: a connection that dies while a template iterates a query, or while
a library talks to the driver itself, raises the driver's own exception, and handlers that
catch first (django-ninja's) or convert to a 500 (Django's) see it wrapped or chained. An
outage is answered with a 503 and ``Retry-After`` — the client should come back — never a 500.
"""

import logging
import sqlite3

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("accueil")

OUTAGE_TYPES: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    sqlite3.OperationalError,
)
try:
    import psycopg

    OUTAGE_TYPES += (psycopg.OperationalError, psycopg.InterfaceError)
except ImportError:  # pragma: no cover - PostgreSQL is optional
    pass

RETRY_AFTER_SECONDS = 5


def is_database_outage(error: BaseException | None) -> bool:
    """True if ``error`` or anything it was raised from is the database being unreachable."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OUTAGE_TYPES):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def unavailable(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """The bilingual 503 for a database outage: JSON in the contract's shape under /api/."""
    logger.error("database unavailable: %s", type(exception).__name__)
    message = _("The service is briefly unavailable. Please try again in a moment.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"error": {"code": "unavailable", "message": message}},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(
            render_to_string("503.html", {"message": message}, request=request), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
