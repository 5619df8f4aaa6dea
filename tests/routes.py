"""The URL map as data, for the route list and the authorization meta-test."""

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def page_routes():
    """Our own routes (not the admin's, not the API's), with the access rule each declares."""
    with translation.override("fr"):
        for route, pattern in _walk(get_resolver().url_patterns):
            if route.startswith(("fr/admin/", "api/")):
                continue
            yield route.replace("fr/", "<lang>/", 1), pattern


def access_rule(pattern):
    return getattr(pattern.callback, "access_rule", None)


def route_list():
    rows = []
    for route, pattern in page_routes():
        rule = access_rule(pattern)
        rows.append({"route": route, "name": pattern.name, "access": ":".join(rule or ["MISSING"])})
    return sorted(rows, key=lambda row: row["route"])
