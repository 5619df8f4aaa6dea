"""The agents' workspace (built by the workspace part)."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


case_list = intake = bulk = meter = case_detail = reply = note = change_status = _todo
assign = merge = link = download = _todo
