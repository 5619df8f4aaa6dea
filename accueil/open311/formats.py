"""GeoReport v2's two formats: the same data as JSON or as XML, and its error list.

Every answer is built as plain data first (dicts, lists, strings), then written here: JSON by
the standard library, XML by ElementTree, which escapes ``<``, ``&`` and quotes, so a payload
in a description is text in either format, never markup. The XML nesting follows the
specification: a list is a root element holding one element per item (``services`` →
``service``, ``service_requests`` → ``request``), a list inside an item is a wrapper holding
one element per value (``attributes`` → ``attribute``, ``values`` → ``value``).
"""

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse

JSON = "json"
XML = "xml"
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}
# Characters XML 1.0 cannot carry at all (escaping does not help): dropped from the XML only.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Inner lists: the wrapper's name → the name of each item in it.
ITEM_NAMES = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def choose(request, suffix: str | None) -> str:
    """``.json``/``.xml`` in the path decides; else the ``Accept`` header; else JSON."""
    if suffix in (JSON, XML):
        return suffix
    accept = request.headers.get("Accept", "").lower()
    wants_xml = "text/xml" in accept or "application/xml" in accept
    if wants_xml and ("application/json" not in accept or accept.find("xml") < accept.find("json")):
        return XML
    return JSON


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))


def _fill(element: ET.Element, item: dict) -> None:
    for name, value in item.items():
        child = ET.SubElement(element, name)
        if isinstance(value, list):
            each = ITEM_NAMES.get(name, name.rstrip("s"))
            for entry in value:
                grandchild = ET.SubElement(child, each)
                if isinstance(entry, dict):
                    _fill(grandchild, entry)
                else:
                    grandchild.text = _text(entry)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _text(value)


def to_xml(root: str, data: dict | list, item: str | None = None) -> bytes:
    """``data`` as a document: a dict fills ``<root>``; a list gives one ``<item>`` each."""
    element = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            _fill(ET.SubElement(element, item or "item"), entry)
    else:
        _fill(element, data)
    body = ET.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()


def respond(fmt: str, root: str, data: dict | list, item: str | None = None, status: int = 200):
    body = to_xml(root, data, item) if fmt == XML else json.dumps(data, ensure_ascii=False).encode()
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response.open311 = True  # already in the specification's shape (middleware.py)
    return response


def errors(fmt: str, status: int, *descriptions: str, retry_after: int | None = None):
    """The specification's error list: ``[{"code": 400, "description": "…"}]``, or
    ``<errors><error><code>400</code><description>…</description></error></errors>``."""
    items = [{"code": status, "description": str(text)} for text in descriptions]
    response = respond(fmt, "errors", items, "error", status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
