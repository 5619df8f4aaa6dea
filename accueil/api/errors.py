"""API errors in the contract's one shape, in the caller's language:

    {"error": {"code": "...", "message": "...", "details": [{"field": "...", "problem": "..."}]}}

``details`` is there only when particular fields are at fault, for schema validation and for
business rules alike (``invalid_field``).
"""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from accueil.core.actions import ActionError
from accueil.core.outage import is_database_outage, unavailable


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, str]] | None = None,
    **context: object,
) -> JsonResponse:
    """``context``: the members ``ErrorBody`` declares beside details (``visit``, ``opens_at``)."""
    error: dict[str, object] = {"code": code, "message": str(message), **context}
    if details:
        error["details"] = [
            {"field": item["field"], "problem": str(item["problem"])} for item in details
        ]
    return JsonResponse({"error": error}, status=status, json_dumps_params={"ensure_ascii": False})


def invalid_field(field: str, problem: str) -> JsonResponse:
    """A 400 for one field that is well-formed but not acceptable (a business rule)."""
    return error_response(400, "invalid", problem, [{"field": field, "problem": problem}])


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", _("The request could not be understood.")),
        401: ("unauthenticated", _("A valid API token is required.")),
        403: ("forbidden", _("This token is not allowed to do that.")),
        404: ("not_found", _("Nothing was found at this address.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        409: ("conflict", _("This conflicts with the current state. Reload and try again.")),
        413: ("too_large", _("The request is too large.")),
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


def _limit(error: dict, *names: str) -> object:
    context = error.get("ctx") or {}
    for name in names:
        if name in context:
            return context[name]
    return ""


def rate_limited(wait: int) -> JsonResponse:
    """429 with Retry-After: the whole seconds until one more request is accepted."""
    response = error_for_status(429)
    response["Retry-After"] = str(wait)
    return response


def _problem(error: dict) -> str:
    """Pydantic's English explanation, said in the caller's language (by the error's ``type``;
    its English ``msg`` never reaches the caller). Limits come from the error's ``ctx``."""
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is not expected.")
    if kind.startswith("uuid"):
        return _("This is not a valid identifier.")
    if kind in ("literal_error", "enum"):
        expected = str(_limit(error, "expected"))
        if expected:
            return _("This value is not one of the allowed choices: %(expected)s.") % {
                # Pydantic writes "'fr' or 'en'": the words stay out, the values stay in.
                "expected": expected.replace("'", "").replace(" or ", ", ")
            }
        return _("This value is not one of the allowed choices.")
    if kind == "string_too_long":
        return _("This text is too long: at most %(limit)s characters.") % {
            "limit": _limit(error, "max_length")
        }
    if kind == "string_too_short":
        return _("This text is too short: at least %(limit)s characters.") % {
            "limit": _limit(error, "min_length")
        }
    if kind == "too_long":
        return _("Too many items: at most %(limit)s.") % {"limit": _limit(error, "max_length")}
    if kind == "too_short":
        return _("Too few items: at least %(limit)s.") % {"limit": _limit(error, "min_length")}
    if kind in ("greater_than", "greater_than_equal"):
        return _("This number is too small: at least %(limit)s.") % {
            "limit": _limit(error, "ge", "gt")
        }
    if kind in ("less_than", "less_than_equal"):
        return _("This number is too large: at most %(limit)s.") % {
            "limit": _limit(error, "le", "lt")
        }
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("A whole number is expected.")
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type"):
        return _("A number is expected.")
    if kind in ("bool_parsing", "bool_type"):
        return _("true or false is expected.")
    if kind in ("string_type", "string_unicode"):
        return _("Text is expected.")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("A list is expected.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("A JSON object is expected.")
    if kind.startswith("date") or kind.startswith("time"):
        return _("A date or time in ISO 8601 form is expected (2026-12-01T08:30:00-05:00).")
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return _("This value has the wrong type.")
    return _("This value is not valid.")


def _field(location) -> str:
    """``("body", "payload", "service")`` → ``"service"``: the name the client wrote."""
    parts = [str(part) for part in location]
    if parts and parts[0] == "body":
        return ".".join(parts[2:]) or "body"
    return ".".join(parts[1:])


def install(api) -> None:
    @api.exception_handler(ValidationError)
    def invalid(request, exc):  # noqa: ARG001 - the signature the framework calls
        if any(tuple(e.get("loc", ()))[:1] == ("path",) for e in exc.errors):
            # A malformed id in the address names nothing: the same answer as an unknown one.
            return error_for_status(404)
        problems = [{"field": _field(e.get("loc", ())), "problem": _problem(e)} for e in exc.errors]
        return error_response(400, "invalid", _("Some fields are missing or invalid."), problems)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):  # noqa: ARG001 - the signature the framework calls
        response = error_for_status(401)
        response["WWW-Authenticate"] = 'Bearer realm="accueil"'
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):  # noqa: ARG001 - the signature the framework calls
        return error_for_status(403)

    @api.exception_handler(Http404)
    def not_found(request, exc):  # noqa: ARG001 - the signature the framework calls
        return error_for_status(404)

    @api.exception_handler(ActionError)
    def refused(request, exc):  # noqa: ARG001 - the signature the framework calls
        """Every action's refusal, rendered here once (see accueil/core/actions.py)."""
        details = [{"field": exc.field, "problem": str(exc)}] if exc.field else None
        context = {key: value for key, value in exc.context.items() if value is not None}
        return error_response(exc.status, exc.code, str(exc), details, **context)

    @api.exception_handler(HttpError)
    def http_error(request, exc):  # noqa: ARG001 - the signature the framework calls
        return error_for_status(exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):  # noqa: ARG001 - the signature the framework calls
        # Without this, ninja turns it into a 500 traceback when DEBUG is on.
        return error_for_status(413)

    @api.exception_handler(RawPostDataException)
    def not_json(request, exc):  # noqa: ARG001 - the signature the framework calls
        # A multipart body (parsed as it streamed in, see core/uploads.py) sent to an
        # operation that reads JSON.
        return error_for_status(400)

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):  # noqa: ARG001 - the signature the framework calls
        return error_for_status(400)

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        # django-ninja would answer a traceback (DEBUG) or re-raise: an outage is a 503 to
        # retry; anything else goes on to Django's 500 handling (logged, in the error shape).
        if is_database_outage(exc):
            return unavailable(request, exc)
        raise exc


