"""View guards: every page is marked staff-only (with a minimum role) or public, on purpose.

The authorization meta-test (tests/test_authorization.py) and the route list read the marks
these decorators leave. They live in core so that every app can guard its views without
importing another app.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accueil.core.actors import Actor, Role

# -- view decorators; the authorization meta-test reads the marks they leave -------------------


def staff_required(minimum: str = Role.AGENT) -> Callable[[Callable[..., Any]], Any]:
    """Signed-in staff of at least ``minimum`` role; sets ``request.actor``."""

    def decorator(view: Callable[..., Any]) -> Any:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.agency_id is None or not user.has_role(minimum):
                raise PermissionDenied
            request.actor = Actor.staff(user)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        wrapped.access_rule = ("staff", minimum)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: Callable[..., Any]) -> Any:
    """Marks a view as open to everyone, on purpose."""
    view.access_rule = ("public",)  # type: ignore[attr-defined]
    return view
