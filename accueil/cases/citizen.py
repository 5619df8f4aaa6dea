"""The citizen's pages: a request form per service, and tracking (built by the citizen part)."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


choose_service = new_request = find = track = reply = download = _todo
