"""Checks every HTML page the test client renders: valid HTML, title, lang, unique ids."""

from collections import Counter

import html5lib
from django.test import Client

CHECKED_STATUSES = {200, 400, 403, 404, 413, 429}


class PageProblem(AssertionError):
    pass


def check_page(path: str, html: str) -> None:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        document = parser.parse(html)
    except html5lib.html5parser.ParseError as error:
        line = getattr(parser, "errors", [])
        raise PageProblem(f"{path}: not valid HTML: {error} {line[:1]}") from None
    title = document.find(".//title")
    if title is None or not (title.text or "").strip():
        raise PageProblem(f"{path}: no <title>")
    language = document.get("lang")
    expected = path.split("/")[1] if path.split("/")[1] in {"fr", "en"} else None
    if expected and language != expected:
        raise PageProblem(f"{path}: <html lang={language!r}>, expected {expected!r}")
    ids = Counter(element.get("id") for element in document.iter() if element.get("id"))
    duplicates = [value for value, count in ids.items() if count > 1]
    if duplicates:
        raise PageProblem(f"{path}: duplicate ids {duplicates}")


class CheckingClient(Client):
    """A test client that refuses to return a broken page."""

    def request(self, **request):
        response = super().request(**request)
        path = request.get("PATH_INFO", "")
        content_type = response.get("Content-Type", "")
        if (
            content_type.startswith("text/html")
            and response.status_code in CHECKED_STATUSES
            and not getattr(response, "streaming", False)
            and "/admin/" not in path  # Django's own admin templates are not ours to fix
            and "HTTP_HX_REQUEST" not in request  # htmx fragments are parts of a page
        ):
            check_page(path, response.content.decode())
        return response
