"""Whatever answers an error under /open311/ before our views could (Django's 404 for an
unknown path, a body too large to parse, a 413 for an upload over the cap, a CSRF refusal)
is given the specification's error list, in the format the path or ``Accept`` asked for."""

import re

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from accueil.open311 import formats

SUFFIX = re.compile(r"\.(json|xml)$")


def _message(status: int) -> str:
    return {
        400: _("The request could not be understood."),
        403: _("This is not allowed."),
        404: _("Nothing was found at this address."),
        405: _("This method is not allowed here."),
        413: _("The request is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
    }.get(status, _("The request could not be understood."))


class Open311ErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/open311/")
            and 400 <= response.status_code < 500
            and not getattr(response, "open311", False)
        ):
            match = SUFFIX.search(request.path)
            fmt = formats.choose(request, match.group(1) if match else None)
            shaped = formats.errors(fmt, response.status_code, _message(response.status_code))
            for header in ("Allow", "Retry-After"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response
