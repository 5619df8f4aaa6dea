from django.http import HttpRequest, HttpResponse

from accueil.api.errors import error_for_status


class ApiErrorShapeMiddleware:
    """Any error under /api/ that is not already JSON (405, Django's 404, CSRF 403…) gets the
    contract's ``{"error": {"code", "message"}}`` body, in the request's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            shaped = error_for_status(response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response
