"""The one error every action raises, and the two places that show it.

An action (``access_*`` → ``check_*`` → ``do_*``) that cannot do what it was asked raises
``ActionError`` with a stable ``code`` (part of the API contract), a message for a person (in
the language active when it is shown) and the HTTP status the API answers. Nobody catches it
one view at a time:

- the REST API renders it once, in the contract's error shape (``accueil/api/errors.py``);
- pages render it once (``ActionErrorMiddleware``): a POST gets the message as a flash and a
  redirect to where the view said its failures go (``@failures_return_to``), or back to the
  page the form was on; a form that should be shown again with the person's input uses
  ``errors_on(form)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from accueil.core.errors import action_refused


class ActionError(Exception):
    """A change the current state or the rules do not allow; shown to the person who asked.

    ``field`` names the input at fault (the API lists it in ``details``); ``context`` goes into
    the API's error object beside code and message and must be JSON-ready (e.g. the visitor
    still at a desk, when a closed office opens again)."""

    def __init__(
        self,
        code: str,
        message: Any,
        status: int = 409,
        *,
        field: str | None = None,
        **context: Any,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status
        self.field = field
        self.context = context

    def __str__(self) -> str:
        return str(self.message)


def failures_return_to(
    url_name: str, *, fragment: str = "", tag: str = ""
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Where a page view's ActionError sends the person back (reversed with the view's own
    arguments when the target takes them), to which ``#fragment``, and with which message
    ``tag`` (a page may show some messages beside a field rather than at the top)."""

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        view.failures_return_to = (url_name, fragment, tag)  # type: ignore[attr-defined]
        return view

    return mark


@contextmanager
def errors_on(form: Any) -> Iterator[None]:
    """Show an ActionError on the form (re-rendered with the person's input) instead of raising."""
    try:
        yield
    except ActionError as error:
        form.add_error(
            error.field if error.field in getattr(form, "fields", {}) else None, str(error)
        )


def _failure_target(request: HttpRequest) -> tuple[str, str, str] | None:
    match = request.resolver_match
    return getattr(match.func, "failures_return_to", None) if match else None


def _return_address(request: HttpRequest, target: tuple[str, str, str] | None) -> str:
    if target:
        url_name, fragment, _tag = target
        kwargs = request.resolver_match.kwargs
        try:
            address = str(reverse(url_name, kwargs=kwargs))
        except NoReverseMatch:
            address = str(reverse(url_name))
        return address + str(fragment)
    referer = request.headers.get("Referer", "")
    parts = urlsplit(referer)
    if referer and parts.netloc == request.get_host() and parts.path.startswith("/"):
        return str(parts.path) + (f"?{parts.query}" if parts.query else "")
    return str(request.path) if request.method == "GET" else "/"


class ActionErrorMiddleware:
    """Pages: an ActionError becomes a message where the person will read it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ActionError):
            return None
        if request.method in ("GET", "HEAD"):
            return action_refused(request, exception)  # type: ignore[no-untyped-call]
        target = _failure_target(request)
        messages.error(request, str(exception), extra_tags=target[2] if target else "")
        return HttpResponseRedirect(_return_address(request, target))