# -- what the OpenAPI document promises -------------------------------------------------------

_COMMON = {
    "400": "Bad request: a field is missing or invalid (`invalid`, with `details`), or the body "
    "is not JSON (`bad_request`)",
    "401": "No valid API token (`unauthenticated`)",
    "403": "The token's role does not allow this (`forbidden`)",
    "404": "Nothing has this id, or the id is not a UUID (`not_found`)",
    "413": "The body is larger than 2.5 MB, or a multipart upload is over its limits (`too_large`)",
    "503": "The database is briefly unreachable (`unavailable`, with `Retry-After`)",
}
_WITH_BODY = ("post", "put", "patch", "delete")


def declare_common_errors(document: dict) -> dict:
    """Declare, on every operation, the error statuses that middleware and handlers can give
    whatever the operation: the document then lists every status a client can meet."""
    reference = {"$ref": "#/components/schemas/ErrorOut"}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            statuses = ["400", "503"]
            if "{" in path:
                statuses.append("404")
            if method in _WITH_BODY:
                statuses.append("413")  # form posts are read by RejectNulBytesMiddleware too
            if operation.get("security"):
                statuses += ["401", "403"]
            responses = {str(k): v for k, v in operation.get("responses", {}).items()}
            for status in statuses:
                responses.setdefault(
                    status,
                    {
                        "description": _COMMON[status],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
            operation["responses"] = dict(sorted(responses.items()))
    return document
