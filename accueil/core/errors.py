"""Bilingual error pages. Under /api/, ApiErrorShapeMiddleware turns them into JSON."""

import sys

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from accueil.core.outage import is_database_outage, unavailable


def _page(request, status, title, message):
    context = {"title": title, "message": message, "status": status}
    return HttpResponse(render_to_string("error.html", context, request=request), status=status)


def bad_request(request, exception=None):
    # Django turns a session that could not be saved into a 400 (SessionInterrupted), even
    # when the database is what failed: that is an outage to retry, not a bad request.
    if is_database_outage(exception):
        return unavailable(request, exception)
    return _page(request, 400, _("Bad request"), _("The request could not be understood."))


def action_refused(request, error):
    """A page that cannot be shown because an action refused (see core/actions.py)."""
    return _page(request, error.status, _("This cannot be done now"), str(error))


def request_too_large(request, message):
    """A body over the upload limits (core/uploads.py), refused before it was read."""
    return _page(request, 413, _("Too large to send"), message)


def permission_denied(request, exception=None):  # noqa: ARG001 - the signature the framework calls
    return _page(
        request, 403, _("Access refused"), _("Your account does not give access to this page.")
    )


def page_not_found(request, exception=None):  # noqa: ARG001 - the signature the framework calls
    return _page(
        request, 404, _("Page not found"), _("This page does not exist or is no longer available.")
    )


def server_error(request):
    # Django calls this inside its exception handler: an outage that surfaced outside a view
    # (in a middleware, a streamed template) is still a 503 to retry, not a 500.
    error = sys.exc_info()[1]
    if is_database_outage(error):
        return unavailable(request, error)
    return _page(
        request,
        500,
        _("Something went wrong"),
        _("The error has been recorded. Please try again in a moment."),
    )


def csrf_failure(request, reason=""):  # noqa: ARG001 - the signature the framework calls
    return _page(
        request,
        403,
        _("Form expired"),
        _("This form was open too long or came from another site. Reload the page and try again."),
    )
