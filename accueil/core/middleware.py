"""Response headers every page gets, and a clean 503 when the database is away."""

import re

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from accueil.core.outage import is_database_outage, unavailable

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class DatabaseUnavailableMiddleware:
    """A lost database gives a bilingual 503, not a 500; Django reconnects on the next request.

    Views' exceptions arrive here; the 500 handler (``core.errors.server_error``) and the API's
    exception handler catch the same outage wherever else it surfaces."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_outage(exception):
            return None
        return unavailable(request, exception)


# Control characters no keyboard types (line breaks and tabs are whitespace people type).
UNTYPEABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class RejectNulBytesMiddleware:
    """A NUL byte, an escape or a C1 control is never part of real input: refuse it before any
    form echoes it back into a page (where it is not even valid HTML) or saves it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            # Multipart bodies are parsed already, streamed to disk (core.uploads): reading
            # them whole into memory here would undo that.
            if request.path.startswith("/api/") and request.content_type != "multipart/form-data":
                try:
                    request.body  # noqa: B018 - keep the raw body readable for the API's parser
                except RequestDataTooBig:
                    # ApiErrorShapeMiddleware gives it the contract's body.
                    return HttpResponse(status=413)
            fields = request.POST
        else:
            fields = request.GET
        if any(UNTYPEABLE.search(value) for values in fields.lists() for value in values[1]):
            from accueil.core.errors import bad_request

            return bad_request(request)
        return self.get_response(request)
