"""Health checks: liveness, and whether the database answers."""

from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accueil.core.guards import public


@public
@never_cache
@require_GET
def healthz(request):  # noqa: ARG001 - the signature the framework calls
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


@public
@never_cache
@require_GET
def readyz(request):  # noqa: ARG001 - the signature the framework calls
    """Readiness: the database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        return JsonResponse({"status": "unavailable", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@public
@require_GET
def favicon(request):  # noqa: ARG001 - the signature the framework calls
    # The icon lives with the other static files (WhiteNoise serves and caches it).
    return HttpResponsePermanentRedirect(static("accueil/img/favicon.svg"))
