"""Uploads at the edge of Django: size limits before a body is read, refusals said in the
person's language, and downloads that no browser will render or run.

``accueil.lib.uploads`` decides whether a file may be kept; this module is the Django around it:

- ``UploadLimitMiddleware`` answers 413 to a multipart request whose ``Content-Length`` is over
  ``settings.UPLOAD_REQUEST_MAX_BYTES`` **before reading its body**: a 50 MB photo is refused
  at once, in the contract's JSON shape under ``/api/`` and as a bilingual page elsewhere. A
  middleware rather than an upload handler alone, because a handler only runs once Django has
  started reading the body, and the refusal must come before the person's connection has
  carried 50 MB for nothing. Below the cap it parses the body itself (files stream to disk past
  ``FILE_UPLOAD_MAX_MEMORY_SIZE``), so a refusal from the handler below is answered the same way.
- ``CappedUploadHandler`` (first in ``FILE_UPLOAD_HANDLERS``) counts bytes as they arrive and
  stops the upload as soon as one file passes ``UPLOAD_MAX_BYTES`` or all of them pass
  ``UPLOAD_REQUEST_MAX_BYTES``, whatever ``Content-Length`` claimed: nothing larger is ever
  kept in memory or on disk.
- ``check_upload`` runs ``clean_upload`` on an ``UploadedFile`` with the site's ceiling (a
  service may lower it, never raise it); ``refusal_message`` and ``refusal_error`` say why a file
  was refused, as a sentence or as the one ``ActionError``.
- ``attachment_response`` serves kept bytes back: always as an attachment, with ``nosniff``, a
  content type from a short safe list and a sandboxing CSP.

Django parses multipart bodies into ``request.POST`` for POST only: a PUT or PATCH is held to the
``Content-Length`` cap here, and its files (parsed later, by django-ninja) to the byte counter,
whose refusal then shows as a missing file.

Non-file form fields stay capped by ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django counts only them
for multipart bodies), and bodies that are not multipart keep that 2.5 MB cap too.
"""

import re
import unicodedata
from collections.abc import Collection
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accueil.core.actions import ActionError
from accueil.lib.uploads import (
    CONTENT_TYPES,
    CleanFile,
    Refused,
    clean_name,
    clean_upload,
    split_name,
)

MB = 1_000_000  # sizes are said in SI megabytes (Mo), as people read them on their phones
BODY_METHODS = ("POST", "PUT", "PATCH")
SAFE_CONTENT_TYPES = frozenset(CONTENT_TYPES.values())
_USUAL_EXTENSION = {"jpeg": "jpg", "text": "txt"}


# -- messages ----------------------------------------------------------------------------------


def _size(size: object) -> str:
    """A size as people read it: "50.0" MB in English, "50,0" Mo in French."""
    return number_format(int(size) / MB, decimal_pos=1)


