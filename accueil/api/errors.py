"""API errors in the contract's shape: {"error": {"code", "message"}}, in the caller's language."""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from accueil.core.outage import is_database_outage, unavailable


def error_response(status: int, code: str, message: str, **extra) -> JsonResponse:
    body = {"error": {"code": code, "message": message, **extra}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", _("The request could not be understood.")),
        401: ("unauthenticated", _("A valid API token is required.")),
        403: ("forbidden", _("This token is not allowed to do that.")),
        404: ("not_found", _("Nothing was found at this address.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        409: ("conflict", _("This conflicts with the current state. Reload and try again.")),
        429: ("rate_limited", _("Too many requests. Please wait a moment and try again.")),
        500: ("server_error", _("The error has been recorded. Please try again in a moment.")),
        503: (
            "unavailable",
            _("The service is briefly unavailable. Please try again in a moment."),
        ),
    }


def error_for_status(status: int, message: str | None = None) -> JsonResponse:
    code, default = _messages().get(
        status, (HTTPStatus(status).phrase.lower().replace(" ", "_"), "")
    )
    return error_response(status, code, message or default)


def install(api) -> None:
    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "problem": e.get("msg", "")}
            for e in exc.errors
        ]
        return error_response(
            400, "invalid", _("Some fields are missing or invalid."), details=problems
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = error_for_status(401)
        response["WWW-Authenticate"] = 'Bearer realm="accueil"'
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return error_for_status(403)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_for_status(404)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return error_for_status(exc.status_code)

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        # django-ninja would answer a traceback (DEBUG) or re-raise: an outage is a 503 to
        # retry; anything else goes on to Django's 500 handling (logged, in the error shape).
        if is_database_outage(exc):
            return unavailable(request, exc)
        raise exc
