"""Parts of core's public pages that other apps provide, registered in their ``ready()``.

The public office page is core's, but what is waiting there right now is the queues app's:
core imports no domain app, so queues registers a section and core renders whatever is
registered, in order::

    @office_sections.register
    def current_waits(request, office):
        return "queues/_office_waits.html", {"rows": ...}
"""

from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

Maker = Callable[[Any, Any], tuple[str, dict[str, Any]] | None]


class Sections:
    def __init__(self) -> None:
        self._makers: list[Maker] = []

    def register(self, maker: Maker) -> Maker:
        if maker not in self._makers:
            self._makers.append(maker)
        return maker

    def render_for(self, request: Any, obj: Any) -> list[SafeString]:
        """Each registered section that has something to show about ``obj``, as HTML."""
        made = (maker(request, obj) for maker in self._makers)
        return [
            render_to_string(template, context, request=request)
            for template, context in filter(None, made)
        ]


office_sections = Sections()
service_sections = Sections()
# The agent's console, about their desk (the feedback app: the last visitor's survey QR code).
desk_sections = Sections()