def _limit(size: object) -> str:
    """A limit is usually whole: "10" MB, and "2.5" MB when it is not."""
    value = int(size)
    if value % MB == 0:
        return number_format(value // MB)
    return number_format(value / MB, decimal_pos=1)


def refusal_message(refused: Refused) -> str:
    """One clear sentence (or two) per refusal code, in the active language."""
    context = refused.context
    code = refused.code
    if code == "too_large" and context.get("scope") == "request":
        limits = {
            "limit": _limit(context["limit"]),
            "file_limit": _limit(settings.UPLOAD_MAX_BYTES),
        }
        if context.get("size"):
            return _(
                "What you sent is too large: %(size)s MB in all. The limit is %(limit)s MB "
                "for one sending and %(file_limit)s MB for each file."
            ) % {"size": _size(context["size"]), **limits}
        return (
            _(
                "What you sent is too large. The limit is %(limit)s MB for one sending and "
                "%(file_limit)s MB for each file."
            )
            % limits
        )
    if code == "too_large":
        if context.get("size"):
            return _("This file is too large: %(size)s MB. The limit is %(limit)s MB.") % {
                "size": _size(context["size"]),
                "limit": _limit(context["limit"]),
            }
        return _("This file is too large. The limit is %(limit)s MB.") % {
            "limit": _limit(context["limit"])
        }
    if code == "kind_not_allowed":
        allowed = context.get("allowed") or []
        # Kinds are named after their usual extension, but for two.
        extensions = sorted(f".{_USUAL_EXTENSION.get(str(kind), kind)}" for kind in allowed)
        return _("This kind of file is not accepted here. Files accepted: %(extensions)s.") % {
            "extensions": ", ".join(extensions)
        }
    if code == "mismatch":
        return _(
            "This file’s name ends in .%(extension)s, but its content is of another kind "
            "(%(kind)s). Rename it .%(expected)s and send it again."
        ) % {
            "extension": context["extension"],
            "kind": str(context["kind"]).upper(),
            "expected": context["expected"],
        }
    if code == "scriptable":
        return _(
            "This file holds web page or script content (HTML, SVG or XML), which is never "
            "accepted, whatever the file’s name."
        )
    if code == "too_many_pixels":
        limit = number_format(int(context["limit"]) // 1_000_000)
        if "width" in context:
            return _(
                "This image is too large: %(width)s × %(height)s pixels. The limit is "
                "%(limit)s million pixels."
            ) % {
                "width": number_format(context["width"], force_grouping=True),
                "height": number_format(context["height"], force_grouping=True),
                "limit": limit,
            }
        return _("This image has too many pixels. The limit is %(limit)s million pixels.") % {
            "limit": limit
        }
    if code == "unreadable":
        if context.get("kind") == "text":
            return _("This text file could not be read. Save it as UTF-8 text and send it again.")
        return _("This file is damaged or incomplete and could not be read.")
    if code == "zip_bomb":
        return _(
            "This document would unpack to far more than its size, or holds archives inside "
            "archives. It cannot be accepted."
        )
    if code == "empty":
        return _("This file is empty.")
    if code == "bad_name":
        return _("This file’s name is far too long. Shorten it and send it again.")
    return _("This file cannot be accepted.")


_STATUS = {"too_large": 413, "kind_not_allowed": 415, "mismatch": 415, "scriptable": 415}


def refusal_error(refused: Refused, field: str = "file") -> ActionError:
    """The refusal as the one action error (``upload_<code>``), for actions that take files."""
    return ActionError(
        f"upload_{refused.code}",
        refusal_message(refused),
        status=_STATUS.get(refused.code, 400),
        field=field,
    )


def check_upload(
    uploaded: UploadedFile, *, allowed: Collection[str], max_bytes: int | None = None
) -> CleanFile:
    """``clean_upload`` for a Django upload; ``max_bytes`` may only lower the site's limit."""
    ceiling = settings.UPLOAD_MAX_BYTES
    limit = ceiling if max_bytes is None else min(max_bytes, ceiling)
    uploaded.seek(0)
    try:
        return clean_upload(uploaded.name or "", uploaded, allowed=allowed, max_bytes=limit)
    finally:
        uploaded.seek(0)


# -- size limits -------------------------------------------------------------------------------


class CappedUploadHandler(FileUploadHandler):
    """Counts every file's bytes as they arrive and stops the upload past the caps.

    First in ``FILE_UPLOAD_HANDLERS``, so the chunk that crosses a cap never reaches the handlers
    that keep data (memory, then a temporary file). The refusal is left on the request for
    ``UploadLimitMiddleware`` to answer; ``StopUpload`` makes Django close and delete what it
    had started to keep, and not read the rest of the body."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.file_bytes = 0
        self.total_bytes = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.file_bytes = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:  # noqa: ARG002
        self.file_bytes += len(raw_data)
        self.total_bytes += len(raw_data)
        if self.file_bytes > settings.UPLOAD_MAX_BYTES:
            self._stop(Refused("too_large", size=None, limit=settings.UPLOAD_MAX_BYTES))
        if self.total_bytes > settings.UPLOAD_REQUEST_MAX_BYTES:
            self._stop(
                Refused(
                    "too_large",
                    size=None,
                    limit=settings.UPLOAD_REQUEST_MAX_BYTES,
                    scope="request",
                )
            )
        return raw_data

    def _stop(self, refused: Refused) -> None:
        if self.request is not None:
            self.request.upload_refused = refused
        raise StopUpload(connection_reset=True)

    def file_complete(self, file_size: int) -> None:  # noqa: ARG002
        return None  # the handlers after this one keep the file


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django reads no body without a valid length


class UploadLimitMiddleware:
    """413 for a multipart body over the whole-request cap, before reading it (see the module
    docstring). Placed after LocaleMiddleware, so the message is in the request's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in BODY_METHODS and request.content_type == "multipart/form-data":
            length = _content_length(request)
            cap = settings.UPLOAD_REQUEST_MAX_BYTES
            if length > cap:
                refused = Refused("too_large", size=length, limit=cap, scope="request")
                return too_large(request, refused)
            try:
                request.POST  # noqa: B018 - parse now, through CappedUploadHandler
            except RequestDataTooBig:
                # Form fields other than files over DATA_UPLOAD_MAX_MEMORY_SIZE.
                return too_large(request, None)
            refused = getattr(request, "upload_refused", None)
            if refused is not None:
                return too_large(request, refused)
        return self.get_response(request)


def too_large(request: HttpRequest, refused: Refused | None) -> HttpResponse:
    message = refusal_message(refused) if refused else _("The request is too large.")
    if request.path.startswith("/api/"):
        # The contract's error shape (accueil.api.errors), built here: core is below the API.
        body = {"error": {"code": "too_large", "message": message}}
        response: HttpResponse = JsonResponse(
            body, status=413, json_dumps_params={"ensure_ascii": False}
        )
    else:
        from accueil.core.errors import request_too_large

        response = request_too_large(request, message)
    return response


# -- downloads ---------------------------------------------------------------------------------


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII ``filename`` for old clients and the exact name in
    ``filename*`` (RFC 6266, RFC 5987). The name is cleaned again: no quote, CR or LF can reach
    the header whatever the caller passes."""
    name = clean_name(name)
    # Accents come off ("été" → "ete"); any other character becomes "_".
    letters = unicodedata.normalize("NFKD", name)
    ascii_name = "".join(c for c in letters if not unicodedata.combining(c))
    ascii_name = re.sub(r"[^A-Za-z0-9 ._()-]", "_", ascii_name).strip(" .")
    stem, extension = split_name(ascii_name)
    if not stem.strip("_ ."):
        ascii_name = f"file.{extension}" if extension else "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment_response(clean_name: str, content_type: str, data: bytes) -> HttpResponse:
    """Serve kept bytes so that no browser renders or runs them, whatever they hold."""
    if content_type not in SAFE_CONTENT_TYPES:
        content_type = "application/octet-stream"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(clean_name)
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-cache"  # a case's files are personal data
    return response
